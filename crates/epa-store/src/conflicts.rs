//! Conflicts of interest: an assessor or quality assurer connected with an
//! employer or training provider may not allocate, grade, moderate or sit on
//! an appeal for that organisation's apprentices.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::{Db, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Conflict {
    pub id: Uuid,
    pub user_id: Uuid,
    pub organisation_id: Uuid,
    pub source: String,
    pub reason: String,
    pub declared_at: DateTime<Utc>,
}

pub async fn declare(
    tx: &mut Tx,
    user_id: Uuid,
    organisation_id: Uuid,
    source: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Conflict, StoreError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_as(
        "INSERT INTO conflicts (id, user_id, organisation_id, source, reason, declared_at) VALUES ($1, $2, $3, $4, $5, $6) \
         RETURNING id, user_id, organisation_id, source, reason, declared_at"
    )
    .bind(Uuid::now_v7())
    .bind(user_id)
    .bind(organisation_id)
    .bind(source)
    .bind(reason)
    .bind(now)
    .fetch_one(conn)
    .await
    })?)
}

/// The organisations `user_id` is conflicted with.
pub async fn organisations_of(db: &Db, user_id: Uuid) -> Result<Vec<Uuid>, StoreError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT organisation_id FROM conflicts WHERE user_id = $1 ORDER BY organisation_id"
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)?)
}
