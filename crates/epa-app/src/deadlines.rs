//! Deadlines as the product shows them: computed from what has been
//! recorded about an EPA and its policy's timings (never stored as truth),
//! for one EPA or across the EPAs a person may see.

use epa_domain::attempts::AttemptKind;
use epa_domain::booking::{BookingStatus, SubmissionKind};
use epa_domain::deadlines::{
    self, Deadline, DeadlineId, DeadlineKind, DeadlinePlan, DeadlineState, KnownDates,
};
use epa_domain::gateway::ReviewDecision;
use epa_domain::lifecycle::Stage;
use epa_domain::{Grade, MethodId};
use epa_store::assessment::{self as records, Reader};
use epa_store::epas::{self, EpaRow, Filter};
use epa_store::planning;
use serde::Serialize;
use uuid::Uuid;

use crate::calendar::london_date;
use crate::epas::{PAGE_MAX, Page};
use crate::gate::EpaContext;
use crate::{Actor, App, AppError, transitions};
use epa_domain::policy::Action;

/// What is known of one EPA's dates, from its records. Sittings held count
/// over bookings; a live booking stands in for a sitting not yet held.
pub(crate) async fn known_dates(app: &App, row: &EpaRow) -> Result<KnownDates, AppError> {
    let state = transitions::state_of(row)?;
    let attempt = i32::try_from(state.attempt).unwrap_or(i32::MAX);
    let mut known = KnownDates {
        gateway: row.epa.gateway_approved_on,
        epa_period_start: state.epa_period_start,
        planning_meeting: row.epa.planning_meeting_on,
        report_submission: planning::latest_submission(&app.db, row.epa.id, SubmissionKind::Report)
            .await?,
        ..KnownDates::default()
    };
    let held = records::assessments(Reader::Db(&app.db), row.epa.id).await?;
    let booked = planning::bookings(&app.db, row.epa.id).await?;
    for (method, slot) in [
        (MethodId::Observation, &mut known.observation),
        (MethodId::Project, &mut known.interview),
        (MethodId::Discussion, &mut known.discussion),
    ] {
        *slot = held
            .iter()
            .filter(|a| a.method == method && a.attempt == attempt)
            .map(|a| a.held_on)
            .max()
            .or_else(|| {
                booked
                    .iter()
                    .filter(|b| b.method == method && b.status == BookingStatus::Booked)
                    .map(|b| b.assessment_on)
                    .max()
            });
    }
    // Each method's result is done when that method's result of this
    // attempt is released, on its own or with the overall result (Innovate
    // sets a results deadline per assessment).
    let method_results = records::method_results(Reader::Db(&app.db), row.epa.id).await?;
    for method in MethodId::ALL {
        let released = method_results
            .iter()
            .filter(|r| r.method == method && r.attempt == attempt)
            .filter_map(|r| r.released_at)
            .max();
        if let Some(at) = released {
            known.results_released.insert(method, london_date(at));
        }
    }
    // The product's own record decides every deadline it can: what it has
    // not recorded did not happen (issue: "met or missed, never overdue
    // unless done").
    known.record_complete = true;
    known.finished = matches!(state.stage, Stage::CertificateReceived | Stage::Withdrawn);
    known.gateway_submitted = epa_store::gateway::submissions(&app.db, row.epa.id)
        .await?
        .iter()
        .map(|s| london_date(s.submitted_at))
        .max();
    // Notice counts from the day the observation still standing was booked.
    known.observation_booked_on = booked
        .iter()
        .filter(|b| {
            b.method == MethodId::Observation
                && !matches!(
                    b.status,
                    BookingStatus::Cancelled | BookingStatus::Rescheduled
                )
        })
        .max_by_key(|b| (b.assessment_on, b.created_at))
        .map(|b| b.booked_on);
    // What follows a fail: the resit or retake sat, the project's fail and
    // its reworked report; the proposal sent back and sent again.
    known.resit_retake = held
        .iter()
        .filter(|a| matches!(a.attempt_kind, AttemptKind::Resit | AttemptKind::Retake))
        .map(|a| a.held_on)
        .max();
    known.project_fail_result = method_results
        .iter()
        .filter(|r| r.method == MethodId::Project && r.grade == Grade::Fail)
        .filter_map(|r| r.released_at)
        .max()
        .map(london_date);
    known.project_rework = known
        .project_fail_result
        .and(known.report_submission)
        .filter(|report| {
            known
                .project_fail_result
                .is_some_and(|fail| *report >= fail)
        });
    let decisions = epa_store::gateway::proposal_decisions(&app.db, row.epa.id).await?;
    known.proposal_rejection = decisions
        .iter()
        .filter(|d| d.decision == ReviewDecision::Rejected)
        .map(|d| london_date(d.decided_at))
        .max();
    if let Some(rejected) = known.proposal_rejection {
        known.proposal_resubmission = epa_store::gateway::proposals(&app.db, row.epa.id)
            .await?
            .iter()
            .map(|p| london_date(p.submitted_at))
            .filter(|on| *on >= rejected)
            .max();
    }
    known.certificate_claim = records::claim(Reader::Db(&app.db), row.epa.id)
        .await?
        .map(|c| c.claimed_on);
    let results = records::results(Reader::Db(&app.db), row.epa.id).await?;
    known.result_upload = results
        .iter()
        .filter(|r| r.attempt == attempt)
        .map(|r| r.released_on)
        .max();
    known.fail_result = results
        .iter()
        .filter(|r| r.overall_grade == Grade::Fail)
        .map(|r| r.released_on)
        .min();
    // A retake starts a new EPA period: what happened before it does not
    // bear on this attempt's deadlines.
    if let Some(start) = known.epa_period_start {
        for date in [
            &mut known.observation,
            &mut known.interview,
            &mut known.discussion,
            &mut known.result_upload,
        ] {
            if date.is_some_and(|d| d < start) {
                *date = None;
            }
        }
    }
    Ok(known)
}

