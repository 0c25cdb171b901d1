//! Reading an EPA's results: method grades, the overall result, due dates.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use epa_domain::attempts::{AttemptKind, ResultStatus};
use epa_domain::deadlines::{self, KnownDates};
use epa_domain::grading::{self, Explained};
use epa_domain::lifecycle::{Lifecycle, Stage};
use epa_domain::policy::Action;
use epa_domain::{Grade, MethodId};
use epa_plan::EffectivePlan;
use epa_store::assessment::{Assessment, MethodResult, Reader, ResultRow};
use epa_store::epas::EpaRow;
use serde::Serialize;
use uuid::Uuid;

use super::snapshot::*;
use super::views::*;
use crate::calendar::working_days;
use crate::gate::EpaContext;
use crate::{Actor, App, AppError, transitions};
use epa_domain::deadlines::DeadlineId;

pub(super) fn method_view(
    snap: &Snapshot,
    method: MethodId,
    standing: Option<(&Assessment, &MethodResult)>,
    provisional_visible: bool,
    due: Option<NaiveDate>,
) -> MethodResultView {
    let pending = MethodResultView {
        method: method.as_str().to_owned(),
        status: "pending".to_owned(),
        grade: None,
        explanation: None,
        unmet: Vec::new(),
        attempt: None,
        assessment_id: None,
        held_on: None,
        graded_by: Vec::new(),
        computed_at: None,
        released_at: None,
        sampled: None,
        moderation_id: None,
        result_due_on: due,
    };
    let Some((a, r)) = standing else {
        return pending;
    };
    let visible = provisional_visible || r.status == ResultStatus::Released;
    if !visible {
        return MethodResultView {
            status: r.status.as_str().to_owned(),
            attempt: Some(a.attempt),
            held_on: Some(a.held_on),
            ..pending
        };
    }
    MethodResultView {
        method: method.as_str().to_owned(),
        status: r.status.as_str().to_owned(),
        grade: Some(r.grade.as_str().to_owned()),
        explanation: Some(r.explanation.clone()),
        unmet: serde_json::from_str(&r.unmet).unwrap_or_default(),
        attempt: Some(a.attempt),
        assessment_id: Some(a.id),
        held_on: Some(a.held_on),
        graded_by: snap.graders_of(a),
        computed_at: Some(r.computed_at),
        released_at: r.released_at,
        sampled: r.sampled,
        moderation_id: r.moderation_id,
        result_due_on: due,
    }
}

pub(super) fn released_view(row: &ResultRow) -> OverallView {
    OverallView {
        result_id: Some(row.id),
        attempt: row.attempt,
        attempt_kind: row.attempt_kind.as_str().to_owned(),
        grade: row.overall_grade.as_str().to_owned(),
        uncapped_grade: row.uncapped_grade.as_str().to_owned(),
        cap_applied: row.cap_applied,
        exceptional_circumstances: row.exceptional_circumstances,
        method_grades: BTreeMap::from([
            (
                "observation".to_owned(),
                row.observation_grade.as_str().to_owned(),
            ),
            ("project".to_owned(), row.project_grade.as_str().to_owned()),
            (
                "discussion".to_owned(),
                row.discussion_grade.as_str().to_owned(),
            ),
        ]),
        explanation: serde_json::from_str(&row.explanation).unwrap_or_default(),
        released: true,
        released_on: Some(row.released_on),
        released_by: Some(row.released_by),
    }
}

pub(super) fn provisional_view(
    explained: &Explained,
    state: &Lifecycle,
    kind: AttemptKind,
    exceptional: bool,
) -> Option<OverallView> {
    let grade = explained.result.overall.grade()?;
    let uncapped = explained.result.uncapped.grade()?;
    Some(OverallView {
        result_id: None,
        attempt: state.attempt as i32,
        attempt_kind: kind.as_str().to_owned(),
        grade: grade.as_str().to_owned(),
        uncapped_grade: uncapped.as_str().to_owned(),
        cap_applied: explained.result.cap_applied,
        exceptional_circumstances: exceptional,
        method_grades: MethodId::ALL
            .into_iter()
            .map(|m| {
                (
                    m.as_str().to_owned(),
                    explained.result.method(m).as_str().to_owned(),
                )
            })
            .collect(),
        explanation: explained.lines.clone(),
        released: false,
        released_on: None,
        released_by: None,
    })
}

