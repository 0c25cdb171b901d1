//! Reading the project proposal decided after gateway (TQUK), and what its
//! decision and its rework share.

use epa_domain::gateway as rules;
use epa_domain::policy::Action;
use epa_plan::EffectivePlan;
use epa_store::Tx;
use epa_store::epas::EpaRow;
use epa_store::gateway::{self as store, Proposal, ProposalDecision};
use uuid::Uuid;

use super::views::{ProposalView, build_proposal_view};
use super::visible::visible;
use crate::gate::EpaContext;
use crate::{Actor, App, AppError};

/// The project proposal with every version and decision.
pub async fn proposal(app: &App, actor: &Actor, epa_id: Uuid) -> Result<ProposalView, AppError> {
    let ctx = visible(app, actor, epa_id).await?;
    needs_proposal_decision(&ctx.plan)?;
    let versions = store::proposals(&app.db, epa_id).await?;
    let decisions = store::proposal_decisions(&app.db, epa_id).await?;
    Ok(build_proposal_view(
        &ctx.row,
        &ctx.plan,
        &versions,
        &decisions,
        app.clock.today(),
    ))
}

/// Refuses under a policy that agrees its project at gateway.
fn needs_proposal_decision(plan: &EffectivePlan) -> Result<(), AppError> {
    if rules::has_proposal_decision(plan) {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "{} agrees the {} at gateway: there is no separate proposal decision. \
             Review it as a gateway component instead.",
            plan.epao_name, plan.rules.proposal.name
        )))
    }
}

/// The proposal's view read in `tx`, with what a use case wrote: the
/// answer of a decision or a rework, built before the commit (under an
/// Idempotency-Key it is kept with the work, ADR 0141).
pub(super) async fn proposal_view_in(
    app: &App,
    tx: &mut Tx,
    row: &EpaRow,
    plan: &EffectivePlan,
) -> Result<ProposalView, AppError> {
    let versions = store::proposals_in(tx, row.epa.id).await?;
    let decisions = store::proposal_decisions_in(tx, row.epa.id).await?;
    Ok(build_proposal_view(
        row,
        plan,
        &versions,
        &decisions,
        app.clock.today(),
    ))
}

/// The EPA read in `tx` once the gate allows `action`, under a policy that
/// decides its proposal after gateway, with every version of the proposal
/// and every decision: what deciding and reworking the proposal start from.
pub(super) async fn history_in(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    epa_id: Uuid,
    action: Action,
    refused: &str,
) -> Result<(EpaContext, Vec<Proposal>, Vec<ProposalDecision>), AppError> {
    let ctx = EpaContext::write(app, tx, actor, epa_id, action, refused).await?;
    needs_proposal_decision(&ctx.plan)?;
    let versions = store::proposals_in(tx, epa_id).await?;
    let decisions = store::proposal_decisions_in(tx, epa_id).await?;
    Ok((ctx, versions, decisions))
}
