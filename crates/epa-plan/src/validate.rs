//! The validator: every problem in a plan or policy, all at once, each
//! named by file and line. Loading refuses unknown keys and wrong types
//! (serde); this module checks what the types cannot say: references
//! between items, uniqueness, coverage, the grading table, and figures that
//! must be sensible.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use toml::Spanned;

use crate::files::{Origin, Plan, Policy};
use crate::load::Problem;
use crate::model::{GradeRow, Timing, WordLimit};
use crate::vocab::{CriterionLevel, Grade, MethodId, Relation};

/// Collects problems against one file.
struct Report<'a> {
    origin: &'a Origin,
    problems: Vec<Problem>,
}

impl Report<'_> {
    fn add(&mut self, span: Option<Range<usize>>, message: impl Into<String>) {
        self.problems.push(Problem::at(self.origin, span, message));
    }

    /// Reports each ID seen more than once, at its repeat.
    fn unique<'s>(&mut self, what: &str, ids: impl IntoIterator<Item = (&'s str, Range<usize>)>) {
        let mut seen = BTreeSet::new();
        for (id, span) in ids {
            if !seen.insert(id) {
                self.add(Some(span), format!("duplicate {what} {id:?}"));
            }
        }
    }
}

/// Every problem in a plan on its own.
pub fn plan(plan: &Plan) -> Vec<Problem> {
    let mut r = Report {
        origin: &plan.origin,
        problems: Vec::new(),
    };
    r.unique(
        "method",
        plan.methods
            .iter()
            .map(|m| (m.get_ref().id.as_str(), m.span())),
    );
    r.unique(
        "KSB",
        plan.ksbs
            .iter()
            .map(|k| (k.get_ref().code.as_str(), k.span())),
    );
    r.unique(
        "criterion",
        plan.criteria
            .iter()
            .map(|c| (c.get_ref().id.as_str(), c.span())),
    );
    r.unique(
        "gateway requirement",
        plan.gateway
            .iter()
            .map(|g| (g.get_ref().id.as_str(), g.span())),
    );
    r.unique(
        "coverage exception for",
        plan.coverage_exceptions
            .iter()
            .map(|e| (e.get_ref().ksb.as_str(), e.span())),
    );

    let methods: BTreeSet<MethodId> = plan.methods.iter().map(|m| m.get_ref().id).collect();
    for m in &plan.methods {
        let (spec, span) = (m.get_ref(), m.span());
        if spec.duration_minutes == 0 {
            r.add(
                Some(span.clone()),
                format!("method {}: duration_minutes must be positive", spec.id),
            );
        }
        if spec.tolerance_percent >= 100 {
            r.add(
                Some(span.clone()),
                format!(
                    "method {}: tolerance_percent {} must be below 100",
                    spec.id, spec.tolerance_percent
                ),
            );
        }
        if spec.modes.is_empty() {
            r.add(
                Some(span.clone()),
                format!("method {}: modes must name at least one mode", spec.id),
            );
        }
        if spec.interview_questions == Some(0) {
            r.add(
                Some(span.clone()),
                format!("method {}: interview_questions must be positive", spec.id),
            );
        }
        if let Some(range) = spec.portfolio_pieces
            && (range.min == 0 || range.min > range.max)
        {
            r.add(
                Some(span.clone()),
                format!(
                    "method {}: portfolio_pieces min {} and max {} must satisfy 0 < min <= max",
                    spec.id, range.min, range.max
                ),
            );
        }
        if let Some(q) = &spec.questioning {
            questioning(&mut r, spec.id, q, span.clone());
        }
    }

    let ksb_method: BTreeMap<&str, MethodId> = plan
        .ksbs
        .iter()
        .map(|k| (k.get_ref().code.as_str(), k.get_ref().method))
        .collect();
    for k in &plan.ksbs {
        let (ksb, span) = (k.get_ref(), k.span());
        let prefix = ksb.kind.code_prefix();
        let well_formed = ksb.code.starts_with(prefix)
            && ksb.code.len() > 1
            && ksb.code[1..].chars().all(|c| c.is_ascii_digit());
        if !well_formed {
            r.add(
                Some(span.clone()),
                format!(
                    "KSB {:?}: a {} code is {prefix} followed by digits",
                    ksb.code, ksb.kind
                ),
            );
        }
        if !methods.contains(&ksb.method) {
            r.add(
                Some(span.clone()),
                format!(
                    "KSB {}: method {} is not one of this plan's methods",
                    ksb.code, ksb.method
                ),
            );
        }
        if ksb.text.trim().is_empty() || ksb.theme.trim().is_empty() {
            r.add(
                Some(span),
                format!("KSB {}: text and theme must not be empty", ksb.code),
            );
        }
    }

    for c in &plan.criteria {
        let (criterion, span) = (c.get_ref(), c.span());
        if !methods.contains(&criterion.method) {
            r.add(
                Some(span.clone()),
                format!(
                    "criterion {}: method {} is not one of this plan's methods",
                    criterion.id, criterion.method
                ),
            );
        }
        if criterion.ksbs.is_empty() {
            r.add(
                Some(span.clone()),
                format!("criterion {}: names no KSB", criterion.id),
            );
        }
        if criterion.text.trim().is_empty() {
            r.add(
                Some(span.clone()),
                format!("criterion {}: text must not be empty", criterion.id),
            );
        }
        for code in &criterion.ksbs {
            match ksb_method.get(code.as_str()) {
                None => r.add(
                    Some(span.clone()),
                    format!(
                        "criterion {} names {code}, which is not a KSB of this plan",
                        criterion.id
                    ),
                ),
                Some(method) if *method != criterion.method => r.add(
                    Some(span.clone()),
                    format!(
                        "criterion {} ({}) names {code}, which is assessed by {method}",
                        criterion.id, criterion.method
                    ),
                ),
                Some(_) => {}
            }
        }
    }

    for e in &plan.coverage_exceptions {
        let (exception, span) = (e.get_ref(), e.span());
        let Some(method) = ksb_method.get(exception.ksb.as_str()) else {
            r.add(
                Some(span),
                format!(
                    "coverage exception names {}, which is not a KSB of this plan",
                    exception.ksb
                ),
            );
            continue;
        };
        if exception.reason.trim().is_empty() {
            r.add(
                Some(span.clone()),
                format!(
                    "coverage exception for {}: the reason must be given",
                    exception.ksb
                ),
            );
        }
        if exception.covered_by.is_empty() {
            r.add(
                Some(span.clone()),
                format!(
                    "coverage exception for {}: covered_by names no criterion",
                    exception.ksb
                ),
            );
        }
        for id in &exception.covered_by {
            match plan
                .criteria
                .iter()
                .map(|c| c.get_ref())
                .find(|c| &c.id == id)
            {
                None => r.add(
                    Some(span.clone()),
                    format!(
                        "coverage exception for {}: {id} is not a criterion of this plan",
                        exception.ksb
                    ),
                ),
                Some(c) if c.method != *method || c.grade != CriterionLevel::Pass => r.add(
                    Some(span.clone()),
                    format!(
                        "coverage exception for {}: {id} is not a pass criterion of {method}",
                        exception.ksb
                    ),
                ),
                Some(_) => {}
            }
        }
    }

    let all: Vec<&str> = plan
        .criteria
        .iter()
        .map(|c| c.get_ref().id.as_str())
        .collect();
    coverage(&mut r, plan, &all, None);
    r.problems
}

