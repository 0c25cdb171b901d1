//! The pieces plans and policies are made of. These types appear both in the
//! files (wrapped in `toml::Spanned` so problems can name a line) and in the
//! [`EffectivePlan`](crate::EffectivePlan) (plain). All fields are public:
//! they are data, read-only at run time, and serialize to the shape
//! `epa plan show --json` prints.

use serde::{Deserialize, Serialize};

use crate::source::Source;
use crate::vocab::{
    Anchor, CriterionLevel, Grade, KsbKind, MethodId, Mode, Relation, Strength, TimeUnit,
};

/// The standard's identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Standard {
    /// "ST0071".
    pub reference: String,
    /// "1.2".
    pub version: String,
    pub title: String,
    pub level: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lars_code: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// Typical time on programme before the gateway, in months.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typical_months_to_gateway: Option<u32>,
    pub source: Source,
}

/// One knowledge, skill or behaviour statement of the standard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ksb {
    /// "K1", "S12", "B3".
    pub code: String,
    pub kind: KsbKind,
    /// The standard's heading the statement sits under.
    pub theme: String,
    pub text: String,
    /// The one method that assesses it.
    pub method: MethodId,
    /// Wording differences between sources, and similar remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Where the statement comes from; the plan's `[defaults] ksb_source`
    /// when the entry gives none (always filled in an effective plan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// A grading criterion (descriptor) with the project's stable ID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// "OBS-P01", "WBP-D04", "PD-P12".
    pub id: String,
    pub method: MethodId,
    /// The grade level: pass or distinction.
    pub grade: CriterionLevel,
    /// The KSBs it evidences (all of the same method).
    pub ksbs: Vec<String>,
    pub text: String,
    /// How sure the KSB mapping is (H, M, L) and why, when not obvious.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
    /// Where the descriptor comes from; the plan's `[defaults]
    /// criterion_source` when the entry gives none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// A KSB that no pass criterion names, and why that is acceptable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageException {
    pub ksb: String,
    /// The criteria that cover it implicitly.
    pub covered_by: Vec<String>,
    pub reason: String,
    pub source: Source,
}

/// Minimum and maximum count of something (portfolio pieces).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    pub min: u32,
    pub max: u32,
}

/// Where questioning sits in an observation and how long it may take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Questioning {
    pub placement: QuestioningPlacement,
    /// Upper limit as a share of the method's allowed time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_percent: Option<u32>,
    /// Upper limit in minutes, where the source gives a figure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
    pub source: Source,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestioningPlacement {
    /// Questions are asked while the observation runs.
    During,
    /// A separate question and answer session follows the observation.
    After,
}

/// An assessment method as the standard's plan defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodSpec {
    pub id: MethodId,
    /// The plan's own name, shown in the UI as written.
    pub name: String,
    pub duration_minutes: u32,
    /// Permitted variance either way, in percent.
    pub tolerance_percent: u32,
    pub modes: Vec<Mode>,
    /// Number of questions in the project interview.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interview_questions: Option<u32>,
    /// Pieces of evidence in the portfolio underpinning the discussion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portfolio_pieces: Option<Range>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub questioning: Option<Questioning>,
    pub source: Source,
}

/// What a policy adds to or changes in one method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodPolicy {
    pub method: MethodId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub questioning: Option<Questioning>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modes: Option<Vec<Mode>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// How one method's grade follows from its criteria.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodGrading {
    pub rule: String,
    pub source: Source,
}

/// A gateway requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayRequirement {
    pub id: String,
    pub text: String,
    pub strength: Strength,
    /// The part of a gateway submission that evidences it, when one does.
    /// A component no requirement names is not asked for (ADR 0106).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<GatewayComponent>,
    /// The component is sent only when there is something to declare (the
    /// reasonable adjustments "declared", when there are any).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub only_when_applicable: bool,
    /// Months of training before the gateway the requirement expects
    /// (Innovate's "typically ... a minimum of 12 months").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_training_months: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
    pub source: Source,
}

