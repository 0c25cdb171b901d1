//! `epa grade`.
use serde_json::{Value, json};

use crate::support::{Run, epa, names_missing_argument, survives_closed_stdout};

/// Every criterion ID of a method in a plan, by level, read from the plan
/// itself so the tests follow the data.
fn criteria(epao: &str, method: &str, level: Option<&str>) -> Vec<String> {
    let plan = epa_plan::Catalog::embedded()
        .effective("ST0071", None, epao)
        .unwrap();
    plan.criteria
        .iter()
        .filter(|c| c.method.as_str() == method && level.is_none_or(|l| c.grade.as_str() == l))
        .map(|c| c.id.clone())
        .collect()
}

fn met_for(epao: &str, method: &str, grade: &str) -> Vec<String> {
    match grade {
        "distinction" => criteria(epao, method, None),
        "pass" => criteria(epao, method, Some("pass")),
        _ => criteria(epao, method, Some("pass"))
            .into_iter()
            .skip(1)
            .collect(),
    }
}

fn grade(epao: &str, input: &Value) -> Run {
    epa(
        &["grade", "--plan", "ST0071", "--epao", epao, "--input", "-"],
        Some(&input.to_string()),
    )
}

fn input(epao: &str, grades: [&str; 3], resit: bool, exceptional: bool) -> Value {
    let mut components = serde_json::Map::new();
    for (method, g) in ["observation", "project", "discussion"]
        .into_iter()
        .zip(grades)
    {
        if g != "-" {
            components.insert(method.into(), json!({"met": met_for(epao, method, g)}));
        }
    }
    json!({"components": components, "resit_or_retake": resit, "exceptional_circumstances": exceptional})
}

#[test]
fn both_epaos_overall_tables() {
    let cases = [
        (["pass", "pass", "pass"], "pass", "pass"),
        (["distinction", "pass", "pass"], "distinction", "pass"),
        (["pass", "distinction", "distinction"], "pass", "pass"),
        (
            ["distinction", "distinction", "distinction"],
            "distinction",
            "distinction",
        ),
        (["fail", "distinction", "distinction"], "fail", "fail"),
        (["pass", "-", "pass"], "pending", "pending"),
    ];
    for (grades, tquk, innovate) in cases {
        for (epao, want) in [("tquk", tquk), ("innovate", innovate)] {
            let run = grade(epao, &input(epao, grades, false, false));
            assert_eq!(run.code, 0, "{}", run.stderr);
            let doc = run.json();
            assert_eq!(doc["overall"], want, "{epao} {grades:?}: {doc}");
            for (method, g) in ["observation", "project", "discussion"]
                .into_iter()
                .zip(grades)
            {
                let g = if g == "-" { "pending" } else { g };
                assert_eq!(doc["components"][method], g);
            }
        }
    }
}

#[test]
fn cap_and_exceptional_circumstances() {
    let all_d = ["distinction"; 3];
    let capped = grade("tquk", &input("tquk", all_d, true, false)).json();
    assert_eq!(capped["overall"], "pass");
    assert!(
        capped["explanation"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().starts_with("cap:"))
    );
    let lifted = grade("tquk", &input("tquk", all_d, true, true)).json();
    assert_eq!(lifted["overall"], "distinction");
}

