//! The gateway as a PDF: every attempt with its components, decisions and
//! reasons, and the latest portfolio's KSB coverage (ADR 0149).

use epa_reports::{Coverage, CoverageRow, Fact, GatewayAttempt, GatewayComponent, GatewayDocument};
use uuid::Uuid;

use super::coverage::coverage_of;
use super::stored::Stored;
use super::views::{AttemptView, ComponentView, CoverageView};
use super::visible::visible;
use crate::calendar::london_date;
use crate::reports::{self, Pdf, long_date, sentence_case};
use crate::{Actor, App, AppError};

/// The gateway summary, for anyone who may read the gateway (the same gate
/// as [`super::get`]), once one has been submitted.
pub async fn summary_pdf(app: &App, actor: &Actor, epa_id: Uuid) -> Result<Pdf, AppError> {
    let ctx = visible(app, actor, epa_id).await?;
    let stored = Stored::read(app, epa_id).await?;
    let Some(latest) = stored.last() else {
        return Err(AppError::Conflict(
            "no gateway has been submitted for this EPA yet".to_owned(),
        ));
    };
    let coverage = coverage_of(&ctx.plan, &stored, latest);
    let filename = format!(
        "gateway-{}-attempt-{}.pdf",
        ctx.row.uln.trim(),
        latest.attempt
    );
    let view = stored.view(&ctx.row, &ctx.plan, app.clock.today())?;
    let mut facts = reports::opening_facts(&ctx.row, &ctx.plan);
    if let Some(on) = ctx.row.epa.gateway_approved_on {
        facts.push(Fact::new("Gateway passed", long_date(on)));
    }
    let document = GatewayDocument {
        title: format!("Gateway summary: {}", reports::apprentice_name(&ctx.row)),
        facts,
        attempts: view.attempts.iter().map(attempt).collect(),
        coverage: coverage.map(coverage_table),
    };
    let bytes = reports::render(document, epa_reports::gateway_pdf).await?;
    Ok(Pdf { filename, bytes })
}

fn attempt(a: &AttemptView) -> GatewayAttempt {
    GatewayAttempt {
        heading: format!("Attempt {}", a.attempt),
        status: sentence_case(&a.status),
        submitted: long_date(london_date(a.submitted_at)),
        decided: a.decided_at.map(|at| long_date(london_date(at))),
        reasons: a.reasons.clone(),
        components: a.components.iter().map(component).collect(),
    }
}

fn component(c: &ComponentView) -> GatewayComponent {
    let status = match c.carried_over_from_attempt {
        Some(from) => format!(
            "{} (carried over from attempt {from})",
            sentence_case(&c.status)
        ),
        None => sentence_case(&c.status),
    };
    GatewayComponent {
        name: sentence_case(&c.name),
        status,
        reviews: c
            .reviews
            .iter()
            .map(|r| {
                let when = long_date(london_date(r.reviewed_at));
                let decision = sentence_case(&r.decision);
                if r.reasons.is_empty() {
                    format!("{decision} on {when}.")
                } else {
                    format!("{decision} on {when}: {}", r.reasons.join("; "))
                }
            })
            .collect(),
    }
}

fn coverage_table(view: CoverageView) -> Coverage {
    Coverage {
        method: sentence_case(&view.method),
        rows: view
            .ksbs
            .into_iter()
            .map(|r| CoverageRow {
                evidence: if r.evidence.is_empty() {
                    "None".to_owned()
                } else {
                    r.evidence
                        .iter()
                        .map(|e| format!("{}. {}", e.number, e.title))
                        .collect::<Vec<_>>()
                        .join("; ")
                },
                ksb: r.ksb,
                statement: r.statement,
            })
            .collect(),
        uncovered: view.uncovered,
    }
}