/// The parts a gateway submission can have. snake_case names are the
/// database and API values of the domain's `ComponentKind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GatewayComponent {
    PhotoId,
    Portfolio,
    Proposal,
    EnglishMaths,
    EmployerDeclaration,
    ProviderDeclaration,
    ReasonableAdjustments,
}

/// One row of the overall grading table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeRow {
    pub observation: Grade,
    pub project: Grade,
    pub discussion: Grade,
    pub overall: Grade,
}

impl GradeRow {
    pub fn grade_of(&self, method: MethodId) -> Grade {
        match method {
            MethodId::Observation => self.observation,
            MethodId::Project => self.project,
            MethodId::Discussion => self.discussion,
        }
    }
}

/// The grade cap after a resit or retake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeCap {
    /// The highest overall grade after a resit or retake: pass.
    pub cap: Grade,
    pub applies_to_resit: bool,
    pub applies_to_retake: bool,
    /// Exceptional circumstances accepted by the EPAO lift the cap.
    pub lifted_by_exceptional_circumstances: bool,
    /// Whether a learner who passed may resit to improve the grade.
    pub resit_to_improve_allowed: bool,
    /// What the cap limits: the overall grade (TQUK) or the re-sat
    /// method's grade, the overall grade following from it (Innovate).
    pub scope: CapScope,
    /// Who decides that exceptional circumstances lift the cap.
    pub exceptional_circumstances: ExceptionalCircumstances,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
    pub source: Source,
}

/// What a grade cap limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapScope {
    /// The overall EPA grade ("the overall EPA grade will be capped").
    Overall,
    /// The grade of each method sat again ("the maximum grade awarded to a
    /// re-sit"); the overall grade follows from the capped method grades.
    Method,
}

/// Who may say there were exceptional circumstances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decider {
    /// EPAO staff (the organisation: "Training Qualifications UK determines").
    EpaoStaff,
    /// The EPA's assessor ("the Innovate Awarding Assessor identifies").
    Assessor,
    /// EPAO staff who graded no part of the EPA.
    EpaoStaffNotGrader,
}

/// How exceptional circumstances are decided under a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionalCircumstances {
    /// Who identifies (and, with no confirmer, decides) them.
    pub identified_by: Decider,
    /// Who confirms them, when someone other than the identifier must.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_by: Option<Decider>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
    pub source: Source,
}

/// A time rule: an amount of some unit, related to an anchor event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timing {
    pub amount: u32,
    pub unit: TimeUnit,
    pub relation: Relation,
    /// The event it counts from (or, for `before`, towards). None for a
    /// plain length such as a meeting's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Anchor>,
    pub strength: Strength,
    /// The rule in words, as the product shows it.
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
    pub source: Source,
}

/// Every timing a policy may state. Those only one EPAO states are `None`
/// in the other. Generic over the wrapper so files can keep spans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimingsOf<T> {
    /// Everything must be completed within the EPA period.
    pub epa_period: T,
    /// How long the EPAO takes over the gateway.
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub gateway_processing: Option<T>,
    /// The length of the planning meeting.
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub planning_meeting_length: Option<T>,
    /// Notice of the practical observation date.
    pub observation_notice: T,
    /// Time to resubmit a rejected project proposal.
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub proposal_rework: Option<T>,
    /// The window to carry out the project and write the report.
    pub report_window: T,
    /// Spacing between report submission and the interview.
    pub report_to_interview: T,
    /// When the portfolio is due.
    pub portfolio_due: T,
    /// Service level: component results released.
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub results_release: Option<T>,
    /// Service level: certificate claimed.
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub certificate_claim: Option<T>,
    /// Service level: replacement certificate requested.
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub replacement_certificate: Option<T>,
    /// Reworking a failed project.
    pub project_rework: T,
    /// Resits and retakes must happen within this window.
    pub resit_retake_window: T,
}

fn none<T>() -> Option<T> {
    None
}

/// The plain timings of an effective plan.
pub type Timings = TimingsOf<Timing>;

