//! Criterion judgements -> method grades -> the overall grade.
//!
//! The rules (plan notes §2, §4):
//! - A method is **fail** if any of its pass criteria is unmet,
//!   **distinction** if every pass and every distinction criterion is met,
//!   and **pass** otherwise. A method with no judgements is **pending**.
//! - The overall grade is **pending** while any method is pending, **fail**
//!   when any method failed, and otherwise the policy's table row for the
//!   three method grades.
//! - After a resit or retake the overall grade is capped (at pass), unless
//!   the EPAO accepted exceptional circumstances and the policy lets them
//!   lift the cap. A cap never raises a grade.
//!
//! The hot path ([`GradingScheme::grade`]) works on bitsets: a scheme
//! numbers each method's criteria once, a [`MethodJudgement`] is the set of
//! criteria met, and grading is two mask comparisons per method and a table
//! lookup, with no allocation. Explanations are built separately, only when
//! someone asks for them ([`GradingScheme::explain`]).

use std::collections::HashMap;
use std::fmt;

use epa_plan::{CapScope, CriterionLevel, Grade, MethodId};
use serde::Serialize;

/// The most criteria one method may have (the width of the bitset).
pub const MAX_CRITERIA_PER_METHOD: usize = 128;

/// A grade, or `pending` while it cannot be known yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Pending,
    Graded(Grade),
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pending => "pending",
            Outcome::Graded(g) => g.as_str(),
        }
    }

    pub fn grade(self) -> Option<Grade> {
        match self {
            Outcome::Pending => None,
            Outcome::Graded(g) => Some(g),
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Outcome {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One criterion as grading needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionSpec {
    pub id: String,
    pub method: MethodId,
    pub level: CriterionLevel,
}

/// The grade cap after a resit or retake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapRule {
    /// The highest grade after a resit or retake.
    pub cap: Grade,
    pub applies_to_resit: bool,
    pub applies_to_retake: bool,
    pub lifted_by_exceptional_circumstances: bool,
    /// What is capped: the overall grade (TQUK), or each re-sat method's
    /// grade with the overall grade following (Innovate).
    pub scope: CapScope,
}

/// Whether the grade being decided follows a resit or retake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CapContext {
    pub resit: bool,
    pub retake: bool,
    /// The EPAO accepted exceptional circumstances for the original fail.
    pub exceptional_circumstances: bool,
    /// Which methods (by [`method_index`]) were resat (or reworked) and
    /// which retaken, for a cap on the method's grade. When neither marks
    /// any method but `resit` or `retake` is set (a caller that does not
    /// know which), every method counts as sat again.
    pub resit_methods: [bool; 3],
    pub retake_methods: [bool; 3],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GradingError {
    #[error("{id} is not a criterion of the {method} in this plan and policy")]
    UnknownCriterion { id: String, method: MethodId },
    #[error("criterion {0} appears twice in the plan")]
    DuplicateCriterion(String),
    /// A criterion listed twice as met: usually a typo for another one, so
    /// refused rather than silently counted once.
    #[error("{id} is listed more than once as met for the {method}; was another criterion meant?")]
    RepeatedCriterion { id: String, method: MethodId },
    #[error("the {method} has {count} criteria; at most {MAX_CRITERIA_PER_METHOD} are supported")]
    TooManyCriteria { method: MethodId, count: usize },
    #[error("the {0} has no pass criteria, so it could never fail")]
    NoPassCriteria(MethodId),
    #[error(
        "the overall grading table has no row for observation {0}, project {1}, discussion {2}"
    )]
    MissingRow(Grade, Grade, Grade),
    #[error(
        "the overall grading table has a fail among its method grades; fails are decided before the table"
    )]
    FailInTable,
}

#[derive(Debug, Clone)]
struct MethodScheme {
    ids: Vec<String>,
    levels: Vec<CriterionLevel>,
    pass_mask: u128,
    all_mask: u128,
    index: HashMap<String, u8>,
}

impl MethodScheme {
    fn grade(&self, met: u128) -> Grade {
        if met & self.pass_mask != self.pass_mask {
            Grade::Fail
        } else if met & self.all_mask == self.all_mask {
            Grade::Distinction
        } else {
            Grade::Pass
        }
    }
}

/// The criteria met in one method, as a set of the scheme's criterion numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct MethodJudgement {
    met: u128,
}

