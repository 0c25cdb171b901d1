//! Recording when the report or the portfolio was submitted.

use epa_domain::booking::{self, SubmissionKind};
use epa_domain::lifecycle::Stage;
use epa_domain::policy::Action;
use epa_plan::MethodId;
use epa_store::planning as store;
use serde_json::json;
use uuid::Uuid;

use super::rules::current_bookings;
use super::views::{RuleFinding, SubmissionInput, SubmissionView};
use crate::calendar::working_days;
use crate::gate::EpaContext;
use crate::{Actor, App, AppError, FieldError};

/// and discussion bookings are checked against it. EPAO staff, the
/// allocated assessor or the apprentice's training provider may record it.
pub async fn record_submission(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: SubmissionInput,
) -> Result<SubmissionView, AppError> {
    let mut tx = app.db.begin_write().await?;
    // No one action covers this: the EPAO's side records it as part of the
    // bookings (BookAssessment), the provider as the one who sends the
    // evidence in (SubmitGateway). The gate lets through whoever may see
    // the EPA (anyone else hears 404), then either action must be allowed.
    let ctx = EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::ViewEpa,
        "you cannot see this EPA",
    )
    .await?;
    if !(ctx.may(actor, Action::BookAssessment) || ctx.may(actor, Action::SubmitGateway)) {
        return Err(AppError::Forbidden(
            "only EPAO staff, the allocated assessor or the training provider can record a submission".to_owned(),
        ));
    }
    let (row, state, plan) = (&ctx.row, &ctx.state, &ctx.plan);
    if !matches!(
        state.stage,
        Stage::GatewayApproved | Stage::Planned | Stage::InAssessment
    ) {
        return Err(AppError::Conflict(format!(
            "You cannot record a submission now: the EPA is at stage {}. The report and portfolio are recorded between the gateway approval and the last assessment.",
            state.stage.as_str()
        )));
    }
    let kind = SubmissionKind::parse(input.kind.trim());
    let method = kind.map(|kind| match kind {
        SubmissionKind::Report => MethodId::Project,
        SubmissionKind::Portfolio => MethodId::Discussion,
    });
    let mut problems = Vec::new();
    if method.is_none() {
        problems.push(FieldError::new("kind", "choose report or portfolio"));
    }
    if input.submitted_on > app.clock.today() {
        problems.push(FieldError::new(
            "submitted_on",
            "the date cannot be in the future",
        ));
    }
    let start = state.epa_period_start.or(row.epa.gateway_approved_on);
    if let Some(start) = start
        && input.submitted_on < start
        && method == Some(MethodId::Project)
    {
        problems.push(FieldError::new(
            "submitted_on",
            format!("the report follows the gateway approval on {start}: enter that day or later"),
        ));
    }
    let (Some(method), Some(kind)) = (method, kind) else {
        return Err(AppError::Validation(problems));
    };
    // TQUK: the report is written once the proposal is signed off.
    if method == MethodId::Project
        && let Some(refusal) =
            super::rules::proposal_refusal(&mut tx, &ctx, "the report is submitted").await?
    {
        problems.push(FieldError::new(
            "kind",
            format!("{} (source: {})", refusal.message, refusal.source),
        ));
    }
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let now = app.now();
    let submission = store::insert_submission(
        &mut tx,
        epa_id,
        kind,
        input.submitted_on,
        actor.user_id,
        now,
    )
    .await?;
    crate::transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        if method == MethodId::Project {
            "epa.report_submitted"
        } else {
            "epa.portfolio_submitted"
        },
        None,
        json!({"submission_id": submission.id, "kind": kind, "submitted_on": input.submitted_on}),
    )
    .await?;
    // A booking already made may now be too soon: say so, for rescheduling.
    let wd = working_days()?;
    let timings = &plan.rules.timings;
    let mut warnings = Vec::new();
    for booked in current_bookings(&mut tx, row).await? {
        if booked.method != method {
            continue;
        }
        let finding = if method == MethodId::Project {
            booking::report_to_interview(
                &timings.report_to_interview,
                input.submitted_on,
                booked.assessment_on,
                &wd,
            )
        } else {
            booking::portfolio_due(
                &timings.portfolio_due,
                Some(input.submitted_on),
                booked.booked_on,
                booked.assessment_on,
                &wd,
            )
        }
        .map_err(|err| AppError::Internal(err.to_string()))?;
        warnings.extend(finding.map(RuleFinding::from));
    }
    crate::deadlines::commit(app, tx).await?;
    Ok(SubmissionView {
        id: submission.id,
        epa_id,
        kind: submission.kind.as_str().to_owned(),
        submitted_on: submission.submitted_on,
        recorded_at: submission.recorded_at,
        warnings,
    })
}
