//! What EPAO admins see of email delivery: the messages in each state (the
//! given-up ones above all) and sending one again.

use epa_domain::people::{PeopleAction, Target};
use epa_store::outbox::{self as store, OutboxMessage, OutboxState};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::people::{authorize, people_actor};
use crate::{Actor, App, AppError};

const REFUSED: &str = "only an EPAO administrator can see and retry email delivery";

/// One message, as an admin sees it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OutboxView {
    pub id: Uuid,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    /// `queued`, `sent` or `failed` (given up).
    pub state: &'static str,
    pub attempts: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub next_attempt_at: chrono::DateTime<chrono::Utc>,
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
    pub failed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Why the last try failed.
    pub last_error: Option<String>,
    /// Whether it carries a calendar invite.
    pub has_invite: bool,
}

impl From<OutboxMessage> for OutboxView {
    fn from(m: OutboxMessage) -> Self {
        OutboxView {
            state: m.state().as_str(),
            id: m.id,
            kind: m.kind,
            recipient: m.recipient,
            subject: m.subject,
            attempts: m.attempts,
            created_at: m.created_at,
            next_attempt_at: m.next_attempt_at,
            sent_at: m.sent_at,
            failed_at: m.failed_at,
            last_error: m.last_error,
            has_invite: m.calendar.is_some(),
        }
    }
}

/// Which messages to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    /// `failed` (given up; the default), `queued` or `sent`.
    pub state: Option<String>,
    /// How many, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// The ID of the last message of the previous page.
    pub before: Option<Uuid>,
}

/// A page of messages, newest first, with how many are in each state.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OutboxPage {
    pub items: Vec<OutboxView>,
    /// Pass as `before` for the next page, when there may be more.
    pub next_before: Option<Uuid>,
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
}

async fn check(app: &App, actor: &Actor) -> Result<(), AppError> {
    let me = people_actor(app, actor).await?;
    authorize(&me, PeopleAction::ManageOutbox, &Target::default(), REFUSED)
}

/// Messages in one state, newest first.
pub async fn list(app: &App, actor: &Actor, query: OutboxQuery) -> Result<OutboxPage, AppError> {
    check(app, actor).await?;
    let state = match query.state.as_deref() {
        None => OutboxState::Failed,
        Some(text) => OutboxState::parse(text)
            .ok_or_else(|| AppError::field("state", "use failed, queued or sent"))?,
    };
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::field("limit", "use a number from 1 to 200"));
    }
    let mut items = store::list(&app.db, state, query.before, limit + 1).await?;
    let more = items.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next_before = if more {
        items.last().map(|m| m.id)
    } else {
        None
    };
    let counts = store::counts(&app.db).await?;
    let count = |s: OutboxState| {
        counts
            .iter()
            .find(|(state, _)| *state == s)
            .map_or(0, |(_, n)| *n)
    };
    Ok(OutboxPage {
        items: items.into_iter().map(OutboxView::from).collect(),
        next_before,
        queued: count(OutboxState::Queued),
        sent: count(OutboxState::Sent),
        failed: count(OutboxState::Failed),
    })
}

/// Puts a given-up message back in the queue, to be tried at once.
pub async fn retry(app: &App, actor: &Actor, id: Uuid) -> Result<OutboxView, AppError> {
    check(app, actor).await?;
    let mut tx = app.db.begin_write().await?;
    let message = match store::retry(&mut tx, id, app.now()).await {
        Ok(message) => message,
        Err(epa_store::StoreError::NotFound) => {
            // Unknown, or not given up: say which.
            return match store::get(&app.db, id).await {
                Ok(found) => Err(AppError::Conflict(format!(
                    "this email is {}: only one given up can be retried",
                    found.state().as_str()
                ))),
                Err(_) => Err(AppError::NotFound),
            };
        }
        Err(err) => return Err(err.into()),
    };
    crate::people::audit(
        &mut tx,
        app,
        Some(actor),
        "outbox.retried",
        "outbox_message",
        id,
        None,
        Some(json!({"kind": message.kind, "recipient": message.recipient})),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(message.into())
}
