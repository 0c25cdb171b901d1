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
    /// Who recorded it: the person themselves or EPAO staff; `None` when derived.
    pub declared_by: Option<Uuid>,
    /// Set when EPAO staff withdrew a conflict declared in error: it no
    /// longer counts, and stays on record.
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_by: Option<Uuid>,
    pub withdrawal_reason: Option<String>,
}

const COLUMNS: &str = "id, user_id, organisation_id, source, reason, declared_at, declared_by, \
    withdrawn_at, withdrawn_by, withdrawal_reason";

pub async fn declare(
    tx: &mut Tx,
    user_id: Uuid,
    organisation_id: Uuid,
    source: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Conflict, StoreError> {
    insert(tx, user_id, organisation_id, source, reason, None, now).await
}

/// A conflict a person declares, or EPAO staff declare for them.
pub async fn declare_by(
    tx: &mut Tx,
    user_id: Uuid,
    organisation_id: Uuid,
    reason: &str,
    declared_by: Uuid,
    now: DateTime<Utc>,
) -> Result<Conflict, StoreError> {
    insert(
        tx,
        user_id,
        organisation_id,
        "declared",
        reason,
        Some(declared_by),
        now,
    )
    .await
}

async fn insert(
    tx: &mut Tx,
    user_id: Uuid,
    organisation_id: Uuid,
    source: &str,
    reason: &str,
    declared_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Conflict, StoreError> {
    let sql = format!(
        "INSERT INTO conflicts (id, user_id, organisation_id, source, reason, declared_at, declared_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    );
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(Uuid::now_v7())
        .bind(user_id)
        .bind(organisation_id)
        .bind(source)
        .bind(reason)
        .bind(now)
        .bind(declared_by)
        .fetch_one(conn)
        .await)?)
}

/// One person's conflicts, oldest first.
pub async fn of_user(db: &Db, user_id: Uuid) -> Result<Vec<Conflict>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS} FROM conflicts WHERE user_id = $1 ORDER BY declared_at, id");
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(user_id)
        .fetch_all(pool)
        .await)?)
}

/// Everyone conflicted with either organisation (an EPA's employer and
/// provider), read inside the transaction that acts on it.
pub async fn for_organisations(
    tx: &mut Tx,
    first: Uuid,
    second: Uuid,
) -> Result<Vec<Conflict>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM conflicts WHERE (organisation_id = $1 OR organisation_id = $2) \
         AND withdrawn_at IS NULL ORDER BY declared_at, id"
    );
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(first)
        .bind(second)
        .fetch_all(conn)
        .await)?)
}

/// The same outside a transaction, for reads.
pub async fn for_organisations_db(
    db: &Db,
    first: Uuid,
    second: Uuid,
) -> Result<Vec<Conflict>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM conflicts WHERE (organisation_id = $1 OR organisation_id = $2) \
         AND withdrawn_at IS NULL ORDER BY declared_at, id"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(first)
        .bind(second)
        .fetch_all(pool)
        .await)?)
}

/// The organisations `user_id` is conflicted with.
pub async fn organisations_of(db: &Db, user_id: Uuid) -> Result<Vec<Uuid>, StoreError> {
    Ok(on_db!(db, |pool| {
        sqlx::query_scalar(
        "SELECT organisation_id FROM conflicts WHERE user_id = $1 AND withdrawn_at IS NULL ORDER BY organisation_id"
    )
    .bind(user_id)
    .fetch_all(pool)
    .await
    })?)
}

/// One conflict, withdrawn or not.
pub async fn get_in(tx: &mut Tx, id: Uuid) -> Result<Conflict, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM conflicts WHERE id = $1");
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(id)
        .fetch_one(conn)
        .await)?)
}

/// Withdraws a conflict declared in error. One already withdrawn is left
/// as it is and reported as a conflict of state.
pub async fn withdraw(
    tx: &mut Tx,
    id: Uuid,
    by: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Conflict, StoreError> {
    let sql = format!(
        "UPDATE conflicts SET withdrawn_at = $1, withdrawn_by = $2, withdrawal_reason = $3 \
         WHERE id = $4 AND withdrawn_at IS NULL RETURNING {COLUMNS}"
    );
    let row: Option<Conflict> = on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(now)
        .bind(by)
        .bind(reason)
        .bind(id)
        .fetch_optional(conn)
        .await)?;
    row.ok_or_else(|| {
        StoreError::Conflict("this conflict of interest is already withdrawn".to_owned())
    })
}