/// The due dates the policy sets for results, the certificate claim, a
/// project rework and the resit/retake window, from what is known.
pub(super) fn due_dates(
    app: &App,
    plan: &EffectivePlan,
    row: &EpaRow,
    state: &Lifecycle,
    snap: &Snapshot,
) -> Result<Vec<DueDate>, AppError> {
    let wd = working_days()?;
    let mut known = KnownDates {
        gateway: row.epa.gateway_approved_on,
        epa_period_start: state.epa_period_start,
        ..KnownDates::default()
    };
    let attempt = state.attempt as i32;
    for method in MethodId::ALL {
        // The sitting of this attempt, or else the one whose result stands.
        let sitting = snap
            .assessment_in(method, attempt)
            .or_else(|| snap.standing_assessment(method).map(|(a, _)| a));
        let Some(a) = sitting else { continue };
        let slot = match method {
            MethodId::Observation => &mut known.observation,
            MethodId::Project => &mut known.interview,
            MethodId::Discussion => &mut known.discussion,
        };
        *slot = Some(a.held_on);
        if let Some(released) = snap.result_of(a.id).and_then(|r| snap.issued_on(r)) {
            known.results_released.insert(method, released);
        }
    }
    // Only this attempt's release counts as its result upload: after a
    // resit or retake the earlier release predates the new sittings.
    if let Some(latest) = snap.results.last().filter(|r| r.attempt == attempt) {
        known.result_upload = Some(latest.released_on);
    }
    known.fail_result = snap
        .results
        .iter()
        .find(|r| r.overall_grade == Grade::Fail)
        .map(|r| r.released_on);
    if let Some((_, r)) = snap.standing_assessment(MethodId::Project)
        && r.grade == Grade::Fail
    {
        known.project_fail_result = snap.issued_on(r);
    }
    known.certificate_claim = snap.claim.as_ref().map(|c| c.claimed_on);
    known.record_complete = true;
    // A retake starts a new EPA period: sittings and results of the earlier
    // attempt predate it and do not bear on this attempt's deadlines.
    if let Some(start) = known.epa_period_start {
        for date in [
            &mut known.observation,
            &mut known.interview,
            &mut known.discussion,
            &mut known.result_upload,
            &mut known.fail_result,
            &mut known.project_fail_result,
        ] {
            if date.is_some_and(|d| d < start) {
                *date = None;
            }
        }
    }
    let failed_now = state.stage == Stage::Completed && state.overall == Some(Grade::Fail);
    let plan_dates = match deadlines::plan_deadlines(plan, &known, app.clock.today(), &wd) {
        Ok(plan_dates) => plan_dates,
        // Recorded dates that contradict each other must not stop anyone
        // reading the results: the due dates are left out and the cause logged.
        Err(err @ deadlines::DeadlineError::Contradictory(_)) => {
            tracing::warn!(epa = %row.epa.id, error = %err, "due dates left out");
            return Ok(Vec::new());
        }
        Err(err) => return Err(AppError::internal(err)),
    };
    Ok(plan_dates
        .deadlines
        .into_iter()
        .filter(|d| {
            matches!(d.id, DeadlineId::ResultsDue(_))
                || d.id == "certificate_claim_due"
                || (failed_now
                    && (d.id == "project_rework_due" || d.id == "resit_retake_window_end"))
        })
        .map(|d| DueDate {
            state: wire(d.state),
            strength: wire(d.strength),
            rule: d.rule,
            source: d.source.to_string(),
            done: d.done,
            id: d.id.to_string(),
            date: d.date,
        })
        .collect())
}

