//! The project proposal's decision (TQUK): the latest version accepted, or
//! rejected with feedback and a rework deadline.

use epa_domain::gateway as rules;
use epa_domain::lifecycle::Stage;
use epa_domain::policy::Action;
use epa_store::gateway as store;
use serde_json::json;
use uuid::Uuid;

use super::checks::TEXT_MAX;
use super::notify::{apprentice_name, notify};
use super::proposal::{history_in, proposal_view_in};
use super::views::{Decision, ProposalDecisionInput, ProposalView};
use crate::gate::EpaContext;
use crate::render::email::Message;
use crate::{Actor, App, AppError};

/// EPAO staff accept the latest version of the proposal, or reject it with
/// feedback; a rejection sets the rework deadline from the policy's
/// `proposal_rework` timing and tells the provider.
pub async fn decide_proposal(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: ProposalDecisionInput,
) -> Result<ProposalView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let (EpaContext { row, plan, .. }, versions, decisions) = history_in(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::DecideProposal,
        "only EPAO staff can decide a project proposal",
    )
    .await?;
    let latest = versions.last().ok_or_else(|| {
        AppError::Conflict(format!(
            "there is no {} to decide yet: it is decided once the gateway is approved",
            plan.rules.proposal.name
        ))
    })?;
    if row.epa.stage == Stage::Withdrawn {
        return Err(AppError::Conflict("the apprentice is withdrawn".to_owned()));
    }
    if let Some(done) = decisions.iter().find(|d| d.proposal_id == latest.id) {
        return Err(AppError::Conflict(format!(
            "version {} of the {} was already {}",
            latest.version, plan.rules.proposal.name, done.decision
        )));
    }
    let feedback = input.feedback.trim();
    if input.decision == Decision::Rejected && feedback.is_empty() {
        return Err(AppError::field(
            "feedback",
            "give feedback: the apprentice reworks the proposal from it",
        ));
    }
    if feedback.chars().count() > TEXT_MAX {
        return Err(AppError::field(
            "feedback",
            format!("use at most {TEXT_MAX} characters"),
        ));
    }
    let today = app.clock.today();
    let rework_due_on = match input.decision {
        Decision::Accepted => None,
        Decision::Rejected => {
            let working_days = crate::calendar::working_days()?;
            rules::proposal_rework_due(&plan, today, &working_days).map_err(AppError::internal)?
        }
    };
    store::insert_proposal_decision(
        &mut tx,
        latest.id,
        input.decision.stored(),
        feedback,
        rework_due_on,
        actor.user_id,
        app.now(),
    )
    .await?;
    crate::transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        "proposal.decided",
        None,
        json!({
            "version": latest.version,
            "decision": input.decision.as_str(),
            "feedback": feedback,
            "rework_due_on": rework_due_on,
        }),
    )
    .await?;
    if input.decision == Decision::Rejected {
        notify(
            app,
            &mut tx,
            row.provider_id,
            "provider_user",
            Message::ProposalRejected {
                version: latest.version,
                proposal: &plan.rules.proposal.name,
                apprentice: &apprentice_name(&row),
                epa_id: row.epa.id,
                feedback,
                rework_due_on,
            },
        )
        .await?;
    }
    let view = proposal_view_in(app, &mut tx, &row, &plan).await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(view)
}
