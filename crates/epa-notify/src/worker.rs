//! The outbox worker: every `epa serve` runs one. It claims due messages
//! for a lease, delivers each, and records the outcome under its claim:
//! sent (up to ten deliveries a commit, ADR 0173); tried again after a
//! backoff; or, after the configured number of tries, given up for an
//! EPAO admin to see and retry. A message is never sent by
//! two workers: a claim is exclusive until its lease runs out, which is
//! longer than one delivery may take.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use epa_domain::Clock;
use epa_store::outbox::{self, Failure};
use epa_store::{Db, StoreError};
use lettre::message::Mailbox;
use uuid::Uuid;

use crate::Mailer;

/// How the worker paces itself.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// The sender of every message.
    pub from: Mailbox,
    /// Tries before a message is given up (at least 1).
    pub max_attempts: i32,
    /// How long to wait when nothing is due.
    pub poll: Duration,
    /// How many messages one claim takes.
    pub batch: i64,
    /// How long a claim holds: longer than a delivery may take.
    pub lease: chrono::Duration,
    /// At most how many deliveries are recorded sent in one commit.
    pub mark_every: usize,
    /// How long the first delivery not yet recorded may have waited when
    /// the next delivery begins: past it, those waiting are recorded first.
    pub mark_within: Duration,
}

impl WorkerSettings {
    pub fn new(from: Mailbox) -> WorkerSettings {
        WorkerSettings {
            from,
            max_attempts: 8,
            poll: Duration::from_secs(5),
            batch: 50,
            lease: chrono::Duration::minutes(5),
            mark_every: 10,
            mark_within: Duration::from_millis(250),
        }
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub claimed: usize,
    pub sent: usize,
    pub retrying: usize,
    pub given_up: usize,
}

/// Messages delivered and not yet recorded sent, and since when the first
/// of them has waited.
#[derive(Default)]
struct Delivered {
    ids: Vec<Uuid>,
    since: Option<Instant>,
}

impl Delivered {
    fn push(&mut self, id: Uuid) {
        self.since.get_or_insert_with(Instant::now);
        self.ids.push(id);
    }

