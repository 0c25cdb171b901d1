//! EPAO staff reject the attempt under review: the provider is told,
//! component by component, what to fix.

use epa_domain::gateway::{self as rules, ReviewStatus, SubmissionStatus};
use epa_domain::lifecycle::Command;
use epa_store::gateway as store;
use serde_json::json;
use uuid::Uuid;

use super::get::get;
use super::notify::{apprentice_name, notify};
use super::under_review::under_review;
use super::views::{GatewayView, string_list};
use crate::gate::EpaContext;
use crate::render::email::Message;
use crate::{Actor, App, AppError, transitions};

/// Rejects the attempt under review once every component is reviewed and at
/// least one rejected: the EPA goes back to `registered` and the provider
/// is told, component by component, what to fix.
pub async fn reject(app: &App, actor: &Actor, epa_id: Uuid) -> Result<GatewayView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let (EpaContext { row, plan, .. }, stored, submission) =
        under_review(app, &mut tx, actor, epa_id).await?;
    let name = &plan.rules.proposal.name;
    let blockers = rules::rejection_blockers(&stored.statuses(&submission), name);
    if !blockers.is_empty() {
        return Err(AppError::Conflict(format!(
            "The gateway cannot be rejected yet: {}.",
            blockers.join("; ")
        )));
    }
    let mut reasons = Vec::new();
    for component in stored.components_of(&submission) {
        if stored.status_of(component) != ReviewStatus::Rejected {
            continue;
        }
        let label = component.kind.label(name);
        if let Some(review) = stored.reviews_of(component).last() {
            for reason in string_list(&review.reasons)? {
                reasons.push(format!("{label}: {reason}"));
            }
        }
    }
    transitions::apply(
        app,
        &mut tx,
        actor,
        &row,
        &Command::RejectGateway {
            reasons: reasons.clone(),
        },
        "gateway.rejected",
        json!({"attempt": submission.attempt}),
    )
    .await?;
    let reasons_json = serde_json::to_string(&reasons).map_err(AppError::internal)?;
    store::decide_submission(
        &mut tx,
        submission.id,
        submission.version,
        SubmissionStatus::Rejected,
        actor.user_id,
        Some(&reasons_json),
        app.now(),
    )
    .await?;
    notify(
        app,
        &mut tx,
        row.provider_id,
        "provider_user",
        Message::GatewayRejected {
            attempt: submission.attempt,
            apprentice: &apprentice_name(&row),
            epa_id: row.epa.id,
            fixes: &reasons,
        },
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    get(app, actor, epa_id).await
}
