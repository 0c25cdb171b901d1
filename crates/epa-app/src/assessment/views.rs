//! The assessment's inputs and what its use cases answer.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use epa_domain::circumstances;
use epa_plan::EffectivePlan;
use epa_store::assessment::{Assessment, CertificateClaim, ExceptionalCircumstances};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub(super) const NOTE_MAX: usize = 5_000;

pub(super) const REASON_MAX: usize = 2_000;

/// What happened at one sitting of one method.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentInput {
    /// The booking the sitting was held for (required): the sitting is on
    /// its day, for its method.
    #[serde(default)]
    pub booking_id: Option<Uuid>,
    /// `observation`, `project` (the interview) or `discussion`: the
    /// booking's method.
    pub method: String,
    /// The day it took place: the booking's day when absent, and if sent
    /// it must be that day (a sitting on another day is rescheduled first).
    #[serde(default)]
    pub held_on: Option<NaiveDate>,
    /// Actual start, local time `HH:MM`.
    pub start_time: String,
    /// Actual end, local time `HH:MM`.
    pub end_time: String,
    /// Minutes of questioning (the observation only).
    #[serde(default)]
    pub questioning_minutes: Option<u32>,
    /// Minutes of observation, recorded apart from the questioning (the
    /// observation only). When left out it is read from the sitting: the
    /// whole sitting where questions come during the observation
    /// (Innovate), the sitting less the questioning where they follow it
    /// (TQUK).
    #[serde(default)]
    pub observation_minutes: Option<u32>,
    /// Interview questions asked (the project only).
    #[serde(default)]
    pub interview_questions: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AssessmentView {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub method: String,
    pub attempt: i32,
    /// `first`, `resit`, `retake` or `project_rework`.
    pub attempt_kind: String,
    pub held_on: NaiveDate,
    pub start_time: String,
    pub end_time: String,
    pub duration_minutes: i32,
    pub questioning_minutes: Option<i32>,
    pub interview_questions: Option<i32>,
    pub assessor_id: Uuid,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
    /// The booking it was held for.
    pub booking_id: Option<Uuid>,
}

impl From<&Assessment> for AssessmentView {
    fn from(a: &Assessment) -> Self {
        AssessmentView {
            id: a.id,
            epa_id: a.epa_id,
            method: a.method.as_str().to_owned(),
            attempt: a.attempt,
            attempt_kind: a.attempt_kind.as_str().to_owned(),
            held_on: a.held_on,
            start_time: a.start_time.clone(),
            end_time: a.end_time.clone(),
            duration_minutes: a.duration_minutes,
            questioning_minutes: a.questioning_minutes,
            interview_questions: a.interview_questions,
            assessor_id: a.assessor_id,
            recorded_at: a.recorded_at,
            booking_id: a.booking_id,
        }
    }
}

/// An assessment just recorded, with where the EPA now is and any
/// "recommended" rule it did not follow.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RecordedAssessment {
    pub assessment: AssessmentView,
    pub stage: String,
    pub warnings: Vec<String>,
}

/// One criterion judged.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JudgementInput {
    /// A criterion ID of the assessment's method, such as `OBS-P01`.
    pub criterion: String,
    pub met: bool,
    /// The evidence: required when the criterion is not met.
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JudgementsInput {
    pub judgements: Vec<JudgementInput>,
}

/// A method after a save: how far its judging is, and its grade once every
/// criterion is judged.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MethodProgress {
    pub assessment_id: Uuid,
    pub method: String,
    pub attempt: i32,
    pub criteria: usize,
    pub judged: usize,
    /// Criteria with no judgement yet, in the plan's order.
    pub not_yet_judged: Vec<String>,
    pub result: Option<MethodResultView>,
    pub stage: String,
}

/// One method's result as the caller may see it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MethodResultView {
    pub method: String,
    /// `pending` (not assessed or not fully judged), `provisional` or `released`.
    pub status: String,
    /// Hidden (null) from the apprentice's side until released.
    pub grade: Option<String>,
    pub explanation: Option<String>,
    pub unmet: Vec<String>,
    pub attempt: Option<i32>,
    pub assessment_id: Option<Uuid>,
    pub held_on: Option<NaiveDate>,
    /// Everyone who recorded the assessment or a judgement it stands on.
    pub graded_by: Vec<Uuid>,
    pub computed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub released_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Quality-assurance sampling; null until that is built.
    pub sampled: Option<bool>,
    /// The moderation record; null until that is built.
    pub moderation_id: Option<Uuid>,
    /// The policy's results service level for this assessment, when it has one.
    pub result_due_on: Option<NaiveDate>,
}

