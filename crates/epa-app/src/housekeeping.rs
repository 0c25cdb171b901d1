//! Housekeeping: forgets what has ended, so that the tables that grow with
//! every sign-in and every POST sent with an `Idempotency-Key` stay the
//! size of what is live (ADR 0167). Every `epa serve` sweeps; two nodes
//! sweeping at once delete each row once.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use epa_domain::Clock;
use epa_store::{Db, StoreError, idempotency, tokens, web_sessions};

/// How long an `Idempotency-Key` keeps its first answer at least: a client
/// retries within minutes, and a day is what such keys are commonly
/// promised for. A key is forgotten at the first sweep after that.
pub const KEYS_KEPT_HOURS: i64 = 24;
/// How often a node sweeps. What is swept is refused or unread already (a
/// retry of a day-old key gets the first answer until the sweep), so an
/// hour late costs only space.
pub const EVERY: Duration = Duration::from_secs(60 * 60);
/// Rows deleted a statement: each batch takes SQLite's turn to write on
/// its own, so requests that write go between batches.
const BATCH: i64 = 500;

/// What one sweep forgot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Web sessions past their end.
    pub sessions: u64,
    /// API tokens past their expiry.
    pub tokens: u64,
    /// Keys claimed more than [`KEYS_KEPT_HOURS`] ago.
    pub idempotency_keys: u64,
}

/// Forgets everything ended by `now`.
pub async fn sweep(db: &Db, now: DateTime<Utc>) -> Result<Swept, StoreError> {
    sweep_in_batches(db, now, BATCH).await
}

/// [`sweep`], `batch` rows a statement.
pub async fn sweep_in_batches(
    db: &Db,
    now: DateTime<Utc>,
    batch: i64,
) -> Result<Swept, StoreError> {
    let keys_before = now - chrono::Duration::hours(KEYS_KEPT_HOURS);
    Ok(Swept {
        sessions: in_batches(batch, || web_sessions::delete_expired(db, now, batch)).await?,
        tokens: in_batches(batch, || tokens::delete_expired(db, now, batch)).await?,
        idempotency_keys: in_batches(batch, || idempotency::forget_before(db, keys_before, batch))
            .await?,
    })
}

/// Runs `delete` until a batch comes back short; the total deleted.
async fn in_batches<F, Fut>(batch: i64, mut delete: F) -> Result<u64, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<u64, StoreError>>,
{
    let full = u64::try_from(batch.max(1)).unwrap_or(1);
    let mut total = 0;
    loop {
        let deleted = delete().await?;
        total += deleted;
        if deleted < full {
            return Ok(total);
        }
    }
}

/// Sweeps at start and every [`EVERY`] until `shutdown` completes, which
/// also stops a sweep at once: each batch is a statement of its own, done
/// whole or not at all, and what is left goes at the next start. A
/// database error is logged and tried again at the next sweep; it never
/// stops the server.
pub async fn run(db: Db, clock: Arc<dyn Clock + Send + Sync>, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            swept = sweep(&db, clock.now()) => match swept {
                Ok(swept) if swept != Swept::default() => tracing::info!(
                    sessions = swept.sessions,
                    tokens = swept.tokens,
                    idempotency_keys = swept.idempotency_keys,
                    "ended sessions, expired tokens and old idempotency keys forgotten"
                ),
                Ok(_) => {}
                Err(err) => tracing::error!(error = %err, "housekeeping could not sweep"),
            },
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(EVERY) => {}
        }
    }
}
