//! The plan's booking rules, against the EPA's live bookings.

use epa_domain::booking::{self, BookingFacts, Finding, SubmissionKind};
use epa_store::Tx;
use epa_store::epas::EpaRow;
use epa_store::planning::{self as store, Booking};
use uuid::Uuid;

use super::slot::Slot;
use super::views::{BookingError, RuleFinding};
use crate::calendar::working_days;
use crate::gate::EpaContext;
use crate::{App, AppError};

/// The EPA's live bookings for its current attempt. A booking made before
/// the current resit, project rework or retake started was for a sitting of
/// an earlier attempt, which has taken place: it neither blocks booking the
/// method again nor bears on the new bookings' rules.
pub(super) async fn current_bookings(tx: &mut Tx, row: &EpaRow) -> Result<Vec<Booking>, AppError> {
    let live = store::live_bookings_in(tx, row.epa.id).await?;
    let started =
        epa_store::assessment::attempts(epa_store::assessment::Reader::Tx(tx), row.epa.id)
            .await?
            .into_iter()
            .map(|attempt| attempt.started_at)
            .max();
    Ok(match started {
        Some(started) => live
            .into_iter()
            .filter(|b| b.created_at >= started)
            .collect(),
        None => live,
    })
}

/// The plan's rules for `slot`, against the EPA's other live bookings
/// (`replacing` excluded): refused, or the warnings.
pub(super) async fn check_rules(
    app: &App,
    tx: &mut Tx,
    ctx: &EpaContext,
    slot: &Slot,
    replacing: Option<Uuid>,
) -> Result<Vec<RuleFinding>, BookingError> {
    let (row, state, plan) = (&ctx.row, &ctx.state, &ctx.plan);
    let live = current_bookings(tx, row).await?;
    if let Some(same) = live
        .iter()
        .find(|b| b.method == slot.method && Some(b.id) != replacing)
    {
        return Err(AppError::Conflict(format!(
            "the {} is already booked for {}: reschedule or cancel that booking instead",
            booking::method_word(slot.method),
            same.assessment_on
        ))
        .into());
    }
    let facts = BookingFacts {
        method: slot.method,
        date: slot.date,
        booked_on: app.clock.today(),
        epa_period_start: state.epa_period_start.or(row.epa.gateway_approved_on),
        report_submitted_on: store::latest_submission_in(tx, row.epa.id, SubmissionKind::Report)
            .await?,
        portfolio_submitted_on: store::latest_submission_in(
            tx,
            row.epa.id,
            SubmissionKind::Portfolio,
        )
        .await?,
        booked: live
            .iter()
            .filter(|b| Some(b.id) != replacing)
            .map(|b| (b.method, b.assessment_on))
            .collect(),
    };
    let findings = booking::check(plan, &facts, &working_days()?)
        .map_err(|err| AppError::Internal(err.to_string()))?;
    let (refusals, warnings): (Vec<Finding>, Vec<Finding>) =
        findings.into_iter().partition(Finding::refuses);
    let warnings: Vec<RuleFinding> = warnings.into_iter().map(RuleFinding::from).collect();
    if refusals.is_empty() {
        Ok(warnings)
    } else {
        Err(BookingError::Refused {
            refusals: refusals.into_iter().map(RuleFinding::from).collect(),
            warnings,
        })
    }
}