/// Every deadline of one EPA, for those who may see it.
pub async fn for_epa(app: &App, actor: &Actor, id: Uuid) -> Result<DeadlinePlan, AppError> {
    let ctx = EpaContext::read(app, actor, id, Action::ViewEpa, "you cannot see this EPA").await?;
    plan_for(app, &ctx.row).await
}

async fn plan_for(app: &App, row: &EpaRow) -> Result<DeadlinePlan, AppError> {
    let plan = crate::gate::plan_of(app, row)?;
    let mut known = known_dates(app, row).await?;
    // The portfolio is done when its submission is recorded, or, where the
    // policy wants it at gateway, when the gateway that held it was approved.
    let portfolio =
        planning::latest_submission(&app.db, row.epa.id, SubmissionKind::Portfolio).await?;
    let at_gateway = plan.rules.timings.portfolio_due.from == Some(epa_plan::Anchor::Gateway);
    if let Some(done) = portfolio.or(row.epa.gateway_approved_on.filter(|_| at_gateway)) {
        known.portfolio_submission = Some(done);
    }
    let working_days = crate::calendar::working_days()?;
    match deadlines::plan_deadlines(&plan, &known, app.clock.today(), &working_days) {
        Ok(plan) => Ok(plan),
        // Contradictory records must not hide every other EPA's deadlines:
        // this one is shown with none, and the cause logged.
        Err(err @ deadlines::DeadlineError::Contradictory(_)) => {
            tracing::warn!(epa = %row.epa.id, error = %err, "deadlines left out");
            Ok(DeadlinePlan::default())
        }
        Err(err) => Err(AppError::Internal(err.to_string())),
    }
}

/// One deadline of one EPA, as listed across EPAs.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DueDeadline {
    pub epa_id: Uuid,
    pub stage: String,
    pub policy: String,
    #[schema(value_type = Object)]
    pub deadline: Deadline,
}

