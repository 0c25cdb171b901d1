//! The server's DfE worker: with `dfe.base_url` set, every `epa serve`
//! runs one, and every few minutes one of them (whichever takes the lease)
//! pushes what the service does not yet have. An outage is logged and
//! tried again at the next round; it never fails a request, since use
//! cases only change OpenEPA's own records and the push reads them after.

use std::time::Duration;

use epa_dfe::Client;
use epa_store::dfe as store;
use uuid::Uuid;

use super::{DfeSettings, PushError, PushReport, push};
use crate::App;

/// One server's worker.
pub struct Worker {
    app: App,
    client: Client,
    settings: DfeSettings,
    /// Time between rounds.
    pub poll: Duration,
    /// How long a round may hold the lease: longer than a push takes.
    pub lease: chrono::Duration,
    id: Uuid,
}

impl Worker {
    pub fn new(app: App, client: Client, settings: DfeSettings) -> Worker {
        Worker {
            app,
            client,
            settings,
            poll: Duration::from_secs(300),
            lease: chrono::Duration::minutes(30),
            id: Uuid::now_v7(),
        }
    }

    /// One push, if no other server is pushing; `None` when one is.
    pub async fn round(&self) -> Result<Option<PushReport>, PushError> {
        if !store::take_lease(&self.app.db, self.id, self.app.now(), self.lease).await? {
            return Ok(None);
        }
        let pushed = push(&self.app, &self.client, &self.settings, false).await;
        store::release_lease(&self.app.db, self.id).await?;
        pushed.map(Some)
    }

    /// Rounds until `shutdown` completes. Errors are logged (counts only:
    /// no learner's details go to the logs) and tried again next round.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            match self.round().await {
                Ok(Some(report)) if !report.sent.is_empty() || !report.refused.is_empty() => {
                    tracing::info!(
                        sent = report.sent.len(),
                        refused = report.refused.len(),
                        waiting = report.waiting.len(),
                        "DfE push done"
                    );
                }
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(error = %err, "DfE push stopped; trying again next round")
                }
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(self.poll) => {}
            }
        }
    }
}
