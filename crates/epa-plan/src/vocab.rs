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
