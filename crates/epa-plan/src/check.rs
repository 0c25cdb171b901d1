//! Checking plan and policy files on disk, as `epa plan check` does: each
//! file on its own, a policy against the plan it names (one given in the same
//! run, else `plan.toml` beside it, else the catalog's).

use std::path::Path;

use serde::Serialize;

use crate::catalog::Catalog;
use crate::files::Plan;
use crate::load::{Document, Problem, read_document};
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

/// Checks every file, reporting every problem of every file.
pub fn check_paths(paths: &[&Path], catalog: &Catalog) -> Vec<FileCheck> {
    let loaded: Vec<(String, Result<Document, Vec<Problem>>)> = paths
        .iter()
        .map(|path| {
            (
                path.display().to_string(),
                read_document(path).map_err(|e| e.0),
            )
        })
        .collect();
    let given_plans: Vec<&Plan> = loaded
        .iter()
        .filter_map(|(_, doc)| match doc {
            Ok(Document::Plan(plan)) => Some(plan.as_ref()),
            _ => None,
        })
        .collect();
    loaded
        .iter()
        .zip(paths)
        .map(|((file, doc), path)| {
            let problems = match doc {
                Err(problems) => problems.clone(),
                Ok(Document::Plan(plan)) => validate::plan(plan),
                Ok(Document::Policy(policy)) => {
                    let (reference, version) = (&policy.policy.standard, &policy.policy.version);
                    let beside = path
                        .parent()
                        .map(|dir| dir.join("plan.toml"))
                        .filter(|p| p.as_path() != *path && p.is_file())
                        .and_then(|p| match read_document(&p) {
                            Ok(Document::Plan(plan)) => Some(*plan),
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
            };
            FileCheck {
                file: file.clone(),
                unreadable: problems.iter().any(|p| p.unreadable),
                problems,
            }
        })
        .collect()
}
