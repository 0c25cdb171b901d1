//! The Project Evidence Locator's rules (ADR 0091): the work-based project
//! report's annexes, each mapped to KSBs of the project method, checked and
//! tabulated the same way as the portfolio's mapping (ADR 0050).
//!
//! Unlike the portfolio at gateway, an uncovered KSB is not a refusal: the
//! locator is kept while the report is written, and the coverage names what
//! is still missing.

use std::collections::BTreeMap;

use epa_plan::{EffectivePlan, MethodId};

use crate::gateway::{Coverage, CoverageRow, Problem, and_list, in_sentence};

/// What the plan says the locator maps to: the project's KSBs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocatorRules {
    /// The plan's name of the project method, as it reads after "the".
    pub method_name: String,
    /// The project's KSB codes, in the plan's order.
    pub ksbs: Vec<String>,
    method_of: BTreeMap<String, MethodId>,
    method_names: BTreeMap<MethodId, String>,
}

impl LocatorRules {
    /// The locator's rules in `plan`, or `None` when the plan has no
    /// work-based project.
    pub fn from_plan(plan: &EffectivePlan) -> Option<LocatorRules> {
        let spec = plan.method(MethodId::Project)?;
        Some(LocatorRules {
            method_name: in_sentence(&spec.name),
            ksbs: plan
                .ksbs
                .iter()
                .filter(|k| k.method == MethodId::Project)
                .map(|k| k.code.clone())
                .collect(),
            method_of: plan
                .ksbs
                .iter()
                .map(|k| (k.code.clone(), k.method))
                .collect(),
            method_names: plan
                .methods
                .iter()
                .map(|m| (m.id, in_sentence(&m.name)))
                .collect(),
        })
    }

    /// Every problem with the entries' KSB codes (each entry's codes, in
    /// order, already trimmed and upper case). Fields are
    /// `entries[i].ksbs`, `i` from 0.
    pub fn check(&self, entries: &[Vec<String>]) -> Vec<Problem> {
        let mut problems = Vec::new();
        for (i, ksbs) in entries.iter().enumerate() {
            let field = format!("entries[{i}].ksbs");
            let number = i + 1;
            if ksbs.is_empty() {
                problems.push(Problem::new(
                    &field,
                    format!(
                        "map entry {number} to at least one KSB of the {}",
                        self.method_name
                    ),
                ));
                continue;
            }
            let mut unknown = Vec::new();
            let mut elsewhere: BTreeMap<MethodId, Vec<&str>> = BTreeMap::new();
            for code in ksbs {
                match self.method_of.get(code) {
                    None => unknown.push(code.as_str()),
                    Some(MethodId::Project) => {}
                    Some(method) => elsewhere.entry(*method).or_default().push(code),
                }
            }
            if !unknown.is_empty() {
                problems.push(Problem::new(
                    &field,
                    format!(
                        "entry {number}: {} {} not a KSB of this standard",
                        and_list(&unknown),
                        if unknown.len() == 1 { "is" } else { "are" }
                    ),
                ));
            }
            for (method, codes) in elsewhere {
                let name = self
                    .method_names
                    .get(&method)
                    .map(String::as_str)
                    .unwrap_or(method.as_str());
                problems.push(Problem::new(
                    &field,
                    format!(
                        "entry {number}: {} {} assessed by the {name}, not the {}; the locator maps only to {}",
                        and_list(&codes),
                        if codes.len() == 1 { "is" } else { "are" },
                        self.method_name,
                        and_list(&self.ksbs.iter().map(String::as_str).collect::<Vec<_>>()),
                    ),
                ));
            }
        }
        problems
    }

    /// Which entries (numbered from 1) cover each project KSB, and which
    /// KSBs none covers.
    pub fn coverage(&self, entries: &[Vec<String>]) -> Coverage {
        let rows: Vec<CoverageRow> = self
            .ksbs
            .iter()
            .map(|code| CoverageRow {
                ksb: code.clone(),
                items: entries
                    .iter()
                    .enumerate()
                    .filter(|(_, ksbs)| ksbs.contains(code))
                    .map(|(i, _)| i + 1)
                    .collect(),
            })
            .collect();
        let uncovered = rows
            .iter()
            .filter(|row| row.items.is_empty())
            .map(|row| row.ksb.clone())
            .collect();
        Coverage { rows, uncovered }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(policy: &str) -> LocatorRules {
        let plan = epa_plan::Catalog::embedded()
            .effective("ST0071", Some("1.2"), policy)
            .unwrap();
        LocatorRules::from_plan(&plan).unwrap()
    }

    fn entries(lists: &[&[&str]]) -> Vec<Vec<String>> {
        lists
            .iter()
            .map(|l| l.iter().map(|c| (*c).to_owned()).collect())
            .collect()
    }

    #[test]
    fn the_locator_maps_to_the_project_ksbs_only() {
        let rules = rules("tquk");
        assert_eq!(rules.ksbs.len(), 14, "{:?}", rules.ksbs);
        let first = rules.ksbs[0].clone();
        let problems = rules.check(&entries(&[&[&first], &["K2"], &["K99"], &[]]));
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            ["entries[1].ksbs", "entries[2].ksbs", "entries[3].ksbs"]
        );
        assert!(
            problems[0]
                .message
                .contains("entry 2: K2 is assessed by the professional discussion"),
            "{}",
            problems[0].message
        );
        assert!(problems[1].message.contains("K99 is not a KSB"));
    }

    #[test]
    fn coverage_names_the_uncovered() {
        let rules = rules("innovate");
        let all: Vec<&str> = rules.ksbs.iter().map(String::as_str).collect();
        let (first, rest) = all.split_first().unwrap();
        let coverage = rules.coverage(&entries(&[rest, rest]));
        assert_eq!(coverage.uncovered, [*first]);
        assert_eq!(coverage.rows[1].items, [1, 2]);
        assert!(rules.coverage(&entries(&[&all])).uncovered.is_empty());
    }
}
