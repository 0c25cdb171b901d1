//! The training provider submits a reworked project proposal after a
//! rejection: a new version.

use epa_domain::gateway::{self as rules, ReviewDecision};
use epa_domain::policy::Action;
use epa_store::gateway as store;
use serde_json::json;
use uuid::Uuid;

use super::checks::PROPOSAL_MAX_CHARS;
use super::proposal::{history_in, proposal_view_in};
use super::views::{ProposalInput, ProposalView};
use crate::gate::EpaContext;
use crate::{Actor, App, AppError};

/// The training provider submits a reworked proposal after a rejection: a
/// new version, checked against the word limit. One sent after the due date
/// is kept and shown as late (the EPAO decides what follows).
pub async fn rework_proposal(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: ProposalInput,
) -> Result<ProposalView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let (EpaContext { row, plan, .. }, versions, decisions) = history_in(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::SubmitGateway,
        "only the apprentice's training provider can submit a reworked proposal",
    )
    .await?;
    let rejected = versions.last().is_some_and(|p| {
        decisions
            .iter()
            .any(|d| d.proposal_id == p.id && d.decision == ReviewDecision::Rejected)
    });
    if !rejected {
        return Err(AppError::Conflict(format!(
            "a reworked {} is sent only after the latest version is rejected",
            plan.rules.proposal.name
        )));
    }
    if input.text.chars().count() > PROPOSAL_MAX_CHARS {
        return Err(AppError::field(
            "text",
            format!("use at most {PROPOSAL_MAX_CHARS} characters"),
        ));
    }
    let (words, problem) = rules::check_proposal(&plan, &input.text);
    if let Some(problem) = problem {
        return Err(AppError::field("text", problem.message));
    }
    let version = versions.len() as i32 + 1;
    store::insert_proposal(
        &mut tx,
        &store::NewProposal {
            epa_id,
            version,
            component_id: None,
            text: &input.text,
            word_count: words as i64,
            submitted_by: actor.user_id,
        },
        app.now(),
    )
    .await?;
    crate::transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        "proposal.reworked",
        None,
        json!({"version": version, "word_count": words}),
    )
    .await?;
    let view = proposal_view_in(app, &mut tx, &row, &plan).await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(view)
}
