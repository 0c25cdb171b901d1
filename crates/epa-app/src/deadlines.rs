//! Deadlines as the product shows them: computed from what has been
//! recorded about an EPA and its policy's timings, for one EPA; and, kept
//! up to date in the transaction of every change (ADR 0121), across the
//! EPAs a person may see.

use epa_domain::attempts::AttemptKind;
use epa_domain::booking::BookingStatus;
use epa_domain::deadlines::{
    self, Deadline, DeadlineId, DeadlineKind, DeadlinePlan, DeadlineState, KnownDates, OpenWhile,
};
use epa_domain::gateway::ReviewDecision;
use epa_domain::lifecycle::Stage;
use epa_domain::{Grade, MethodId};
use epa_store::Tx;
use epa_store::assessment::Reader;
use epa_store::deadlines as kept;
use epa_store::epa_dates::{self, EpaDates};
use epa_store::epas::{self, EpaRow};
use serde::Serialize;
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::calendar::london_date;
use crate::epas::{PAGE_MAX, Page};
use crate::gate::EpaContext;
use crate::{Actor, App, AppError, transitions};
use epa_domain::policy::Action;

/// What is known of one EPA's dates, from its records. Sittings held count
/// over bookings; a live booking stands in for a sitting not yet held.
fn known_dates(row: &EpaRow, found: &EpaDates) -> Result<KnownDates, AppError> {
    let state = transitions::state_of(row)?;
    let attempt = i32::try_from(state.attempt).unwrap_or(i32::MAX);
    let mut known = KnownDates {
        gateway: row.epa.gateway_approved_on,
        epa_period_start: state.epa_period_start,
        planning_meeting: row.epa.planning_meeting_on,
        report_submission: found.report,
        ..KnownDates::default()
    };
    let held = &found.held;
    let booked = &found.booked;
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
    let method_results = &found.method_results;
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
    known.gateway_submitted = found
        .gateway_submitted
        .iter()
        .copied()
        .map(london_date)
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
    known.proposal_rejection = found
        .proposal_decisions
        .iter()
        .filter(|(decision, _)| *decision == ReviewDecision::Rejected)
        .map(|(_, at)| london_date(*at))
        .max();
    if let Some(rejected) = known.proposal_rejection {
        known.proposal_resubmission = found
            .proposals_submitted
            .iter()
            .map(|at| london_date(*at))
            .filter(|on| *on >= rejected)
            .max();
    }
    known.certificate_claim = found.claimed_on;
    // The replacement still to be asked of the DfE (the oldest); with none
    // open, the latest, done the day staff asked for it.
    let replacements = &found.replacements;
    let replacement = replacements
        .iter()
        .filter(|r| r.requested_on.is_none())
        .min_by_key(|r| r.received_on)
        .or_else(|| replacements.iter().max_by_key(|r| r.received_on));
    if let Some(replacement) = replacement {
        known.replacement_request = Some(replacement.received_on);
        if let Some(done) = replacement.requested_on {
            known
                .done
                .insert(DeadlineId::ReplacementCertificateDue, done);
        }
    }
    let results = &found.results;
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
    // A retake starts a new EPA period at a new gateway: the earlier
    // attempt's planning meeting, report and sittings do not bear on this
    // attempt's deadlines. Its fail results still open the retake window.
    known.retake = state.attempt_kind == AttemptKind::Retake;
    if known.retake {
        let earlier = |date: Option<chrono::NaiveDate>, than: Option<chrono::NaiveDate>| {
            date.zip(than).is_some_and(|(date, than)| date < than)
        };
        if earlier(known.planning_meeting, known.gateway) {
            known.planning_meeting = None;
        }
        if earlier(known.report_submission, known.epa_period_start) {
            known.report_submission = None;
        }
    }
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
    let found = epa_dates::read(Reader::Db(&app.db), id).await?;
    plan_for(app, &ctx.row, &found)
}