/// The overall result: released, or (EPAO staff only) provisional.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OverallView {
    pub result_id: Option<Uuid>,
    pub attempt: i32,
    pub attempt_kind: String,
    pub grade: String,
    /// The grade the table gave before the resit/retake cap.
    pub uncapped_grade: String,
    pub cap_applied: bool,
    pub exceptional_circumstances: bool,
    pub method_grades: BTreeMap<String, String>,
    pub explanation: Vec<String>,
    pub released: bool,
    pub released_on: Option<NaiveDate>,
    pub released_by: Option<Uuid>,
}

/// A date the policy sets, computed from what is known.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DueDate {
    /// `results_due_observation`, `certificate_claim_due`, `project_rework_due`, `resit_retake_window_end` ...
    pub id: String,
    pub date: NaiveDate,
    /// `upcoming`, `due_soon`, `overdue`, `met` or `missed`.
    pub state: String,
    /// `must` or `recommended`.
    pub strength: String,
    pub rule: String,
    pub source: String,
    /// When it was done (a result's release), where recorded: what makes
    /// it `met` or `missed`.
    pub done: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ExceptionalView {
    pub id: Uuid,
    pub reason: String,
    /// Who decided (TQUK) or identified (Innovate) them.
    pub recorded_by: Uuid,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
    /// The second person, where the policy asks for one.
    pub confirmed_by: Option<Uuid>,
    pub confirmed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Whether the policy still waits for a confirmation.
    pub awaiting_confirmation: bool,
    /// Whether they lift the grade cap as they stand.
    pub lifts_cap: bool,
}

impl ExceptionalView {
    pub fn new(e: &ExceptionalCircumstances, plan: &EffectivePlan) -> Self {
        let rule = &plan.rules.grade_cap.exceptional_circumstances;
        let lifts_cap = plan.rules.grade_cap.lifted_by_exceptional_circumstances
            && circumstances::lifts_cap(rule, true, e.confirmed_at.is_some());
        ExceptionalView {
            id: e.id,
            reason: e.reason.clone(),
            recorded_by: e.recorded_by,
            recorded_at: e.recorded_at,
            confirmed_by: e.confirmed_by,
            confirmed_at: e.confirmed_at,
            awaiting_confirmation: rule.confirmed_by.is_some() && e.confirmed_at.is_none(),
            lifts_cap,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CertificateView {
    pub epa_id: Uuid,
    pub stage: String,
    pub claimed_on: NaiveDate,
    /// The policy's claim deadline from the release; none where it states none.
    pub due_on: Option<NaiveDate>,
    pub received_on: Option<NaiveDate>,
}

pub(super) fn certificate_view(claim: &CertificateClaim, stage: &str) -> CertificateView {
    CertificateView {
        epa_id: claim.epa_id,
        stage: stage.to_owned(),
        claimed_on: claim.claimed_on,
        due_on: claim.due_on,
        received_on: claim.received_on,
    }
}

/// An EPA's results: each method, the overall result, the due dates.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ResultsView {
    pub epa_id: Uuid,
    pub stage: String,
    pub attempt: u32,
    pub attempt_kind: String,
    /// Observation, project, discussion: the result standing for each.
    pub methods: Vec<MethodResultView>,
    /// The latest released overall result.
    pub overall: Option<OverallView>,
    /// What release would give now (EPAO staff and the assessor only).
    pub provisional_overall: Option<OverallView>,
    /// Every release, oldest first.
    pub released: Vec<OverallView>,
    pub exceptional_circumstances: Vec<ExceptionalView>,
    pub certificate: Option<CertificateView>,
    pub due: Vec<DueDate>,
}

/// One judgement in an EPA's history.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct JudgementView {
    pub id: Uuid,
    pub assessment_id: Uuid,
    pub method: String,
    pub attempt: i32,
    pub criterion: String,
    pub met: bool,
    pub note: String,
    pub assessor_id: Uuid,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
    /// The judgement this one corrects.
    pub supersedes_id: Option<Uuid>,
    /// A later judgement on the same criterion replaced this one.
    pub superseded: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResitInput {
    /// The failed methods to sit again: `observation`, `project`, `discussion`.
    pub methods: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiveInput {
    /// When the certificate arrived; today when absent.
    #[serde(default)]
    pub received_on: Option<NaiveDate>,
}

/// A new attempt after a fail.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AttemptView {
    pub epa_id: Uuid,
    pub stage: String,
    pub attempt: i32,
    /// `resit`, `project_rework` or `retake`.
    pub kind: String,
    pub methods: Vec<String>,
    /// The rework deadline, or the end of the resit/retake window.
    pub due_on: Option<NaiveDate>,
    pub warnings: Vec<String>,
}

// ---------------------------------------------------------------------------
// What a decision needs, read in one place
