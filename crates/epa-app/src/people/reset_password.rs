//! Password reset by emailed link: asked for by email address (the answer
//! never says whether the address has an account), valid one hour, single
//! use. Setting the new password signs the person in and stops every token
//! they had.

use chrono::Duration;
use epa_store::account_links::{self, Purpose};
use epa_store::outbox;
use epa_store::users as store;
use serde::Deserialize;
use serde_json::json;

use super::accept_invitation::{SetPassword, set_password_by_link};
use super::audit;
use crate::accounts::IssuedToken;
use crate::render::account_email::AccountMessage;
use crate::{App, AppError};

/// How long a reset link works.
pub const RESET_HOURS: i64 = 1;

/// Whose password to reset.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    pub email: String,
}

/// Emails a reset link if `email` belongs to an active account; does the
/// same amount of nothing visible otherwise.
pub async fn request_reset(app: &App, input: ResetRequest) -> Result<(), AppError> {
    let Some(user) = store::find_by_email(&app.db, &input.email).await? else {
        return Ok(());
    };
    if user.deactivated_at.is_some() {
        return Ok(());
    }
    let now = app.now();
    let expires_at = now + Duration::hours(RESET_HOURS);
    let mut tx = app.db.begin_write().await?;
    let secret =
        account_links::create(&mut tx, user.id, Purpose::PasswordReset, now, expires_at).await?;
    let link = format!("{}/password-resets/{secret}", app.accounts.public_url);
    let email = AccountMessage::PasswordReset {
        name: &user.display_name,
        link: &link,
        expires_at,
    }
    .render();
    outbox::enqueue(&mut tx, &email.to(&user.email), now).await?;
    audit(
        &mut tx,
        app,
        None,
        "user.password_reset_requested",
        "user",
        user.id,
        None,
        Some(json!({"link_expires_at": expires_at})),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(())
}

/// Sets a new password from a reset link.
pub async fn reset_password(app: &App, input: SetPassword) -> Result<IssuedToken, AppError> {
    set_password_by_link(app, input, Purpose::PasswordReset, "user.password_reset").await
}
