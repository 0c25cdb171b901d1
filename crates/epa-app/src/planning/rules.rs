//! The plan's booking rules, against the EPA's bookings: checked when a
//! method is booked or moved, and again for its day when it is sat.

use chrono::NaiveDate;
use epa_domain::booking::{self, BookingFacts, BookingStatus, Finding};
use epa_domain::diary;
use epa_plan::MethodId;
use epa_store::Tx;
use epa_store::epas::EpaRow;
use epa_store::gateway;
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
    Ok(store::current_live_bookings_in(tx, row.epa.id).await?)
}

/// The EPA's bookings for its current attempt, live or held: a held
/// booking is an assessment that took place, and order rules still measure
/// against it. Those of them still `booked` are [`current_bookings`].
pub(crate) async fn standing_bookings(tx: &mut Tx, row: &EpaRow) -> Result<Vec<Booking>, AppError> {
    Ok(store::current_standing_bookings_in(tx, row.epa.id).await?)
}

/// The plan's rules for `slot`, against the EPA's other bookings
/// (`replacing` excluded): refused, or the warnings. Under a policy whose
/// project proposal must be accepted (TQUK), the interview is not booked
/// before it is.
pub(super) async fn check_rules(
    app: &App,
    tx: &mut Tx,
    ctx: &EpaContext,
    slot: &Slot,
    replacing: Option<Uuid>,
) -> Result<Vec<RuleFinding>, BookingError> {
    // Read once for both checks: the live ones (still `booked`) and, for
    // the order rules, the held ones too.
    let standing = standing_bookings(tx, &ctx.row).await?;
    if let Some(same) = standing.iter().find(|b| {
        b.status == BookingStatus::Booked && b.method == slot.method && Some(b.id) != replacing
    }) {
        return Err(AppError::Conflict(format!(
            "the {} is already booked for {}: reschedule or cancel that booking instead",
            booking::method_word(slot.method),
            same.assessment_on
        ))
        .into());
    }
    let (mut refusals, warnings) = rule_findings(
        tx,
        ctx,
        &standing,
        slot.method,
        slot.date,
        app.clock.today(),
        replacing,
    )
    .await?;
    if slot.method == MethodId::Project
        && let Some(refusal) = proposal_refusal(tx, ctx, "the interview is booked").await?
    {
        refusals.insert(0, refusal);
    }
    let (clashes, mut diary) = diary_findings(app, tx, slot, replacing).await?;
    refusals.extend(clashes);
    let mut warnings = warnings;
    warnings.append(&mut diary);
    if refusals.is_empty() {
        Ok(warnings)
    } else {
        Err(BookingError::Refused { refusals, warnings })
    }
}

/// The assessor's diary: a booking overlapping another of theirs is refused
/// naming it; a weekend, a bank holiday of England and Wales or a start
/// outside working hours is accepted with a warning (workplaces open then).
async fn diary_findings(
    app: &App,
    tx: &mut Tx,
    slot: &Slot,
    replacing: Option<Uuid>,
) -> Result<(Vec<RuleFinding>, Vec<RuleFinding>), AppError> {
    let span = |date: NaiveDate, start: chrono::NaiveTime, minutes: i64| diary::Slot {
        date,
        start,
        end: start
            .overflowing_add_signed(chrono::Duration::minutes(minutes))
            .0,
    };
    let wanted = span(slot.date, slot.starts_at, i64::from(slot.duration));
    // Only the bookings that overlap are read; the domain still decides
    // what a clash is and how it is named.
    let others: Vec<(Uuid, diary::Slot)> =
        store::assessor_overlapping_in(tx, slot.assessor, slot.date, wanted.start, wanted.end)
            .await?
            .into_iter()
            .filter(|b| Some(b.id) != replacing)
            .map(|b| {
                let found = span(b.assessment_on, b.starts_at, i64::from(b.duration_minutes));
                (b.id, found)
            })
            .collect();
    let finding = |rule: &str, strength: &str, message: String, source: &str| RuleFinding {
        rule: rule.to_owned(),
        strength: strength.to_owned(),
        message,
        source: source.to_owned(),
        earliest_allowed: None,
        latest_allowed: None,
    };
    let clashes = diary::clashes(&wanted, &others)
        .into_iter()
        .map(|clash| {
            finding(
                "assessor_diary",
                "must",
                clash.message,
                "OpenEPA: an assessor is in one place at a time (ADR 0102)",
            )
        })
        .collect();
    let warnings = diary::diary_warnings(&wanted, app.working_hours, crate::calendar::holidays())
        .map_err(AppError::internal)?
        .into_iter()
        .map(|w| {
            let rule = match w.rule {
                diary::DiaryRule::Weekend => "weekend",
                diary::DiaryRule::BankHoliday => "bank_holiday",
                diary::DiaryRule::OutsideWorkingHours => "outside_working_hours",
            };
            finding(
                rule,
                "recommended",
                w.message,
                "OpenEPA: the EPAO's working days and hours (ADR 0102)",
            )
        })
        .collect();
    Ok((clashes, warnings))
}

