//! An EPAO reviewer accepts or rejects one component of the attempt under
//! review.

use epa_store::gateway as store;
use serde_json::json;
use uuid::Uuid;

use super::checks::TEXT_MAX;
use super::get::get;
use super::under_review::under_review;
use super::views::{Decision, GatewayView, ReviewInput};
use crate::gate::EpaContext;
use crate::{Actor, App, AppError, FieldError};

/// An EPAO reviewer accepts or rejects one component of the attempt under
/// review. A later review of the same component replaces the standing
/// decision; both stay on record.
pub async fn review(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: ReviewInput,
) -> Result<GatewayView, AppError> {
    let reasons: Vec<String> = input.reasons.iter().map(|r| r.trim().to_owned()).collect();
    let mut tx = app.db.begin_write().await?;
    let (EpaContext { plan, .. }, stored, submission) =
        under_review(app, &mut tx, actor, epa_id).await?;
    let mut problems = Vec::new();
    if input.decision == Decision::Rejected
        && (reasons.is_empty() || reasons.iter().any(String::is_empty))
    {
        problems.push(FieldError::new(
            "reasons",
            "give at least one reason, and no blank ones: the provider must know what to fix",
        ));
    }
    if reasons.iter().any(|r| r.chars().count() > TEXT_MAX) {
        problems.push(FieldError::new(
            "reasons",
            format!("use at most {TEXT_MAX} characters for each reason"),
        ));
    }
    let component = stored
        .components_of(&submission)
        .into_iter()
        .find(|c| c.kind == input.component);
    if component.is_none() {
        problems.push(FieldError::new(
            "component",
            format!(
                "attempt {} has no {}",
                submission.attempt,
                input.component.label(&plan.rules.proposal.name)
            ),
        ));
    }
    let Some(component) = component.filter(|_| problems.is_empty()) else {
        return Err(AppError::Validation(problems));
    };
    let reasons_json = serde_json::to_string(&reasons).map_err(AppError::internal)?;
    store::touch_submission(&mut tx, submission.id, submission.version).await?;
    store::insert_review(
        &mut tx,
        component.id,
        input.decision.stored(),
        &reasons_json,
        actor.user_id,
        app.now(),
    )
    .await?;
    crate::transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        "gateway.component_reviewed",
        None,
        json!({
            "attempt": submission.attempt,
            "component": input.component,
            "decision": input.decision.as_str(),
            "reasons": reasons,
        }),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    get(app, actor, epa_id).await
}