/// A value's snake_case wire name (`due_soon`, `recommended`).
pub(super) fn wire(value: impl Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// An EPA's results: each method's standing grade with its explanation and
/// graders, the released overall result, the due dates. Grades not yet
/// released are shown only to EPAO staff and the allocated assessor.
pub async fn results(app: &App, actor: &Actor, epa_id: Uuid) -> Result<ResultsView, AppError> {
    let (_, _, view) = read_results(app, actor, epa_id).await?;
    Ok(view)
}

/// What the results read and the result letter share: the EPA through the
/// gate, its assessment records, and the results as `actor` may see them.
pub(super) async fn read_results(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<(EpaContext, Snapshot, ResultsView), AppError> {
    let ctx = EpaContext::read(
        app,
        actor,
        epa_id,
        Action::ViewEpa,
        "you cannot see this EPA",
    )
    .await?;
    let snap = Snapshot::read(Reader::Db(&app.db), epa_id).await?;
    let view = results_view(app, actor, &ctx, &snap)?;
    Ok((ctx, snap, view))
}

pub(super) fn results_view(
    app: &App,
    actor: &Actor,
    ctx: &EpaContext,
    snap: &Snapshot,
) -> Result<ResultsView, AppError> {
    let row = &ctx.row;
    let state = transitions::state_of(row)?;
    let (plan, scheme) = (&ctx.plan, &ctx.scheme(app)?);
    let provisional = ctx.may(actor, Action::ViewProvisionalResults);
    let (kind, _) = snap.current_attempt(&state)?;
    let due = due_dates(app, plan, row, &state, snap)?;
    let due_for = |method: MethodId| {
        let name = match method {
            MethodId::Observation => "observation",
            MethodId::Project => "interview",
            MethodId::Discussion => "discussion",
        };
        let id = format!("results_due_{name}");
        due.iter().find(|d| d.id == id).map(|d| d.date)
    };
    // The grades through the policy's cap: where it caps the re-sat method
    // (Innovate: "the maximum grade awarded to a re-sit"), a resit's method
    // grade shows capped, released on its own or with the rest.
    let history = snap.history(plan, &state)?;
    let explained = snap.overall(scheme, history.cap_context())?;
    let methods = MethodId::ALL
        .into_iter()
        .map(|m| {
            let mut view = method_view(
                snap,
                m,
                snap.standing_assessment(m),
                provisional,
                due_for(m),
            );
            let capped = explained.result.method(m).grade();
            let uncapped = explained.result.methods_uncapped[grading::method_index(m)].grade();
            if let (Some(shown), Some(capped), Some(uncapped)) = (&view.grade, capped, uncapped)
                && capped != uncapped
                && shown.as_str() == uncapped.as_str()
            {
                view.grade = Some(capped.as_str().to_owned());
                view.explanation = view.explanation.map(|text| {
                    format!(
                        "{text} Capped at {capped}, as a re-sat method's grade is ({})",
                        plan.rules.grade_cap.source
                    )
                });
            }
            view
        })
        .collect();
    let exceptional = !snap.exceptional.is_empty();
    let provisional_overall = if provisional && state.stage == Stage::AwaitingResults {
        provisional_view(&explained, &state, kind, exceptional)
    } else {
        None
    };
    Ok(ResultsView {
        epa_id: row.epa.id,
        stage: state.stage.as_str().to_owned(),
        attempt: state.attempt,
        attempt_kind: kind.as_str().to_owned(),
        methods,
        overall: snap.results.last().map(released_view),
        provisional_overall,
        released: snap.results.iter().map(released_view).collect(),
        exceptional_circumstances: if provisional {
            snap.exceptional
                .iter()
                .map(|e| ExceptionalView::new(e, plan))
                .collect()
        } else {
            Vec::new()
        },
        certificate: snap
            .claim
            .as_ref()
            .map(|c| certificate_view(c, state.stage.as_str())),
        due,
    })
}
