//! The words every layer shares: methods, grades, criterion levels. IDs are
//! lower case on the wire (`observation`, `pass`), as the CLI contract says.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One of the plan's assessment methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MethodId {
    /// "practical observation with questions and answers"
    Observation,
    /// "work-based project supported by an interview"
    Project,
    /// "professional discussion supported by a portfolio of evidence"
    Discussion,
}

impl MethodId {
    pub const ALL: [MethodId; 3] = [
        MethodId::Observation,
        MethodId::Project,
        MethodId::Discussion,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MethodId::Observation => "observation",
            MethodId::Project => "project",
            MethodId::Discussion => "discussion",
        }
    }

    pub fn parse(text: &str) -> Option<MethodId> {
        MethodId::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

impl fmt::Display for MethodId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A decided grade, for a method or the whole EPA. Ordered: Fail < Pass < Distinction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    Fail,
    Pass,
    Distinction,
}

impl Grade {
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Fail => "fail",
            Grade::Pass => "pass",
            Grade::Distinction => "distinction",
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The grade level a criterion belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CriterionLevel {
    Pass,
    Distinction,
}

/// Knowledge, skill or behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KsbKind {
    Knowledge,
    Skill,
    Behaviour,
}

impl Grade {
    /// Every grade, worst first.
    pub const ALL: [Grade; 3] = [Grade::Fail, Grade::Pass, Grade::Distinction];

    pub fn parse(text: &str) -> Option<Grade> {
        Grade::ALL.into_iter().find(|g| g.as_str() == text)
    }
}

impl CriterionLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            CriterionLevel::Pass => "pass",
            CriterionLevel::Distinction => "distinction",
        }
    }

    /// The method grade a learner earns by meeting every criterion up to this level.
    pub fn grade(self) -> Grade {
        match self {
            CriterionLevel::Pass => Grade::Pass,
            CriterionLevel::Distinction => Grade::Distinction,
        }
    }
}

impl fmt::Display for CriterionLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl KsbKind {
    pub fn as_str(self) -> &'static str {
        match self {
            KsbKind::Knowledge => "knowledge",
            KsbKind::Skill => "skill",
            KsbKind::Behaviour => "behaviour",
        }
    }

    /// The letter that starts a KSB code of this kind (K1, S1, B1).
    pub fn code_prefix(self) -> char {
        match self {
            KsbKind::Knowledge => 'K',
            KsbKind::Skill => 'S',
            KsbKind::Behaviour => 'B',
        }
    }
}

impl fmt::Display for KsbKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a rule binds ("must") or only advises ("recommended"). The plans
/// use both words and the product treats them differently: a missed "must"
/// blocks, a missed "recommended" only warns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    Must,
    Recommended,
}

/// The unit of a timing rule. Kept apart because they count differently:
/// calendar months follow the calendar, working days skip weekends and bank
/// holidays, days and weeks are plain calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    Days,
    WorkingDays,
    Weeks,
    CalendarMonths,
    Minutes,
}

impl TimeUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            TimeUnit::Days => "days",
            TimeUnit::WorkingDays => "working_days",
            TimeUnit::Weeks => "weeks",
            TimeUnit::CalendarMonths => "calendar_months",
            TimeUnit::Minutes => "minutes",
        }
    }
}

impl fmt::Display for TimeUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The event a timing rule counts from (or towards).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// The gateway: the apprentice's evidence was submitted and approved.
    Gateway,
    /// The start of the EPA period.
    EpaPeriodStart,
    /// The assessment planning meeting.
    PlanningMeeting,
    /// The date the EPAO rejected a work-based project proposal.
    ProposalRejection,
    /// The date the project report was submitted.
    ReportSubmission,
    /// The project interview.
    Interview,
    /// The practical observation.
    Observation,
    /// The professional discussion.
    Discussion,
    /// The date of an assessment (any method).
    AssessmentDate,
    /// The date the final result was uploaded.
    ResultUpload,
    /// The date a fail result was issued.
    FailResult,
    /// The date a replacement certificate was requested.
    ReplacementRequest,
}

impl Anchor {
    pub fn as_str(self) -> &'static str {
        match self {
            Anchor::Gateway => "gateway",
            Anchor::EpaPeriodStart => "epa_period_start",
            Anchor::PlanningMeeting => "planning_meeting",
            Anchor::ProposalRejection => "proposal_rejection",
            Anchor::ReportSubmission => "report_submission",
            Anchor::Interview => "interview",
            Anchor::Observation => "observation",
            Anchor::Discussion => "discussion",
            Anchor::AssessmentDate => "assessment_date",
            Anchor::ResultUpload => "result_upload",
            Anchor::FailResult => "fail_result",
            Anchor::ReplacementRequest => "replacement_request",
        }
    }
}

impl fmt::Display for Anchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a timing relates to its anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// No later than `amount` after the anchor (a deadline).
    Within,
    /// No earlier than `amount` after the anchor (a minimum gap).
    AtLeast,
    /// Exactly `amount` after the anchor (a fixed spacing).
    Exactly,
    /// No later than `amount` before the anchor (notice, an advance submission).
    Before,
    /// On the anchor event itself; `amount` is 0.
    At,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Within => "within",
            Relation::AtLeast => "at_least",
            Relation::Exactly => "exactly",
            Relation::Before => "before",
            Relation::At => "at",
        }
    }
}

impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an assessment may be held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Face to face, in the same room (or the workplace).
    InPerson,
    /// By video call (MS Teams or similar).
    Remote,
}

impl Mode {
    pub const ALL: [Mode; 2] = [Mode::InPerson, Mode::Remote];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::InPerson => "in_person",
            Mode::Remote => "remote",
        }
    }

    pub fn parse(text: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

crate::stored_as_text!(MethodId, MethodId::parse);
crate::stored_as_text!(Grade, Grade::parse);
crate::stored_as_text!(Mode, Mode::parse);