#[test]
fn innovate_caps_the_resat_method_and_the_overall_grade_follows() {
    let all_d = ["distinction"; 3];
    // Only the observation was sat again: its grade is capped at pass, the
    // others keep distinction, and Innovate's table gives pass overall.
    let mut doc = input("innovate", all_d, true, false);
    doc["components"]["observation"]["resat"] = json!(true);
    let out = grade("innovate", &doc).json();
    assert_eq!(out["components"]["observation"], "pass");
    assert_eq!(out["components"]["project"], "distinction");
    assert_eq!(out["uncapped_components"]["observation"], "distinction");
    assert_eq!(out["uncapped"], "distinction");
    assert_eq!(out["overall"], "pass");
    assert_eq!(out["cap_applied"], true);
    let cap_line = out["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|l| l.as_str().filter(|l| l.starts_with("cap:")))
        .unwrap()
        .to_owned();
    assert!(
        cap_line.contains("observation's distinction capped at pass"),
        "{cap_line}"
    );
    // TQUK caps the overall grade and leaves the method grades alone.
    let mut doc = input("tquk", all_d, true, false);
    doc["components"]["observation"]["resat"] = json!(true);
    let out = grade("tquk", &doc).json();
    assert_eq!(out["components"]["observation"], "distinction");
    assert_eq!(out["overall"], "pass");
    // Exceptional circumstances lift Innovate's cap too.
    let mut doc = input("innovate", all_d, true, true);
    doc["components"]["observation"]["resat"] = json!(true);
    let out = grade("innovate", &doc).json();
    assert_eq!(out["components"]["observation"], "distinction");
    assert_eq!(out["overall"], "distinction");
}

#[test]
fn the_contract_example_shape() {
    let mut project = criteria("tquk", "project", None);
    project.retain(|id| id != "WBP-P02");
    let doc = json!({"components": {
        "observation": {"met": met_for("tquk", "observation", "pass")},
        "project": {"met": project}},
        "resit_or_retake": false, "exceptional_circumstances": false});
    let run = grade("tquk", &doc);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run.json();
    assert_eq!(
        out["components"],
        json!({"observation": "pass", "project": "fail", "discussion": "pending"})
    );
    assert_eq!(out["overall"], "pending");
    assert_eq!(out["unmet"]["project"], json!(["WBP-P02"]));
    assert_eq!(out["unmet"]["discussion"], json!([]));
    assert_eq!(
        out["unmet"]["observation"],
        json!(criteria("tquk", "observation", Some("distinction")))
    );
    let lines: Vec<&str> = out["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(
        lines.contains(&"project: fail, pass criterion WBP-P02 not met"),
        "{lines:?}"
    );
}

#[test]
fn input_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.json");
    std::fs::write(
        &path,
        input("innovate", ["pass"; 3], false, false).to_string(),
    )
    .unwrap();
    let run = epa(
        &[
            "grade",
            "--epao",
            "innovate",
            "--input",
            path.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["overall"], "pass");
}

fn unusable(run: &Run, value: &str) {
    assert_eq!(run.code, 2, "stdout {}", run.stdout);
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains(value), "{value} not in {}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn bad_input_names_the_value() {
    let tquk = |doc: &str| epa(&["grade", "--epao", "tquk", "--input", "-"], Some(doc));
    // A criterion of another method, and one that does not exist.
    unusable(
        &tquk(r#"{"components": {"observation": {"met": ["WBP-P01"]}}}"#),
        "WBP-P01",
    );
    unusable(
        &tquk(r#"{"components": {"project": {"met": ["WBP-P99"]}}}"#),
        "WBP-P99",
    );
    unusable(
        &tquk(r#"{"components": {"portfolio": {"met": []}}}"#),
        "portfolio",
    );
    unusable(&tquk(r#"{"components": {}, "resit": true}"#), "resit");
    unusable(
        &tquk(r#"{"components": {"project": {"met": [], "notes": 1}}}"#),
        "notes",
    );
    unusable(&tquk(r#"{"components": "#), "standard input");
    unusable(
        &tquk(r#"{"components": {"project": {"met": "WBP-P01"}}}"#),
        "WBP-P01",
    );
    unusable(
        &epa(&["grade", "--epao", "nobody", "--input", "-"], Some("{}")),
        "nobody",
    );
    unusable(
        &epa(
            &["grade", "--epao", "tquk", "--input", "/no/such/file.json"],
            None,
        ),
        "/no/such/file.json",
    );
    unusable(
        &epa(
            &[
                "grade", "--plan", "ST9999", "--epao", "tquk", "--input", "-",
            ],
            Some("{}"),
        ),
        "ST9999",
    );
}

#[test]
fn a_criterion_the_policy_does_not_use_is_refused() {
    // WBP-D04 is TQUK's only (Innovate omits it).
    let run = epa(
        &["grade", "--epao", "innovate", "--input", "-"],
        Some(r#"{"components": {"project": {"met": ["WBP-D04"]}}}"#),
    );
    if !criteria("innovate", "project", None).contains(&"WBP-D04".to_owned()) {
        unusable(&run, "WBP-D04");
    }
}

#[test]
fn a_criterion_listed_twice_is_refused_naming_it() {
    // Listed twice, OBS-P01 most likely stands for a criterion left out.
    let mut met = met_for("tquk", "observation", "pass");
    met.push(met[0].clone());
    let run = grade(
        "tquk",
        &json!({"components": {"observation": {"met": met}}}),
    );
    unusable(&run, &met[0]);
    assert!(run.stderr.contains("more than once"), "{}", run.stderr);
}

#[test]
fn a_missing_input_is_named() {
    names_missing_argument(&["grade", "--epao", "tquk"], "--input");
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("judgements.json");
    std::fs::write(
        &file,
        input("tquk", ["pass", "pass", "pass"], false, false).to_string(),
    )
    .unwrap();
    let path = file.to_str().unwrap();
    survives_closed_stdout(&["grade", "--epao", "tquk", "--input", path]);
}
