//! The two kinds of file, as written on disk: a standard's plan
//! (`plan.toml`) and an EPAO policy (`epao-*.toml`). Items keep their
//! `toml::Spanned` position so every problem can name a line.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::model::{
    CoverageException, Criterion, GatewayRequirement, GradeCap, GradeRow, Ksb, MethodGrading,
    MethodPolicy, MethodSpec, OrderRule, ProposalRule, Standard, Timing, TimingsOf, WordLimit,
    WordLimitsOf, WordingOverride,
};
use crate::source::Source;
use crate::vocab::Grade;

/// Where a loaded file came from, to turn byte spans into line:column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The name problems are reported under (a path, or the embedded path).
    pub file: String,
    line_starts: Vec<usize>,
}

impl Origin {
    pub(crate) fn new(file: &str, text: &str) -> Origin {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        Origin {
            file: file.to_string(),
            line_starts,
        }
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line.saturating_sub(1)];
        (line.max(1), offset - start + 1)
    }
}

/// Defaults that save repeating one source on every KSB and criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanDefaults {
    pub ksb_source: Source,
    pub criterion_source: Source,
}

/// A standard's assessment plan: what every EPAO shares.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub standard: Standard,
    pub defaults: PlanDefaults,
    pub method_grading: Spanned<MethodGrading>,
    #[serde(default)]
    pub methods: Vec<Spanned<MethodSpec>>,
    #[serde(default)]
    pub ksbs: Vec<Spanned<Ksb>>,
    #[serde(default)]
    pub criteria: Vec<Spanned<Criterion>>,
    #[serde(default)]
    pub coverage_exceptions: Vec<Spanned<CoverageException>>,
    #[serde(default)]
    pub gateway: Vec<Spanned<GatewayRequirement>>,
    #[serde(skip)]
    pub origin: Origin,
}

/// The header of a policy: whose it is and which plan it reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyHeader {
    /// Lower-case EPAO ID: "tquk", "innovate".
    pub epao: String,
    /// The EPAO's name as people write it.
    pub name: String,
    /// The plan it applies to.
    pub standard: String,
    pub version: String,
    /// The EPAO's specification this policy is read from.
    pub source: Source,
}

/// Which of the plan's criteria the EPAO uses.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriteriaSelection {
    pub ids: Vec<Spanned<String>>,
    #[serde(default)]
    pub note: Option<String>,
    pub source: Source,
}

/// The overall grading table as the file holds it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverallGradingFile {
    pub rule: String,
    /// What any failed method gives overall: fail.
    pub any_fail: Grade,
    #[serde(default)]
    pub reading: Option<String>,
    pub source: Source,
    pub table: Vec<Spanned<GradeRow>>,
}

/// One EPAO's reading of a plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub policy: PolicyHeader,
    pub criteria: Spanned<CriteriaSelection>,
    #[serde(default)]
    pub wording: Vec<Spanned<WordingOverride>>,
    pub overall_grading: Spanned<OverallGradingFile>,
    pub grade_cap: Spanned<GradeCap>,
    pub timings: TimingsOf<Spanned<Timing>>,
    pub word_limits: WordLimitsOf<Spanned<WordLimit>>,
    pub proposal: Spanned<ProposalRule>,
    #[serde(default)]
    pub methods: Vec<Spanned<MethodPolicy>>,
    #[serde(default)]
    pub order: Vec<Spanned<OrderRule>>,
    #[serde(default)]
    pub gateway: Vec<Spanned<GatewayRequirement>>,
    #[serde(skip)]
    pub origin: Origin,
}
