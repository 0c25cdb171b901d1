//! The one idempotent wrapper for creating commands (ADR 0112): a command
//! run with an [`Idempotency`] key does its work at most once, however many
//! times, and however concurrently, the request is repeated.
//!
//! The use case itself does not change: the key is claimed by its own write
//! transaction (see `epa_store::idempotency`), and that transaction's
//! commit is held back until the use case's answer is written into it
//! (ADR 0141). The key is either absent (the work was not done) or
//! answered; a process killed in between leaves neither, so a retry runs.
//! A use case run under a key therefore builds its answer from what it
//! read and wrote in its transaction, not by reading after its commit.

use std::future::Future;
use std::time::{Duration, Instant};

use epa_store::idempotency::{self, Claim, Finished};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Actor, App, AppError};

/// Longest key accepted, in bytes.
pub const KEY_MAX: usize = 200;

/// A request's `Idempotency-Key`, with what identifies the request: the
/// route and the body, hashed.
#[derive(Debug, Clone)]
pub struct Idempotency {
    claim: Claim,
}

impl Idempotency {
    /// `key` as sent by `actor` for `route` with `body`; a blank or overlong
    /// key is refused, naming the header.
    pub fn new(actor: &Actor, key: &str, route: &str, body: &[u8]) -> Result<Self, AppError> {
        let key = key.trim();
        if key.is_empty() || key.len() > KEY_MAX || key.chars().any(char::is_control) {
            return Err(AppError::field(
                "Idempotency-Key",
                format!("use 1 to {KEY_MAX} visible characters"),
            ));
        }
        let mut hasher = Sha256::new();
        hasher.update(route.as_bytes());
        hasher.update(b"\n");
        hasher.update(body);
        Ok(Idempotency {
            claim: Claim {
                user_id: actor.user_id,
                key: key.to_owned(),
                request_hash: hex::encode(hasher.finalize()),
            },
        })
    }
}

/// What to send back: the status and JSON body, and whether it is the
/// stored answer to an earlier copy of the request.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub replayed: bool,
}

/// Runs `work` (a use case) at most once for `key`, answering `status`
/// with its output as JSON. Without a key it simply runs. A repeat with the
/// same key and body gets the first answer; the same key with another body
/// is refused (422). Failures are not kept: the claim rolls back with the
/// failed work, so a retry runs again.
pub async fn idempotent<O, E, F>(
    app: &App,
    key: Option<Idempotency>,
    status: u16,
    work: F,
) -> Result<Answer, E>
where
    O: Serialize,
    E: From<AppError>,
    F: Future<Output = Result<O, E>>,
{
    let Some(key) = key else {
        let output = work.await?;
        return Ok(Answer {
            status,
            body: to_json(&output)?,
            replayed: false,
        });
    };
    // Answering a plain replay from the stored row saves running the use
    // case's checks, which may refuse now what they accepted the first time.
    if let Some(answer) = stored(app, &key.claim).await? {
        return answer.map_err(E::from);
    }
    let (output, Finished { taken, parked }) =
        idempotency::within(key.claim.clone(), app.now(), work).await;
    if taken {
        return match stored(app, &key.claim).await? {
            Some(answer) => answer.map_err(E::from),
            None => Err(in_progress().into()),
        };
    }
    // A failure drops the held-back transaction: nothing is kept, and a
    // retry runs again.
    let output = output?;
    let body = to_json(&output)?;
    if let Some(tx) = parked {
        // The work's own commit, held back for its answer (see
        // `deadlines::commit`).
        let _committing = app.recent_tokens.committing_for(&tx);
        idempotency::answer_and_commit(tx, &key.claim, i32::from(status), &body)
            .await
            .map_err(|err| E::from(AppError::from(err)))?;
    }
    Ok(Answer {
        status,
        body,
        replayed: false,
    })
}

/// How long a repeat waits for the first request's answer, and how often
/// it looks.
const WAIT: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(25);

/// The stored answer for `claim`'s key, if any: `Ok` a replay, `Err` a
/// refusal (another request under the same key, or one still running).
/// A claim and its answer commit together, so a claim without an answer is
/// one kept by an earlier version of the product, which wrote the answer
/// after the commit (a node not yet upgraded may still be writing it): it
/// is waited for, briefly.
async fn stored(app: &App, claim: &Claim) -> Result<Option<Result<Answer, AppError>>, AppError> {
    let started = Instant::now();
    let row = loop {
        let Some(row) = idempotency::find(&app.db, claim.user_id, &claim.key).await? else {
            return Ok(None);
        };
        if !row.is_pending() || row.request_hash != claim.request_hash || started.elapsed() > WAIT {
            break row;
        }
        tokio::time::sleep(POLL).await;
    };
    Ok(Some(if row.request_hash != claim.request_hash {
        Err(AppError::field(
            "Idempotency-Key",
            "this key was already used for a different request; use a new key",
        ))
    } else if row.is_pending() {
        Err(in_progress())
    } else {
        Ok(Answer {
            status: u16::try_from(row.response_status).unwrap_or(200),
            body: row.response_body,
            replayed: true,
        })
    }))
}

fn in_progress() -> AppError {
    AppError::Conflict(
        "a request with this Idempotency-Key is still in progress; try again shortly".to_owned(),
    )
}

fn to_json<O: Serialize, E: From<AppError>>(output: &O) -> Result<String, E> {
    serde_json::to_string(output).map_err(|err| E::from(AppError::internal(err)))
}
