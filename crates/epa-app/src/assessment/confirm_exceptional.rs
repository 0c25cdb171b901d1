//! Confirming exceptional circumstances the EPA's assessor identified,
//! where the policy asks for a second person (Innovate, ADR 0104).

use epa_domain::circumstances::Step;
use epa_domain::policy::Action;
use epa_store::assessment::{self as store};
use serde_json::json;
use uuid::Uuid;

use super::exceptional::may_take;
use super::views::*;
use crate::gate::EpaContext;
use crate::{Actor, App, AppError, transitions};

/// Confirms exceptional circumstances another person identified, where the
/// policy asks for a second person (Innovate): EPAO staff who graded no
/// part of the EPA.
pub async fn confirm_exceptional_circumstances(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    record_id: Uuid,
) -> Result<ExceptionalView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let ctx = EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::ConfirmExceptionalCircumstances,
        "exceptional circumstances are confirmed by EPAO staff who did not grade the EPA",
    )
    .await?;
    may_take(&ctx, actor, Step::Confirm)?;
    let record = store::exceptional(store::Reader::Tx(&mut tx), epa_id)
        .await?
        .into_iter()
        .find(|e| e.id == record_id)
        .ok_or(AppError::NotFound)?;
    if let (Some(by), Some(at)) = (record.confirmed_by, record.confirmed_at) {
        return Err(AppError::Conflict(format!(
            "these exceptional circumstances were confirmed already, by {by} at {at}"
        )));
    }
    if record.recorded_by == actor.user_id {
        return Err(AppError::Forbidden(
            "the person who identified exceptional circumstances cannot also confirm them".into(),
        ));
    }
    let row = store::confirm_exceptional(&mut tx, record_id, actor.user_id, app.now())
        .await?
        .ok_or_else(|| {
            AppError::Conflict(
                "these exceptional circumstances changed meanwhile: read them again".into(),
            )
        })?;
    transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        "exceptional_circumstances.confirmed",
        None,
        json!({"id": row.id, "identified_by": row.recorded_by, "stage": ctx.state.stage.as_str()}),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(ExceptionalView::new(&row, &ctx.plan))
}