/// Every KSB needs a pass criterion among `used`, or an explained exception.
fn coverage(r: &mut Report<'_>, plan: &Plan, used: &[&str], policy_span: Option<Range<usize>>) {
    for k in &plan.ksbs {
        let code = k.get_ref().code.as_str();
        let evidenced = plan.criteria.iter().map(|c| c.get_ref()).any(|c| {
            c.grade == CriterionLevel::Pass
                && used.contains(&c.id.as_str())
                && c.ksbs.iter().any(|x| x == code)
        });
        let exception = plan
            .coverage_exceptions
            .iter()
            .find(|e| e.get_ref().ksb == code);
        match (evidenced, exception, &policy_span) {
            (false, None, None) => r.add(
                Some(k.span()),
                format!(
                    "KSB {code} is evidenced by no pass criterion and has no coverage exception"
                ),
            ),
            (false, None, Some(span)) => r.add(
                Some(span.clone()),
                format!("the criteria used leave KSB {code} without a pass criterion"),
            ),
            (true, Some(e), None) => r.add(
                Some(e.span()),
                format!("coverage exception for {code} is not needed: a pass criterion names it"),
            ),
            _ => {}
        }
    }
}

fn questioning(
    r: &mut Report<'_>,
    method: MethodId,
    q: &crate::model::Questioning,
    span: Range<usize>,
) {
    if let Some(percent) = q.max_percent
        && (percent == 0 || percent >= 100)
    {
        r.add(
            Some(span.clone()),
            format!("method {method}: questioning max_percent {percent} must be between 1 and 99"),
        );
    }
    if q.max_minutes == Some(0) {
        r.add(
            Some(span.clone()),
            format!("method {method}: questioning max_minutes must be positive"),
        );
    }
    if q.max_percent.is_none() && q.max_minutes.is_none() {
        r.add(
            Some(span),
            format!("method {method}: questioning needs max_percent or max_minutes"),
        );
    }
}

