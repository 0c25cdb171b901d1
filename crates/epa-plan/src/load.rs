//! Reading plan and policy files: TOML text to [`Plan`] and [`Policy`],
//! with every problem named by file and line:column. The only IO in the
//! crate is here and in [`Catalog::with_dir`](crate::Catalog::with_dir).

use std::fmt;
use std::path::Path;

use serde::Serialize;
use thiserror::Error;

use crate::files::{Origin, Plan, Policy};

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file, as given (a path, or `plans/ST0071/1.2/plan.toml` for the embedded ones).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    pub message: String,
    /// The file could not be read at all (as opposed to read and found wrong).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unreadable: bool,
}

impl Problem {
    pub(crate) fn at(
        origin: &Origin,
        span: Option<std::ops::Range<usize>>,
        message: impl Into<String>,
    ) -> Problem {
        let (line, column) = match span {
            Some(span) => {
                let (line, column) = origin.line_col(span.start);
                (Some(line), Some(column))
            }
            None => (None, None),
        };
        Problem {
            file: origin.file.clone(),
            line,
            column,
            message: message.into(),
            unreadable: false,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => {
                write!(f, "{}:{line}:{column}: {}", self.file, self.message)
            }
            (Some(line), None) => write!(f, "{}:{line}: {}", self.file, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Every problem found while loading or checking, all at once.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub struct LoadErrors(pub Vec<Problem>);

impl LoadErrors {
    /// True when some file could not be read (rather than read and found wrong).
    pub fn any_unreadable(&self) -> bool {
        self.0.iter().any(|p| p.unreadable)
    }
}

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// A parsed file of either kind.
#[derive(Debug, Clone)]
pub enum Document {
    Plan(Box<Plan>),
    Policy(Box<Policy>),
}

/// Parses one file's text. The kind is told by its top table: `[standard]`
/// for a plan, `[policy]` for a policy.
pub fn parse_document(file: &str, text: &str) -> Result<Document, LoadErrors> {
    let origin = Origin::new(file, text);
    let table: toml::Table = toml::from_str(text).map_err(|e| toml_error(&origin, &e))?;
    if table.contains_key("policy") {
        parse_policy(file, text).map(|p| Document::Policy(Box::new(p)))
    } else if table.contains_key("standard") {
        parse_plan(file, text).map(|p| Document::Plan(Box::new(p)))
    } else {
        Err(LoadErrors(vec![Problem::at(
            &origin,
            None,
            "neither a plan (no [standard] table) nor an EPAO policy (no [policy] table)",
        )]))
    }
}

/// Parses a plan file. Unknown keys are refused.
pub fn parse_plan(file: &str, text: &str) -> Result<Plan, LoadErrors> {
    let origin = Origin::new(file, text);
    let mut plan: Plan = toml::from_str(text).map_err(|e| toml_error(&origin, &e))?;
    plan.origin = origin;
    Ok(plan)
}

/// Parses a policy file. Unknown keys are refused.
pub fn parse_policy(file: &str, text: &str) -> Result<Policy, LoadErrors> {
    let origin = Origin::new(file, text);
    let mut policy: Policy = toml::from_str(text).map_err(|e| toml_error(&origin, &e))?;
    policy.origin = origin;
    Ok(policy)
}

/// Reads and parses a file from disk.
pub fn read_document(path: &Path) -> Result<Document, LoadErrors> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        LoadErrors(vec![Problem {
            file: file.clone(),
            line: None,
            column: None,
            message: format!("cannot read: {e}"),
            unreadable: true,
        }])
    })?;
    parse_document(&file, &text)
}

fn toml_error(origin: &Origin, err: &toml::de::Error) -> LoadErrors {
    // toml's message is multi-line with a source excerpt; the first line of
    // `message()` is the reason itself, which is what one-line output wants.
    let message = err
        .message()
        .lines()
        .next()
        .unwrap_or("invalid TOML")
        .trim();
    LoadErrors(vec![Problem::at(origin, err.span(), message)])
}
