//! Wrong passwords, kept for the throttling window: by the email tried
//! (known account or not) and the address the attempt came from.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx};

pub async fn record(
    tx: &mut Tx,
    email: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_tx!(tx, |conn| sqlx::query(
        "INSERT INTO sign_in_failures (id, email, address, failed_at) VALUES ($1, $2, $3, $4)"
    )
    .bind(Uuid::now_v7())
    .bind(email)
    .bind(address)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Failures since `since`: for the email, and from the address.
pub async fn since(
    db: &Db,
    email: &str,
    address: &str,
    since: DateTime<Utc>,
) -> Result<(Vec<DateTime<Utc>>, Vec<DateTime<Utc>>), StoreError> {
    let by_email = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT failed_at FROM sign_in_failures WHERE email = $1 AND failed_at > $2"
    )
    .bind(email)
    .bind(since)
    .fetch_all(pool)
    .await)?;
    let by_address = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT failed_at FROM sign_in_failures WHERE address = $1 AND failed_at > $2"
    )
    .bind(address)
    .bind(since)
    .fetch_all(pool)
    .await)?;
    Ok((by_email, by_address))
}

/// Forgets an account's failures once the right password got in, and every
/// failure older than `before` (nothing needs them any more).
pub async fn clear(tx: &mut Tx, email: &str, before: DateTime<Utc>) -> Result<(), StoreError> {
    on_tx!(tx, |conn| sqlx::query(
        "DELETE FROM sign_in_failures WHERE email = $1 OR failed_at < $2"
    )
    .bind(email)
    .bind(before)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}