fn plan_for(app: &App, row: &EpaRow, found: &EpaDates) -> Result<DeadlinePlan, AppError> {
    let plan = crate::gate::plan_of(app, row)?;
    let mut known = known_dates(row, found)?;
    // The portfolio is done when its submission is recorded, or, where the
    // policy wants it at gateway, when the gateway that held it was approved.
    let at_gateway = plan.rules.timings.portfolio_due.from == Some(epa_plan::Anchor::Gateway);
    if let Some(done) = found
        .portfolio
        .or(row.epa.gateway_approved_on.filter(|_| at_gateway))
    {
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
    /// The deadline with its state on the day it is read.
    #[schema(value_type = Object)]
    pub deadline: Box<RawValue>,
}

#[derive(Debug, Clone, Default)]
pub struct DueQuery {
    /// States to include; default: the open ones (past due, due soon, upcoming).
    pub states: Vec<DeadlineState>,
    pub limit: Option<i64>,
    /// Where the previous page ended (its `next`).
    pub after: Option<String>,
}

/// How many kept deadlines one request reads at most when it asks for
/// states other than the open ones (met or missed): a page is filled from
/// that many, and `next` goes on from there.
pub const SCAN_MAX: i64 = 2_000;

/// Deadlines across the EPAs the caller may see, most urgent first: by
/// default the open ones (past their date with only an event outside the
/// product to close them, then due soon, then upcoming, by date). Read
/// from the kept deadlines (ADR 0121): a page costs a few index range
/// scans whatever the number of EPAs. Finished EPAs have none.
pub async fn due(
    app: &App,
    actor: &Actor,
    query: &DueQuery,
) -> Result<Page<DueDeadline>, AppError> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=PAGE_MAX).contains(&limit) {
        return Err(AppError::field(
            "limit",
            format!("use a limit from 1 to {PAGE_MAX}"),
        ));
    }
    let after = query.after.as_deref().map(parse_cursor).transpose()?;
    let open_only = query.states.is_empty() || query.states.iter().all(|s| s.is_open());
    let states = if query.states.is_empty() {
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
            next: None,
        });
    };
    let today = app.clock.today();
    // The day's horizon of "due soon", once for the whole page.
    let soon = deadlines::DueSoon::on(today, &crate::calendar::working_days()?)
        .map_err(AppError::internal)?;
    let mut items = Vec::new();
    // An assessor's conflict found after allocation is due now, before the
    // kept deadlines, on the first page.
    if after.is_none()
        && let Some(epao) = scope.epao_id
        && states.contains(&DeadlineState::OverdueUnlessDone)
    {
        for row in epas::needing_reallocation(&app.db, epao, limit).await? {
            items.push(DueDeadline {
                epa_id: row.epa.id,
                stage: row.epa.stage.as_str().to_owned(),
                policy: row.epa.policy.clone(),
                deadline: serde_json::value::to_raw_value(&reallocation_needed(&row, today))
                    .map_err(AppError::internal)?,
            });
        }
    }
    let read = if open_only { limit } else { SCAN_MAX };
    let rows = if open_only {
        kept::open_page(&app.db, &scope, today, after, read).await?
    } else {
        kept::all_page(&app.db, &scope, after, read).await?
    };
    let full = rows.len() as i64 == read;
    let mut last = None;
    for row in rows {
        last = Some(row.cursor());
        let state = state_today(&row, &soon)?;
        if !states.contains(&state) {
            continue;
        }
        // The kept body is the deadline without its state: the state of
        // the day goes in front, with no parsing of the rest.
        let state = serde_json::to_string(&state).map_err(AppError::internal)?;
        let body = row.body.strip_prefix('{').ok_or_else(|| {
            AppError::internal(format!(
                "a kept deadline that is not an object: {}",
                row.body
            ))
        })?;
        let separator = if body.starts_with('}') { "" } else { "," };
        let deadline = RawValue::from_string(format!("{{\"state\":{state}{separator}{body}"))
            .map_err(AppError::internal)?;
        items.push(DueDeadline {
            epa_id: row.epa_id,
            stage: row.stage,
            policy: row.policy,
            deadline,
        });
        if items.len() as i64 >= limit {
            break;
        }
    }
    let next = if full || items.len() as i64 >= limit {
        last.map(format_cursor)
    } else {
        None
    };
    items.truncate(limit as usize);
    Ok(Page { items, limit, next })
}

