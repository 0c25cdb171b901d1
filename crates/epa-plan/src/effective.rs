//! The effective plan: one standard's plan read through one EPAO's policy.
//! This is what every other layer works from. Its fields are public and it
//! serializes to the shape `epa plan show --json` prints (the CLI
//! contract's `reference`, `version`, `epao`, `ksbs`, `criteria`,
//! `overall_grading`, `rules`, plus more).

use serde::Serialize;

use crate::files::{Plan, Policy};
use crate::model::{
    CoverageException, Criterion, GatewayRequirement, GradeCap, GradeRow, Ksb, MethodGrading,
    OrderRule, ProposalRule, Questioning, Range, Standard, Timings, WordLimits,
};
use crate::source::Source;
use crate::vocab::{Grade, MethodId, Mode};

/// Standard plan + one EPAO policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EffectivePlan {
    /// "ST0071".
    pub reference: String,
    /// "1.2".
    pub version: String,
    /// Lower-case EPAO ID: "tquk", "innovate".
    pub epao: String,
    /// The EPAO's name: "TQUK", "Innovate Awarding".
    pub epao_name: String,
    /// The EPAO specification the policy was read from.
    pub policy_source: Source,
    pub standard: Standard,
    /// In the plan's order: observation, project, discussion.
    pub methods: Vec<Method>,
    /// All KSBs, in the plan's order (K1..K18, S1..S17, B1..B12).
    pub ksbs: Vec<Ksb>,
    /// Only the criteria this EPAO uses, with its wording.
    pub criteria: Vec<Criterion>,
    /// KSBs without a pass criterion of their own, with the reason.
    pub coverage_exceptions: Vec<CoverageException>,
    pub method_grading: MethodGrading,
    pub overall_grading: OverallGrading,
    pub rules: Rules,
}

/// One method with the policy's additions applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Method {
    pub id: MethodId,
    pub name: String,
    pub duration_minutes: u32,
    pub tolerance_percent: u32,
    /// `duration_minutes` less the tolerance, rounded down.
    pub min_minutes: u32,
    /// `duration_minutes` plus the tolerance, rounded up.
    pub max_minutes: u32,
    pub modes: Vec<Mode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub questioning: Option<Questioning>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interview_questions: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portfolio_pieces: Option<Range>,
    /// The KSB codes it assesses.
    pub ksbs: Vec<String>,
    pub source: Source,
}

/// The overall grading rule with its full table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverallGrading {
    /// The rule in words.
    pub rule: String,
    /// Any failed method gives this overall grade (fail).
    pub any_fail: Grade,
    /// All 8 pass/distinction combinations of observation, project, discussion.
    pub table: Vec<GradeRow>,
    /// How a garbled source was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
    pub source: Source,
}

/// The policy's rules other than grading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rules {
    pub grade_cap: GradeCap,
    pub timings: Timings,
    pub word_limits: WordLimits,
    pub proposal: ProposalRule,
    /// Rules on the order of methods.
    pub order: Vec<OrderRule>,
    /// The plan's gateway requirements followed by the EPAO's own.
    pub gateway: Vec<GatewayRequirement>,
}

impl EffectivePlan {
    /// Joins a plan and a policy without validating them; use
    /// [`Catalog::effective`](crate::Catalog::effective) for loaded data.
    /// For checking or comparing files that are not in the catalog.
    pub fn from_parts(plan: &Plan, policy: &Policy) -> EffectivePlan {
        EffectivePlan::build(plan, policy)
    }