impl MethodJudgement {
    /// From raw bits, bit `i` being the method's `i`-th criterion in the
    /// plan's order (bits beyond the method's criteria are ignored).
    pub fn from_bits(met: u128) -> MethodJudgement {
        MethodJudgement { met }
    }

    pub fn bits(self) -> u128 {
        self.met
    }
}

/// Everything grading needs for one EPA: per method the criteria met, or
/// `None` while the method is not yet assessed; and the cap context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EpaJudgements {
    /// Indexed by [`method_index`]: observation, project, discussion.
    pub methods: [Option<MethodJudgement>; 3],
    pub cap: CapContext,
}

/// One assessor's judgement on one criterion, with the evidence behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    pub criterion: String,
    pub met: bool,
    pub note: String,
}

/// What the rules decided for one EPA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GradeResult {
    /// Indexed by [`method_index`]; after a cap on the method's grade
    /// (Innovate's re-sit), the capped grade.
    pub methods: [Outcome; 3],
    /// The method grades before any cap.
    pub methods_uncapped: [Outcome; 3],
    /// The overall grade before any cap.
    pub uncapped: Outcome,
    /// The overall grade.
    pub overall: Outcome,
    /// The cap lowered the grade.
    pub cap_applied: bool,
}

impl GradeResult {
    pub fn method(&self, method: MethodId) -> Outcome {
        self.methods[method_index(method)]
    }
}

/// Position of a method in the fixed arrays of this module.
pub const fn method_index(method: MethodId) -> usize {
    match method {
        MethodId::Observation => 0,
        MethodId::Project => 1,
        MethodId::Discussion => 2,
    }
}

fn table_index(obs: Grade, proj: Grade, disc: Grade) -> usize {
    let bit = |g: Grade| usize::from(g == Grade::Distinction);
    bit(obs) << 2 | bit(proj) << 1 | bit(disc)
}

fn table_grades(index: usize) -> [Grade; 3] {
    let g = |b: usize| {
        if index >> b & 1 == 1 {
            Grade::Distinction
        } else {
            Grade::Pass
        }
    };
    [g(2), g(1), g(0)]
}

/// One plan and policy's grading rules, prepared for fast grading.
#[derive(Debug, Clone)]
pub struct GradingScheme {
    methods: [MethodScheme; 3],
    table: [Grade; 8],
    any_fail: Grade,
    cap: Option<CapRule>,
    overall_rule: String,
}

impl GradingScheme {
    /// Builds a scheme from criteria (in the plan's order), the overall
    /// table's rows `(observation, project, discussion) -> overall` covering
    /// all 8 pass/distinction combinations, and the cap rule.
    pub fn new(
        criteria: &[CriterionSpec],
        rows: &[([Grade; 3], Grade)],
        any_fail: Grade,
        cap: Option<CapRule>,
        overall_rule: impl Into<String>,
    ) -> Result<GradingScheme, GradingError> {
        let empty = || MethodScheme {
            ids: Vec::new(),
            levels: Vec::new(),
            pass_mask: 0,
            all_mask: 0,
            index: HashMap::new(),
        };
        let mut methods = [empty(), empty(), empty()];
        for c in criteria {
            let m = &mut methods[method_index(c.method)];
            let i = m.ids.len();
            if i >= MAX_CRITERIA_PER_METHOD {
                return Err(GradingError::TooManyCriteria {
                    method: c.method,
                    count: criteria.iter().filter(|x| x.method == c.method).count(),
                });
            }
            if m.index.insert(c.id.clone(), i as u8).is_some() {
                return Err(GradingError::DuplicateCriterion(c.id.clone()));
            }
            m.ids.push(c.id.clone());
            m.levels.push(c.level);
            m.all_mask |= 1 << i;
            if c.level == CriterionLevel::Pass {
                m.pass_mask |= 1 << i;
            }
        }
        for method in MethodId::ALL {
            if methods[method_index(method)].pass_mask == 0 {
                return Err(GradingError::NoPassCriteria(method));
            }
        }
        let mut table: [Option<Grade>; 8] = [None; 8];
        for ([o, p, d], overall) in rows {
            if [o, p, d].contains(&&Grade::Fail) {
                return Err(GradingError::FailInTable);
            }
            table[table_index(*o, *p, *d)] = Some(*overall);
        }
        let mut full = [Grade::Fail; 8];
        for (i, slot) in table.iter().enumerate() {
            let [o, p, d] = table_grades(i);
            full[i] = slot.ok_or(GradingError::MissingRow(o, p, d))?;
        }
        Ok(GradingScheme {
            methods,
            table: full,
            any_fail,
            cap,
            overall_rule: overall_rule.into(),
        })
    }

