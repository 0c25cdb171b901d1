//! The portfolio's KSB coverage: each KSB of the portfolio's method and the
//! evidence covering it, as a view and as the mapping form's CSV.

use epa_domain::gateway::{ComponentKind, PortfolioRules};
use epa_plan::EffectivePlan;
use epa_store::gateway::Submission;
use uuid::Uuid;

use super::stored::Stored;
use super::views::{CoverageRowView, CoverageView, CoveringItem};
use super::visible::visible;
use crate::{Actor, App, AppError};

/// The portfolio mapping of `attempt` (the latest when `None`).
pub async fn coverage(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    attempt: Option<i32>,
) -> Result<CoverageView, AppError> {
    let ctx = visible(app, actor, epa_id).await?;
    let stored = Stored::read(app, epa_id).await?;
    let submission = match attempt {
        Some(n) => stored
            .submissions
            .iter()
            .find(|s| s.attempt == n)
            .ok_or_else(|| AppError::field("attempt", format!("there is no attempt {n}")))?,
        None => stored.last().ok_or_else(|| {
            AppError::Conflict("no gateway has been submitted for this EPA yet".to_owned())
        })?,
    };
    coverage_of(&ctx.plan, &stored, submission)
        .ok_or_else(|| AppError::internal("a gateway attempt without a portfolio"))
}

/// The mapping of one submission's portfolio; none when it has no portfolio.
pub(super) fn coverage_of(
    plan: &EffectivePlan,
    stored: &Stored,
    submission: &Submission,
) -> Option<CoverageView> {
    let portfolio = stored
        .components_of(submission)
        .into_iter()
        .find(|c| c.kind == ComponentKind::Portfolio)?;
    let items = stored.items_of(portfolio);
    let mapped: Vec<Vec<String>> = items.iter().map(|e| stored.ksbs_of(e)).collect();
    let rules = PortfolioRules::from_plan(plan);
    let coverage = rules.coverage(&mapped);
    Some(CoverageView {
        epa_id: submission.epa_id,
        attempt: submission.attempt,
        method: rules.method_name.clone(),
        ksbs: coverage
            .rows
            .iter()
            .map(|r| CoverageRowView {
                ksb: r.ksb.clone(),
                statement: plan.ksb(&r.ksb).map(|k| k.text.clone()).unwrap_or_default(),
                evidence: r
                    .items
                    .iter()
                    .filter_map(|n| items.get(n - 1))
                    .map(|e| CoveringItem {
                        number: e.position,
                        title: e.title.clone(),
                    })
                    .collect(),
            })
            .collect(),
        uncovered: coverage.uncovered,
    })
}
