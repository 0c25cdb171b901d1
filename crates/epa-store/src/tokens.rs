//! API tokens for machine clients. The token is shown once, when made; only
//! its SHA-256 is stored, so a copy of the database does not leak tokens.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{Db, StoreError, Tx};

/// The SHA-256 of a token, as stored.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Makes a token for `user_id` and returns its text, the only time it exists.
pub async fn create(
    tx: &mut Tx,
    user_id: Uuid,
    name: &str,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    // Two random v4 UUIDs: 244 bits from the operating system's generator.
    let token = format!("epa_{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    on_tx!(tx, |conn| {
        sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(Uuid::now_v7())
    .bind(user_id)
    .bind(name)
    .bind(hash(&token))
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
    })?;
    Ok(token)
}

/// The user a live token belongs to.
pub async fn user_for(db: &Db, token: &str) -> Result<Option<Uuid>, StoreError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL"
    )
    .bind(hash(token))
    .fetch_optional(pool)
    .await)?)
}