/// A kept deadline's state on `today`: the stored dates read as the
/// domain reads them.
fn state_today(
    row: &kept::KeptDeadline,
    soon: &deadlines::DueSoon,
) -> Result<DeadlineState, AppError> {
    let kind = DeadlineKind::parse(&row.kind)
        .ok_or_else(|| AppError::internal(format!("a kept deadline of kind {:?}", row.kind)))?;
    Ok(soon.state_of(kind, row.due_on, row.done_on, row.decided))
}

/// `2026-11-30.<epa id>.<position>`: opaque to callers, who pass back `next`.
fn format_cursor(cursor: kept::Cursor) -> String {
    format!("{}.{}.{}", cursor.due_on, cursor.epa_id, cursor.position)
}

fn parse_cursor(text: &str) -> Result<kept::Cursor, AppError> {
    let bad = crate::epas::cursor_refused;
    let mut parts = text.splitn(3, '.');
    let (Some(due), Some(epa), Some(position)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    Ok(kept::Cursor {
        due_on: due.parse().map_err(|_| bad())?,
        epa_id: epa.parse().map_err(|_| bad())?,
        position: position.parse().map_err(|_| bad())?,
    })
}

/// Each deadline's place among the EPA's kept ones: the same for the same
/// deadline whatever else the EPA has, so that one coming or going leaves
/// the others' rows as they are (ADR 0158). The ID's place in the order of
/// IDs, and which of that ID's deadlines it is (a plan could time one
/// twice). The list is in order of date, then ID, so `(due_on, position)`
/// reads it back in the same order.
fn positions(ids: impl Iterator<Item = DeadlineId>) -> Vec<i32> {
    let mut seen: Vec<DeadlineId> = Vec::new();
    ids.map(|id| {
        let before = seen.iter().filter(|s| **s == id).count();
        seen.push(id);
        i32::try_from(id.ordinal() * 16 + before).unwrap_or(i32::MAX)
    })
    .collect()
}

/// Brings the EPA's kept deadlines up to date inside `tx`, from its
/// records as they stand in it.
pub(crate) async fn refresh(app: &App, tx: &mut Tx, epa_id: Uuid) -> Result<(), AppError> {
    let row = epas::get_in(tx, epa_id).await?;
    // An EPA created in this transaction has no records yet: nothing to
    // read (registration saves a statement). A withdrawn EPA keeps none.
    let found = if tx.is_new(epa_id) || row.epa.stage == Stage::Withdrawn {
        EpaDates::default()
    } else {
        epa_dates::read(Reader::Tx(tx), epa_id).await?
    };
    // A finished EPA keeps a deadline only for a replacement certificate.
    let keeps_none = match row.epa.stage {
        Stage::Withdrawn => true,
        Stage::CertificateReceived => found.replacements.is_empty(),
        _ => false,
    };
    let kept_now = if keeps_none {
        Vec::new()
    } else {
        let plan = plan_for(app, &row, &found)?;
        let positions = positions(plan.deadlines.iter().map(|d| d.id));
        plan.deadlines
            .iter()
            .zip(positions)
            .map(|(d, position)| {
                let decided = d.id.decided_by_product();
                Ok(kept::NewDeadline {
                    position,
                    deadline: d.id.as_str().to_owned(),
                    due_on: d.date,
                    openness: match deadlines::open_while(d.kind, d.date, d.done, decided) {
                        OpenWhile::Always => kept::Openness::Always,
                        OpenWhile::Until(day) => kept::Openness::Until(day),
                        OpenWhile::Never => kept::Openness::Closed,
                    },
                    kind: d.kind.as_str().to_owned(),
                    done_on: d.done,
                    decided,
                    body: kept_body(d)?,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?
    };
    let parties = kept::Parties {
        epao_id: row.epa.epao_id,
        employer_id: row.employer_id,
        provider_id: row.provider_id,
        assessor_id: row.epa.assessor_id,
        stage: row.epa.stage.as_str(),
        policy: &row.epa.policy,
    };
    kept::replace(tx, epa_id, &parties, &kept_now).await?;
    Ok(())
}

/// The deadline as the API shows it, without its state (worked out on
/// reading), as a JSON object.
fn kept_body(deadline: &Deadline) -> Result<String, AppError> {
    serde_json::to_string(&KeptBody::of(deadline)).map_err(AppError::internal)
}

/// A kept deadline's body: the API's deadline without its state, written
/// straight to text. Its fields, and its source's, are in the order of
/// their names, as the bodies kept so far were written (through a
/// `serde_json::Value`, whose objects sort their keys): a deadline that did
/// not move writes the text it already has, and its row is left as it is
/// (ADR 0157). The `Value` on the way was a fifth of a refresh's work on
/// the request's thread (`docs/performance.md`, seventeenth section).
#[derive(Serialize)]
struct KeptBody<'a> {
    computation: &'a str,
    date: chrono::NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    done: Option<chrono::NaiveDate>,
    from: epa_plan::Anchor,
    from_date: chrono::NaiveDate,
    id: DeadlineId,
    kind: DeadlineKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    reading: Option<&'a str>,
    rule: &'a str,
    source: KeptSource<'a>,
    strength: epa_plan::Strength,
    timing: &'static str,
}

#[derive(Serialize)]
struct KeptSource<'a> {
    document: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    quote: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    section: Option<&'a str>,
}

impl<'a> KeptBody<'a> {
    fn of(d: &'a Deadline) -> KeptBody<'a> {
        KeptBody {
            computation: &d.computation,
            date: d.date,
            done: d.done,
            from: d.from,
            from_date: d.from_date,
            id: d.id,
            kind: d.kind,
            reading: d.reading.as_deref(),
            rule: &d.rule,
            source: KeptSource {
                document: &d.source.document,
                quote: d.source.quote.as_deref(),
                section: d.source.section.as_deref(),
            },
            strength: d.strength,
            timing: d.timing,
        }
    }
}

/// Commits a use case's transaction. First, for every EPA it changed (each
/// change to an EPA is audited, and the audit notes the EPA in the
/// transaction), it brings the kept deadlines up to date and marks the EPA
/// for the DfE push, unless the transaction noted it as recording only
/// judgements that grade nothing. Every use case commits through here.
pub async fn commit(app: &App, mut tx: Tx) -> Result<(), AppError> {
    let today = app.clock.today();
    for epa_id in tx.take_touched() {
        // Judgements that grade nothing move no date and are nothing the
        // DfE is sent (ADRs 0164, 0165).
        if tx.judgements_only(epa_id) {
            continue;
        }
        refresh(app, &mut tx, epa_id).await?;
        // The DfE may need to hear of the change: marked for the next push
        // (ADR 0153). An EPA just registered has nothing for the DfE yet,
        // and the DfE's own answers are nothing it needs to hear again.
        if !tx.is_new(epa_id) && !tx.is_dfe_answer(epa_id) {
            epa_store::dfe::mark(&mut tx, epa_id, today).await?;
        }
    }
    // Tokens remembered before a commit that revoked one or changed a
    // person's standing or roles are not taken after it: the change holds
    // from the next request.
    let _committing = app.recent_tokens.committing_for(&tx);
    tx.commit().await?;
    Ok(())
}

/// Brings the kept deadlines of EPAs kept under an older reading of the
/// rules (or none yet) up to date, in batches; at start-up. Returns how
/// many EPAs were brought up to date.
pub async fn refresh_stale(app: &App) -> Result<usize, AppError> {
    let mut done = 0;
    loop {
        let batch = kept::stale(&app.db, 500).await?;
        if batch.is_empty() {
            return Ok(done);
        }
        let mut tx = app.db.begin_write().await?;
        for epa_id in &batch {
            refresh(app, &mut tx, *epa_id).await?;
        }
        tx.commit().await?;
        done += batch.len();
    }
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

#[cfg(test)]
mod tests {
    use super::{kept_body, positions};
    use chrono::NaiveDate;
    use epa_domain::MethodId;
    use epa_domain::calendar::{HolidayCalendar, Region};
    use epa_domain::deadlines::{Deadline, DeadlineId, KnownDates, plan_deadlines};
    use epa_plan::Catalog;

    /// A body as the kept deadlines' first bodies were written: through a
    /// `serde_json::Value`, the state taken out.
    fn through_a_value(deadline: &Deadline) -> String {
        let mut value = serde_json::to_value(deadline).unwrap();
        value.as_object_mut().unwrap().remove("state");
        serde_json::to_string(&value).unwrap()
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_kept_body_is_the_text_the_bodies_kept_so_far_have() {
        let calendar = HolidayCalendar::england_and_wales();
        let working_days = calendar.working_days(Region::EnglandAndWales).unwrap();
        let known = KnownDates {
            gateway: Some(day("2025-01-31")),
            planning_meeting: Some(day("2025-02-10")),
            proposal_rejection: Some(day("2025-02-12")),
            report_submission: Some(day("2025-03-28")),
            observation: Some(day("2025-03-03")),
            interview: Some(day("2025-04-14")),
            discussion: Some(day("2025-04-22")),
            result_upload: Some(day("2025-05-02")),
            fail_result: Some(day("2025-05-02")),
            project_fail_result: Some(day("2025-05-02")),
            replacement_request: Some(day("2025-06-02")),
            ..KnownDates::default()
        };
        let mut every = Vec::new();
        for epao in ["tquk", "innovate"] {
            let plan = Catalog::embedded().effective("ST0071", None, epao).unwrap();
            for known in [&known, &KnownDates::default()] {
                let planned =
                    plan_deadlines(&plan, known, day("2025-05-01"), &working_days).unwrap();
                every.extend(planned.deadlines);
            }
        }
        assert!(every.len() > 20, "{} deadlines", every.len());
        assert!(every.iter().any(|d| d.done.is_some()) && every.iter().any(|d| d.done.is_none()));
        // The fields that may be left out, each way, and text that JSON escapes.
        let mut edge = every[0].clone();
        edge.reading = Some("read \"within\" as <after> \u{2014} \\ £".to_owned());
        edge.source.section = None;
        edge.source.quote = Some("line one\nline two\t\u{1}".to_owned());
        every.push(edge.clone());
        edge.reading = None;
        edge.source.section = Some("4.2".to_owned());
        edge.source.quote = None;
        every.push(edge);
        for deadline in &every {
            assert_eq!(
                kept_body(deadline).unwrap(),
                through_a_value(deadline),
                "{deadline:?}"
            );
        }
    }

    #[test]
    fn a_deadline_keeps_its_position_whatever_comes_or_goes() {
        let report = DeadlineId::ReportDue;
        let results = DeadlineId::ResultsDue(MethodId::Observation);
        let before = positions([report, results].into_iter());
        let after = positions([DeadlineId::ObservationNoticeDue, report, results].into_iter());
        assert_eq!(before, after[1..], "the others keep theirs");
        assert!(after[0] < after[1], "in the order of IDs");
    }

    #[test]
    fn a_deadline_timed_twice_has_two_positions() {
        let twice = positions([DeadlineId::ReportDue, DeadlineId::ReportDue].into_iter());
        assert_ne!(twice[0], twice[1]);
        assert!(twice[0] < twice[1]);
    }
}