/// The plan's timings and order rules for `method` on `date`, notice
/// counted from `booked_on`, against the EPA's other bookings of the current
/// attempt, live or held (`standing`, from [`standing_bookings`];
/// `excluding` left out): the "must" rules broken,
/// then the "recommended" ones. Booking checks the day asked for; a sitting
/// checks its booking's day again with the facts as they are when it is
/// recorded (a report or portfolio submitted since, an EPA period moved).
pub(crate) async fn rule_findings(
    tx: &mut Tx,
    ctx: &EpaContext,
    standing: &[Booking],
    method: MethodId,
    date: NaiveDate,
    booked_on: NaiveDate,
    excluding: Option<Uuid>,
) -> Result<(Vec<RuleFinding>, Vec<RuleFinding>), AppError> {
    let (row, state, plan) = (&ctx.row, &ctx.state, &ctx.plan);
    let submitted =
        store::latest_submissions(epa_store::assessment::Reader::Tx(tx), row.epa.id).await?;
    let facts = BookingFacts {
        method,
        date,
        booked_on,
        epa_period_start: state.epa_period_start.or(row.epa.gateway_approved_on),
        report_submitted_on: submitted.report,
        portfolio_submitted_on: submitted.portfolio,
        booked: standing
            .iter()
            .filter(|b| Some(b.id) != excluding)
            .map(|b| (b.method, b.assessment_on))
            .collect(),
    };
    let findings = booking::check(plan, &facts, &working_days()?)
        .map_err(|err| AppError::Internal(err.to_string()))?;
    let (refusals, warnings): (Vec<Finding>, Vec<Finding>) =
        findings.into_iter().partition(Finding::refuses);
    Ok((
        refusals.into_iter().map(RuleFinding::from).collect(),
        warnings.into_iter().map(RuleFinding::from).collect(),
    ))
}

/// Under a policy whose project proposal must be accepted before the report
/// is started (TQUK), the refusal of `what` while no version of it is
/// accepted, in the policy's own words with their source.
pub(super) async fn proposal_refusal(
    tx: &mut Tx,
    ctx: &EpaContext,
    what: &str,
) -> Result<Option<RuleFinding>, AppError> {
    let rule = &ctx.plan.rules.proposal;
    // Innovate agrees its synopsis as part of the gateway: an approved
    // gateway is its acceptance. Only a decision after gateway (TQUK) gates.
    if !epa_domain::gateway::has_proposal_decision(&ctx.plan) {
        return Ok(None);
    }
    let accepted = gateway::proposal_decisions_in(tx, ctx.id())
        .await?
        .iter()
        .any(|d| d.decision == epa_domain::gateway::ReviewDecision::Accepted);
    if accepted {
        return Ok(None);
    }
    let quote = rule.source.quote.as_deref().unwrap_or(&rule.text);
    Ok(Some(RuleFinding {
        rule: "proposal_accepted".to_owned(),
        strength: "must".to_owned(),
        message: format!(
            "\"{quote}\" The {} is not accepted yet: {what} once the End-Point Assessor or EPAO staff accept it.",
            rule.name
        ),
        source: rule.source.to_string(),
        earliest_allowed: None,
        latest_allowed: None,
    }))
}