    /// The criterion IDs of a method, in the plan's order (bit order).
    pub fn criteria(&self, method: MethodId) -> &[String] {
        &self.methods[method_index(method)].ids
    }

    pub fn level(&self, method: MethodId, id: &str) -> Option<CriterionLevel> {
        let m = &self.methods[method_index(method)];
        m.index.get(id).map(|&i| m.levels[usize::from(i)])
    }

    pub fn cap_rule(&self) -> Option<CapRule> {
        self.cap
    }

    pub fn overall_rule(&self) -> &str {
        &self.overall_rule
    }

    /// The overall table's answer for three passing method grades.
    pub fn table_overall(&self, obs: Grade, proj: Grade, disc: Grade) -> Grade {
        self.table[table_index(obs, proj, disc)]
    }

    /// The set of criteria met, from their IDs. An ID that is not a
    /// criterion of this method, or one given twice, is an error naming it.
    pub fn met<'a>(
        &self,
        method: MethodId,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<MethodJudgement, GradingError> {
        let m = &self.methods[method_index(method)];
        let mut met = 0u128;
        for id in ids {
            let i = m
                .index
                .get(id)
                .ok_or_else(|| GradingError::UnknownCriterion {
                    id: id.to_owned(),
                    method,
                })?;
            if met & (1 << i) != 0 {
                return Err(GradingError::RepeatedCriterion {
                    id: id.to_owned(),
                    method,
                });
            }
            met |= 1 << i;
        }
        Ok(MethodJudgement { met })
    }

    /// The set of criteria met, from judgements with evidence notes. A
    /// criterion with no judgement is unmet; where a criterion was judged
    /// more than once the last judgement stands (a correction supersedes).
    pub fn judge(
        &self,
        method: MethodId,
        judgements: &[Judgement],
    ) -> Result<MethodJudgement, GradingError> {
        let m = &self.methods[method_index(method)];
        let mut met = 0u128;
        for j in judgements {
            let i = m
                .index
                .get(&j.criterion)
                .ok_or_else(|| GradingError::UnknownCriterion {
                    id: j.criterion.clone(),
                    method,
                })?;
            if j.met {
                met |= 1 << i;
            } else {
                met &= !(1 << i);
            }
        }
        Ok(MethodJudgement { met })
    }

    /// A judgement with every criterion of the method met.
    pub fn all_met(&self, method: MethodId) -> MethodJudgement {
        MethodJudgement {
            met: self.methods[method_index(method)].all_mask,
        }
    }

    /// Grades one method.
    #[inline]
    pub fn method_grade(&self, method: MethodId, judgement: MethodJudgement) -> Grade {
        self.methods[method_index(method)].grade(judgement.met)
    }

    /// Whether the cap applies in this context (before exceptional circumstances).
    fn cap_in_force(&self, ctx: CapContext) -> Option<Grade> {
        let rule = self.cap?;
        let triggered =
            (ctx.resit && rule.applies_to_resit) || (ctx.retake && rule.applies_to_retake);
        let lifted = ctx.exceptional_circumstances && rule.lifted_by_exceptional_circumstances;
        (triggered && !lifted).then_some(rule.cap)
    }

    /// For a cap on the method's grade: which methods it lowers to what.
    fn method_caps(&self, ctx: CapContext) -> [Option<Grade>; 3] {
        let mut caps = [None; 3];
        let Some(rule) = self.cap else { return caps };
        if rule.scope != CapScope::Method {
            return caps;
        }
        if ctx.exceptional_circumstances && rule.lifted_by_exceptional_circumstances {
            return caps;
        }
        let unknown = !ctx.resit_methods.contains(&true) && !ctx.retake_methods.contains(&true);
        for (i, cap) in caps.iter_mut().enumerate() {
            let (resit, retake) = if unknown {
                (ctx.resit, ctx.retake)
            } else {
                (ctx.resit_methods[i], ctx.retake_methods[i])
            };
            if (resit && rule.applies_to_resit) || (retake && rule.applies_to_retake) {
                *cap = Some(rule.cap);
            }
        }
        caps
    }

