//! EPAO staff approve the attempt under review: the EPA period starts.

use epa_domain::gateway::{self as rules, ComponentKind, SubmissionStatus};
use epa_domain::lifecycle::Command;
use epa_store::gateway as store;
use serde_json::{Value, json};
use uuid::Uuid;

use super::get::get;
use super::notify::{apprentice_name, notify};
use super::under_review::under_review;
use super::views::GatewayView;
use crate::gate::EpaContext;
use crate::render::email::Message;
use crate::{Actor, App, AppError, transitions};

/// Approves the attempt under review once every component is accepted: the
/// EPA period starts today. Under a policy whose proposal is decided after
/// gateway, the accepted proposal becomes its version 1.
pub async fn approve(app: &App, actor: &Actor, epa_id: Uuid) -> Result<GatewayView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let (EpaContext { row, plan, .. }, stored, submission) =
        under_review(app, &mut tx, actor, epa_id).await?;
    let blockers =
        rules::approval_blockers(&stored.statuses(&submission), &plan.rules.proposal.name);
    if !blockers.is_empty() {
        return Err(AppError::Conflict(format!(
            "The gateway cannot be approved yet: {}.",
            blockers.join("; ")
        )));
    }
    let today = app.clock.today();
    transitions::apply(
        app,
        &mut tx,
        actor,
        &row,
        &Command::ApproveGateway { on: today },
        "gateway.approved",
        json!({"attempt": submission.attempt}),
    )
    .await?;
    let now = app.now();
    store::decide_submission(
        &mut tx,
        submission.id,
        submission.version,
        SubmissionStatus::Approved,
        actor.user_id,
        None,
        now,
    )
    .await?;
    if rules::has_proposal_decision(&plan) {
        let component = stored
            .components_of(&submission)
            .into_iter()
            .find(|c| c.kind == ComponentKind::Proposal)
            .ok_or_else(|| AppError::internal("an approved gateway without a proposal"))?;
        let details: Value =
            serde_json::from_str(&component.details).map_err(AppError::internal)?;
        let text = details["text"].as_str().unwrap_or_default();
        let version = store::proposals_in(&mut tx, epa_id).await?.len() as i32 + 1;
        store::insert_proposal(
            &mut tx,
            &store::NewProposal {
                epa_id,
                version,
                component_id: Some(component.id),
                text,
                word_count: rules::count_words(text) as i64,
                submitted_by: submission.submitted_by,
            },
            now,
        )
        .await?;
    }
    notify(
        app,
        &mut tx,
        row.provider_id,
        "provider_user",
        Message::GatewayApproved {
            attempt: submission.attempt,
            apprentice: &apprentice_name(&row),
            epa_id: row.epa.id,
            period_starts: today,
        },
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    get(app, actor, epa_id).await
}
