//! Emailed links that let a person set a password: an invitation (valid
//! seven days) or a password reset (one hour). Single use; only a SHA-256
//! of the link's secret is kept, as for API tokens.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx, tokens};

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Invitation,
    PasswordReset,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Invitation => "invitation",
            Purpose::PasswordReset => "password_reset",
        }
    }
}

/// Makes a link for `user_id`, retiring any earlier one for the same
/// purpose (only the newest email works), and returns its secret.
pub async fn create(
    tx: &mut Tx,
    user_id: Uuid,
    purpose: Purpose,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<String, StoreError> {
    on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE account_links SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL"
    )
    .bind(now)
    .bind(user_id)
    .bind(purpose.as_str())
    .execute(conn)
    .await
    .map(|_| ())
    })?;
    let secret = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    on_tx!(tx, |conn| sqlx::query(
        "INSERT INTO account_links (id, user_id, purpose, token_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(Uuid::now_v7())
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(tokens::hash(&secret))
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(secret)
}

/// Uses the link `secret` names, if it is for `purpose`, unused and not
/// expired at `now`: returns whose it is, and it works no more.
pub async fn redeem(
    tx: &mut Tx,
    secret: &str,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, StoreError> {
    Ok(on_tx!(tx, |conn| sqlx::query_scalar(
        "UPDATE account_links SET used_at = $1 WHERE token_hash = $2 AND purpose = $3 \
         AND used_at IS NULL AND expires_at > $1 RETURNING user_id"
    )
    .bind(now)
    .bind(tokens::hash(secret))
    .bind(purpose.as_str())
    .fetch_optional(conn)
    .await)?)
}

/// Whether `user_id` has an invitation still to accept.
pub async fn pending_invitation(
    db: &Db,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT MAX(expires_at) FROM account_links WHERE user_id = $1 AND purpose = 'invitation' \
         AND used_at IS NULL AND expires_at > $2"
    )
    .bind(user_id)
    .bind(now)
    .fetch_one(pool)
    .await)?)
}

/// Whose live link of `purpose` `secret` is, without using it up.
pub async fn find_live(
    db: &Db,
    secret: &str,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, StoreError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT user_id FROM account_links WHERE token_hash = $1 AND purpose = $2 \
         AND used_at IS NULL AND expires_at > $3"
    )
    .bind(tokens::hash(secret))
    .bind(purpose.as_str())
    .bind(now)
    .fetch_optional(pool)
    .await)?)
}
