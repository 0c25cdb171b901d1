//! What each document shows, as plain values already worded for people:
//! dates written out, grades named. The templates only lay them out.

use serde::Serialize;

/// One line of a document's opening facts ("ULN", "1234567890").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

impl Fact {
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> Self {
        Fact {
            label: label.into(),
            value: value.into(),
        }
    }
}

/// The result letter of one release, followed by the assessment record of
/// each method it stands on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultsDocument {
    /// The PDF's title (its metadata) and the letter's heading.
    pub title: String,
    /// The apprentice, the standard, the EPAO and its policy, the attempt,
    /// the release date.
    pub facts: Vec<Fact>,
    pub overall_grade: String,
    pub method_grades: Vec<MethodGrade>,
    /// Why the overall grade is what it is, from the grading engine.
    pub overall_explanation: Vec<String>,
    /// Certificate, resit, retake and appeal, as the policy states them.
    pub next_steps: Vec<NextStep>,
    /// One per method, in the plan's order.
    pub records: Vec<MethodRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MethodGrade {
    pub method: String,
    pub grade: String,
}

/// A paragraph of what follows the result, with where the rule comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextStep {
    pub heading: String,
    pub text: String,
    /// The policy document and section, when the text rests on one.
    pub source: Option<String>,
}

/// The assessment record of one method: every criterion, judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MethodRecord {
    pub method: String,
    /// When the sitting was held, and which attempt it was.
    pub held: String,
    pub grade: String,
    /// Why the method's grade is what it is, from the grading engine.
    pub explanation: String,
    pub criteria: Vec<CriterionRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CriterionRecord {
    /// "OBS-P01".
    pub id: String,
    /// "Pass" or "Distinction".
    pub level: String,
    /// The descriptor, in the EPAO's wording.
    pub text: String,
    /// "Met", "Not met" or "Not judged".
    pub outcome: String,
    /// The assessor's evidence note; empty when none was written.
    pub note: String,
}

/// The gateway: every attempt with its components and decisions, and the
/// portfolio's KSB coverage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GatewayDocument {
    pub title: String,
    pub facts: Vec<Fact>,
    /// Oldest first.
    pub attempts: Vec<GatewayAttempt>,
    /// The latest attempt's portfolio mapping, when it has a portfolio.
    pub coverage: Option<Coverage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GatewayAttempt {
    /// "Attempt 1".
    pub heading: String,
    /// "Approved", "Rejected", "Under review" ...
    pub status: String,
    pub submitted: String,
    pub decided: Option<String>,
    /// Why it was rejected, when it was.
    pub reasons: Vec<String>,
    pub components: Vec<GatewayComponent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GatewayComponent {
    pub name: String,
    pub status: String,
    /// Each review's decision with its reasons, in one sentence each.
    pub reviews: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// The method the portfolio serves.
    pub method: String,
    pub rows: Vec<CoverageRow>,
    /// KSBs no evidence covers.
    pub uncovered: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageRow {
    pub ksb: String,
    pub statement: String,
    /// The covering evidence items ("1. Complaint log"), or "None".
    pub evidence: String,
}