impl<T> TimingsOf<T> {
    /// Every timing with its key, stated or not, in a fixed order.
    pub fn entries(&self) -> Vec<(&'static str, Option<&T>)> {
        vec![
            ("epa_period", Some(&self.epa_period)),
            ("gateway_processing", self.gateway_processing.as_ref()),
            (
                "planning_meeting_length",
                self.planning_meeting_length.as_ref(),
            ),
            ("observation_notice", Some(&self.observation_notice)),
            ("proposal_rework", self.proposal_rework.as_ref()),
            ("report_window", Some(&self.report_window)),
            ("report_to_interview", Some(&self.report_to_interview)),
            ("portfolio_due", Some(&self.portfolio_due)),
            ("results_release", self.results_release.as_ref()),
            ("certificate_claim", self.certificate_claim.as_ref()),
            (
                "replacement_certificate",
                self.replacement_certificate.as_ref(),
            ),
            ("project_rework", Some(&self.project_rework)),
            ("resit_retake_window", Some(&self.resit_retake_window)),
        ]
    }

    pub(crate) fn map<U>(self, f: impl Fn(T) -> U) -> TimingsOf<U> {
        TimingsOf {
            epa_period: f(self.epa_period),
            gateway_processing: self.gateway_processing.map(&f),
            planning_meeting_length: self.planning_meeting_length.map(&f),
            observation_notice: f(self.observation_notice),
            proposal_rework: self.proposal_rework.map(&f),
            report_window: f(self.report_window),
            report_to_interview: f(self.report_to_interview),
            portfolio_due: f(self.portfolio_due),
            results_release: self.results_release.map(&f),
            certificate_claim: self.certificate_claim.map(&f),
            replacement_certificate: self.replacement_certificate.map(&f),
            project_rework: f(self.project_rework),
            resit_retake_window: f(self.resit_retake_window),
        }
    }
}

/// A word limit. `min`/`max` are stated and checked against
/// `target` ± `tolerance_percent` by the validator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WordLimit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance_percent: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
    /// Annexes do not count towards the limit.
    pub excludes_annexes: bool,
    pub strength: Strength,
    /// What happens outside the limit, when a source says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforcement: Option<String>,
    pub source: Source,
}

/// Word limits per document. `proposal` is None where the EPAO sets none
/// (Innovate's synopsis).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WordLimitsOf<T> {
    pub report: T,
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub proposal: Option<T>,
}

pub type WordLimits = WordLimitsOf<WordLimit>;

impl WordLimit {
    /// `target` +/- `tolerance_percent` as inclusive bounds, rounded
    /// outwards so the tolerance is never shaved: 2,500 +/- 10% is
    /// 2,250-2,750.
    pub fn tolerance_bounds(&self) -> Option<(u32, u32)> {
        let (target, tolerance) = (self.target?, self.tolerance_percent?);
        let slack = (u64::from(target) * u64::from(tolerance)).div_ceil(100);
        let slack = u32::try_from(slack).unwrap_or(u32::MAX);
        Some((target.saturating_sub(slack), target.saturating_add(slack)))
    }

    /// The limit in force, as inclusive bounds: the stated `min` and `max`,
    /// with the target's tolerance filling a bound that is not stated
    /// (ADR 0034). The validator, the upload routes and `epa wordcount` all
    /// read a limit through this one function.
    pub fn bounds(&self) -> (Option<u32>, Option<u32>) {
        let around = self.tolerance_bounds();
        (
            self.min.or(around.map(|(low, _)| low)),
            self.max.or(around.map(|(_, high)| high)),
        )
    }
}

/// A work-based project proposal (TQUK) or synopsis (Innovate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalKind {
    Proposal,
    Synopsis,
}

/// What the apprentice submits about the project before starting it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposalRule {
    pub kind: ProposalKind,
    /// The EPAO's own name for it.
    pub name: String,
    /// Must the EPAO accept it before the report is started?
    pub needs_acceptance: bool,
    pub text: String,
    pub source: Source,
}

/// A rule on the order of methods: `first` before `then`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderRule {
    /// Stable key so two policies' rules on the same pair can be compared.
    pub id: String,
    pub first: MethodId,
    pub then: MethodId,
    pub strength: Strength,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
    pub source: Source,
}

/// A criterion's wording as one EPAO prints it, where it differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WordingOverride {
    pub criterion: String,
    pub text: String,
    pub source: Source,
}
