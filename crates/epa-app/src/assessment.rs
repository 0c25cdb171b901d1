//! Use cases of the EPA's assessment: assessment records, the assessor's
//! judgements, method results, the released overall result, the
//! certificate, and what follows a fail (resit, project rework, retake) or
//! ends the EPA early (withdrawal).
//!
//! The rules are the domain's and the plan's: durations, questioning and
//! interview questions from `epa_domain::sessions` over the EPA's effective
//! plan; grades from `epa_domain::grading` (`GradingScheme::from_plan`);
//! resit windows, rework dates and the grade cap from `epa_domain::attempts`;
//! due dates from `epa_domain::deadlines`; stage moves from
//! `epa_domain::lifecycle` through [`transitions::apply`].
//!
//! Segregation of duties: whoever recorded an assessment or a judgement that
//! a result stands on is one of its graders (`Resource::graders`), and the
//! access policy refuses them the release.
//!
//! Quality assurance (sampling and moderation) is not built here: method
//! results carry nullable `sampled` and `moderation_id` fields where it
//! attaches, and a result is released straight from provisional until then.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{NaiveDate, NaiveTime};
use epa_domain::attempts::SittingResult;
use epa_domain::attempts::{AttemptError, AttemptHistory, AttemptKind, AttemptPolicy, Sitting};
use epa_domain::deadlines::{self, KnownDates};
use epa_domain::grading::{self, CapContext, EpaJudgements, Explained, GradingScheme};
use epa_domain::lifecycle::{self, Command, Lifecycle, Stage};
use epa_domain::policy::Action;
use epa_domain::sessions::{self, SessionRecord};
use epa_domain::{Grade, MethodId};
use epa_plan::{EffectivePlan, Strength};
use epa_store::Tx;
use epa_store::assessment::{
    self as store, Assessment, AttemptRow, CertificateClaim, ExceptionalCircumstances, Judgement,
    MethodResult, NewAssessment, NewJudgement, NewMethodResult, Reader, ResultRow,
};
use epa_store::epas::{self, EpaRow};
use epa_store::outbox::{self, NewMessage};
use epa_store::users::Role;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::epas::EpaView;
use crate::{Actor, App, AppError, FieldError, access, transitions};

const NOTE_MAX: usize = 5_000;
const REASON_MAX: usize = 2_000;

// ---------------------------------------------------------------------------
// Inputs and views

/// What happened at one sitting of one method.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentInput {
    /// `observation`, `project` (the interview) or `discussion`.
    pub method: String,
    /// The day it took place.
    pub held_on: NaiveDate,
    /// Actual start, local time `HH:MM`.
    pub start_time: String,
    /// Actual end, local time `HH:MM`.
    pub end_time: String,
    /// Minutes of questioning (the observation only).
    #[serde(default)]
    pub questioning_minutes: Option<u32>,
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
}

