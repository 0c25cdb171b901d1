//! The loaded plans and policies, and choosing one effective plan from them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use thiserror::Error;

use crate::effective::EffectivePlan;
use crate::files::{Plan, Policy};
use crate::load::{Document, LoadErrors, Problem, parse_document, read_document};
use crate::validate;

/// The files built into the binary: ST0071 v1.2 and its two policies.
const EMBEDDED: [(&str, &str); 3] = [
    (
        "plans/ST0071/1.2/plan.toml",
        include_str!("../plans/ST0071/1.2/plan.toml"),
    ),
    (
        "plans/ST0071/1.2/epao-tquk.toml",
        include_str!("../plans/ST0071/1.2/epao-tquk.toml"),
    ),
    (
        "plans/ST0071/1.2/epao-innovate.toml",
        include_str!("../plans/ST0071/1.2/epao-innovate.toml"),
    ),
];

/// Every plan and policy the product knows.
#[derive(Debug, Clone)]
pub struct Catalog {
    plans: Vec<Plan>,
    policies: Vec<Policy>,
    /// The effective plan of each policy (same order as `policies`), built
    /// once when the catalog is loaded: every EPA read and write asks for
    /// one, and the data never changes while the catalog lives.
    effective: Vec<Arc<EffectivePlan>>,
}

/// One line of `epa plan list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogEntry {
    /// "plan" or "policy".
    pub kind: &'static str,
    pub reference: String,
    pub version: String,
    /// The EPAO ID, for a policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epao: Option<String>,
    /// The plan's title or the EPAO's name.
    pub name: String,
    /// The file it was loaded from.
    pub file: String,
}

/// Why no effective plan could be chosen. Each names the value and the
/// known alternatives.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SelectError {
    #[error("unknown plan {reference:?}; known plans: {}", .known.join(", "))]
    UnknownPlan {
        reference: String,
        known: Vec<String>,
    },
    #[error("unknown version {version:?} of {reference}; known versions: {}", .known.join(", "))]
    UnknownVersion {
        reference: String,
        version: String,
        known: Vec<String>,
    },
    #[error("unknown EPAO {epao:?} for {reference} v{version}; known EPAOs: {}", .known.join(", "))]
    UnknownEpao {
        epao: String,
        reference: String,
        version: String,
        known: Vec<String>,
    },
}

impl Catalog {
    /// ST0071 v1.2 with the TQUK and Innovate Awarding policies, from the
    /// files built into the binary. Cannot fail: the crate's tests prove the
    /// embedded files parse and validate.
    pub fn embedded() -> Catalog {
        match Catalog::from_texts(EMBEDDED.iter().map(|(f, t)| (f.to_string(), t.to_string()))) {
            Ok(catalog) => catalog,
            // Unreachable in a tested build: `embedded_files_are_valid` fails first.
            Err(errors) => panic!("embedded plan files are invalid:\n{errors}"),
        }
    }

    /// The embedded plans plus every `*.toml` under `dir` (searched
    /// recursively). A plan or policy in `dir` with the same identity as an
    /// embedded one replaces it, so a rule can be corrected without a rebuild.
    pub fn with_dir(dir: &Path) -> Result<Catalog, LoadErrors> {
        let mut files = Vec::new();
        collect_toml(dir, &mut files).map_err(|e| {
            LoadErrors(vec![Problem {
                file: dir.display().to_string(),
                line: None,
                column: None,
                message: format!("cannot read plans directory: {e}"),
                unreadable: true,
            }])
        })?;
        files.sort();
        let mut docs = embedded_documents();
        let mut problems = Vec::new();
        for path in files {
            match read_document(&path) {
                Ok(doc) => docs.push(doc),
                Err(errors) => problems.extend(errors.0),
            }
        }
        if !problems.is_empty() {
            return Err(LoadErrors(problems));
        }
        Catalog::from_documents(docs)
    }