    /// Grades one EPA. The hot path: no allocation.
    #[inline]
    pub fn grade(&self, j: &EpaJudgements) -> GradeResult {
        let mut methods = [Outcome::Pending; 3];
        let mut methods_uncapped = [Outcome::Pending; 3];
        let mut pending = false;
        let mut failed = false;
        let mut grades = [Grade::Pass; 3];
        let mut capped = [Grade::Pass; 3];
        let method_caps = self.method_caps(j.cap);
        let mut method_capped = false;
        for i in 0..3 {
            match j.methods[i] {
                None => pending = true,
                Some(mj) => {
                    let g = self.methods[i].grade(mj.met);
                    failed |= g == Grade::Fail;
                    grades[i] = g;
                    methods_uncapped[i] = Outcome::Graded(g);
                    let c = match method_caps[i] {
                        Some(cap) if g > cap => {
                            method_capped = true;
                            cap
                        }
                        _ => g,
                    };
                    capped[i] = c;
                    methods[i] = Outcome::Graded(c);
                }
            }
        }
        if pending {
            return GradeResult {
                methods,
                methods_uncapped,
                uncapped: Outcome::Pending,
                overall: Outcome::Pending,
                cap_applied: false,
            };
        }
        let uncapped = if failed {
            self.any_fail
        } else {
            self.table[table_index(grades[0], grades[1], grades[2])]
        };
        let scope = self.cap.map(|c| c.scope);
        let (overall, cap_applied) = if scope == Some(CapScope::Method) {
            let from_capped = if failed {
                self.any_fail
            } else {
                self.table[table_index(capped[0], capped[1], capped[2])]
            };
            (from_capped, method_capped)
        } else {
            match self.cap_in_force(j.cap) {
                Some(cap) if uncapped > cap => (cap, true),
                _ => (uncapped, false),
            }
        };
        GradeResult {
            methods,
            methods_uncapped,
            uncapped: Outcome::Graded(uncapped),
            overall: Outcome::Graded(overall),
            cap_applied,
        }
    }

