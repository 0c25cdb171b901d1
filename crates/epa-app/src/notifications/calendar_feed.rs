//! A person's private calendar feed: a secret address a calendar client
//! subscribes to, serving every booking the person may see, without a
//! sign-in. Only the secret's hash is kept (ADR 0137), so the address is
//! shown when it is made: the first time it is asked for, and each time it
//! is renewed. Renewing or revoking it stops the old address at once.

use chrono::{DateTime, Days, Utc};
use epa_domain::Mode;
use epa_domain::booking::BookingStatus;
use epa_notify::ics;
use epa_store::{calendar_feeds as store, users};
use serde::Serialize;
use serde_json::json;

use crate::render::invite::BookingEvent;
use crate::{Actor, App, AppError};

/// The most bookings one feed serves, soonest first.
const FEED_LIMIT: i64 = 2000;

/// How far back a feed reaches: recent assessments stay visible.
const FEED_PAST_DAYS: u64 = 60;

/// A person's feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Feed {
    /// The secret address to subscribe to: present when it was made by
    /// this request. Only its hash is kept, so it cannot be shown again:
    /// renew it to get a new one (the old one then stops working).
    pub url: Option<String>,
    /// When the address in force was made.
    pub issued_at: DateTime<Utc>,
}

fn address(app: &App, secret: &str) -> String {
    format!("{}/api/v1/calendar/{secret}.ics", app.accounts.public_url)
}

async fn issue(app: &App, actor: &Actor, action: &str) -> Result<Feed, AppError> {
    let mut tx = app.db.begin_write().await?;
    let now = app.now();
    let secret = store::issue(&mut tx, actor.user_id, now).await?;
    crate::people::audit(
        &mut tx,
        app,
        Some(actor),
        action,
        "user",
        actor.user_id,
        None,
        Some(json!({"calendar_feed": "issued"})),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(Feed {
        url: Some(address(app, &secret)),
        issued_at: now,
    })
}

/// The actor's feed: made now (with its address) if they have none.
pub async fn get(app: &App, actor: &Actor) -> Result<Feed, AppError> {
    match store::issued_at(&app.db, actor.user_id).await? {
        Some(issued_at) => Ok(Feed {
            url: None,
            issued_at,
        }),
        None => issue(app, actor, "calendar_feed.issued").await,
    }
}

/// A new address for the actor's feed; the old one stops working.
pub async fn renew(app: &App, actor: &Actor) -> Result<Feed, AppError> {
    issue(app, actor, "calendar_feed.renewed").await
}

/// Stops the actor's feed; `NotFound` when they have none.
pub async fn revoke(app: &App, actor: &Actor) -> Result<(), AppError> {
    let mut tx = app.db.begin_write().await?;
    if !store::revoke(&mut tx, actor.user_id).await? {
        return Err(AppError::NotFound);
    }
    crate::people::audit(
        &mut tx,
        app,
        Some(actor),
        "calendar_feed.revoked",
        "user",
        actor.user_id,
        None,
        Some(json!({"calendar_feed": "revoked"})),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(())
}

/// The calendar `secret` opens (`text/calendar`): every booking its owner
/// may see now, from two months back. `NotFound` for an unknown, renewed
/// or revoked secret, or a deactivated owner.
pub async fn serve(app: &App, secret: &str) -> Result<String, AppError> {
    let owner = store::owner(&app.db, secret)
        .await?
        .ok_or(AppError::NotFound)?;
    let actor = Actor {
        user_id: owner,
        memberships: users::memberships(&app.db, owner).await?,
        request_id: None,
    };
    let bookings = match crate::epas::scope_of(&actor) {
        None => Vec::new(),
        Some(scope) => {
            let from = app
                .clock
                .today()
                .checked_sub_days(Days::new(FEED_PAST_DAYS))
                .unwrap_or_else(|| app.clock.today());
            store::bookings_in_scope(&app.db, &scope, from, FEED_LIMIT).await?
        }
    };
    let ids: Vec<_> = bookings.iter().map(|b| b.id).collect();
    let chains = store::chain_roots(&app.db, &ids).await?;
    let mut events = Vec::with_capacity(bookings.len());
    for booking in &bookings {
        let (root, moves) = chains.get(&booking.id).copied().unwrap_or((booking.id, 0));
        let cancelled = booking.status == BookingStatus::Cancelled;
        events.push(
            BookingEvent {
                root,
                moves,
                cancelled,
                method: booking.method,
                given_names: &booking.given_names,
                family_name: &booking.family_name,
                on: booking.assessment_on,
                starts_at: booking.starts_at,
                duration_minutes: booking.duration_minutes,
                remote: booking.mode == Mode::Remote,
                epa_id: booking.epa_id,
                stamp: app.now(),
            }
            .event(&app.accounts.public_url),
        );
    }
    Ok(ics::feed("OpenEPA assessments", &events))
}
