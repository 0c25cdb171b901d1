//! Checking plan and policy files on disk, as `epa plan check` does: each
//! file on its own, a policy against the plan it names (one given in the same
//! run, else `plan.toml` beside it, else the catalog's).

use std::path::Path;

use serde::Serialize;

use crate::catalog::Catalog;
use crate::files::Plan;
use crate::load::{Document, Parsed, Problem, read_document_reporting};
use crate::validate;

/// The outcome for one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileCheck {
    pub file: String,
    /// Empty when the file is valid.
    pub problems: Vec<Problem>,
    /// The file could not be read at all.
    pub unreadable: bool,
}

/// Checks every file, reporting every problem of every file. Unknown keys
/// are reported and the rest of the file is still validated; a file that is
/// not TOML, or a key of the wrong type, stops that file only.
pub fn check_paths(paths: &[&Path], catalog: &Catalog) -> Vec<FileCheck> {
    let loaded: Vec<(String, Parsed)> = paths
        .iter()
        .map(|path| (path.display().to_string(), read_document_reporting(path)))
        .collect();
    let given_plans: Vec<&Plan> = loaded
        .iter()
        .filter_map(|(_, parsed)| match &parsed.document {
            Some(Document::Plan(plan)) => Some(plan.as_ref()),
            _ => None,
        })
        .collect();
    loaded
        .iter()
        .zip(paths)
        .map(|((file, parsed), path)| {
            let mut problems = parsed.problems.clone();
            problems.extend(match &parsed.document {
                None => Vec::new(),
                Some(Document::Plan(plan)) => validate::plan(plan),
                Some(Document::Policy(policy)) => {
                    let (reference, version) = (&policy.policy.standard, &policy.policy.version);
                    let beside = path
                        .parent()
                        .map(|dir| dir.join("plan.toml"))
                        .filter(|p| p.as_path() != *path && p.is_file())
                        // Its own problems are its own check's business.
                        .and_then(|p| match read_document_reporting(&p).document {
                            Some(Document::Plan(plan)) => Some(*plan),
                            _ => None,
                        })
                        .filter(|p| {
                            &p.standard.reference == reference && &p.standard.version == version
                        });
                    let plan = given_plans
                        .iter()
                        .copied()
                        .find(|p| {
                            &p.standard.reference == reference && &p.standard.version == version
                        })
                        .or(beside.as_ref())
                        .or_else(|| catalog.plan(reference, Some(version)).ok());
                    match plan {
                        Some(plan) => validate::policy(policy, plan),
                        None => vec![validate::missing_plan(policy)],
                    }
                }
            });
            FileCheck {
                file: file.clone(),
                unreadable: problems.iter().any(|p| p.unreadable),
                problems,
            }
        })
        .collect()
}
