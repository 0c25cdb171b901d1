//! Accepting an invitation: the emailed link's secret and a password in,
//! signed in out. The link works once and for seven days.

use epa_domain::credentials;
use epa_store::account_links::{self, Purpose};
use epa_store::users as store;
use serde::Deserialize;
use serde_json::json;

use super::audit;
use crate::accounts::{IssuedToken, hash_password, issue_token};
use crate::{App, AppError};

/// The secret from the invitation's link and the password chosen.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    /// The last part of the emailed link.
    pub token: String,
    pub password: String,
}

pub(crate) fn link_refused() -> AppError {
    AppError::field(
        "token",
        "this link has expired or was already used: ask for a new one",
    )
}

/// Checks a new password for `user` against the rules, naming the field.
pub(crate) fn check_new_password(user: &store::User, password: &str) -> Result<(), AppError> {
    credentials::check_password(password, &[&user.email, &user.display_name])
        .map_err(|message| AppError::field("password", message))
}

/// Sets the password of the person a live link of `purpose` names, uses the
/// link up, and signs them in. Shared by invitations and password resets.
pub(crate) async fn set_password_by_link(
    app: &App,
    input: SetPassword,
    purpose: Purpose,
    audit_action: &str,
) -> Result<IssuedToken, AppError> {
    let now = app.now();
    let user_id = account_links::find_live(&app.db, &input.token, purpose, now)
        .await?
        .ok_or_else(link_refused)?;
    let user = store::get(&app.db, user_id).await?;
    if user.deactivated_at.is_some() {
        return Err(link_refused());
    }
    // The demo's people share the demo password, accepted only in demo mode.
    if !(app.demo && input.password == crate::accounts::DEMO_PASSWORD) {
        check_new_password(&user, &input.password)?;
    }
    let hash = hash_password(input.password).await?;
    let mut tx = app.db.begin_write().await?;
    // Used up here, in the same transaction: of two racing uses one wins.
    if account_links::redeem(&mut tx, &input.token, purpose, now)
        .await?
        .is_none()
    {
        return Err(link_refused());
    }
    store::set_password_hash(&mut tx, user.id, &hash).await?;
    // A new password stops every token made with the old one.
    let revoked = epa_store::tokens::revoke_all(&mut tx, user.id, now).await?;
    epa_store::web_sessions::delete_for_user(&mut tx, user.id).await?;
    audit(
        &mut tx,
        app,
        None,
        audit_action,
        "user",
        user.id,
        None,
        Some(json!({"password_set": true, "tokens_revoked": revoked})),
    )
    .await?;
    let issued = issue_token(&mut tx, app, user.id, "sign-in", false).await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(issued)
}

pub async fn accept_invitation(app: &App, input: SetPassword) -> Result<IssuedToken, AppError> {
    set_password_by_link(app, input, Purpose::Invitation, "user.invitation_accepted").await
}
