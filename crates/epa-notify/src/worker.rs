//! The outbox worker: every `epa serve` runs one. It claims due messages
//! for a lease, delivers each, and records the outcome under its claim: sent;
//! tried again after a backoff; or, after the configured number of tries,
//! given up for an EPAO admin to see and retry. A message is never sent by
//! two workers: a claim is exclusive until its lease runs out, which is
//! longer than one delivery may take.

use std::sync::Arc;
use std::time::Duration;

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
}

impl WorkerSettings {
    pub fn new(from: Mailbox) -> WorkerSettings {
        WorkerSettings {
            from,
            max_attempts: 8,
            poll: Duration::from_secs(5),
            batch: 50,
            lease: chrono::Duration::minutes(5),
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
        for message in claimed {
            let outcome =
                tokio::time::timeout(limit, self.mailer.send(&self.settings.from, &message)).await;
            let error = match outcome {
                Ok(Ok(())) => None,
                Ok(Err(err)) => Some(err.to_string()),
                Err(_) => Some(format!("no answer within {} seconds", limit.as_secs())),
            };
            let Some(error) = error else {
                if outbox::mark_sent(&self.db, message.id, self.id, self.now()).await? {
                    round.sent += 1;
                }
                continue;
            };
            match outbox::mark_failed(
                &self.db,
                &message,
                self.id,
                &error,
                self.now(),
                self.settings.max_attempts.max(1),
            )
            .await?
            {
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
        Ok(round)
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