/// Every problem in a policy read against its plan.
pub fn policy(policy: &Policy, plan: &Plan) -> Vec<Problem> {
    let mut r = Report {
        origin: &policy.origin,
        problems: Vec::new(),
    };
    let header = &policy.policy;
    if header.epao.is_empty()
        || !header
            .epao
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        r.add(
            None,
            format!(
                "policy epao {:?} must be a lower-case ID (a-z, 0-9, - or _)",
                header.epao
            ),
        );
    }

    // Criteria: each exists in the plan, once; then coverage with this set.
    let selection = policy.criteria.get_ref();
    r.unique(
        "criterion",
        selection
            .ids
            .iter()
            .map(|id| (id.get_ref().as_str(), id.span())),
    );
    for id in &selection.ids {
        if !plan
            .criteria
            .iter()
            .any(|c| &c.get_ref().id == id.get_ref())
        {
            r.add(
                Some(id.span()),
                format!(
                    "criterion {} is not in plan {} v{}",
                    id.get_ref(),
                    plan.standard.reference,
                    plan.standard.version
                ),
            );
        }
    }
    let used: Vec<&str> = selection
        .ids
        .iter()
        .map(|id| id.get_ref().as_str())
        .collect();
    coverage(&mut r, plan, &used, Some(policy.criteria.span()));
    for w in &policy.wording {
        let id = &w.get_ref().criterion;
        if !used.contains(&id.as_str()) {
            r.add(
                Some(w.span()),
                format!("wording for {id}: not a criterion this policy uses"),
            );
        }
    }

    overall_table(&mut r, policy);

    let cap = policy.grade_cap.get_ref();
    if cap.cap == Grade::Fail {
        r.add(
            Some(policy.grade_cap.span()),
            "grade_cap: cap must be pass or distinction",
        );
    }

    for (key, timing) in policy.timings.entries() {
        if let Some(timing) = timing {
            check_timing(&mut r, key, timing);
        }
    }

    word_limit(&mut r, "report", &policy.word_limits.report);
    if let Some(proposal) = &policy.word_limits.proposal {
        word_limit(&mut r, "proposal", proposal);
    }

    let plan_methods: BTreeSet<MethodId> = plan.methods.iter().map(|m| m.get_ref().id).collect();
    r.unique(
        "method entry",
        policy
            .methods
            .iter()
            .map(|m| (m.get_ref().method.as_str(), m.span())),
    );
    for m in &policy.methods {
        let entry = m.get_ref();
        if !plan_methods.contains(&entry.method) {
            r.add(
                Some(m.span()),
                format!("method {} is not one of the plan's methods", entry.method),
            );
        }
        if let Some(q) = &entry.questioning {
            questioning(&mut r, entry.method, q, m.span());
        }
        if entry.modes.as_ref().is_some_and(Vec::is_empty) {
            r.add(
                Some(m.span()),
                format!("method {}: modes must name at least one mode", entry.method),
            );
        }
    }

    r.unique(
        "order rule",
        policy
            .order
            .iter()
            .map(|o| (o.get_ref().id.as_str(), o.span())),
    );
    for o in &policy.order {
        let rule = o.get_ref();
        if rule.first == rule.then {
            r.add(
                Some(o.span()),
                format!("order rule {}: first and then are the same method", rule.id),
            );
        }
        for method in [rule.first, rule.then] {
            if !plan_methods.contains(&method) {
                r.add(
                    Some(o.span()),
                    format!(
                        "order rule {}: {method} is not one of the plan's methods",
                        rule.id
                    ),
                );
            }
        }
    }

    // Gateway IDs must be unique across plan and policy: the effective plan lists both.
    for g in &policy.gateway {
        let id = &g.get_ref().id;
        if plan.gateway.iter().any(|p| &p.get_ref().id == id) {
            r.add(
                Some(g.span()),
                format!("gateway requirement {id:?} is already in the plan"),
            );
        }
    }
    r.unique(
        "gateway requirement",
        policy
            .gateway
            .iter()
            .map(|g| (g.get_ref().id.as_str(), g.span())),
    );
    // One requirement per gateway component: the component is asked for
    // because of it, and shows its source.
    let mut components = BTreeMap::new();
    for g in plan.gateway.iter().chain(policy.gateway.iter()) {
        let req = g.get_ref();
        if let Some(component) = req.component
            && let Some(first) = components.insert(component, req.id.clone())
        {
            r.add(
                Some(g.span()),
                format!(
                    "gateway requirement {:?}: component {} is already evidenced by {first:?}",
                    req.id,
                    serde_json::to_value(component)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                ),
            );
        }
        if req.min_training_months == Some(0) {
            r.add(
                Some(g.span()),
                format!(
                    "gateway requirement {:?}: min_training_months must be positive",
                    req.id
                ),
            );
        }
    }
    let ec = &cap.exceptional_circumstances;
    if ec.confirmed_by == Some(ec.identified_by) {
        r.add(
            Some(policy.grade_cap.span()),
            "grade_cap.exceptional_circumstances: the confirmer must not be the identifier",
        );
    }
    r.problems
}

