//! Sessions of the web application (ADR 0117), kept in the database so
//! several nodes share them: signing in starts one under a new id (any
//! session the browser had before ends, so an id planted before sign-in is
//! worth nothing after it), each request finds it live or not, a change of
//! privilege rotates its id, signing out ends it. A session lasts the token
//! lifetime at most and ends after two idle hours; deactivating a person or
//! setting a new password ends all of theirs.

use chrono::{DateTime, Duration, Utc};
use epa_store::users::Membership;
use epa_store::web_sessions as store;
use serde_json::json;
use uuid::Uuid;

use super::audit;
use crate::accounts::{SignIn, SignInRefused, verify_sign_in};
use crate::{App, AppError};

/// A session not used for this long has ended.
pub const IDLE_HOURS: i64 = 2;
/// A session's last-seen time is written at most this often.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// A session just started: its id goes in the cookie, nowhere else.
#[derive(Debug, Clone)]
pub struct Started {
    pub session_id: String,
    pub user_id: Uuid,
    pub expires_at: DateTime<Utc>,
    /// Good only to set up a second factor (see the accounts' token).
    pub second_factor_setup_required: bool,
}

/// Whose session it is.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionUser {
    pub user_id: Uuid,
    pub expires_at: DateTime<Utc>,
    /// Good only for setting up a second factor.
    pub restricted: bool,
    /// Their roles, read with the session: an [`crate::Actor`] needs no
    /// other lookup.
    pub memberships: Vec<Membership>,
}

/// Signs in for the web application: the same checks as an API sign-in
/// (throttling, second factor), then a new session. `previous` is the
/// session id the browser sent, if any: it ends here.
pub async fn sign_in(
    app: &App,
    input: SignIn,
    address: &str,
    previous: Option<&str>,
) -> Result<Started, SignInRefused> {
    let verified = verify_sign_in(app, input, address).await?;
    let mut tx = verified.tx;
    if let Some(previous) = previous {
        store::delete(&mut tx, previous).await?;
    }
    let now = app.now();
    let expires_at = now + app.accounts.token_lifetime;
    let session_id = store::create(
        &mut tx,
        verified.user_id,
        now,
        expires_at,
        verified.restricted,
    )
    .await?;
    audit(
        &mut tx,
        app,
        None,
        "session.started",
        "user",
        verified.user_id,
        None,
        Some(json!({"expires_at": expires_at})),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(Started {
        session_id,
        user_id: verified.user_id,
        expires_at,
        second_factor_setup_required: verified.restricted,
    })
}

/// The person a session id belongs to, with their roles, if the session
/// is live (one indexed lookup); keeps it alive.
pub async fn current(app: &App, session_id: &str) -> Result<Option<SessionUser>, AppError> {
    let now = app.now();
    let Some((session, memberships)) =
        store::authenticate(&app.db, session_id, now, now - Duration::hours(IDLE_HOURS)).await?
    else {
        return Ok(None);
    };
    if now - session.last_seen_at >= Duration::seconds(TOUCH_EVERY_SECONDS) {
        store::touch(&app.db, session_id, now).await?;
    }
    Ok(Some(SessionUser {
        user_id: session.user_id,
        expires_at: session.expires_at,
        restricted: session.restricted,
        memberships,
    }))
}

/// Gives a live session a new id (after a change of privilege, such as
/// setting up a second factor); the old id stops working. `None` when the
/// session is not live.
pub async fn rotate(app: &App, session_id: &str) -> Result<Option<String>, AppError> {
    let now = app.now();
    let Some(session) =
        store::live(&app.db, session_id, now, now - Duration::hours(IDLE_HOURS)).await?
    else {
        return Ok(None);
    };
    let mut tx = app.db.begin_write().await?;
    // Of two racing rotations one wins; the other finds nothing to end.
    if !store::delete(&mut tx, session_id).await? {
        return Ok(None);
    }
    let new_id = store::create(
        &mut tx,
        session.user_id,
        now,
        session.expires_at,
        session.restricted,
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(Some(new_id))
}

/// Signs out: the session ends.
pub async fn sign_out(app: &App, session_id: &str) -> Result<(), AppError> {
    let now = app.now();
    let session = store::live(&app.db, session_id, now, now - Duration::hours(IDLE_HOURS)).await?;
    let mut tx = app.db.begin_write().await?;
    if store::delete(&mut tx, session_id).await?
        && let Some(session) = session
    {
        audit(
            &mut tx,
            app,
            None,
            "session.ended",
            "user",
            session.user_id,
            None,
            None,
        )
        .await?;
    }
    crate::deadlines::commit(app, tx).await?;
    Ok(())
}
