//! A person's API tokens: listed (never shown again) and revoked, their
//! own or, for an EPAO admin, anyone's.

use chrono::{DateTime, Utc};
use epa_domain::people::PeopleAction;
use epa_store::tokens::{self as store, TokenRecord};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::{audit, load_person};
use crate::{Actor, App, AppError};

/// One token in force (its secret is never shown again).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub id: Uuid,
    pub user_id: Uuid,
    /// What it was made by (`sign-in`, `create-admin` ...).
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// `null` for a token that does not expire (an operator's machine client).
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<TokenRecord> for TokenView {
    fn from(t: TokenRecord) -> Self {
        TokenView {
            id: t.id,
            user_id: t.user_id,
            name: t.name,
            created_at: t.created_at,
            expires_at: t.expires_at,
        }
    }
}

/// The tokens in force of `user_id`.
pub async fn list_tokens(
    app: &App,
    actor: &Actor,
    user_id: Uuid,
) -> Result<Vec<TokenView>, AppError> {
    load_person(
        app,
        actor,
        user_id,
        PeopleAction::ManageTokens,
        "only an EPAO administrator can see someone else's tokens",
    )
    .await?;
    Ok(store::list_live(&app.db, user_id, app.now())
        .await?
        .into_iter()
        .map(TokenView::from)
        .collect())
}

/// Revokes one token, the holder's own or (for an EPAO admin) anyone's.
pub async fn revoke_token(app: &App, actor: &Actor, token_id: Uuid) -> Result<(), AppError> {
    let record = store::get(&app.db, token_id)
        .await?
        .ok_or(AppError::NotFound)?;
    load_person(
        app,
        actor,
        record.user_id,
        PeopleAction::ManageTokens,
        "only an EPAO administrator can revoke someone else's tokens",
    )
    .await?;
    let mut tx = app.db.begin_write().await?;
    if store::revoke(&mut tx, token_id, app.now()).await? {
        audit(
            &mut tx,
            app,
            Some(actor),
            "token.revoked",
            "user",
            record.user_id,
            None,
            Some(json!({"token_id": token_id})),
        )
        .await?;
    }
    crate::deadlines::commit(app, tx).await?;
    Ok(())
}

/// Revokes every token of `user_id`: returns how many were in force.
pub async fn revoke_all_tokens(app: &App, actor: &Actor, user_id: Uuid) -> Result<u64, AppError> {
    load_person(
        app,
        actor,
        user_id,
        PeopleAction::ManageTokens,
        "only an EPAO administrator can revoke someone else's tokens",
    )
    .await?;
    let mut tx = app.db.begin_write().await?;
    let revoked = store::revoke_all(&mut tx, user_id, app.now()).await?;
    audit(
        &mut tx,
        app,
        Some(actor),
        "token.revoked_all",
        "user",
        user_id,
        None,
        Some(json!({"tokens_revoked": revoked})),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(revoked)
}
