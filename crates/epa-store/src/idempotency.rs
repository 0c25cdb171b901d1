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
//!
//! The answer is kept in the same transaction (ADR 0141): inside the scope,
//! [`Tx::commit`] of the claiming transaction does not commit but hands the
//! transaction back to [`within`]'s caller ([`Finished::parked`]), which
//! writes the answer into it and commits both ([`answer_and_commit`]). So a
//! key is either absent (the work was not done) or answered; a process that
//! dies in between leaves neither.

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
    /// The claiming transaction, committed by the use case but held back
    /// for its answer: nothing of the work is committed until
    /// [`answer_and_commit`]; dropping it rolls the work back.
    pub parked: Option<Tx>,
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
    parked: Option<Tx>,
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
        parked: None,
    });
    SCOPE
        .scope(scope, async move {
            let output = work.await;
            let finished = SCOPE.with(|scope| {
                let mut scope = scope.borrow_mut();
                Finished {
                    taken: matches!(scope.state, State::Taken),
                    parked: scope.parked.take(),
                }
            });
            (output, finished)
        })
        .await
}

/// Called by [`Db::begin_write`] before it waits for a connection or
/// SQLite's turn to write: inside a [`within`] scope whose key is already
/// claimed, a second write transaction is refused. One request, one
/// transaction (the house rule): a second one could not claim the key
/// again, and must not run unclaimed; and the first, held back for its
/// answer, still holds SQLite's turn to write.
pub(crate) fn may_begin() -> Result<(), StoreError> {
    SCOPE
        .try_with(|scope| match scope.borrow().state {
            State::Unclaimed => Ok(()),
            State::Claimed | State::Taken => Err(StoreError::Setup(
                "an idempotent request opens one write transaction".to_owned(),
            )),
        })
        .unwrap_or(Ok(()))
}

/// Called by [`Db::begin_write`]: inside a [`within`] scope, claims the key
/// in the new transaction; elsewhere does nothing.
pub(crate) async fn claim_in(db: &Db, tx: &mut Tx) -> Result<(), StoreError> {
    may_begin()?;
    let pending = SCOPE
        .try_with(|scope| {
            let scope = scope.borrow();
            (scope.claim.clone(), scope.now)
        })
        .ok();
    let Some((claim, now)) = pending else {
        return Ok(());
    };
    let mut inserted = insert_claim(tx, &claim, now).await?;
    // On SQLite the claim found may be an earlier request's in the group of
    // writes not yet committed: its answer is not to be replayed before it
    // is, and readers cannot see it yet. So that group is committed first
    // and the claim tried again, as it was when each write committed alone.
    if inserted == 0
        && let Db::Sqlite(_) = db
        && tx.begin_alone().await?
    {
        inserted = insert_claim(tx, &claim, now).await?;
    }
    let claimed = inserted == 1;
    tx.claims_key = claimed;
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

/// Claims the key in `tx`: answers 1 if it did, 0 if the key was claimed.
async fn insert_claim(tx: &mut Tx, claim: &Claim, now: DateTime<Utc>) -> Result<u64, StoreError> {
    on_tx!(tx, |conn| {
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
    })
    .map_err(StoreError::from)
}

/// Called by [`Tx::commit`]: the transaction that claimed the key of the
/// current [`within`] scope is held back there for its answer (`None`);
/// any other is given back to be committed.
pub(crate) fn park(tx: Tx) -> Option<Tx> {
    if !tx.claims_key {
        return Some(tx);
    }
    let mut tx = Some(tx);
    // Outside the scope (a claiming transaction cannot leave it) the
    // transaction is simply committed.
    let _ = SCOPE.try_with(|scope| scope.borrow_mut().parked = tx.take());
    tx
}

/// Writes the answer under the claimed key into `tx`, the transaction that
/// did the work and claimed the key, and commits them together.
pub async fn answer_and_commit(
    mut tx: Tx,
    claim: &Claim,
    response_status: i32,
    response_body: &str,
) -> Result<(), StoreError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE idempotency_keys SET response_status = $3, response_body = $4 \
             WHERE user_id = $1 AND key = $2 AND response_status = 0",
        )
        .bind(claim.user_id)
        .bind(&claim.key)
        .bind(response_status)
        .bind(response_body)
        .execute(conn)
        .await
        .map(|_| ())
    })?;
    tx.claims_key = false;
    tx.commit().await
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

/// Forgets at most `limit` of the keys claimed before `before` and returns
/// how many (see [`crate::sweep`]): a retry after that runs the work again
/// (ADR 0167).
pub async fn forget_before(db: &Db, before: DateTime<Utc>, limit: i64) -> Result<u64, StoreError> {
    crate::sweep::delete_batch(
        db,
        "idempotency_keys",
        "user_id, key",
        "created_at < $1",
        before,
        limit,
    )
    .await
}