/// The table must hold all 8 pass/distinction combinations once, no fail,
/// and be monotonic: a better method grade never lowers the overall grade.
fn overall_table(r: &mut Report<'_>, policy: &Policy) {
    let grading = &policy.overall_grading;
    if grading.get_ref().any_fail != Grade::Fail {
        r.add(
            Some(grading.span()),
            "overall_grading: any_fail must be fail",
        );
    }
    let rows: Vec<&Spanned<GradeRow>> = grading.get_ref().table.iter().collect();
    let mut seen = BTreeMap::new();
    for row in &rows {
        let g = row.get_ref();
        let key = (g.observation, g.project, g.discussion);
        if [g.observation, g.project, g.discussion, g.overall].contains(&Grade::Fail) {
            r.add(
                Some(row.span()),
                "overall_grading row: rows list pass/distinction combinations only (any fail is the any_fail rule)",
            );
            continue;
        }
        if seen.insert(key, g.overall).is_some() {
            r.add(
                Some(row.span()),
                format!("overall_grading row {} is listed twice", combo(g)),
            );
        }
    }
    let pd = [Grade::Pass, Grade::Distinction];
    for o in pd {
        for p in pd {
            for d in pd {
                if !seen.contains_key(&(o, p, d)) {
                    r.add(
                        Some(grading.span()),
                        format!("overall_grading table is missing the combination observation={o} project={p} discussion={d}"),
                    );
                }
            }
        }
    }
    for a in &rows {
        for b in &rows {
            let (x, y) = (a.get_ref(), b.get_ref());
            let better_or_equal = MethodId::ALL
                .iter()
                .all(|m| y.grade_of(*m) >= x.grade_of(*m));
            if better_or_equal && y.overall < x.overall {
                r.add(
                    Some(b.span()),
                    format!(
                        "overall_grading is not monotonic: {} gives {} but the worse {} gives {}",
                        combo(y),
                        y.overall,
                        combo(x),
                        x.overall
                    ),
                );
            }
        }
    }
}

