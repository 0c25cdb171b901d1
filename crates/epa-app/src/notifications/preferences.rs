//! A person's choice of which emails they get. Those they must act on
//! (bookings, things to fix, their own account) cannot be switched off.

use epa_store::email_preferences as store;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::kinds::{self, KINDS};
use crate::{Actor, App, AppError};

/// One kind of email and whether the person gets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Preference {
    pub kind: &'static str,
    pub description: &'static str,
    /// Must be acted on, so always sent.
    pub required: bool,
    /// Sent by email.
    pub email: bool,
}

/// Switch one kind of email on or off.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferenceInput {
    /// `true` to get it by email, `false` to stop.
    pub email: bool,
}

/// Every kind of email, and whether `actor` gets it.
pub async fn list(app: &App, actor: &Actor) -> Result<Vec<Preference>, AppError> {
    let off = store::switched_off(&app.db, actor.user_id).await?;
    Ok(KINDS
        .iter()
        .map(|k| Preference {
            kind: k.kind,
            description: k.description,
            required: k.required,
            email: k.required || !off.iter().any(|o| o == k.kind),
        })
        .collect())
}

/// Switches one kind on or off for `actor`; answers every preference.
pub async fn set(
    app: &App,
    actor: &Actor,
    kind: &str,
    input: PreferenceInput,
) -> Result<Vec<Preference>, AppError> {
    let known = kinds::find(kind).ok_or(AppError::NotFound)?;
    if known.required && !input.email {
        return Err(AppError::field(
            "email",
            format!(
                "{} must be acted on, so it is always sent: it cannot be switched off",
                known.description
            ),
        ));
    }
    let mut tx = app.db.begin_write().await?;
    store::set(&mut tx, actor.user_id, known.kind, input.email, app.now()).await?;
    crate::people::audit(
        &mut tx,
        app,
        Some(actor),
        "email_preference.set",
        "user",
        actor.user_id,
        None,
        Some(json!({"kind": known.kind, "email": input.email})),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    list(app, actor).await
}
