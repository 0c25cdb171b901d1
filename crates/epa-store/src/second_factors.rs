//! Second factors (TOTP secrets) and recovery codes.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx, tokens};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SecondFactor {
    pub user_id: Uuid,
    /// Base32, as the authenticator app is given it.
    pub secret: String,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub last_step: Option<i64>,
}

pub async fn get(db: &Db, user_id: Uuid) -> Result<Option<SecondFactor>, StoreError> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT user_id, secret, created_at, confirmed_at, last_step FROM second_factors WHERE user_id = $1"
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await
    })?)
}

/// Starts (or restarts) setting up a second factor; refused once one is confirmed.
pub async fn start(
    tx: &mut Tx,
    user_id: Uuid,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let done = on_tx!(tx, |conn| {
        sqlx::query(
        "INSERT INTO second_factors (user_id, secret, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET secret = $2, created_at = $3 WHERE second_factors.confirmed_at IS NULL"
    )
    .bind(user_id)
    .bind(secret)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected())
    })?;
    if done == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict(
            "a second factor is already set up".to_owned(),
        ))
    }
}

/// Records that the code of `step` was used (and, the first time, that the
/// factor is confirmed); `false` when that step or a later one was used
/// already, so a code works once.
pub async fn use_step(
    tx: &mut Tx,
    user_id: Uuid,
    step: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = on_tx!(tx, |conn| sqlx::query(
        "UPDATE second_factors SET last_step = $1, confirmed_at = COALESCE(confirmed_at, $2) \
         WHERE user_id = $3 AND (last_step IS NULL OR last_step < $1)"
    )
    .bind(step)
    .bind(now)
    .bind(user_id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Replaces a person's recovery codes with these (their SHA-256 kept).
pub async fn replace_recovery_codes(
    tx: &mut Tx,
    user_id: Uuid,
    codes: &[String],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_tx!(tx, |conn| sqlx::query(
        "DELETE FROM recovery_codes WHERE user_id = $1"
    )
    .bind(user_id)
    .execute(conn)
    .await
    .map(|_| ()))?;
    for code in codes {
        on_tx!(tx, |conn| {
            sqlx::query(
            "INSERT INTO recovery_codes (id, user_id, code_hash, created_at) VALUES ($1, $2, $3, $4)"
        )
        .bind(Uuid::now_v7())
        .bind(user_id)
        .bind(tokens::hash(code))
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
        })?;
    }
    Ok(())
}

/// Uses one recovery code of `user_id`; `false` when it is not one of
/// theirs or was used.
pub async fn use_recovery_code(
    tx: &mut Tx,
    user_id: Uuid,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL"
    )
    .bind(now)
    .bind(user_id)
    .bind(tokens::hash(code))
    .execute(conn)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(done == 1)
}
