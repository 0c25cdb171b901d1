//! Reasonable adjustments decided for an EPA. Every decision is kept; the
//! latest stands.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::assessment::Reader;
use crate::{StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Adjustment {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub extra_minutes: Option<i32>,
    pub extra_percent: Option<i32>,
    pub arrangements: String,
    pub reason: String,
    pub decided_by: Uuid,
    pub decided_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewAdjustment<'a> {
    pub epa_id: Uuid,
    pub extra_minutes: Option<i32>,
    pub extra_percent: Option<i32>,
    pub arrangements: &'a str,
    pub reason: &'a str,
    pub decided_by: Uuid,
}

const COLUMNS: &str =
    "id, epa_id, extra_minutes, extra_percent, arrangements, reason, decided_by, decided_at";

pub async fn insert(
    tx: &mut Tx,
    new: &NewAdjustment<'_>,
    now: DateTime<Utc>,
) -> Result<Adjustment, StoreError> {
    let sql = format!(
        "INSERT INTO adjustments ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLUMNS}"
    );
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(Uuid::now_v7())
        .bind(new.epa_id)
        .bind(new.extra_minutes)
        .bind(new.extra_percent)
        .bind(new.arrangements)
        .bind(new.reason)
        .bind(new.decided_by)
        .bind(now)
        .fetch_one(conn)
        .await)?)
}

/// The adjustment that stands for the EPA: the latest decided, if any.
pub async fn standing(reader: Reader<'_>, epa_id: Uuid) -> Result<Option<Adjustment>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM adjustments WHERE epa_id = $1 ORDER BY decided_at DESC, id DESC LIMIT 1"
    );
    Ok(on_reader!(reader, |exec| sqlx::query_as(&sql)
        .bind(epa_id)
        .fetch_optional(exec)
        .await)?)
}
