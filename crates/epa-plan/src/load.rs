//! Reading plan and policy files: TOML text to [`Plan`] and [`Policy`],
//! with every problem named by file and line:column. The only IO in the
//! crate is here and in [`Catalog::with_dir`](crate::Catalog::with_dir).

use std::fmt;
use std::ops::Range;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;
use thiserror::Error;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

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

/// A file read as far as it could be: the document, with any unknown keys
/// left out, and every problem found reading it. `document` is `None` when
/// the text is not TOML or a known key cannot be read (a wrong type, a
/// missing table); then `problems` says why.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub document: Option<Document>,
    pub problems: Vec<Problem>,
}

/// Parses one file's text. The kind is told by its top table: `[standard]`
/// for a plan, `[policy]` for a policy. Unknown keys are refused, every one
/// of them named.
pub fn parse_document(file: &str, text: &str) -> Result<Document, LoadErrors> {
    strict(parse_document_reporting(file, text))
}

/// Parses one file's text as far as it goes, for checking: unknown keys
/// are reported (each with its line) and left out, so that what the rest of
/// the file says can still be validated and reported in the same run.
pub fn parse_document_reporting(file: &str, text: &str) -> Parsed {
    let origin = Origin::new(file, text);
    let table = match DeTable::parse(text) {
        Ok(table) => table,
        Err(err) => {
            return Parsed {
                document: None,
                problems: vec![toml_problem(&origin, &err)],
            };
        }
    };
    let (is_policy, is_plan) = {
        let top = table.get_ref();
        (top.contains_key("policy"), top.contains_key("standard"))
    };
    if is_policy {
        let (policy, problems) = deserialize_reporting::<Policy>(&origin, table);
        Parsed {
            document: policy.map(|mut p| {
                p.origin = origin;
                Document::Policy(Box::new(p))
            }),
            problems,
        }
    } else if is_plan {
        let (plan, problems) = deserialize_reporting::<Plan>(&origin, table);
        Parsed {
            document: plan.map(|mut p| {
                p.origin = origin;
                Document::Plan(Box::new(p))
            }),
            problems,
        }
    } else {
        Parsed {
            document: None,
            problems: vec![Problem::at(
                &origin,
                None,
                "neither a plan (no [standard] table) nor an EPAO policy (no [policy] table)",
            )],
        }
    }
}

/// Parses a plan file. Unknown keys are refused.
pub fn parse_plan(file: &str, text: &str) -> Result<Plan, LoadErrors> {
    let origin = Origin::new(file, text);
    let table = DeTable::parse(text).map_err(|e| LoadErrors(vec![toml_problem(&origin, &e)]))?;
    match deserialize_reporting::<Plan>(&origin, table) {
        (Some(mut plan), problems) if problems.is_empty() => {
            plan.origin = origin;
            Ok(plan)
        }
        (_, problems) => Err(LoadErrors(problems)),
    }
}

/// Parses a policy file. Unknown keys are refused.
pub fn parse_policy(file: &str, text: &str) -> Result<Policy, LoadErrors> {
    let origin = Origin::new(file, text);
    let table = DeTable::parse(text).map_err(|e| LoadErrors(vec![toml_problem(&origin, &e)]))?;
    match deserialize_reporting::<Policy>(&origin, table) {
        (Some(mut policy), problems) if problems.is_empty() => {
            policy.origin = origin;
            Ok(policy)
        }
        (_, problems) => Err(LoadErrors(problems)),
    }
}

/// Reads and parses a file from disk.
pub fn read_document(path: &Path) -> Result<Document, LoadErrors> {
    strict(read_document_reporting(path))
}

/// Reads a file from disk and parses it as far as it goes (see
/// [`parse_document_reporting`]).
pub fn read_document_reporting(path: &Path) -> Parsed {
    let file = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => parse_document_reporting(&file, &text),
        Err(e) => Parsed {
            document: None,
            problems: vec![Problem {
                file,
                line: None,
                column: None,
                message: format!("cannot read: {e}"),
                unreadable: true,
            }],
        },
    }
}

fn strict(parsed: Parsed) -> Result<Document, LoadErrors> {
    match parsed {
        Parsed {
            document: Some(document),
            problems,
        } if problems.is_empty() => Ok(document),
        Parsed { problems, .. } => Err(LoadErrors(problems)),
    }
}

/// Deserializes `T`, reporting every unknown key rather than the first.
///
/// serde stops at the first unknown field, so each one found is reported,
/// removed from the parsed document, and the document read again; the
/// number of rounds is bounded by the number of unknown keys. Any other
/// error (a wrong type, a missing key) ends it: what follows cannot be
/// read with confidence.
fn deserialize_reporting<T: DeserializeOwned>(
    origin: &Origin,
    mut table: Spanned<DeTable<'_>>,
) -> (Option<T>, Vec<Problem>) {
    let mut problems = Vec::new();
    loop {
        match T::deserialize(toml::de::Deserializer::from(table.clone())) {
            Ok(value) => return (Some(value), problems),
            Err(err) => {
                problems.push(toml_problem(origin, &err));
                let removed = err
                    .span()
                    .filter(|_| err.message().starts_with("unknown field"))
                    .is_some_and(|span| remove_key_at(table.get_mut(), &span));
                if !removed {
                    return (None, problems);
                }
            }
        }
    }
}

/// Removes the key whose name sits at `span`, wherever it is nested.
fn remove_key_at(table: &mut DeTable<'_>, span: &Range<usize>) -> bool {
    let hit = table
        .iter()
        .find(|(key, _)| key.span() == *span)
        .map(|(key, _)| key.clone());
    if let Some(key) = hit {
        return table.remove(&key).is_some();
    }
    table
        .iter_mut()
        .any(|(_, value)| remove_in_value(value.get_mut(), span))
}

fn remove_in_value(value: &mut DeValue<'_>, span: &Range<usize>) -> bool {
    match value {
        DeValue::Table(table) => remove_key_at(table, span),
        DeValue::Array(items) => items
            .iter_mut()
            .any(|item| remove_in_value(item.get_mut(), span)),
        _ => false,
    }
}

fn toml_problem(origin: &Origin, err: &toml::de::Error) -> Problem {
    // toml's message is multi-line with a source excerpt; the first line of
    // `message()` is the reason itself, which is what one-line output wants.
    let message = err
        .message()
        .lines()
        .next()
        .unwrap_or("invalid TOML")
        .trim();
    Problem::at(origin, err.span(), message)
}
