//! The kinds of message each person has switched off. Which kinds may be
//! switched off is decided by the use cases; the outbox does not write a
//! message its recipient has switched off ([`crate::outbox::enqueue`]).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx};

/// The kinds `user_id` has switched off, in order.
pub async fn switched_off(db: &Db, user_id: Uuid) -> Result<Vec<String>, StoreError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT kind FROM email_opt_outs WHERE user_id = $1 ORDER BY kind"
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)?)
}

/// Switches `kind` on (`true`) or off for `user_id`.
pub async fn set(
    tx: &mut Tx,
    user_id: Uuid,
    kind: &str,
    on: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_tx!(tx, |conn| if on {
        sqlx::query("DELETE FROM email_opt_outs WHERE user_id = $1 AND kind = $2")
            .bind(user_id)
            .bind(kind)
            .execute(conn)
            .await
            .map(|_| ())
    } else {
        sqlx::query(
            "INSERT INTO email_opt_outs (user_id, kind, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, kind) DO NOTHING",
        )
        .bind(user_id)
        .bind(kind)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
    })?;
    Ok(())
}
