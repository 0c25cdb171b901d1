//! Switching a person's account off (their tokens stop at once) and on
//! again, each with the reason, audited.

use epa_domain::people::PeopleAction;
use epa_store::{tokens, users as store};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::{UserView, audit, load_person, user_view};
use crate::{Actor, App, AppError};

/// Why.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    pub reason: String,
}

fn checked_reason(reason: &str) -> Result<&str, AppError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 2_000 {
        return Err(AppError::field(
            "reason",
            "say why, in at most 2000 characters",
        ));
    }
    Ok(reason)
}

pub async fn deactivate(
    app: &App,
    actor: &Actor,
    id: Uuid,
    input: Reason,
) -> Result<UserView, AppError> {
    switch(app, actor, id, input, false).await
}

pub async fn reactivate(
    app: &App,
    actor: &Actor,
    id: Uuid,
    input: Reason,
) -> Result<UserView, AppError> {
    switch(app, actor, id, input, true).await
}

/// Switches the account on (`active`) or off, with the reason.
async fn switch(
    app: &App,
    actor: &Actor,
    id: Uuid,
    input: Reason,
    active: bool,
) -> Result<UserView, AppError> {
    let reason = checked_reason(&input.reason)?;
    let (action, refused, already, event) = if active {
        (
            PeopleAction::ReactivateUser,
            "you may not reactivate this person",
            "this person is not deactivated",
            "user.reactivated",
        )
    } else {
        (
            PeopleAction::DeactivateUser,
            "you may not deactivate this person",
            "this person is already deactivated",
            "user.deactivated",
        )
    };
    load_person(app, actor, id, action, refused).await?;
    let now = app.now();
    let mut tx = app.db.begin_write().await?;
    let changed = if active {
        store::reactivate(&mut tx, id).await?
    } else {
        store::deactivate(&mut tx, id, now).await?
    };
    if !changed {
        return Err(AppError::Conflict(already.to_owned()));
    }
    // Switched off, every token stops at once.
    let revoked = if active {
        0
    } else {
        epa_store::web_sessions::delete_for_user(&mut tx, id).await?;
        tokens::revoke_all(&mut tx, id, now).await?
    };
    audit(
        &mut tx,
        app,
        Some(actor),
        event,
        "user",
        id,
        None,
        Some(json!({"reason": reason, "tokens_revoked": revoked})),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    user_view(app, &store::get(&app.db, id).await?).await
}
