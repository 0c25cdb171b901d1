//! `epa grade --plan ST0071 --epao tquk --input FILE`: criterion judgements
//! in, method grades, overall grade and the reasons out (JSON).
use std::collections::BTreeMap;
use std::io::Read;
use std::process::ExitCode;

use epa_domain::MethodId;
use epa_domain::grading::{CapContext, EpaJudgements, GradingScheme, method_index};
use serde::Deserialize;
use serde_json::json;

use super::exit::{json, unusable};

#[derive(Debug, clap::Args)]
pub struct GradeArgs {
    #[command(flatten)]
    pub selection: super::selection::PlanSelection,
    /// The judgements as JSON; `-` reads standard input.
    #[arg(long)]
    pub input: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    components: BTreeMap<String, Component>,
    #[serde(default)]
    resit_or_retake: bool,
    #[serde(default)]
    exceptional_circumstances: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Component {
    met: Vec<String>,
    /// This method was sat again (a resit, rework or retake): under a cap
    /// on the re-sat method's grade (Innovate) only such methods are
    /// capped. When no method says so, `resit_or_retake` counts for all.
    #[serde(default)]
    resat: bool,
}

fn read_input(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
    }
}

pub fn run(args: GradeArgs) -> ExitCode {
    match grade(&args) {
        Ok(out) => json(&out),
        Err(reason) => unusable(reason),
    }
}

fn grade(args: &GradeArgs) -> Result<serde_json::Value, String> {
    let plan = args.selection.load()?;
    let scheme = GradingScheme::from_plan(&plan).map_err(|e| {
        format!(
            "plan {} {} cannot be graded: {e}",
            plan.reference, plan.epao
        )
    })?;
    let text = read_input(&args.input)?;
    let name = if args.input == "-" {
        "standard input"
    } else {
        &args.input
    };
    let input: Input = serde_json::from_str(&text)
        .map_err(|e| format!("{name} is not usable grading input: {e}"))?;

    let mut judgements = EpaJudgements {
        methods: [None; 3],
        cap: CapContext {
            resit: input.resit_or_retake,
            retake: input.resit_or_retake,
            exceptional_circumstances: input.exceptional_circumstances,
            ..CapContext::default()
        },
    };
    for (key, component) in &input.components {
        let method = MethodId::parse(key).ok_or_else(|| {
            format!(
                "unknown method {key:?} in components; expected observation, project or discussion"
            )
        })?;
        let met = scheme
            .met(method, component.met.iter().map(String::as_str))
            .map_err(|e| e.to_string())?;
        judgements.methods[method_index(method)] = Some(met);
        if component.resat && input.resit_or_retake {
            judgements.cap.resit_methods[method_index(method)] = true;
            judgements.cap.retake_methods[method_index(method)] = true;
        }
    }

    let explained = scheme.explain(&judgements);
    let result = explained.result;
    let components: BTreeMap<&str, &str> = MethodId::ALL
        .into_iter()
        .map(|m| (m.as_str(), result.method(m).as_str()))
        .collect();
    let unmet: BTreeMap<&str, &Vec<String>> = explained
        .unmet
        .iter()
        .map(|(m, ids)| (m.as_str(), ids))
        .collect();
    Ok(json!({
        "plan": {"reference": plan.reference, "version": plan.version, "epao": plan.epao},
        "components": components,
        "overall": result.overall.as_str(),
        "uncapped": result.uncapped.as_str(),
        "cap_applied": result.cap_applied,
        "uncapped_components": MethodId::ALL
            .into_iter()
            .map(|m| (m.as_str(), result.methods_uncapped[method_index(m)].as_str()))
            .collect::<BTreeMap<_, _>>(),
        "decided_by": explained.row,
        "unmet": unmet,
        "explanation": explained.lines,
    }))
}