impl From<&Assessment> for AssessmentView {
    fn from(a: &Assessment) -> Self {
        AssessmentView {
            id: a.id,
            epa_id: a.epa_id,
            method: a.method.clone(),
            attempt: a.attempt,
            attempt_kind: a.attempt_kind.clone(),
            held_on: a.held_on,
            start_time: a.start_time.clone(),
            end_time: a.end_time.clone(),
            duration_minutes: a.duration_minutes,
            questioning_minutes: a.questioning_minutes,
            interview_questions: a.interview_questions,
            assessor_id: a.assessor_id,
            recorded_at: a.recorded_at,
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
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ExceptionalView {
    pub id: Uuid,
    pub reason: String,
    pub recorded_by: Uuid,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

impl From<&ExceptionalCircumstances> for ExceptionalView {
    fn from(e: &ExceptionalCircumstances) -> Self {
        ExceptionalView {
            id: e.id,
            reason: e.reason.clone(),
            recorded_by: e.recorded_by,
            recorded_at: e.recorded_at,
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

fn certificate_view(claim: &CertificateClaim, stage: &str) -> CertificateView {
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

use crate::calendar::working_days;

fn method_of(text: &str) -> Result<MethodId, AppError> {
    MethodId::parse(text)
        .ok_or_else(|| AppError::internal(format!("unknown method {text:?} stored")))
}

fn grade_of(text: &str) -> Result<Grade, AppError> {
    Grade::parse(text).ok_or_else(|| AppError::internal(format!("unknown grade {text:?} stored")))
}

fn kind_str(kind: AttemptKind) -> &'static str {
    match kind {
        AttemptKind::First => "first",
        AttemptKind::Resit => "resit",
        AttemptKind::Retake => "retake",
        AttemptKind::ProjectRework => "project_rework",
    }
}

fn kind_of(text: &str) -> AttemptKind {
    match text {
        "resit" => AttemptKind::Resit,
        "retake" => AttemptKind::Retake,
        "project_rework" => AttemptKind::ProjectRework,
        _ => AttemptKind::First,
    }
}

/// The calendar date in London of a stored instant (the rules count days
/// in English dates), by the domain's own clock conversion.
fn london_date(at: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    epa_domain::Clock::today(&epa_domain::FixedClock(at))
}

/// Everything recorded about an EPA's assessment, read together.
struct Snapshot {
    assessments: Vec<Assessment>,
    judgements: Vec<Judgement>,
    method_results: Vec<MethodResult>,
    results: Vec<ResultRow>,
    attempts: Vec<AttemptRow>,
    exceptional: Vec<ExceptionalCircumstances>,
    claim: Option<CertificateClaim>,
}

impl Snapshot {
    async fn read(mut reader: Reader<'_>, epa_id: Uuid) -> Result<Snapshot, AppError> {
        Ok(Snapshot {
            assessments: store::assessments(reader.again(), epa_id).await?,
            judgements: store::judgements(reader.again(), epa_id).await?,
            method_results: store::method_results(reader.again(), epa_id).await?,
            results: store::results(reader.again(), epa_id).await?,
            attempts: store::attempts(reader.again(), epa_id).await?,
            exceptional: store::exceptional(reader.again(), epa_id).await?,
            claim: store::claim(reader.again(), epa_id).await?,
        })
    }

    fn result_of(&self, assessment: Uuid) -> Option<&MethodResult> {
        self.method_results
            .iter()
            .find(|r| r.assessment_id == assessment)
    }

    /// The judgements that stand for an assessment: those nobody superseded.
    fn standing(&self, assessment: Uuid) -> Vec<&Judgement> {
        let superseded: BTreeSet<Uuid> = self
            .judgements
            .iter()
            .filter_map(|j| j.supersedes_id)
            .collect();
        self.judgements
            .iter()
            .filter(|j| j.assessment_id == assessment && !superseded.contains(&j.id))
            .collect()
    }

    /// The assessment whose result stands for `method`: the latest attempt's
    /// with a result.
    fn standing_assessment(&self, method: MethodId) -> Option<(&Assessment, &MethodResult)> {
        self.assessments
            .iter()
            .rev()
            .filter(|a| a.method == method.as_str())
            .find_map(|a| self.result_of(a.id).map(|r| (a, r)))
    }

    fn assessment_in(&self, method: MethodId, attempt: i32) -> Option<&Assessment> {
        self.assessments
            .iter()
            .find(|a| a.method == method.as_str() && a.attempt == attempt)
    }

    /// Who graded an assessment: its assessor and everyone who judged in it.
    fn graders_of(&self, assessment: &Assessment) -> Vec<Uuid> {
        let mut graders: BTreeSet<Uuid> = self
            .judgements
            .iter()
            .filter(|j| j.assessment_id == assessment.id)
            .map(|j| j.assessor_id)
            .collect();
        graders.insert(assessment.assessor_id);
        graders.into_iter().collect()
    }

    /// The graders of every result the next release stands on.
    fn graders(&self) -> Vec<Uuid> {
        let mut all = BTreeSet::new();
        for method in MethodId::ALL {
            if let Some((a, _)) = self.standing_assessment(method) {
                all.extend(self.graders_of(a));
            }
        }
        all.into_iter().collect()
    }

    /// The methods the current attempt covers, and its kind.
    fn current_attempt(&self, state: &Lifecycle) -> Result<(AttemptKind, Vec<MethodId>), AppError> {
        if state.attempt <= 1 {
            return Ok((AttemptKind::First, MethodId::ALL.to_vec()));
        }
        if let Some(row) = self
            .attempts
            .iter()
            .find(|a| a.attempt == state.attempt as i32)
        {
            let methods = row
                .methods
                .split(',')
                .filter(|m| !m.is_empty())
                .map(method_of)
                .collect::<Result<_, _>>()?;
            return Ok((kind_of(&row.kind), methods));
        }
        // An attempt started outside these use cases: read it from the lifecycle.
        let methods = if state.resit_methods.is_empty() {
            MethodId::ALL.to_vec()
        } else {
            state.resit_methods.clone()
        };
        Ok((state.attempt_kind, methods))
    }

    /// The date an assessment's result was issued: its release, when released.
    fn issued_on(&self, result: &MethodResult) -> Option<NaiveDate> {
        result.released_at.map(london_date)
    }

    /// Every graded sitting, in date order, through the domain's attempt
    /// rules (which also give the grade cap's context).
    fn history(&self, plan: &EffectivePlan, state: &Lifecycle) -> Result<AttemptHistory, AppError> {
        let wd = working_days()?;
        let mut history = AttemptHistory::new(AttemptPolicy::from_plan(plan));
        history.exceptional_circumstances = !self.exceptional.is_empty();
        let mut sittings: Vec<(NaiveDate, i32, Sitting)> = Vec::new();
        for a in &self.assessments {
            let Some(result) = self.result_of(a.id) else {
                continue;
            };
            sittings.push((
                a.held_on,
                a.attempt,
                Sitting {
                    method: method_of(&a.method)?,
                    kind: kind_of(&a.attempt_kind),
                    held_on: a.held_on,
                    result: SittingResult::Graded(grade_of(&result.grade)?),
                    result_issued_on: self.issued_on(result),
                },
            ));
        }
        sittings.sort_by_key(|(on, attempt, _)| (*on, *attempt));
        let mut retake_gateway = false;
        for (_, _, sitting) in sittings {
            if sitting.kind == AttemptKind::Retake
                && !retake_gateway
                && let Some(on) = state.epa_period_start
            {
                retake_gateway = history.record_retake_gateway(on).is_ok();
            }
            // Each sitting was checked against these rules when it was
            // recorded; one refused now (a rule changed since) is logged and
            // left out rather than blocking the EPA.
            if let Err(err) = history.record(sitting, &wd) {
                tracing::warn!(error = %err, "a recorded sitting no longer fits the attempt rules");
            }
        }
        // A retake whose new gateway is approved may now be sat.
        if state.attempt_kind == AttemptKind::Retake
            && !retake_gateway
            && let Some(on) = state.epa_period_start
        {
            let _ = history.record_retake_gateway(on);
        }
        Ok(history)
    }

    /// The criteria met in an assessment, from its standing judgements.
    fn judged(
        &self,
        scheme: &GradingScheme,
        method: MethodId,
        assessment: Uuid,
    ) -> Result<grading::MethodJudgement, AppError> {
        let judgements: Vec<grading::Judgement> = self
            .standing(assessment)
            .into_iter()
            .map(|j| grading::Judgement {
                criterion: j.criterion_id.clone(),
                met: j.met,
                note: j.note.clone(),
            })
            .collect();
        scheme
            .judge(method, &judgements)
            .map_err(AppError::internal)
    }

    /// The overall grade the standing method results give, with the cap.
    fn overall(&self, scheme: &GradingScheme, cap: CapContext) -> Result<Explained, AppError> {
        let mut input = EpaJudgements {
            cap,
            ..EpaJudgements::default()
        };
        for method in MethodId::ALL {
            if let Some((a, _)) = self.standing_assessment(method) {
                input.methods[grading::method_index(method)] =
                    Some(self.judged(scheme, method, a.id)?);
            }
        }
        Ok(scheme.explain(&input))
    }
}

/// The EPA, its lifecycle, its plan and grading scheme, and the people
/// conflicted for it, read inside the write transaction.
struct Loaded {
    row: EpaRow,
    state: Lifecycle,
    plan: EffectivePlan,
    scheme: GradingScheme,
    conflicted: Vec<Uuid>,
}

fn plan_of(app: &App, row: &EpaRow) -> Result<(EffectivePlan, GradingScheme), AppError> {
    let plan = app
        .plans
        .effective(
            &row.epa.standard_reference,
            Some(&row.epa.standard_version),
            &row.epa.policy,
        )
        .map_err(AppError::internal)?;
    let scheme = GradingScheme::from_plan(&plan).map_err(AppError::internal)?;
    Ok((plan, scheme))
}

async fn load_in(app: &App, tx: &mut Tx, epa_id: Uuid) -> Result<Loaded, AppError> {
    let row = epas::get_in(tx, epa_id).await?;
    let state = transitions::state_of(&row)?;
    let (plan, scheme) = plan_of(app, &row)?;
    let conflicted =
        store::conflicted_users(Reader::Tx(tx), row.employer_id, row.provider_id).await?;
    Ok(Loaded {
        row,
        state,
        plan,
        scheme,
        conflicted,
    })
}

impl Loaded {
    fn resource(&self, graders: Vec<Uuid>) -> epa_domain::policy::Resource {
        let mut resource = access::epa_resource(&self.row, &self.conflicted);
        resource.graders = graders
            .into_iter()
            .map(|id| epa_domain::policy::UserId(id.as_u128()))
            .collect();
        resource
    }
}

/// EPAO staff, quality assurance and the allocated assessor see grades
/// before release; the apprentice, employer and provider see released ones.
fn sees_provisional(actor: &Actor, row: &EpaRow) -> bool {
    let staff = [Role::EpaoAdmin, Role::EpaoOperations, Role::QualityAssurer]
        .into_iter()
        .any(|role| {
            actor
                .organisations_as(role)
                .any(|org| org == row.epa.epao_id)
        });
    let allocated = actor.has_role(Role::Assessor) && row.epa.assessor_id == Some(actor.user_id);
    staff || allocated
}

fn lifecycle_refusal(err: lifecycle::LifecycleError) -> AppError {
    match err {
        lifecycle::LifecycleError::Invalid { field, message } => AppError::field(field, message),
        other => AppError::Conflict(other.to_string()),
    }
}

/// A domain attempt refusal as a field to fix, or (for a "recommended"
/// window) a warning the caller sees.
fn attempt_refusal(
    err: AttemptError,
    field: &str,
    plan: &EffectivePlan,
    warnings: &mut Vec<String>,
    problems: &mut Vec<FieldError>,
) {
    let timing = match &err {
        AttemptError::OutsideWindow { .. } => Some(&plan.rules.timings.resit_retake_window),
        AttemptError::ReworkTooLate { .. } => Some(&plan.rules.timings.project_rework),
        _ => None,
    };
    match timing {
        Some(timing) if timing.strength == Strength::Recommended => warnings.push(format!(
            "{err} (the policy recommends this rather than requiring it: {})",
            timing.text
        )),
        _ => problems.push(FieldError::new(field, err.to_string())),
    }
}

// ---------------------------------------------------------------------------
// Assessment records

/// Records what happened at one sitting of a method, by the allocated
/// assessor. The first sitting of an attempt moves the EPA to
/// `in_assessment`.
pub async fn record_assessment(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: AssessmentInput,
) -> Result<RecordedAssessment, AppError> {
    let mut tx = app.db.begin_write().await?;
    let loaded = load_in(app, &mut tx, epa_id).await?;
    access::authorize(
        actor,
        Action::RecordJudgement,
        &loaded.resource(Vec::new()),
        "only the EPA's allocated assessor can record its assessments",
    )?;
    let state = &loaded.state;
    if !matches!(state.stage, Stage::Planned | Stage::InAssessment) {
        return Err(AppError::Conflict(format!(
            "an assessment can be recorded only while the EPA is planned or in assessment; it is at stage {}",
            state.stage
        )));
    }
    let snap = Snapshot::read(Reader::Tx(&mut tx), epa_id).await?;
    let (kind, methods) = snap.current_attempt(state)?;

    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let method = MethodId::parse(input.method.trim());
    match method {
        None => problems.push(FieldError::new(
            "method",
            "choose observation, project or discussion",
        )),
        Some(m) if !methods.contains(&m) => problems.push(FieldError::new(
            "method",
            format!(
                "attempt {} ({}) covers {}; the {m} is not part of it",
                state.attempt,
                kind_str(kind),
                join(methods.iter().map(|m| m.as_str()))
            ),
        )),
        Some(_) => {}
    }
    let parse_time = |field: &str, text: &str, problems: &mut Vec<FieldError>| {
        NaiveTime::parse_from_str(text.trim(), "%H:%M")
            .map_err(|_| {
                problems.push(FieldError::new(
                    field,
                    "enter a time as HH:MM, such as 09:30",
                ))
            })
            .ok()
    };
    let start = parse_time("start_time", &input.start_time, &mut problems);
    let end = parse_time("end_time", &input.end_time, &mut problems);
    let today = app.clock.today();
    if input.held_on > today {
        problems.push(FieldError::new(
            "held_on",
            "an assessment is recorded after it has taken place: the date cannot be in the future",
        ));
    }
    if let Some(start_of_period) = state.epa_period_start
        && input.held_on < start_of_period
    {
        problems.push(FieldError::new(
            "held_on",
            format!(
                "the EPA period started on {start_of_period}; an assessment cannot be before it"
            ),
        ));
    }
    let mut duration = None;
    if let (Some(m), Some(start), Some(end)) = (method, start, end) {
        let spec = loaded
            .plan
            .method(m)
            .ok_or_else(|| AppError::internal(format!("the plan has no {m}")))?;
        match sessions::check_session(
            spec,
            &SessionRecord {
                start,
                end,
                observation_minutes: None,
                questioning_minutes: input.questioning_minutes,
                interview_questions: input.interview_questions,
            },
        ) {
            Ok(minutes) => duration = Some(minutes),
            Err(found) => problems.extend(
                found
                    .into_iter()
                    .map(|p| FieldError::new(p.field, p.message)),
            ),
        }
    }
    if let Some(m) = method
        && kind != AttemptKind::First
        && methods.contains(&m)
    {
        let history = snap.history(&loaded.plan, state)?;
        let sitting = Sitting {
            method: m,
            kind,
            held_on: input.held_on,
            result: SittingResult::Graded(Grade::Pass),
            result_issued_on: None,
        };
        if let Err(err) = history.check(&sitting, &working_days()?) {
            attempt_refusal(err, "held_on", &loaded.plan, &mut warnings, &mut problems);
        }
    }
    let (Some(m), Some(minutes), true) = (method, duration, problems.is_empty()) else {
        return Err(AppError::Validation(problems));
    };
    if let Some(existing) = snap.assessment_in(m, state.attempt as i32) {
        return Err(AppError::Conflict(format!(
            "the {m} of attempt {} is already recorded (assessment {}); correct it with new judgements",
            state.attempt, existing.id
        )));
    }

    let to_i32 = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    let start_time = input.start_time.trim().to_owned();
    let end_time = input.end_time.trim().to_owned();
    let assessment = store::insert_assessment(
        &mut tx,
        &NewAssessment {
            epa_id,
            method: m.as_str(),
            attempt: state.attempt as i32,
            attempt_kind: kind_str(kind),
            held_on: input.held_on,
            start_time: &start_time,
            end_time: &end_time,
            duration_minutes: to_i32(minutes),
            questioning_minutes: input.questioning_minutes.map(to_i32),
            interview_questions: input.interview_questions.map(to_i32),
            assessor_id: actor.user_id,
        },
        app.now(),
    )
    .await?;
    transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        "assessment.recorded",
        None,
        json!({
            "assessment_id": assessment.id,
            "method": m.as_str(),
            "attempt": assessment.attempt,
            "attempt_kind": assessment.attempt_kind,
            "held_on": assessment.held_on,
            "start_time": assessment.start_time,
            "end_time": assessment.end_time,
            "duration_minutes": assessment.duration_minutes,
            "questioning_minutes": assessment.questioning_minutes,
            "interview_questions": assessment.interview_questions,
            "warnings": warnings,
        }),
    )
    .await?;
    let mut stage = state.stage;
    if state.stage == Stage::Planned {
        let after = transitions::apply(
            app,
            &mut tx,
            actor,
            &loaded.row,
            &Command::StartAssessment,
            "epa.assessment_started",
            json!({"assessment_id": assessment.id, "method": m.as_str()}),
        )
        .await?;
        stage = after.stage;
    }
    tx.commit().await?;
    Ok(RecordedAssessment {
        assessment: AssessmentView::from(&assessment),
        stage: stage.as_str().to_owned(),
        warnings,
    })
}

/// An EPA's assessment records, for those who may see the EPA.
pub async fn assessments(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<Vec<AssessmentView>, AppError> {
    crate::epas::get(app, actor, epa_id).await?;
    Ok(store::assessments(Reader::Db(&app.db), epa_id)
        .await?
        .iter()
        .map(AssessmentView::from)
        .collect())
}

fn join<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<&str> = items.into_iter().collect();
    match items.as_slice() {
        [] => "nothing".to_owned(),
        [one] => (*one).to_owned(),
        [first @ .., last] => format!("{} and {last}", first.join(", ")),
    }
}

// ---------------------------------------------------------------------------
// Judgements and method results

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
    let loaded = load_in(app, &mut tx, epa_id).await?;
    access::authorize(
        actor,
        Action::RecordJudgement,
        &loaded.resource(Vec::new()),
        "only the EPA's allocated assessor can record judgements",
    )?;
    let snap = Snapshot::read(Reader::Tx(&mut tx), epa_id).await?;
    let assessment = snap
        .assessments
        .iter()
        .find(|a| a.id == assessment_id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let state = &loaded.state;
    if !matches!(state.stage, Stage::InAssessment | Stage::AwaitingResults)
        || assessment.attempt != state.attempt as i32
    {
        return Err(AppError::Conflict(format!(
            "judgements can be recorded only for the current attempt's assessments before its results are released; \
             the EPA is at stage {} on attempt {}, and this assessment is from attempt {}",
            state.stage, state.attempt, assessment.attempt
        )));
    }
    let method = method_of(&assessment.method)?;

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
        match loaded.plan.criterion(criterion) {
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
                method: method.as_str(),
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
    let snap = Snapshot::read(Reader::Tx(&mut tx), epa_id).await?;
    let criteria: Vec<String> = loaded.scheme.criteria(method).to_vec();
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
            Some(snap.judged(&loaded.scheme, method, assessment.id)?);
        let explained = loaded.scheme.explain(&input);
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
                    method: method.as_str(),
                    attempt: assessment.attempt,
                    grade: grade.as_str(),
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
    let snap = Snapshot::read(Reader::Tx(&mut tx), epa_id).await?;
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
            &loaded.row,
            &Command::AllAssessed,
            "epa.all_assessed",
            json!({"attempt": state.attempt}),
        )
        .await?;
        stage = after.stage;
    }
    let view = result
        .as_ref()
        .map(|r| method_view(&snap, method, Some((&assessment, r)), true, None));
    tx.commit().await?;
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

/// Every judgement on an EPA, superseded ones marked: for EPAO staff,
/// quality assurance and the allocated assessor.
pub async fn judgements(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<Vec<JudgementView>, AppError> {
    let row = epas::get(&app.db, epa_id).await?;
    access::authorize(
        actor,
        Action::ViewEpa,
        &access::epa_resource(&row, &[]),
        "you cannot see this EPA",
    )?;
    if !sees_provisional(actor, &row) {
        return Err(AppError::Forbidden(
            "judgements are seen by the EPAO and the allocated assessor; released results are on the results page"
                .to_owned(),
        ));
    }
    let snap = Snapshot::read(Reader::Db(&app.db), epa_id).await?;
    let superseded: BTreeSet<Uuid> = snap
        .judgements
        .iter()
        .filter_map(|j| j.supersedes_id)
        .collect();
    let attempt_of: HashMap<Uuid, i32> =
        snap.assessments.iter().map(|a| (a.id, a.attempt)).collect();
    Ok(snap
        .judgements
        .iter()
        .map(|j| JudgementView {
            id: j.id,
            assessment_id: j.assessment_id,
            method: j.method.clone(),
            attempt: attempt_of.get(&j.assessment_id).copied().unwrap_or(0),
            criterion: j.criterion_id.clone(),
            met: j.met,
            note: j.note.clone(),
            assessor_id: j.assessor_id,
            recorded_at: j.recorded_at,
            supersedes_id: j.supersedes_id,
            superseded: superseded.contains(&j.id),
        })
        .collect())
}

fn method_view(
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
    let visible = provisional_visible || r.status == "released";
    if !visible {
        return MethodResultView {
            status: r.status.clone(),
            attempt: Some(a.attempt),
            held_on: Some(a.held_on),
            ..pending
        };
    }
    MethodResultView {
        method: method.as_str().to_owned(),
        status: r.status.clone(),
        grade: Some(r.grade.clone()),
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

// ---------------------------------------------------------------------------
// Results

fn released_view(row: &ResultRow) -> OverallView {
    OverallView {
        result_id: Some(row.id),
        attempt: row.attempt,
        attempt_kind: row.attempt_kind.clone(),
        grade: row.overall_grade.clone(),
        uncapped_grade: row.uncapped_grade.clone(),
        cap_applied: row.cap_applied,
        exceptional_circumstances: row.exceptional_circumstances,
        method_grades: BTreeMap::from([
            ("observation".to_owned(), row.observation_grade.clone()),
            ("project".to_owned(), row.project_grade.clone()),
            ("discussion".to_owned(), row.discussion_grade.clone()),
        ]),
        explanation: serde_json::from_str(&row.explanation).unwrap_or_default(),
        released: true,
        released_on: Some(row.released_on),
        released_by: Some(row.released_by),
    }
}

fn provisional_view(
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
        attempt_kind: kind_str(kind).to_owned(),
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
fn due_dates(
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
        .find(|r| r.overall_grade == "fail")
        .map(|r| r.released_on);
    if let Some((_, r)) = snap.standing_assessment(MethodId::Project)
        && r.grade == "fail"
    {
        known.project_fail_result = snap.issued_on(r);
    }
    if let Some(claim) = &snap.claim {
        known.certificate_claim = Some(claim.claimed_on);
    }
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
            d.id.as_str().starts_with("results_due")
                || d.id == "certificate_claim_due"
                || (failed_now
                    && (d.id == "project_rework_due" || d.id == "resit_retake_window_end"))
        })
        .map(|d| DueDate {
            state: wire(d.state),
            strength: wire(d.strength),
            rule: d.rule,
            source: d.source.to_string(),
            id: d.id.to_string(),
            date: d.date,
        })
        .collect())
}

/// A value's snake_case wire name (`due_soon`, `recommended`).
fn wire(value: impl Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// An EPA's results: each method's standing grade with its explanation and
/// graders, the released overall result, the due dates. Grades not yet
/// released are shown only to EPAO staff and the allocated assessor.
pub async fn results(app: &App, actor: &Actor, epa_id: Uuid) -> Result<ResultsView, AppError> {
    let row = epas::get(&app.db, epa_id).await?;
    access::authorize(
        actor,
        Action::ViewEpa,
        &access::epa_resource(&row, &[]),
        "you cannot see this EPA",
    )?;
    let snap = Snapshot::read(Reader::Db(&app.db), epa_id).await?;
    results_view(app, actor, &row, &snap)
}

fn results_view(
    app: &App,
    actor: &Actor,
    row: &EpaRow,
    snap: &Snapshot,
) -> Result<ResultsView, AppError> {
    let state = transitions::state_of(row)?;
    let (plan, scheme) = plan_of(app, row)?;
    let provisional = sees_provisional(actor, row);
    let (kind, _) = snap.current_attempt(&state)?;
    let due = due_dates(app, &plan, row, &state, snap)?;
    let due_for = |method: MethodId| {
        let name = match method {
            MethodId::Observation => "observation",
            MethodId::Project => "interview",
            MethodId::Discussion => "discussion",
        };
        let id = format!("results_due_{name}");
        due.iter().find(|d| d.id == id).map(|d| d.date)
    };
    let methods = MethodId::ALL
        .into_iter()
        .map(|m| {
            method_view(
                snap,
                m,
                snap.standing_assessment(m),
                provisional,
                due_for(m),
            )
        })
        .collect();
    let exceptional = !snap.exceptional.is_empty();
    let provisional_overall = if provisional && state.stage == Stage::AwaitingResults {
        let history = snap.history(&plan, &state)?;
        let explained = snap.overall(&scheme, history.cap_context())?;
        provisional_view(&explained, &state, kind, exceptional)
    } else {
        None
    };
    Ok(ResultsView {
        epa_id: row.epa.id,
        stage: state.stage.as_str().to_owned(),
        attempt: state.attempt,
        attempt_kind: kind_str(kind).to_owned(),
        methods,
        overall: snap.results.last().map(released_view),
        provisional_overall,
        released: snap.results.iter().map(released_view).collect(),
        exceptional_circumstances: if provisional {
            snap.exceptional.iter().map(ExceptionalView::from).collect()
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

/// Releases the overall result: the policy's table over the standing
/// method grades, after the resit/retake cap (lifted by recorded
/// exceptional circumstances where the policy allows). Only EPAO staff who
/// graded none of its methods may release it. Tells the apprentice's
/// provider and employer.
pub async fn release_results(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<ResultsView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let loaded = load_in(app, &mut tx, epa_id).await?;
    let snap = Snapshot::read(Reader::Tx(&mut tx), epa_id).await?;
    let graders = snap.graders();
    let refused = if graders.contains(&actor.user_id) {
        "you graded a method this result stands on: someone who did not grade it must release it"
    } else {
        "only EPAO staff can release results"
    };
    access::authorize(
        actor,
        Action::ReleaseResult,
        &loaded.resource(graders.clone()),
        refused,
    )?;
    let state = &loaded.state;
    if state.stage != Stage::AwaitingResults {
        let pending: Vec<&str> = MethodId::ALL
            .into_iter()
            .filter(|m| snap.standing_assessment(*m).is_none())
            .map(MethodId::as_str)
            .collect();
        let mut message = lifecycle::apply(
            state,
            &Command::ReleaseResults {
                overall: Grade::Pass,
            },
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_else(|| "the results cannot be released now".to_owned());
        if state.stage == Stage::InAssessment || state.stage == Stage::Planned {
            message.push_str(&format!(
                " Every method needs a result first; still waiting for: {}.",
                if pending.is_empty() {
                    "this attempt's methods".to_owned()
                } else {
                    join(pending)
                }
            ));
        }
        return Err(AppError::Conflict(message));
    }
    let (kind, _) = snap.current_attempt(state)?;
    let history = snap.history(&loaded.plan, state)?;
    let cap = history.cap_context();
    let explained = snap.overall(&loaded.scheme, cap)?;
    let (Some(overall), Some(uncapped)) = (
        explained.result.overall.grade(),
        explained.result.uncapped.grade(),
    ) else {
        return Err(AppError::Conflict(
            "every method needs a result before the overall result can be released".to_owned(),
        ));
    };
    let now = app.now();
    let today = app.clock.today();
    let grade_at = |m: MethodId| explained.result.method(m).as_str().to_owned();
    let result = store::insert_result(
        &mut tx,
        &ResultRow {
            id: Uuid::nil(),
            epa_id,
            attempt: state.attempt as i32,
            attempt_kind: kind_str(kind).to_owned(),
            observation_grade: grade_at(MethodId::Observation),
            project_grade: grade_at(MethodId::Project),
            discussion_grade: grade_at(MethodId::Discussion),
            uncapped_grade: uncapped.as_str().to_owned(),
            overall_grade: overall.as_str().to_owned(),
            cap_applied: explained.result.cap_applied,
            exceptional_circumstances: cap.exceptional_circumstances,
            explanation: serde_json::to_string(&explained.lines).map_err(AppError::internal)?,
            released_on: today,
            released_by: actor.user_id,
            released_at: now,
        },
    )
    .await?;
    let mut released_methods = Vec::new();
    for method in MethodId::ALL {
        if let Some((_, r)) = snap.standing_assessment(method)
            && r.status == "provisional"
        {
            store::release_method_result(&mut tx, r.id, result.id, now).await?;
            released_methods.push(
                json!({"method": method.as_str(), "method_result_id": r.id, "grade": r.grade}),
            );
        }
    }
    transitions::apply(
        app,
        &mut tx,
        actor,
        &loaded.row,
        &Command::ReleaseResults { overall },
        "epa.results_released",
        json!({
            "result_id": result.id,
            "overall": overall.as_str(),
            "uncapped": uncapped.as_str(),
            "cap_applied": result.cap_applied,
            "exceptional_circumstances": result.exceptional_circumstances,
            "methods_released": released_methods,
            "graders": graders,
            "explanation": explained.lines,
        }),
    )
    .await?;
    let recipients = store::contact_emails(
        Reader::Tx(&mut tx),
        loaded.row.provider_id,
        loaded.row.employer_id,
    )
    .await?;
    let subject = format!(
        "End-point assessment result released: {} {}",
        loaded.row.given_names, loaded.row.family_name
    );
    let body = format!(
        "The end-point assessment result for {} {} ({} version {}) has been released.\n\n\
         Overall grade: {overall}\nObservation: {}\nProject: {}\nDiscussion: {}\n\n{}\n",
        loaded.row.given_names,
        loaded.row.family_name,
        loaded.row.epa.standard_reference,
        loaded.row.epa.standard_version,
        grade_at(MethodId::Observation),
        grade_at(MethodId::Project),
        grade_at(MethodId::Discussion),
        explained.lines.join("\n"),
    );
    for recipient in &recipients {
        outbox::enqueue(
            &mut tx,
            &NewMessage {
                kind: "results_released",
                recipient,
                subject: &subject,
                body: &body,
            },
            now,
        )
        .await?;
    }
    let row = epas::get_in(&mut tx, epa_id).await?;
    let snap = Snapshot::read(Reader::Tx(&mut tx), epa_id).await?;
    let view = results_view(app, actor, &row, &snap)?;
    tx.commit().await?;
    Ok(view)
}

/// Records exceptional circumstances for an EPA's fail, which lift the
/// resit/retake cap on its next release where the policy allows. EPAO staff
/// who did not grade the EPA decide it, as for a release.
pub async fn record_exceptional_circumstances(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: ReasonInput,
) -> Result<ExceptionalView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let loaded = load_in(app, &mut tx, epa_id).await?;
    let snap = Snapshot::read(Reader::Tx(&mut tx), epa_id).await?;
    let graders = snap.graders();
    access::authorize(
        actor,
        Action::ReleaseResult,
        &loaded.resource(graders),
        "exceptional circumstances are decided by EPAO staff who did not grade the EPA",
    )?;
    let state = &loaded.state;
    let settled = matches!(
        state.stage,
        Stage::CertificateClaimed | Stage::CertificateReceived | Stage::Withdrawn
    ) || (state.stage == Stage::Completed && state.overall != Some(Grade::Fail));
    if settled {
        return Err(AppError::Conflict(format!(
            "the EPA is at stage {}: its result is settled, so exceptional circumstances can no longer change it (an appeal can)",
            state.stage
        )));
    }
    let cap = &loaded.plan.rules.grade_cap;
    if !cap.lifted_by_exceptional_circumstances {
        return Err(AppError::Conflict(format!(
            "the {} policy does not lift the grade cap for exceptional circumstances",
            loaded.plan.epao_name
        )));
    }
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(AppError::field(
            "reason",
            "give the exceptional circumstances",
        ));
    }
    if reason.chars().count() > REASON_MAX {
        return Err(AppError::field(
            "reason",
            format!("use at most {REASON_MAX} characters"),
        ));
    }
    let row = store::insert_exceptional(&mut tx, epa_id, reason, actor.user_id, app.now()).await?;
    transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        "exceptional_circumstances.recorded",
        None,
        json!({"id": row.id, "reason": reason, "stage": state.stage.as_str()}),
    )
    .await?;
    tx.commit().await?;
    Ok(ExceptionalView::from(&row))
}

// ---------------------------------------------------------------------------
// The certificate

/// Claims the certificate for an achieved EPA, with the policy's claim
/// deadline from the release where it states one.
pub async fn claim_certificate(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<CertificateView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let loaded = load_in(app, &mut tx, epa_id).await?;
    access::authorize(
        actor,
        Action::ClaimCertificate,
        &loaded.resource(Vec::new()),
        "only EPAO staff can claim a certificate",
    )?;
    lifecycle::apply(&loaded.state, &Command::ClaimCertificate).map_err(lifecycle_refusal)?;
    let results = store::results(Reader::Tx(&mut tx), epa_id).await?;
    let released = results
        .last()
        .ok_or_else(|| AppError::Conflict("there is no released result to claim for".to_owned()))?;
    let due_on = match &loaded.plan.rules.timings.certificate_claim {
        Some(timing) => match epa_domain::plan::period_of(timing) {
            Some(period) => Some(
                period
                    .after(released.released_on, &working_days()?)
                    .map_err(AppError::internal)?,
            ),
            None => None,
        },
        None => None,
    };
    let claim = store::insert_claim(
        &mut tx,
        epa_id,
        released.id,
        due_on,
        app.clock.today(),
        actor.user_id,
    )
    .await?;
    let after = transitions::apply(
        app,
        &mut tx,
        actor,
        &loaded.row,
        &Command::ClaimCertificate,
        "epa.certificate_claimed",
        json!({"claim_id": claim.id, "result_id": released.id, "due_on": due_on}),
    )
    .await?;
    tx.commit().await?;
    Ok(certificate_view(&claim, after.stage.as_str()))
}

/// Records the claimed certificate as received.
pub async fn receive_certificate(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: ReceiveInput,
) -> Result<CertificateView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let loaded = load_in(app, &mut tx, epa_id).await?;
    access::authorize(
        actor,
        Action::ClaimCertificate,
        &loaded.resource(Vec::new()),
        "only EPAO staff can record a certificate as received",
    )?;
    lifecycle::apply(&loaded.state, &Command::ReceiveCertificate).map_err(lifecycle_refusal)?;
    let claim = store::claim(Reader::Tx(&mut tx), epa_id)
        .await?
        .ok_or_else(|| AppError::Conflict("no certificate has been claimed".to_owned()))?;
    let today = app.clock.today();
    let received_on = input.received_on.unwrap_or(today);
    if received_on > today {
        return Err(AppError::field(
            "received_on",
            "the date received cannot be in the future",
        ));
    }
    if received_on < claim.claimed_on {
        return Err(AppError::field(
            "received_on",
            format!(
                "the certificate was claimed on {}; it cannot be received before that",
                claim.claimed_on
            ),
        ));
    }
    let claim =
        store::receive_claim(&mut tx, claim.id, claim.version, received_on, actor.user_id).await?;
    let after = transitions::apply(
        app,
        &mut tx,
        actor,
        &loaded.row,
        &Command::ReceiveCertificate,
        "epa.certificate_received",
        json!({"claim_id": claim.id, "received_on": received_on}),
    )
    .await?;
    tx.commit().await?;
    Ok(certificate_view(&claim, after.stage.as_str()))
}

// ---------------------------------------------------------------------------
// After a fail, and withdrawal

/// Which attempt after a fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    Resit,
    ProjectRework,
    Retake,
}

async fn start_attempt(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    next: Next,
    requested: Vec<String>,
) -> Result<AttemptView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let loaded = load_in(app, &mut tx, epa_id).await?;
    access::authorize(
        actor,
        Action::ReviewGateway,
        &loaded.resource(Vec::new()),
        "only EPAO staff can start a resit, a project rework or a retake",
    )?;
    let state = &loaded.state;
    // The stage first: a resit of an EPA that passed is refused as such.
    let probe = match next {
        Next::Retake => Command::Retake,
        _ => Command::Resit {
            methods: vec![MethodId::Project],
        },
    };
    lifecycle::apply(state, &probe).map_err(lifecycle_refusal)?;

    let snap = Snapshot::read(Reader::Tx(&mut tx), epa_id).await?;
    let history = snap.history(&loaded.plan, state)?;
    let wd = working_days()?;
    let today = app.clock.today();
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let failed: Vec<MethodId> = MethodId::ALL
        .into_iter()
        .filter(|m| history.current_grades()[grading::method_index(*m)] == Some(Grade::Fail))
        .collect();
    let methods: Vec<MethodId> = match next {
        Next::Resit => {
            let mut methods = Vec::new();
            for text in &requested {
                match MethodId::parse(text.trim()) {
                    Some(m) => methods.push(m),
                    None => problems.push(FieldError::new(
                        "methods",
                        format!(
                            "{text:?} is not a method: choose observation, project or discussion"
                        ),
                    )),
                }
            }
            methods
        }
        Next::ProjectRework => vec![MethodId::Project],
        Next::Retake => failed.clone(),
    };
    let kind = match next {
        Next::Resit => AttemptKind::Resit,
        Next::ProjectRework => AttemptKind::ProjectRework,
        Next::Retake => AttemptKind::Retake,
    };
    for m in &methods {
        // A retake's gateway comes later, so its window alone is checked now.
        let check_kind = if kind == AttemptKind::Retake {
            AttemptKind::Resit
        } else {
            kind
        };
        let sitting = Sitting {
            method: *m,
            kind: check_kind,
            held_on: today,
            result: SittingResult::Graded(Grade::Pass),
            result_issued_on: None,
        };
        if let Err(err) = history.check(&sitting, &wd) {
            attempt_refusal(err, "methods", &loaded.plan, &mut warnings, &mut problems);
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let due_on = match kind {
        AttemptKind::ProjectRework => history.rework_due(&wd).map_err(AppError::internal)?,
        _ => history.window_end(&wd).map_err(AppError::internal)?,
    };
    let command = match next {
        Next::Retake => Command::Retake,
        _ => Command::Resit {
            methods: methods.clone(),
        },
    };
    let action = match next {
        Next::Resit => "epa.resit_started",
        Next::ProjectRework => "epa.project_rework_started",
        Next::Retake => "epa.retake_started",
    };
    let after = transitions::apply(
        app,
        &mut tx,
        actor,
        &loaded.row,
        &command,
        action,
        json!({
            "kind": kind_str(kind),
            "methods": methods.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
            "due_on": due_on,
            "warnings": warnings,
        }),
    )
    .await?;
    let mut sorted = methods.clone();
    sorted.sort();
    let list: Vec<&str> = sorted.iter().map(|m| m.as_str()).collect();
    let row = store::insert_attempt(
        &mut tx,
        epa_id,
        after.attempt as i32,
        kind_str(kind),
        &list.join(","),
        due_on,
        actor.user_id,
        app.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(AttemptView {
        epa_id,
        stage: after.stage.as_str().to_owned(),
        attempt: row.attempt,
        kind: row.kind,
        methods: list.into_iter().map(str::to_owned).collect(),
        due_on,
        warnings,
    })
}

/// After a fail: sit the failed methods again, without further learning,
/// within the resit window. No resit of a passed method (there is no resit
/// to improve a grade). The EPA goes back to `planned`.
pub async fn start_resit(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: ResitInput,
) -> Result<AttemptView, AppError> {
    start_attempt(app, actor, epa_id, Next::Resit, input.methods).await
}

/// After a failed project: rework it using the feedback, due within the
/// policy's rework period of the fail result.
pub async fn start_project_rework(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<AttemptView, AppError> {
    start_attempt(app, actor, epa_id, Next::ProjectRework, Vec::new()).await
}

/// After a fail: further learning and a new gateway; the failed methods are
/// then assessed again. The EPA goes back to `registered`.
pub async fn start_retake(app: &App, actor: &Actor, epa_id: Uuid) -> Result<AttemptView, AppError> {
    start_attempt(app, actor, epa_id, Next::Retake, Vec::new()).await
}

/// Withdraws the apprentice from the EPA, with the reason.
pub async fn withdraw(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: ReasonInput,
) -> Result<EpaView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let loaded = load_in(app, &mut tx, epa_id).await?;
    access::authorize(
        actor,
        Action::ReviewGateway,
        &loaded.resource(Vec::new()),
        "only EPAO staff can withdraw an apprentice",
    )?;
    if input.reason.trim().chars().count() > REASON_MAX {
        return Err(AppError::field(
            "reason",
            format!("use at most {REASON_MAX} characters"),
        ));
    }
    transitions::apply(
        app,
        &mut tx,
        actor,
        &loaded.row,
        &Command::Withdraw {
            reason: input.reason.clone(),
        },
        "epa.withdrawn",
        json!({"reason": input.reason.trim()}),
    )
    .await?;
    let row = epas::get_in(&mut tx, epa_id).await?;
    tx.commit().await?;
    Ok(EpaView::from(row))
}
