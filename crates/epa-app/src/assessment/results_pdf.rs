//! The results as a PDF: the letter of the latest release and the
//! assessment record of each method it stands on (ADR 0149).

use epa_domain::MethodId;
use epa_domain::attempts::ResultStatus;
use epa_domain::policy::Action;
use epa_plan::EffectivePlan;
use epa_reports::{CriterionRecord, Fact, MethodGrade, MethodRecord, NextStep, ResultsDocument};
use epa_store::assessment::Assessment;
use uuid::Uuid;

use super::grading_sheet::sheet_criteria;
use super::results::read_results;
use super::snapshot::Snapshot;
use super::views::{OverallView, ResultsView};
use crate::gate::EpaContext;
use crate::reports::{self, Pdf, long_date, sentence_case};
use crate::{Actor, App, AppError};

/// The result letter with the assessment records, for anyone who may read
/// the EPA's results, once a result is released. Before that there is no
/// letter: those who may see provisional results are told so (409); the
/// apprentice's side learns nothing, not even that grades exist (404).
pub async fn results_pdf(app: &App, actor: &Actor, epa_id: Uuid) -> Result<Pdf, AppError> {
    let (ctx, snap, view) = read_results(app, actor, epa_id).await?;
    let Some(overall) = &view.overall else {
        return Err(if ctx.may(actor, Action::ViewProvisionalResults) {
            AppError::Conflict("no result has been released for this EPA yet".to_owned())
        } else {
            AppError::NotFound
        });
    };
    let filename = format!(
        "results-{}-attempt-{}.pdf",
        ctx.row.uln.trim(),
        overall.attempt
    );
    let document = letter(&ctx, &snap, &view, overall);
    let bytes = reports::render(document, epa_reports::results_pdf).await?;
    Ok(Pdf { filename, bytes })
}

fn letter(
    ctx: &EpaContext,
    snap: &Snapshot,
    view: &ResultsView,
    overall: &OverallView,
) -> ResultsDocument {
    let plan = &ctx.plan;
    let mut facts = reports::opening_facts(&ctx.row, plan);
    facts.push(Fact::new(
        "Attempt",
        attempt_name(&overall.attempt_kind, overall.attempt),
    ));
    if let Some(on) = overall.released_on {
        facts.push(Fact::new("Results released", long_date(on)));
    }
    ResultsDocument {
        title: format!(
            "End-point assessment result: {}",
            reports::apprentice_name(&ctx.row)
        ),
        facts,
        overall_grade: sentence_case(&overall.grade),
        method_grades: plan
            .methods
            .iter()
            .map(|m| MethodGrade {
                method: m.name.clone(),
                grade: overall
                    .method_grades
                    .get(m.id.as_str())
                    .map_or_else(|| "Not graded".to_owned(), |g| sentence_case(g)),
            })
            .collect(),
        overall_explanation: overall.explanation.clone(),
        next_steps: next_steps(plan, view, overall),
        records: plan
            .methods
            .iter()
            .filter_map(|m| record(plan, snap, view, m.id, &m.name))
            .collect(),
    }
}

/// "First attempt", "Resit (attempt 2)".
fn attempt_name(kind: &str, attempt: i32) -> String {
    match kind {
        "first" => "First attempt".to_owned(),
        other => format!("{} (attempt {attempt})", sentence_case(other)),
    }
}

/// The record of the latest released sitting of `method`: a sitting
/// graded since (a resit not yet released) is not on the letter.
fn record(
    plan: &EffectivePlan,
    snap: &Snapshot,
    view: &ResultsView,
    method: MethodId,
    name: &str,
) -> Option<MethodRecord> {
    let (assessment, result) = snap.assessments.iter().rev().find_map(|a| {
        let result = snap.result_of(a.id)?;
        (a.method == method && result.status == ResultStatus::Released).then_some((a, result))
    })?;
    // The results read words the grade as released, with any resit cap;
    // it covers the standing sitting, which is this one unless a later
    // sitting has been graded.
    let shown = view
        .methods
        .iter()
        .find(|m| m.assessment_id == Some(assessment.id) && m.grade.is_some());
    let (grade, explanation) = match shown {
        Some(m) => (
            m.grade.clone().unwrap_or_default(),
            m.explanation.clone().unwrap_or_default(),
        ),
        None => (result.grade.as_str().to_owned(), result.explanation.clone()),
    };
    Some(MethodRecord {
        method: name.to_owned(),
        held: held(assessment),
        grade: sentence_case(&grade),
        explanation,
        criteria: sheet_criteria(plan, snap, assessment)
            .into_iter()
            .map(|c| CriterionRecord {
                id: c.id,
                level: sentence_case(c.level),
                text: c.text,
                outcome: match c.met {
                    Some(true) => "Met",
                    Some(false) => "Not met",
                    None => "Not judged",
                }
                .to_owned(),
                note: c.note,
            })
            .collect(),
    })
}

fn held(assessment: &Assessment) -> String {
    format!(
        "{} ({})",
        long_date(assessment.held_on),
        attempt_name(assessment.attempt_kind.as_str(), assessment.attempt).to_lowercase()
    )
}

/// What follows the result, as the EPAO's policy states it, with the dates
/// the results read computed from it.
fn next_steps(plan: &EffectivePlan, view: &ResultsView, overall: &OverallView) -> Vec<NextStep> {
    let due = |id: &str| {
        view.due
            .iter()
            .find(|d| d.id == id)
            .map(|d| format!(" Due by {}.", long_date(d.date)))
            .unwrap_or_default()
    };
    let timings = &plan.rules.timings;
    let epao = &plan.epao_name;
    let mut steps = Vec::new();
    if overall.grade == "fail" {
        let window = &timings.resit_retake_window;
        steps.push(NextStep {
            heading: "Resit or retake".to_owned(),
            text: format!(
                "A failed method can be sat again (a resit), or taken again after further training (a retake). {}{}",
                window.text,
                due("resit_retake_window_end")
            ),
            source: Some(window.source.to_string()),
        });
        let cap = &plan.rules.grade_cap;
        steps.push(NextStep {
            heading: "Grade after a resit or retake".to_owned(),
            text: cap
                .source
                .quote
                .clone()
                .or_else(|| cap.reading.clone())
                .unwrap_or_default(),
            source: Some(cap.source.to_string()),
        });
        if overall.method_grades.get("project").map(String::as_str) == Some("fail") {
            let rework = &timings.project_rework;
            steps.push(NextStep {
                heading: "Reworking the project".to_owned(),
                text: format!("{}{}", rework.text, due("project_rework_due")),
                source: Some(rework.source.to_string()),
            });
        }
    } else {
        let (text, source) = match &timings.certificate_claim {
            Some(claim) => (claim.text.clone(), Some(claim.source.to_string())),
            None => (String::new(), None),
        };
        steps.push(NextStep {
            heading: "Certificate".to_owned(),
            text: format!(
                "{epao} claims the apprenticeship certificate. {text}{}",
                due("certificate_claim_due")
            )
            .trim_end()
            .to_owned(),
            source,
        });
    }
    steps.push(NextStep {
        heading: "Appeals".to_owned(),
        text: format!(
            "If you believe this result is wrong, you can appeal under {epao}'s appeals policy, which sets out how to appeal and by when. Your training provider can help you."
        ),
        source: Some(plan.policy_source.document.clone()),
    });
    steps
}