    /// Whether the first delivery not yet recorded has waited `within`.
    fn waited(&self, within: Duration) -> bool {
        self.since.is_some_and(|since| since.elapsed() >= within)
    }
}

/// One worker: its own identity, for its claims.
#[derive(Clone)]
pub struct Worker {
    db: Db,
    mailer: Mailer,
    clock: Arc<dyn Clock + Send + Sync>,
    settings: WorkerSettings,
    id: Uuid,
}

impl Worker {
    pub fn new(
        db: Db,
        mailer: Mailer,
        clock: Arc<dyn Clock + Send + Sync>,
        settings: WorkerSettings,
    ) -> Worker {
        Worker {
            db,
            mailer,
            clock,
            settings,
            id: Uuid::now_v7(),
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Claims one batch of due messages and delivers it.
    pub async fn round(&self) -> Result<Round, StoreError> {
        let claimed_at = Instant::now();
        let claimed = outbox::claim(
            &self.db,
            self.id,
            self.now(),
            self.settings.lease,
            self.settings.batch,
        )
        .await?;
        let mut round = Round {
            claimed: claimed.len(),
            ..Round::default()
        };
        // A delivery may take at most half the lease, so the claim still
        // holds when its outcome is recorded.
        let limit = (self.settings.lease / 2)
            .to_std()
            .unwrap_or(Duration::from_secs(60));
        // The claim's end, less one delivery: past it, what was delivered
        // is recorded before the next delivery, whose time out could take
        // the claim past its end.
        let lease = self.settings.lease.to_std().unwrap_or(limit * 2);
        let record_by = claimed_at + lease.saturating_sub(limit);
        let mut delivered = Delivered::default();
        for message in claimed {
            // Deliveries are recorded sent together (ADR 0173): before the
            // next one once the first waiting has waited `mark_within`, or
            // once the claim is near its end.
            if delivered.waited(self.settings.mark_within) || Instant::now() >= record_by {
                round.sent += self.mark_sent(&mut delivered).await?;
            }
            let outcome =
                tokio::time::timeout(limit, self.mailer.send(&self.settings.from, &message)).await;
            let error = match outcome {
                Ok(Ok(())) => None,
                Ok(Err(err)) => Some(err.to_string()),
                Err(_) => Some(format!("no answer within {} seconds", limit.as_secs())),
            };
            let Some(error) = error else {
                delivered.push(message.id);
                if delivered.ids.len() >= self.settings.mark_every.max(1) {
                    round.sent += self.mark_sent(&mut delivered).await?;
                }
                continue;
            };
            let failure = match outbox::mark_failed(
                &self.db,
                &message,
                self.id,
                &error,
                self.now(),
                self.settings.max_attempts.max(1),
            )
            .await
            {
                Ok(failure) => failure,
                Err(err) => {
                    // What was delivered is still recorded if it can be:
                    // unrecorded, it would be sent again.
                    let _ = self.mark_sent(&mut delivered).await;
                    return Err(err);
                }
            };
            match failure {
                Failure::RetryAt(at) => {
                    tracing::warn!(message = %message.id, kind = %message.kind, attempts = message.attempts + 1, retry_at = %at, %error, "email not delivered; will try again");
                    round.retrying += 1;
                }
                Failure::GivenUp => {
                    tracing::error!(message = %message.id, kind = %message.kind, attempts = message.attempts + 1, %error, "email given up: an EPAO admin can retry it");
                    round.given_up += 1;
                }
                Failure::NotHeld => {}
            }
        }
        round.sent += self.mark_sent(&mut delivered).await?;
        Ok(round)
    }

    /// Records the deliveries not yet recorded as sent, in one commit: how
    /// many were still held under this worker's claim. One whose claim ran
    /// out is sent again by whoever claims it next.
    async fn mark_sent(&self, delivered: &mut Delivered) -> Result<usize, StoreError> {
        let ids = std::mem::take(&mut delivered.ids);
        delivered.since = None;
        let marked = outbox::mark_sent(&self.db, &ids, self.id, self.now()).await?;
        let marked = usize::try_from(marked).unwrap_or(ids.len());
        if marked < ids.len() {
            tracing::warn!(
                delivered = ids.len(),
                recorded = marked,
                "emails delivered after their claim ran out: they will be sent again"
            );
        }
        Ok(marked)
    }

    /// Rounds until nothing more is due now.
    pub async fn drain(&self) -> Result<Round, StoreError> {
        let mut total = Round::default();
        loop {
            let round = self.round().await?;
            total.claimed += round.claimed;
            total.sent += round.sent;
            total.retrying += round.retrying;
            total.given_up += round.given_up;
            if round.claimed < usize::try_from(self.settings.batch).unwrap_or(1) {
                return Ok(total);
            }
        }
    }

    /// Works the outbox until `shutdown` completes: drains what is due,
    /// then waits `poll`. A database error is logged and tried again
    /// after the wait; it never stops the server.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            match self.drain().await {
                Ok(round) if round.claimed > 0 => {
                    tracing::info!(
                        sent = round.sent,
                        retrying = round.retrying,
                        given_up = round.given_up,
                        "outbox delivered"
                    );
                }
                Ok(_) => {}
                Err(err) => tracing::error!(error = %err, "the outbox could not be read"),
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(self.settings.poll) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deliveries_wait_from_the_first_not_yet_recorded() {
        let mut delivered = Delivered::default();
        assert!(!delivered.waited(Duration::ZERO), "nothing waits");
        delivered.push(Uuid::now_v7());
        assert!(delivered.waited(Duration::ZERO));
        assert!(!delivered.waited(Duration::from_secs(3600)));
        // The wait is the first's: a later delivery does not restart it.
        let first = delivered.since;
        delivered.push(Uuid::now_v7());
        assert_eq!(delivered.since, first);
    }
}
