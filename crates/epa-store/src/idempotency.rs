//! Idempotency keys: a POST repeated with the same `Idempotency-Key` (a
//! client retrying after a lost response) gets the first answer back, and
//! two copies of it sent at once never both do the work.
//!
//! The key is claimed inside the use case's own write transaction (ADR
//! 0112): [`within`] runs a use case in a scope; the first
//! [`Db::begin_write`] in that scope inserts the key with
//! `INSERT ... ON CONFLICT DO NOTHING` before the use case writes anything,
//! so the claim commits or rolls back with the change. A second copy of the
//! request waits on the claim (PostgreSQL's lock on the new key, SQLite's
//! single writer) and then finds the key taken, never running the work.
//! The answer is written under the key as soon as the use case returns
//! ([`answer`]); a copy that finds the key claimed but not yet answered
//! waits for the answer.

use std::cell::RefCell;
use std::future::Future;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Stored {
    pub request_hash: String,
    pub response_status: i32,
    pub response_body: String,
}

impl Stored {
    /// Claimed, with the work committed, but the answer not written yet:
    /// the first request is still finishing.
    pub fn is_pending(&self) -> bool {
        self.response_status == 0
    }
}

/// One request's key: who sent it, the key, and a hash of the route and
/// body, so the same key on another request is recognised as a misuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub user_id: Uuid,
    pub key: String,
    pub request_hash: String,
}

/// How the claim went, once the use case has returned.
pub struct Finished {
    /// The key was already claimed by an earlier (or concurrent, now
    /// committed) request: whatever the use case returned is void.
    pub taken: bool,
}

enum State {
    Unclaimed,
    Claimed,
    Taken,
}

struct Scope {
    claim: Claim,
    now: DateTime<Utc>,
    state: State,
}

tokio::task_local! {
    static SCOPE: RefCell<Scope>;
}

/// Runs `work` with `claim` taken by its first write transaction.
pub async fn within<F: Future>(claim: Claim, now: DateTime<Utc>, work: F) -> (F::Output, Finished) {
    let scope = RefCell::new(Scope {
        claim,
        now,
        state: State::Unclaimed,
    });
    SCOPE
        .scope(scope, async move {
            let output = work.await;
            let finished = SCOPE.with(|scope| Finished {
                taken: matches!(scope.borrow().state, State::Taken),
            });
            (output, finished)
        })
        .await
}

/// Called by [`Db::begin_write`]: inside a [`within`] scope, claims the key
/// in the new transaction; elsewhere does nothing.
pub(crate) async fn claim_in(tx: &mut Tx) -> Result<(), StoreError> {
    let pending = SCOPE
        .try_with(|scope| {
            let scope = scope.borrow();
            match scope.state {
                State::Unclaimed => Ok(Some((scope.claim.clone(), scope.now))),
                // One request, one transaction (the house rule): a second
                // one could not claim the key again, and must not run
                // unclaimed.
                State::Claimed | State::Taken => Err(StoreError::Setup(
                    "an idempotent request opens one write transaction".to_owned(),
                )),
            }
        })
        .unwrap_or(Ok(None))?;
    let Some((claim, now)) = pending else {
        return Ok(());
    };
    let inserted = on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO idempotency_keys (user_id, key, request_hash, response_status, response_body, created_at) \
             VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT (user_id, key) DO NOTHING",
        )
        .bind(claim.user_id)
        .bind(&claim.key)
        .bind(&claim.request_hash)
        .bind(now)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    let claimed = inserted == 1;
    SCOPE.with(|scope| {
        scope.borrow_mut().state = if claimed {
            State::Claimed
        } else {
            State::Taken
        }
    });
    if claimed {
        Ok(())
    } else {
        Err(StoreError::Conflict(
            "this Idempotency-Key was already used".to_owned(),
        ))
    }
}

/// Writes the answer under the claimed key, once the use case that claimed
/// it has committed. Only a claim still waiting for its answer is updated.
pub async fn answer(
    db: &Db,
    claim: &Claim,
    response_status: i32,
    response_body: &str,
) -> Result<(), StoreError> {
    on_db!(db, |pool| {
        sqlx::query(
            "UPDATE idempotency_keys SET response_status = $3, response_body = $4 \
             WHERE user_id = $1 AND key = $2 AND response_status = 0",
        )
        .bind(claim.user_id)
        .bind(&claim.key)
        .bind(response_status)
        .bind(response_body)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

pub async fn find(db: &Db, user_id: Uuid, key: &str) -> Result<Option<Stored>, StoreError> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE user_id = $1 AND key = $2"
    )
    .bind(user_id)
    .bind(key)
    .fetch_optional(pool)
    .await
    })?)
}
