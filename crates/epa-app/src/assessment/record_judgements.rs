//! The assessor's judgements on the criteria of one sitting.

use std::collections::{BTreeSet, HashMap};

use epa_domain::MethodId;
use epa_domain::grading::{self, EpaJudgements};
use epa_domain::lifecycle::{Command, Stage};
use epa_domain::policy::Action;
use epa_store::assessment::{self as store, NewJudgement, NewMethodResult, Reader};
use serde_json::json;
use uuid::Uuid;

use super::results::method_view;
use super::snapshot::*;
use super::views::*;
use crate::gate::EpaContext;
use crate::{Actor, App, AppError, FieldError, transitions};

/// Appends the assessor's judgements on criteria of one assessment's method.
/// A criterion already judged gets a new judgement that supersedes the old
/// (both are kept). Once every criterion is judged the method's provisional
/// grade is computed, and once every method of the attempt has one the EPA
/// moves to `awaiting_results`.
pub async fn record_judgements(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    assessment_id: Uuid,
    input: JudgementsInput,
) -> Result<MethodProgress, AppError> {
    let mut tx = app.db.begin_write().await?;
    let ctx = EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::RecordJudgement,
        "only the EPA's allocated assessor can record judgements",
    )
    .await?;
    let mut snap = Snapshot::read_sittings(Reader::Tx(&mut tx), epa_id).await?;
    let assessment = snap
        .assessments
        .iter()
        .find(|a| a.id == assessment_id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let state = &ctx.state;
    if !matches!(state.stage, Stage::InAssessment | Stage::AwaitingResults)
        || assessment.attempt != state.attempt as i32
    {
        return Err(AppError::Conflict(format!(
            "judgements can be recorded only for the current attempt's assessments before its results are released; \
             the EPA is at stage {} on attempt {}, and this assessment is from attempt {}",
            state.stage, state.attempt, assessment.attempt
        )));
    }
    let method = assessment.method;

    let mut problems = Vec::new();
    if input.judgements.is_empty() {
        problems.push(FieldError::new(
            "judgements",
            "record at least one judgement",
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, j) in input.judgements.iter().enumerate() {
        let criterion = j.criterion.trim();
        let field = format!("judgements[{i}].criterion");
        match ctx.plan.criterion(criterion) {
            None => problems.push(FieldError::new(
                &field,
                format!("{criterion} is not a criterion of the {method} in this plan and policy"),
            )),
            Some(c) if c.method != method => problems.push(FieldError::new(
                &field,
                format!(
                    "{criterion} is a criterion of the {}, not of the {method} this assessment is for",
                    c.method
                ),
            )),
            Some(_) => {}
        }
        if !seen.insert(criterion.to_owned()) {
            problems.push(FieldError::new(
                &field,
                format!("{criterion} is judged twice in this save; judge each criterion once"),
            ));
        }
        let note = j.note.as_deref().unwrap_or("").trim();
        let note_field = format!("judgements[{i}].note");
        if !j.met && note.is_empty() {
            problems.push(FieldError::new(
                &note_field,
                format!("give the evidence for {criterion} not being met"),
            ));
        }
        if note.chars().count() > NOTE_MAX {
            problems.push(FieldError::new(
                &note_field,
                format!("use at most {NOTE_MAX} characters"),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }

    let standing: HashMap<String, Uuid> = snap
        .standing(assessment.id)
        .into_iter()
        .map(|j| (j.criterion_id.clone(), j.id))
        .collect();
    let now = app.now();
    let mut saved = Vec::new();
    for j in &input.judgements {
        let criterion = j.criterion.trim();
        let row = store::insert_judgement(
            &mut tx,
            &NewJudgement {
                epa_id,
                assessment_id,
                method,
                criterion_id: criterion,
                met: j.met,
                note: j.note.as_deref().unwrap_or("").trim(),
                assessor_id: actor.user_id,
                supersedes_id: standing.get(criterion).copied(),
            },
            now,
        )
        .await
        .map_err(|err| match err {
            epa_store::StoreError::Conflict(_) => AppError::Conflict(
                "another judgement on this criterion was saved meanwhile; reload and try again"
                    .to_owned(),
            ),
            other => other.into(),
        })?;
        saved.push(row);
    }

    // The grade, once every criterion of the method has a judgement.
    snap.add_judgements(saved.iter().cloned());
    let scheme = ctx.scheme(app)?;
    let criteria: Vec<String> = scheme.criteria(method).to_vec();
    let judged: BTreeSet<&str> = snap
        .standing(assessment.id)
        .into_iter()
        .map(|j| j.criterion_id.as_str())
        .collect();
    let not_yet: Vec<String> = criteria
        .iter()
        .filter(|c| !judged.contains(c.as_str()))
        .cloned()
        .collect();
    let mut result = None;
    if not_yet.is_empty() {
        let mut input = EpaJudgements::default();
        input.methods[grading::method_index(method)] =
            Some(snap.judged(&scheme, method, assessment.id)?);
        let explained = scheme.explain(&input);
        let grade = explained.result.method(method);
        let grade = grade
            .grade()
            .ok_or_else(|| AppError::internal("a fully judged method has no grade"))?;
        let line = explained.lines[grading::method_index(method)].clone();
        let unmet = explained
            .unmet
            .iter()
            .find(|(m, _)| *m == method)
            .map(|(_, u)| u.clone())
            .unwrap_or_default();
        let unmet_json = serde_json::to_string(&unmet).map_err(AppError::internal)?;
        result = Some(
            store::save_method_result(
                &mut tx,
                &NewMethodResult {
                    epa_id,
                    assessment_id,
                    method,
                    attempt: assessment.attempt,
                    grade,
                    explanation: &line,
                    unmet: &unmet_json,
                    graded_by: actor.user_id,
                },
                now,
            )
            .await?,
        );
    }
    transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        "judgements.recorded",
        None,
        json!({
            "assessment_id": assessment_id,
            "method": method.as_str(),
            "attempt": assessment.attempt,
            "judgements": saved.iter().map(|j| json!({
                "id": j.id,
                "criterion": j.criterion_id,
                "met": j.met,
                "supersedes": j.supersedes_id,
            })).collect::<Vec<_>>(),
            "method_result": result.as_ref().map(|r| json!({
                "id": r.id,
                "grade": r.grade,
                "status": r.status,
            })),
        }),
    )
    .await?;

    // Every method of the attempt graded, and every method with a standing
    // result: the EPA waits for its results.
    let mut stage = state.stage;
    if let Some(saved) = &result {
        snap.put_method_result(saved.clone());
    }
    let (_, methods) = snap.current_attempt(state)?;
    let attempt_done = methods.iter().all(|m| {
        snap.assessment_in(*m, state.attempt as i32)
            .is_some_and(|a| snap.result_of(a.id).is_some())
    });
    let all_standing = MethodId::ALL
        .iter()
        .all(|m| snap.standing_assessment(*m).is_some());
    if state.stage == Stage::InAssessment && attempt_done && all_standing {
        let after = transitions::apply(
            app,
            &mut tx,
            actor,
            &ctx.row,
            &Command::AllAssessed,
            "epa.all_assessed",
            json!({"attempt": state.attempt}),
        )
        .await?;
        stage = after.stage;
    }
    // A save that grades no method and moves no stage (both checked)
    // records judgements only: no deadline is worked out from them and
    // the DfE is sent none, so the commit does neither (ADRs 0164, 0165).
    if result.is_none() && stage == state.stage {
        tx.note_judgements_only(epa_id);
    }
    let view = result
        .as_ref()
        .map(|r| method_view(&snap, method, Some((&assessment, r)), true, None));
    crate::deadlines::commit(app, tx).await?;
    Ok(MethodProgress {
        assessment_id,
        method: method.as_str().to_owned(),
        attempt: assessment.attempt,
        criteria: criteria.len(),
        judged: criteria.len() - not_yet.len(),
        not_yet_judged: not_yet,
        result: view,
        stage: stage.as_str().to_owned(),
    })
}