#[derive(Debug, Clone, Default)]
pub struct DueQuery {
    /// States to include; default: the open ones (past due, due soon, upcoming).
    pub states: Vec<DeadlineState>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// How many EPAs one request looks through. Deadlines are computed, not
/// stored, so this bounds the work per request; a larger EPAO needs the
/// deadlines kept up to date as events happen (see the issue notes).
pub const SCAN_MAX: i64 = 2_000;

/// Deadlines due soon or past due across the EPAs the caller may see,
/// soonest first. EPAs that are finished or withdrawn have none.
pub async fn due(
    app: &App,
    actor: &Actor,
    query: &DueQuery,
) -> Result<Page<DueDeadline>, AppError> {
    let limit = query.limit.unwrap_or(50);
    let offset = query.offset.unwrap_or(0);
    if !(1..=PAGE_MAX).contains(&limit) {
        return Err(AppError::field(
            "limit",
            format!("use a limit from 1 to {PAGE_MAX}"),
        ));
    }
    if offset < 0 {
        return Err(AppError::field("offset", "use an offset of 0 or more"));
    }
    let states = if query.states.is_empty() {
        // Open ones only: what someone still has to do.
        vec![
            DeadlineState::OverdueUnlessDone,
            DeadlineState::DueSoon,
            DeadlineState::Upcoming,
        ]
    } else {
        query.states.clone()
    };
    let Some(scope) = crate::epas::scope_of(actor) else {
        return Ok(Page {
            items: Vec::new(),
            limit,
            offset,
        });
    };
    let mut found = Vec::new();
    if let Some(epao) = scope.epao_id
        && states.contains(&DeadlineState::OverdueUnlessDone)
    {
        for row in epas::needing_reallocation(&app.db, epao).await? {
            found.push(DueDeadline {
                epa_id: row.epa.id,
                stage: row.epa.stage.as_str().to_owned(),
                policy: row.epa.policy.clone(),
                deadline: reallocation_needed(&row, app.clock.today()),
            });
        }
    }
    let mut scanned = 0;
    while scanned < SCAN_MAX {
        let rows = epas::list(&app.db, &scope, &Filter::default(), PAGE_MAX, scanned).await?;
        let batch = rows.len() as i64;
        for row in rows {
            let finished = matches!(row.epa.stage, Stage::CertificateReceived | Stage::Withdrawn);
            if finished {
                continue;
            }
            for deadline in plan_for(app, &row).await?.deadlines {
                if states.contains(&deadline.state) {
                    found.push(DueDeadline {
                        epa_id: row.epa.id,
                        stage: row.epa.stage.as_str().to_owned(),
                        policy: row.epa.policy.clone(),
                        deadline,
                    });
                }
            }
        }
        scanned += batch;
        if batch < PAGE_MAX {
            break;
        }
    }
    // Most urgent first: past its date, due soon, upcoming; then by date.
    found.sort_by(|a, b| {
        (a.deadline.state.urgency(), a.deadline.date, a.epa_id).cmp(&(
            b.deadline.state.urgency(),
            b.deadline.date,
            b.epa_id,
        ))
    });
    let items = found
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect();
    Ok(Page {
        items,
        limit,
        offset,
    })
}

/// An EPA whose allocated assessor became conflicted: nothing can be
/// assessed until EPAO staff allocate another, so it is due now.
fn reallocation_needed(row: &EpaRow, today: chrono::NaiveDate) -> Deadline {
    Deadline {
        id: DeadlineId::AssessorReallocation,
        date: today,
        kind: DeadlineKind::DueBy,
        timing: "conflict_of_interest",
        rule: "The allocated assessor has a conflict of interest with the apprentice's employer or training provider: allocate another assessor".to_owned(),
        computation: "as soon as the conflict is known".to_owned(),
        from: epa_plan::Anchor::PlanningMeeting,
        from_date: row.epa.planning_meeting_on.unwrap_or(today),
        strength: epa_plan::Strength::Must,
        reading: None,
        source: epa_plan::Source {
            // Neither specification speaks of conflicts of interest: the
            // rule is the product's own access policy.
            document: "OpenEPA access policy".to_owned(),
            section: Some("docs/adr/0110-one-gate-for-every-epa.md".to_owned()),
            quote: Some("A conflict outranks an allocation everywhere".to_owned()),
        },
        state: DeadlineState::OverdueUnlessDone,
        done: None,
    }
}