    pub(crate) fn build(plan: &Plan, policy: &Policy) -> EffectivePlan {
        let defaults = &plan.defaults;
        let ksbs: Vec<Ksb> = plan
            .ksbs
            .iter()
            .map(|k| {
                let mut k = k.get_ref().clone();
                k.source.get_or_insert_with(|| defaults.ksb_source.clone());
                k
            })
            .collect();
        let selected: Vec<&str> = policy
            .criteria
            .get_ref()
            .ids
            .iter()
            .map(|id| id.get_ref().as_str())
            .collect();
        let criteria = plan
            .criteria
            .iter()
            .map(|c| c.get_ref())
            .filter(|c| selected.contains(&c.id.as_str()))
            .map(|c| {
                let mut c = c.clone();
                if let Some(w) = policy
                    .wording
                    .iter()
                    .find(|w| w.get_ref().criterion == c.id)
                {
                    c.text = w.get_ref().text.clone();
                    c.source = Some(w.get_ref().source.clone());
                }
                c.source
                    .get_or_insert_with(|| defaults.criterion_source.clone());
                c
            })
            .collect();
        let methods = plan
            .methods
            .iter()
            .map(|m| {
                let spec = m.get_ref();
                let extra = policy
                    .methods
                    .iter()
                    .map(|p| p.get_ref())
                    .find(|p| p.method == spec.id);
                let tolerance = spec.duration_minutes * spec.tolerance_percent;
                Method {
                    id: spec.id,
                    name: spec.name.clone(),
                    duration_minutes: spec.duration_minutes,
                    tolerance_percent: spec.tolerance_percent,
                    min_minutes: (spec.duration_minutes * 100 - tolerance) / 100,
                    max_minutes: (spec.duration_minutes * 100 + tolerance).div_ceil(100),
                    modes: extra
                        .and_then(|p| p.modes.clone())
                        .unwrap_or_else(|| spec.modes.clone()),
                    questioning: extra
                        .and_then(|p| p.questioning.clone())
                        .or_else(|| spec.questioning.clone()),
                    interview_questions: spec.interview_questions,
                    portfolio_pieces: spec.portfolio_pieces,
                    ksbs: ksbs
                        .iter()
                        .filter(|k| k.method == spec.id)
                        .map(|k| k.code.clone())
                        .collect(),
                    source: spec.source.clone(),
                }
            })
            .collect();
        let grading = policy.overall_grading.get_ref();
        EffectivePlan {
            reference: plan.standard.reference.clone(),
            version: plan.standard.version.clone(),
            epao: policy.policy.epao.clone(),
            epao_name: policy.policy.name.clone(),
            policy_source: policy.policy.source.clone(),
            standard: plan.standard.clone(),
            methods,
            ksbs,
            criteria,
            coverage_exceptions: plan
                .coverage_exceptions
                .iter()
                .map(|e| e.get_ref().clone())
                .collect(),
            method_grading: plan.method_grading.get_ref().clone(),
            overall_grading: OverallGrading {
                rule: grading.rule.clone(),
                any_fail: grading.any_fail,
                table: grading.table.iter().map(|r| *r.get_ref()).collect(),
                reading: grading.reading.clone(),
                source: grading.source.clone(),
            },
            rules: Rules {
                grade_cap: policy.grade_cap.get_ref().clone(),
                timings: policy.timings.clone().map(|t| t.into_inner()),
                word_limits: WordLimits {
                    report: policy.word_limits.report.get_ref().clone(),
                    proposal: policy
                        .word_limits
                        .proposal
                        .as_ref()
                        .map(|p| p.get_ref().clone()),
                },
                proposal: policy.proposal.get_ref().clone(),
                order: policy.order.iter().map(|o| o.get_ref().clone()).collect(),
                gateway: plan
                    .gateway
                    .iter()
                    .chain(policy.gateway.iter())
                    .map(|g| g.get_ref().clone())
                    .collect(),
            },
        }
    }

    pub fn method(&self, id: MethodId) -> Option<&Method> {
        self.methods.iter().find(|m| m.id == id)
    }

    pub fn ksb(&self, code: &str) -> Option<&Ksb> {
        self.ksbs.iter().find(|k| k.code == code)
    }

    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.id == id)
    }

    /// The criteria of one method, in the plan's order.
    pub fn criteria_for(&self, method: MethodId) -> impl Iterator<Item = &Criterion> {
        self.criteria.iter().filter(move |c| c.method == method)
    }
}
