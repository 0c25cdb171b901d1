//! The assessor's grading sheet for one sitting: every criterion of its
//! method in the plan's order, with the judgement that stands on each, and
//! the method's grade with its explanation once every criterion is judged.
//! The page's grading form and the API's judgements read the same records.

use chrono::NaiveDate;
use epa_domain::policy::Action;
use epa_plan::{CriterionLevel, EffectivePlan};
use epa_store::assessment::{Assessment, Reader};
use serde::Serialize;
use uuid::Uuid;

use super::snapshot::Snapshot;
use super::views::AssessmentView;
use crate::gate::EpaContext;
use crate::{Actor, App, AppError};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradingSheet {
    pub assessment: AssessmentView,
    pub apprentice: String,
    pub criteria: Vec<SheetCriterion>,
    pub judged: usize,
    /// The method's grade once every criterion is judged, with its explanation.
    pub grade: Option<String>,
    pub explanation: Option<String>,
    /// Judgements can still be changed: the attempt is current and its
    /// results are not released.
    pub open: bool,
    pub held_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SheetCriterion {
    pub id: String,
    /// `pass` or `distinction`.
    pub level: &'static str,
    pub text: String,
    pub ksbs: Vec<String>,
    /// The standing judgement, if any.
    pub met: Option<bool>,
    pub note: String,
}

/// Every criterion of the assessment's method, in the plan's order, with
/// the judgement that stands on it (the sheet and the assessment record).
pub(super) fn sheet_criteria(
    plan: &EffectivePlan,
    snap: &Snapshot,
    assessment: &Assessment,
) -> Vec<SheetCriterion> {
    let standing = snap.standing(assessment.id);
    plan.criteria_for(assessment.method)
        .map(|criterion| {
            let judgement = standing.iter().find(|j| j.criterion_id == criterion.id);
            SheetCriterion {
                id: criterion.id.clone(),
                level: match criterion.grade {
                    CriterionLevel::Pass => "pass",
                    CriterionLevel::Distinction => "distinction",
                },
                text: criterion.text.clone(),
                ksbs: criterion.ksbs.clone(),
                met: judgement.map(|j| j.met),
                note: judgement.map(|j| j.note.clone()).unwrap_or_default(),
            }
        })
        .collect()
}

/// The sheet for `assessment_id`, for those who may record its judgements.
pub async fn grading_sheet(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    assessment_id: Uuid,
) -> Result<GradingSheet, AppError> {
    let ctx = EpaContext::read(
        app,
        actor,
        epa_id,
        Action::RecordJudgement,
        "only the EPA's allocated assessor can record judgements",
    )
    .await?;
    let snap = Snapshot::read(Reader::Db(&app.db), epa_id).await?;
    let assessment = snap
        .assessments
        .iter()
        .find(|a| a.id == assessment_id)
        .ok_or(AppError::NotFound)?;
    let criteria = sheet_criteria(&ctx.plan, &snap, assessment);
    let result = snap.result_of(assessment.id);
    let state = &ctx.state;
    let open = matches!(
        state.stage,
        epa_domain::lifecycle::Stage::InAssessment | epa_domain::lifecycle::Stage::AwaitingResults
    ) && assessment.attempt == state.attempt as i32;
    Ok(GradingSheet {
        assessment: AssessmentView::from(assessment),
        apprentice: format!("{} {}", ctx.row.given_names, ctx.row.family_name),
        judged: criteria.iter().filter(|c| c.met.is_some()).count(),
        criteria,
        grade: result.map(|r| r.grade.as_str().to_owned()),
        explanation: result.map(|r| r.explanation.clone()),
        open,
        held_on: assessment.held_on,
    })
}
