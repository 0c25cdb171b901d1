//! `epa plan list | show | check | diff`: the plans and EPAO policies the
//! product runs under, as the CLI contract describes them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use epa_plan::{Catalog, Difference, Document, EffectivePlan, Timing};
use serde_json::json;

use super::exit::{json, no, text, unusable};
use super::selection::PlanSelection;

#[derive(Debug, clap::Subcommand)]
pub enum PlanCommand {
    /// One line per loaded plan and EPAO policy.
    List {
        /// Directory of extra plan and policy files.
        #[arg(long, env = "EPA_PLANS_DIR")]
        plans_dir: Option<PathBuf>,
        /// Print JSON instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// The effective plan (standard plan + EPAO policy).
    Show {
        /// Standard reference (overrides --plan).
        reference: Option<String>,
        #[command(flatten)]
        selection: PlanSelection,
        /// Print the whole effective plan as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Validate plan or policy files; every problem is listed with file and line.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Directory of extra plans that policies may refer to.
        #[arg(long, env = "EPA_PLANS_DIR")]
        plans_dir: Option<PathBuf>,
    },
    /// Every difference between two policies or two plans, with both sources.
    /// A and B are files, EPAO IDs (tquk), or ST0071/1.2/tquk, ST0071/1.2.
    Diff {
        a: String,
        b: String,
        #[arg(long, env = "EPA_PLANS_DIR")]
        plans_dir: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: PlanCommand) -> ExitCode {
    match cmd {
        PlanCommand::List { plans_dir, json } => list(plans_dir.as_deref(), json),
        PlanCommand::Show {
            reference,
            mut selection,
            json,
        } => {
            if let Some(reference) = reference {
                selection.plan = reference;
            }
            show(&selection, json)
        }
        PlanCommand::Check { files, plans_dir } => check(&files, plans_dir.as_deref()),
        PlanCommand::Diff {
            a,
            b,
            plans_dir,
            json,
        } => diff(&a, &b, plans_dir.as_deref(), json),
    }
}

fn catalog(plans_dir: Option<&Path>) -> Result<Catalog, String> {
    match plans_dir {
        None => Ok(Catalog::embedded()),
        Some(dir) => Catalog::with_dir(dir)
            .map_err(|errors| format!("--plans-dir {}: {errors}", dir.display())),
    }
}

fn list(plans_dir: Option<&Path>, as_json: bool) -> ExitCode {
    let catalog = match catalog(plans_dir) {
        Ok(catalog) => catalog,
        Err(reason) => return unusable(reason),
    };
    let entries = catalog.list();
    if as_json {
        return json(&entries);
    }
    let mut out = String::new();
    for e in entries {
        match &e.epao {
            None => out.push_str(&format!(
                "plan    {} {}  {}  ({})\n",
                e.reference, e.version, e.name, e.file
            )),
            Some(epao) => out.push_str(&format!(
                "policy  {} {} --epao {epao}  {}  ({})\n",
                e.reference, e.version, e.name, e.file
            )),
        }
    }
    text(&out)
}

fn show(selection: &PlanSelection, as_json: bool) -> ExitCode {
    let plan = match selection.load() {
        Ok(plan) => plan,
        Err(reason) => return unusable(reason),
    };
    if as_json {
        return json(&plan);
    }
    text(&render(&plan))
}

/// The readable form of `plan show`: every rule with where it comes from.
fn render(plan: &EffectivePlan) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let s = &plan.standard;
    let _ = writeln!(
        out,
        "{} v{} {} (level {}), as run by {} (--epao {})",
        plan.reference, plan.version, s.title, s.level, plan.epao_name, plan.epao
    );
    let _ = writeln!(out, "policy source: {}", plan.policy_source);
    for m in &plan.methods {
        let _ = writeln!(
            out,
            "\n{}: {} minutes +/-{}% ({}-{} min), {} KSBs",
            m.name,
            m.duration_minutes,
            m.tolerance_percent,
            m.min_minutes,
            m.max_minutes,
            m.ksbs.len()
        );
        if let Some(q) = &m.questioning {
            let _ = writeln!(
                out,
                "  questioning {:?}: max {}{}  [{}]",
                q.placement,
                q.max_percent.map(|p| format!("{p}% ")).unwrap_or_default(),
                q.max_minutes
                    .map(|m| format!("{m} min"))
                    .unwrap_or_default(),
                q.source
            );
        }
        if let Some(n) = m.interview_questions {
            let _ = writeln!(out, "  interview questions: {n}");
        }
        if let Some(r) = m.portfolio_pieces {
            let _ = writeln!(out, "  portfolio pieces: {} to {}", r.min, r.max);
        }
        for k in plan.ksbs.iter().filter(|k| k.method == m.id) {
            let _ = writeln!(out, "  {:<4} {} ({}): {}", k.code, k.kind, k.theme, k.text);
        }
        for c in plan.criteria_for(m.id) {
            let _ = writeln!(
                out,
                "  {} [{}] {}: {}",
                c.id,
                c.grade,
                c.ksbs.join(", "),
                c.text
            );
        }
    }
    let g = &plan.overall_grading;
    let _ = writeln!(out, "\nOverall grading: {}\n  source: {}", g.rule, g.source);
    if let Some(reading) = &g.reading {
        let _ = writeln!(out, "  read as: {reading}");
    }
    let _ = writeln!(out, "  observation  project      discussion   overall");
    for row in &g.table {
        let _ = writeln!(
            out,
            "  {:<12} {:<12} {:<12} {}",
            row.observation.as_str(),
            row.project.as_str(),
            row.discussion.as_str(),
            row.overall.as_str()
        );
    }
    let cap = &plan.rules.grade_cap;
    let _ = writeln!(
        out,
        "\nGrade cap: {} after a{}{} (lifted by exceptional circumstances: {})\n  source: {}",
        cap.cap,
        if cap.applies_to_resit { " resit" } else { "" },
        if cap.applies_to_retake { " retake" } else { "" },
        cap.lifted_by_exceptional_circumstances,
        cap.source
    );
    let _ = writeln!(out, "\nTimings:");
    for (key, timing) in plan.rules.timings.entries() {
        match timing {
            Some(t) => {
                let _ = writeln!(
                    out,
                    "  {key}: {}\n    {}\n    source: {}",
                    timing_figure(t),
                    t.text,
                    t.source
                );
            }
            None => {
                let _ = writeln!(out, "  {key}: not stated");
            }
        }
    }
    let w = &plan.rules.word_limits;
    let _ = writeln!(out, "\nWord limits:");
    let _ = writeln!(
        out,
        "  report: {}-{} words (annexes excluded: {})  [{}]",
        w.report.min.map(|n| n.to_string()).unwrap_or_default(),
        w.report.max.map(|n| n.to_string()).unwrap_or_default(),
        w.report.excludes_annexes,
        w.report.source
    );
    match &w.proposal {
        Some(p) => {
            let _ = writeln!(
                out,
                "  {}: max {} words  [{}]",
                plan.rules.proposal.name,
                p.max.map(|n| n.to_string()).unwrap_or_default(),
                p.source
            );
        }
        None => {
            let _ = writeln!(out, "  {}: no word limit", plan.rules.proposal.name);
        }
    }
    let _ = writeln!(
        out,
        "\n{}: {}\n  source: {}",
        plan.rules.proposal.name, plan.rules.proposal.text, plan.rules.proposal.source
    );
    let _ = writeln!(out, "\nOrder of methods:");
    for o in &plan.rules.order {
        let _ = writeln!(
            out,
            "  [{:?}] {}\n    source: {}",
            o.strength, o.text, o.source
        );
    }
    let _ = writeln!(out, "\nGateway:");
    for g in &plan.rules.gateway {
        let _ = writeln!(
            out,
            "  [{:?}] {}\n    source: {}",
            g.strength, g.text, g.source
        );
    }
    out
}

fn timing_figure(t: &Timing) -> String {
    let from = t.from.map(|a| format!(" {a}")).unwrap_or_default();
    match t.relation {
        epa_plan::Relation::At => format!("at{from} ({:?})", t.strength),
        relation => format!(
            "{relation} {} {}{from} ({:?})",
            t.amount, t.unit, t.strength
        ),
    }
}

fn check(files: &[PathBuf], plans_dir: Option<&Path>) -> ExitCode {
    let catalog = match catalog(plans_dir) {
        Ok(catalog) => catalog,
        Err(reason) => return unusable(reason),
    };
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let results = epa_plan::check_paths(&paths, &catalog);
    if let Some(bad) = results.iter().find(|r| r.unreadable) {
        let reason = bad
            .problems
            .first()
            .map(ToString::to_string)
            .unwrap_or_else(|| format!("{}: cannot read", bad.file));
        return unusable(reason);
    }
    let mut count = 0;
    let mut out = String::new();
    for result in &results {
        if result.problems.is_empty() {
            out.push_str(&format!("{}: ok\n", result.file));
        }
        for problem in &result.problems {
            out.push_str(&format!("{problem}\n"));
            count += 1;
        }
    }
    let printed = text(&out);
    if count == 0 {
        printed
    } else {
        let invalid = results.iter().filter(|r| !r.problems.is_empty()).count();
        no(format!("{count} problem(s) in {invalid} file(s)"))
    }
}

/// One side of a diff: an effective plan (a policy) or a bare plan.
enum Side {
    Effective(Box<EffectivePlan>),
    Plan(Box<epa_plan::Plan>),
}

fn resolve(spec: &str, catalog: &Catalog) -> Result<(String, Side), String> {
    let path = Path::new(spec);
    if path.is_file() || spec.ends_with(".toml") {
        let doc = epa_plan::read_document(path).map_err(|e| e.to_string())?;
        return match doc {
            Document::Plan(plan) => Ok((spec.to_string(), Side::Plan(plan))),
            Document::Policy(policy) => {
                // A policy file is read against the plan beside it when there is one.
                let beside = path
                    .parent()
                    .map(|d| d.join("plan.toml"))
                    .filter(|p| p.is_file());
                let effective = match beside.map(|p| epa_plan::read_document(&p)) {
                    Some(Ok(Document::Plan(plan)))
                        if plan.standard.reference == policy.policy.standard
                            && plan.standard.version == policy.policy.version =>
                    {
                        epa_plan::EffectivePlan::from_parts(&plan, &policy)
                    }
                    _ => catalog
                        .effective_of(&policy)
                        .map_err(|e| format!("{spec}: {e}"))?,
                };
                Ok((spec.to_string(), Side::Effective(Box::new(effective))))
            }
        };
    }
    let parts: Vec<&str> = spec.split('/').collect();
    let (reference, version, epao) = match parts.as_slice() {
        [epao] => ("ST0071", None, Some(*epao)),
        [reference, version] => (*reference, Some(*version), None),
        [reference, version, epao] => (*reference, Some(*version), Some(*epao)),
        _ => {
            return Err(format!(
                "cannot read {spec:?}: expected a file, an EPAO ID, REF/VERSION or REF/VERSION/EPAO"
            ));
        }
    };
    match epao {
        Some(epao) => catalog
            .effective(reference, version, epao)
            .map(|p| (spec.to_string(), Side::Effective(Box::new(p))))
            .map_err(|e| e.to_string()),
        None => catalog
            .plan(reference, version)
            .map(|p| (spec.to_string(), Side::Plan(Box::new(p.clone()))))
            .map_err(|e| e.to_string()),
    }
}

fn diff(a: &str, b: &str, plans_dir: Option<&Path>, as_json: bool) -> ExitCode {
    let catalog = match catalog(plans_dir) {
        Ok(catalog) => catalog,
        Err(reason) => return unusable(reason),
    };
    let (label_a, side_a) = match resolve(a, &catalog) {
        Ok(side) => side,
        Err(reason) => return unusable(reason),
    };
    let (label_b, side_b) = match resolve(b, &catalog) {
        Ok(side) => side,
        Err(reason) => return unusable(reason),
    };
    let differences: Vec<Difference> = match (&side_a, &side_b) {
        (Side::Effective(x), Side::Effective(y)) => epa_plan::diff_effective(x, y),
        (Side::Plan(x), Side::Plan(y)) => {
            let to = |p: &epa_plan::Plan| serde_json::to_value(p).unwrap_or_default();
            epa_plan::diff_values(&to(x), &to(y))
        }
        _ => {
            return unusable(format!(
                "cannot compare {a:?} with {b:?}: one is a plan, the other a policy"
            ));
        }
    };
    if as_json {
        return json(&json!({
            "a": label_a,
            "b": label_b,
            "count": differences.len(),
            "differences": differences,
        }));
    }
    let mut out = format!(
        "{} difference(s) between {label_a} (A) and {label_b} (B)\n",
        differences.len()
    );
    for d in &differences {
        let source = |s: &Option<String>| s.clone().unwrap_or_else(|| "(not stated)".into());
        let reading = |r: &Option<String>| {
            r.as_ref()
                .map(|r| format!("     reading: {r}\n"))
                .unwrap_or_default()
        };
        out.push_str(&format!(
            "\n{}\n  A: {}\n     source: {}\n{}  B: {}\n     source: {}\n{}",
            d.path,
            compact(&d.a),
            source(&d.source_a),
            reading(&d.reading_a),
            compact(&d.b),
            source(&d.source_b),
            reading(&d.reading_b)
        ));
    }
    text(&out)
}

fn compact(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "(not stated)".to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