    /// Grades and explains: every unmet criterion per method, one line per
    /// method, the rule or table row that decided the overall grade, and
    /// what the cap did.
    pub fn explain(&self, j: &EpaJudgements) -> Explained {
        let result = self.grade(j);
        let mut unmet: Vec<(MethodId, Vec<String>)> = Vec::with_capacity(3);
        let mut lines = Vec::new();
        for method in MethodId::ALL {
            let i = method_index(method);
            let m = &self.methods[i];
            let Some(mj) = j.methods[i] else {
                unmet.push((method, Vec::new()));
                lines.push(format!("{method}: pending, not yet assessed"));
                continue;
            };
            let missing = |level: CriterionLevel| -> Vec<String> {
                (0..m.ids.len())
                    .filter(|&b| m.levels[b] == level && mj.met & (1 << b) == 0)
                    .map(|b| m.ids[b].clone())
                    .collect()
            };
            let pass_unmet = missing(CriterionLevel::Pass);
            let dist_unmet = missing(CriterionLevel::Distinction);
            let line = match m.grade(mj.met) {
                Grade::Fail => {
                    let mut line = format!(
                        "{method}: fail, {} not met",
                        name_list("pass criterion", "pass criteria", &pass_unmet)
                    );
                    if !dist_unmet.is_empty() {
                        line.push_str(&format!(
                            "; {} not met either",
                            name_list("distinction criterion", "distinction criteria", &dist_unmet)
                        ));
                    }
                    line
                }
                Grade::Pass => format!(
                    "{method}: pass, every pass criterion met; {} not met",
                    name_list("distinction criterion", "distinction criteria", &dist_unmet)
                ),
                Grade::Distinction => {
                    format!("{method}: distinction, every pass and distinction criterion met")
                }
            };
            lines.push(line);
            let mut all: Vec<String> = (0..m.ids.len())
                .filter(|&b| mj.met & (1 << b) == 0)
                .map(|b| m.ids[b].clone())
                .collect();
            all.shrink_to_fit();
            unmet.push((method, all));
        }

        // Under a cap on the method's grade the table reads the capped
        // method grades, so the row names what it decided from.
        let decided = match self.cap {
            Some(rule) if rule.scope == CapScope::Method => result.overall,
            _ => result.uncapped,
        };
        let row = match decided {
            Outcome::Pending => {
                let waiting: Vec<&str> = MethodId::ALL
                    .into_iter()
                    .filter(|&m| result.method(m) == Outcome::Pending)
                    .map(MethodId::as_str)
                    .collect();
                let failed: Vec<&str> = MethodId::ALL
                    .into_iter()
                    .filter(|&m| result.method(m) == Outcome::Graded(Grade::Fail))
                    .map(MethodId::as_str)
                    .collect();
                let mut line = format!("overall: pending, {} not yet assessed", join_and(&waiting));
                if !failed.is_empty() {
                    line.push_str(&format!(
                        "; {} already failed, so the overall grade will be {}",
                        join_and(&failed),
                        self.any_fail
                    ));
                }
                lines.push(line);
                None
            }
            Outcome::Graded(g) => {
                let grades: Vec<Grade> = result.methods.iter().filter_map(|o| o.grade()).collect();
                if grades.contains(&Grade::Fail) {
                    let failed: Vec<&str> = MethodId::ALL
                        .into_iter()
                        .filter(|&m| result.method(m) == Outcome::Graded(Grade::Fail))
                        .map(MethodId::as_str)
                        .collect();
                    lines.push(format!(
                        "overall: {g}, a fail in any method is a {} overall ({} failed)",
                        self.any_fail,
                        join_and(&failed)
                    ));
                    None
                } else {
                    let row = TableRow {
                        observation: grades[0],
                        project: grades[1],
                        discussion: grades[2],
                        overall: g,
                    };
                    lines.push(format!(
                        "overall: {g}, table row observation {}, project {}, discussion {} gives {g} ({})",
                        row.observation, row.project, row.discussion, self.overall_rule
                    ));
                    Some(row)
                }
            }
        };

        let mut cap_line = None;
        if let (Some(rule), Outcome::Graded(uncapped)) = (self.cap, result.uncapped) {
            let triggered =
                (j.cap.resit && rule.applies_to_resit) || (j.cap.retake && rule.applies_to_retake);
            let lifted =
                j.cap.exceptional_circumstances && rule.lifted_by_exceptional_circumstances;
            let lowered: Vec<String> = MethodId::ALL
                .into_iter()
                .filter(|&m| result.methods_uncapped[method_index(m)] != result.method(m))
                .map(|m| {
                    format!(
                        "the {m}'s {} capped at {}",
                        result.methods_uncapped[method_index(m)],
                        result.method(m)
                    )
                })
                .collect();
            let text = if result.cap_applied && rule.scope == CapScope::Method {
                Some(format!(
                    "cap: {} after a re-sit, so the overall grade is {} ({uncapped} before the cap)",
                    lowered.join(" and "),
                    result.overall
                ))
            } else if result.cap_applied {
                Some(format!(
                    "cap: overall capped at {} after a resit or retake ({uncapped} before the cap)",
                    rule.cap
                ))
            } else if triggered && lifted {
                Some(format!(
                    "cap: the {} cap after a resit or retake is lifted by exceptional circumstances",
                    rule.cap
                ))
            } else if triggered {
                Some(format!(
                    "cap: the {} cap after a resit or retake does not lower {uncapped}",
                    rule.cap
                ))
            } else {
                None
            };
            if let Some(t) = text {
                lines.push(t.clone());
                cap_line = Some(t);
            }
        }
        Explained {
            result,
            unmet,
            lines,
            row,
            cap: cap_line,
        }
    }
}

/// The overall table row that decided a grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TableRow {
    pub observation: Grade,
    pub project: Grade,
    pub discussion: Grade,
    pub overall: Grade,
}

/// A grade with its reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    pub result: GradeResult,
    /// Every unmet criterion, per method (empty for a pending method).
    pub unmet: Vec<(MethodId, Vec<String>)>,
    /// The explanation, one sentence per line.
    pub lines: Vec<String>,
    /// The table row that decided, when the table decided.
    pub row: Option<TableRow>,
    /// What the cap did, when it mattered.
    pub cap: Option<String>,
}

fn name_list(one: &str, many: &str, ids: &[String]) -> String {
    match ids {
        [] => format!("no {many}"),
        [id] => format!("{one} {id}"),
        _ => format!("{many} {}", ids.join(", ")),
    }
}

fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Grade::{Distinction as D, Pass as P};

    fn crit(id: &str, method: MethodId, level: CriterionLevel) -> CriterionSpec {
        CriterionSpec {
            id: id.into(),
            method,
            level,
        }
    }

    fn small(rows: &[([Grade; 3], Grade)]) -> GradingScheme {
        use CriterionLevel::{Distinction as CD, Pass as CP};
        use MethodId::*;
        GradingScheme::new(
            &[
                crit("O-P1", Observation, CP),
                crit("O-P2", Observation, CP),
                crit("O-D1", Observation, CD),
                crit("W-P1", Project, CP),
                crit("W-D1", Project, CD),
                crit("PD-P1", Discussion, CP),
                crit("PD-D1", Discussion, CD),
            ],
            rows,
            Grade::Fail,
            Some(CapRule {
                cap: P,
                scope: CapScope::Overall,
                applies_to_resit: true,
                applies_to_retake: true,
                lifted_by_exceptional_circumstances: true,
            }),
            "test rule",
        )
        .unwrap()
    }

    fn all_three_rows() -> Vec<([Grade; 3], Grade)> {
        (0..8)
            .map(|i| {
                let g = table_grades(i);
                let overall = if g == [D, D, D] { D } else { P };
                (g, overall)
            })
            .collect()
    }

    #[test]
    fn method_grades() {
        let s = small(&all_three_rows());
        let m = MethodId::Observation;
        assert_eq!(s.method_grade(m, s.met(m, []).unwrap()), Grade::Fail);
        assert_eq!(
            s.method_grade(m, s.met(m, ["O-P1", "O-D1"]).unwrap()),
            Grade::Fail
        );
        assert_eq!(s.method_grade(m, s.met(m, ["O-P1", "O-P2"]).unwrap()), P);
        assert_eq!(s.method_grade(m, s.all_met(m)), D);
    }

    #[test]
    fn unknown_ids_are_named() {
        let s = small(&all_three_rows());
        let err = s.met(MethodId::Project, ["O-P1"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "O-P1 is not a criterion of the project in this plan and policy"
        );
    }

    #[test]
    fn repeated_ids_are_named() {
        let s = small(&all_three_rows());
        let err = s
            .met(MethodId::Observation, ["O-P1", "O-P2", "O-P1"])
            .unwrap_err();
        assert_eq!(
            err,
            GradingError::RepeatedCriterion {
                id: "O-P1".into(),
                method: MethodId::Observation
            }
        );
        assert!(err.to_string().starts_with("O-P1 is listed more than once"));
    }

    #[test]
    fn incomplete_tables_are_refused() {
        let mut rows = all_three_rows();
        rows.pop();
        let err = GradingScheme::new(
            &[crit("X", MethodId::Observation, CriterionLevel::Pass)],
            &rows,
            Grade::Fail,
            None,
            "",
        );
        assert!(err.is_err());
    }

    #[test]
    fn judgements_last_one_stands() {
        let s = small(&all_three_rows());
        let j = |id: &str, met| Judgement {
            criterion: id.into(),
            met,
            note: "seen".into(),
        };
        let mj = s
            .judge(
                MethodId::Project,
                &[j("W-P1", false), j("W-D1", true), j("W-P1", true)],
            )
            .unwrap();
        assert_eq!(s.method_grade(MethodId::Project, mj), D);
    }

    #[test]
    fn explanation_names_unmet_and_row() {
        let s = small(&all_three_rows());
        let j = EpaJudgements {
            methods: [
                Some(s.met(MethodId::Observation, ["O-P1", "O-P2"]).unwrap()),
                Some(s.met(MethodId::Project, []).unwrap()),
                None,
            ],
            cap: CapContext::default(),
        };
        let e = s.explain(&j);
        assert_eq!(e.result.overall, Outcome::Pending);
        assert_eq!(
            e.lines[0],
            "observation: pass, every pass criterion met; distinction criterion O-D1 not met"
        );
        assert_eq!(
            e.lines[1],
            "project: fail, pass criterion W-P1 not met; distinction criterion W-D1 not met either"
        );
        assert_eq!(e.lines[2], "discussion: pending, not yet assessed");
        assert!(
            e.lines[3].starts_with(
                "overall: pending, discussion not yet assessed; project already failed"
            )
        );
        assert_eq!(e.unmet[1].1, ["W-P1", "W-D1"]);
    }
}