    /// Builds a catalog from (file name, text) pairs, validating everything.
    pub fn from_texts(
        files: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Catalog, LoadErrors> {
        let mut docs = Vec::new();
        let mut problems = Vec::new();
        for (file, text) in files {
            match parse_document(&file, &text) {
                Ok(doc) => docs.push(doc),
                Err(errors) => problems.extend(errors.0),
            }
        }
        if !problems.is_empty() {
            return Err(LoadErrors(problems));
        }
        Catalog::from_documents(docs)
    }

    fn from_documents(docs: Vec<Document>) -> Result<Catalog, LoadErrors> {
        let mut plans: Vec<Plan> = Vec::new();
        let mut policies: Vec<Policy> = Vec::new();
        // Later documents replace earlier ones with the same identity.
        for doc in docs {
            match doc {
                Document::Plan(plan) => {
                    plans.retain(|p| {
                        (&p.standard.reference, &p.standard.version)
                            != (&plan.standard.reference, &plan.standard.version)
                    });
                    plans.push(*plan);
                }
                Document::Policy(policy) => {
                    policies.retain(|p| p.policy != policy.policy && !same_policy(p, &policy));
                    policies.push(*policy);
                }
            }
        }
        let mut problems = Vec::new();
        for plan in &plans {
            problems.extend(validate::plan(plan));
        }
        for policy in &policies {
            match find_plan(&plans, &policy.policy.standard, &policy.policy.version) {
                Some(plan) => problems.extend(validate::policy(policy, plan)),
                None => problems.push(validate::missing_plan(policy)),
            }
        }
        if !problems.is_empty() {
            return Err(LoadErrors(problems));
        }
        let effective = policies
            .iter()
            .filter_map(|policy| {
                find_plan(&plans, &policy.policy.standard, &policy.policy.version)
                    .map(|plan| Arc::new(EffectivePlan::build(plan, policy)))
            })
            .collect::<Vec<_>>();
        // Validation above refused every policy without its plan.
        debug_assert_eq!(effective.len(), policies.len());
        Ok(Catalog {
            plans,
            policies,
            effective,
        })
    }

    pub fn plans(&self) -> &[Plan] {
        &self.plans
    }

    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// One entry per plan, each followed by its policies.
    pub fn list(&self) -> Vec<CatalogEntry> {
        let mut entries = Vec::new();
        for plan in &self.plans {
            entries.push(CatalogEntry {
                kind: "plan",
                reference: plan.standard.reference.clone(),
                version: plan.standard.version.clone(),
                epao: None,
                name: plan.standard.title.clone(),
                file: plan.origin.file.clone(),
            });
            for policy in self.policies_of(&plan.standard.reference, &plan.standard.version) {
                entries.push(CatalogEntry {
                    kind: "policy",
                    reference: policy.policy.standard.clone(),
                    version: policy.policy.version.clone(),
                    epao: Some(policy.policy.epao.clone()),
                    name: policy.policy.name.clone(),
                    file: policy.origin.file.clone(),
                });
            }
        }
        entries
    }

    /// The EPAO IDs with a policy for this plan version.
    pub fn epaos(&self, reference: &str, version: &str) -> Vec<String> {
        self.policies_of(reference, version)
            .map(|p| p.policy.epao.clone())
            .collect()
    }

    /// Every EPAO ID known for any plan, sorted, without repeats.
    pub fn all_epaos(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .policies
            .iter()
            .map(|p| p.policy.epao.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    fn policies_of<'a>(
        &'a self,
        reference: &'a str,
        version: &'a str,
    ) -> impl Iterator<Item = &'a Policy> {
        self.policies.iter().filter(move |p| {
            p.policy.standard.eq_ignore_ascii_case(reference) && p.policy.version == version
        })
    }

    /// The plan for `reference` at `version` (the newest loaded when None).
    /// The reference is matched without regard to case ("st0071" works).
    pub fn plan(&self, reference: &str, version: Option<&str>) -> Result<&Plan, SelectError> {
        let versions: Vec<&Plan> = self
            .plans
            .iter()
            .filter(|p| p.standard.reference.eq_ignore_ascii_case(reference))
            .collect();
        if versions.is_empty() {
            let mut known: Vec<String> = self
                .plans
                .iter()
                .map(|p| p.standard.reference.clone())
                .collect();
            known.sort();
            known.dedup();
            return Err(SelectError::UnknownPlan {
                reference: reference.to_string(),
                known,
            });
        }
        match version {
            Some(version) => versions
                .iter()
                .find(|p| p.standard.version == version)
                .copied()
                .ok_or_else(|| SelectError::UnknownVersion {
                    reference: versions[0].standard.reference.clone(),
                    version: version.to_string(),
                    known: versions
                        .iter()
                        .map(|p| p.standard.version.clone())
                        .collect(),
                }),
            None => Ok(versions
                .into_iter()
                .max_by_key(|p| version_key(&p.standard.version))
                .expect("not empty: checked above")),
        }
    }

    /// The plan `reference` (newest version when None) read through the
    /// policy of `epao` (lower case; matched without regard to case). A
    /// copy of the one [`Catalog::shared`] returns.
    pub fn effective(
        &self,
        reference: &str,
        version: Option<&str>,
        epao: &str,
    ) -> Result<EffectivePlan, SelectError> {
        self.shared(reference, version, epao)
            .map(|plan| EffectivePlan::clone(&plan))
    }

    /// The same effective plan as [`Catalog::effective`], built when the
    /// catalog was loaded and shared, without copying.
    pub fn shared(
        &self,
        reference: &str,
        version: Option<&str>,
        epao: &str,
    ) -> Result<Arc<EffectivePlan>, SelectError> {
        let plan = self.plan(reference, version)?;
        let (reference, version) = (&plan.standard.reference, &plan.standard.version);
        self.policies
            .iter()
            .zip(&self.effective)
            .find(|(p, _)| {
                p.policy.standard.eq_ignore_ascii_case(reference)
                    && &p.policy.version == version
                    && p.policy.epao.eq_ignore_ascii_case(epao)
            })
            .map(|(_, effective)| Arc::clone(effective))
            .ok_or_else(|| SelectError::UnknownEpao {
                epao: epao.to_string(),
                reference: reference.clone(),
                version: version.clone(),
                known: self.epaos(reference, version),
            })
    }

    /// The effective plan of a policy file that is not in the catalog, read
    /// against the catalog's copy of the plan it names.
    pub fn effective_of(&self, policy: &Policy) -> Result<EffectivePlan, SelectError> {
        let plan = self.plan(&policy.policy.standard, Some(&policy.policy.version))?;
        Ok(EffectivePlan::build(plan, policy))
    }
}

fn same_policy(a: &Policy, b: &Policy) -> bool {
    a.policy.epao == b.policy.epao
        && a.policy.standard == b.policy.standard
        && a.policy.version == b.policy.version
}

pub(crate) fn find_plan<'a>(plans: &'a [Plan], reference: &str, version: &str) -> Option<&'a Plan> {
    plans
        .iter()
        .find(|p| p.standard.reference == reference && p.standard.version == version)
}

/// "1.10" sorts after "1.2": versions compare number by number.
fn version_key(version: &str) -> Vec<u64> {
    version
        .split('.')
        .map(|part| part.parse().unwrap_or(0))
        .collect()
}

fn embedded_documents() -> Vec<Document> {
    EMBEDDED
        .iter()
        .filter_map(|(file, text)| parse_document(file, text).ok())
        .collect()
}

/// The embedded files' names and texts, for tests and `epa plan check`.
pub fn embedded_files() -> impl Iterator<Item = (&'static str, &'static str)> {
    EMBEDDED.iter().copied()
}

fn collect_toml(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_toml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What makes `Catalog::embedded()` infallible at run time.
    #[test]
    fn embedded_files_are_valid() {
        let files = EMBEDDED.iter().map(|(f, t)| (f.to_string(), t.to_string()));
        if let Err(errors) = Catalog::from_texts(files) {
            panic!("embedded plan files are invalid:\n{errors}");
        }
    }
}