fn combo(row: &GradeRow) -> String {
    format!("({}, {}, {})", row.observation, row.project, row.discussion)
}

fn check_timing(r: &mut Report<'_>, key: &str, t: &Spanned<Timing>) {
    let (timing, span) = (t.get_ref(), t.span());
    match timing.relation {
        Relation::At => {
            if timing.amount != 0 {
                r.add(
                    Some(span.clone()),
                    format!("timing {key}: relation \"at\" takes amount 0"),
                );
            }
            if timing.from.is_none() {
                r.add(
                    Some(span.clone()),
                    format!("timing {key}: relation \"at\" needs from"),
                );
            }
        }
        _ if timing.amount == 0 => {
            r.add(
                Some(span.clone()),
                format!("timing {key}: amount must be positive"),
            );
        }
        Relation::Within | Relation::AtLeast | Relation::Before if timing.from.is_none() => {
            r.add(
                Some(span.clone()),
                format!("timing {key}: a {} rule needs from", timing.relation),
            );
        }
        _ => {}
    }
    if timing.text.trim().is_empty() {
        r.add(Some(span), format!("timing {key}: text must not be empty"));
    }
}

fn word_limit(r: &mut Report<'_>, key: &str, w: &Spanned<WordLimit>) {
    let (limit, span) = (w.get_ref(), w.span());
    if limit.target.is_none() && limit.min.is_none() && limit.max.is_none() {
        r.add(
            Some(span.clone()),
            format!("word limit {key}: give target, min or max"),
        );
    }
    if let (Some(min), Some(max)) = (limit.min, limit.max)
        && min > max
    {
        r.add(
            Some(span.clone()),
            format!("word limit {key}: min {min} is above max {max}"),
        );
    }
    if limit.max == Some(0) {
        r.add(
            Some(span.clone()),
            format!("word limit {key}: max must be positive"),
        );
    }
    match (
        limit.target,
        limit.tolerance_percent,
        limit.tolerance_bounds(),
    ) {
        (Some(target), Some(tolerance), Some((low, high))) => {
            if tolerance >= 100 {
                r.add(
                    Some(span.clone()),
                    format!("word limit {key}: tolerance_percent {tolerance} must be below 100"),
                );
            }
            if limit.min != Some(low) || limit.max != Some(high) {
                r.add(
                    Some(span),
                    format!("word limit {key}: {target} words +/-{tolerance}% means min {low} and max {high}"),
                );
            }
        }
        (None, Some(_), _) => r.add(
            Some(span),
            format!("word limit {key}: tolerance_percent needs target"),
        ),
        _ => {}
    }
}

/// The problem of a policy whose plan is not loaded.
pub fn missing_plan(policy: &Policy) -> Problem {
    Problem::at(
        &policy.origin,
        None,
        format!(
            "policy {:?} names plan {} v{}, which is not loaded",
            policy.policy.epao, policy.policy.standard, policy.policy.version
        ),
    )
}
