//! `epa plan`.

use crate::support::{epa, names_missing_argument, survives_closed_stdout};

fn fixture_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("epa-cli-plan-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let source = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/epa-plan/plans/ST0071/1.2"
    );
    for file in ["plan.toml", "epao-tquk.toml", "epao-innovate.toml"] {
        std::fs::copy(format!("{source}/{file}"), dir.join(file)).unwrap();
    }
    dir
}

#[test]
fn list_shows_one_line_per_plan_and_policy() {
    let run = epa(&["plan", "list"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(lines[0].starts_with("plan") && lines[0].contains("ST0071 1.2"));
    assert!(lines.iter().any(|l| l.contains("--epao tquk")));
    assert!(lines.iter().any(|l| l.contains("--epao innovate")));
}

#[test]
fn show_json_has_the_contract_shape() {
    for epao in ["tquk", "innovate"] {
        let run = epa(&["plan", "show", "ST0071", "--epao", epao, "--json"], None);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let v = run.json();
        assert_eq!(v["reference"], "ST0071");
        assert_eq!(v["version"], "1.2");
        assert_eq!(v["epao"], epao);
        let ksbs = v["ksbs"].as_array().unwrap();
        assert_eq!(ksbs.len(), 47);
        let k1 = &ksbs[0];
        assert_eq!(k1["code"], "K1");
        assert_eq!(k1["kind"], "knowledge");
        assert_eq!(k1["method"], "project");
        assert!(k1["theme"].is_string() && k1["text"].is_string());
        let criteria = v["criteria"].as_array().unwrap();
        let obs = &criteria[0];
        assert_eq!(obs["id"], "OBS-P01");
        assert_eq!(obs["method"], "observation");
        assert_eq!(obs["grade"], "pass");
        assert_eq!(obs["ksbs"], serde_json::json!(["K11"]));
        let has_d04 = criteria.iter().any(|c| c["id"] == "WBP-D04");
        assert_eq!(has_d04, epao == "tquk");
        assert_eq!(criteria.len(), if epao == "tquk" { 61 } else { 60 });
        let grading = &v["overall_grading"];
        assert!(grading["rule"].as_str().unwrap().contains("fail"));
        let table = grading["table"].as_array().unwrap();
        assert_eq!(table.len(), 8);
        let dpp = table
            .iter()
            .find(|r| {
                r["observation"] == "distinction"
                    && r["project"] == "pass"
                    && r["discussion"] == "pass"
            })
            .unwrap();
        assert_eq!(
            dpp["overall"],
            if epao == "tquk" {
                "distinction"
            } else {
                "pass"
            }
        );
        assert!(v["rules"].is_object());
        assert_eq!(v["rules"]["word_limits"]["report"]["min"], 2250);
        assert_eq!(v["rules"]["word_limits"]["report"]["max"], 2750);
    }
}

#[test]
fn show_without_json_is_readable() {
    let run = epa(&["plan", "show", "--epao", "innovate"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Innovate Awarding"));
    assert!(run.stdout.contains("OBS-P01"));
    assert!(
        run.stdout
            .contains("results_release: within 7 working_days")
    );
}

#[test]
fn show_needs_a_known_epao() {
    let run = epa(&["plan", "show", "ST0071", "--json"], None);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("--epao")
            && run.stderr.contains("tquk")
            && run.stderr.contains("innovate")
    );
    let run = epa(&["plan", "show", "ST0071", "--epao", "acme"], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("acme") && run.stderr.contains("tquk"),
        "{}",
        run.stderr
    );
    let run = epa(&["plan", "show", "ST9999", "--epao", "tquk"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("ST9999"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn check_accepts_the_shipped_files() {
    let dir = fixture_dir("ok");
    let files: Vec<String> = ["plan.toml", "epao-tquk.toml", "epao-innovate.toml"]
        .iter()
        .map(|f| dir.join(f).display().to_string())
        .collect();
    let args: Vec<&str> = ["plan", "check"]
        .into_iter()
        .chain(files.iter().map(String::as_str))
        .collect();
    let run = epa(&args, None);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout.lines().filter(|l| l.ends_with(": ok")).count(),
        3,
        "{}",
        run.stdout
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_lists_every_problem_with_file_and_line() {
    let dir = fixture_dir("bad");
    let plan = dir.join("plan.toml");
    let text = std::fs::read_to_string(&plan).unwrap();
    let text = text.replacen("ksbs = [\"K11\"]", "ksbs = [\"K99\"]", 1);
    let text = text.replacen("tolerance_percent = 10", "tolerance_percent = 120", 1);
    std::fs::write(&plan, text).unwrap();
    let policy = dir.join("epao-innovate.toml");
    let text = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(
        &policy,
        text.replacen("\"WBP-D03\", ", "\"WBP-D03\", \"WBP-D77\", ", 1),
    )
    .unwrap();

    let (plan_s, policy_s) = (plan.display().to_string(), policy.display().to_string());
    let run = epa(&["plan", "check", &plan_s, &policy_s], None);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines.len() >= 3, "{}", run.stdout);
    for line in &lines {
        let rest = line.split_once(".toml:").map(|(_, r)| r).unwrap_or("");
        assert!(
            rest.split(':').next().unwrap().parse::<usize>().is_ok(),
            "no line in {line}"
        );
    }
    assert!(run.stdout.contains("K99"));
    assert!(run.stdout.contains("tolerance_percent 120"));
    assert!(run.stdout.contains("WBP-D77"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_refuses_a_damaged_file_at_its_line_and_an_unreadable_one() {
    let dir = fixture_dir("damaged");
    let plan = dir.join("plan.toml");
    let text = std::fs::read_to_string(&plan)
        .unwrap()
        .replacen("level = 3", "level = = 3", 1);
    let line = text
        .lines()
        .position(|l| l.starts_with("level = = 3"))
        .unwrap()
        + 1;
    std::fs::write(&plan, text).unwrap();
    let plan_s = plan.display().to_string();
    let run = epa(&["plan", "check", &plan_s], None);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(&format!("plan.toml:{line}:")),
        "{}",
        run.stdout
    );

    let missing = dir.join("missing.toml").display().to_string();
    let run = epa(&["plan", "check", &missing], None);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.lines().count(), 1);
    assert!(run.stderr.contains("missing.toml"), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diff_lists_every_real_difference_with_both_sources() {
    let run = epa(&["plan", "diff", "tquk", "innovate", "--json"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = run.json();
    let differences = v["differences"].as_array().unwrap();
    let paths: Vec<&str> = differences
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    for expected in [
        "overall_grading.table[distinction/pass/pass].overall",
        "methods[observation].questioning.placement",
        "rules.word_limits.proposal",
        "rules.timings.proposal_rework",
        "rules.timings.report_window",
        "rules.timings.portfolio_due",
        "rules.order[observation_and_discussion].first",
        "rules.timings.results_release",
        "rules.timings.certificate_claim",
        "criteria[WBP-D04]",
        "rules.timings.report_to_interview",
        "rules.grade_cap.scope",
        "rules.gateway[photo_id]",
    ] {
        assert!(paths.contains(&expected), "missing {expected}: {paths:#?}");
    }
    for d in differences {
        assert!(
            d["source_a"].is_string() && d["source_b"].is_string(),
            "{d}"
        );
    }

    // The same with full IDs, and with files; readable form too.
    let run = epa(
        &["plan", "diff", "ST0071/1.2/tquk", "ST0071/1.2/innovate"],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("rules.timings.report_window"));
    assert!(run.stdout.contains("source: TQUK"));
    assert!(run.stdout.contains("source: Innovate"));
    let dir = fixture_dir("diff");
    let (a, b) = (
        dir.join("epao-tquk.toml").display().to_string(),
        dir.join("epao-innovate.toml").display().to_string(),
    );
    let run = epa(&["plan", "diff", &a, &b, "--json"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["count"], v["count"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diff_shows_the_new_readings_with_their_sources() {
    let run = epa(&["plan", "diff", "tquk", "innovate", "--json"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = run.json();
    let differences = v["differences"].as_array().unwrap();
    let get = |path: &str| {
        differences
            .iter()
            .find(|d| d["path"] == path)
            .unwrap_or_else(|| panic!("{path} missing"))
    };
    // Where the observation's questions go, and TQUK's 10 minutes.
    let placement = get("methods[observation].questioning.placement");
    assert_eq!(
        (placement["a"].as_str(), placement["b"].as_str()),
        (Some("after"), Some("during"))
    );
    assert!(
        placement["source_a"]
            .as_str()
            .unwrap()
            .contains("following the 60-minute")
    );
    assert!(
        placement["reading_a"]
            .as_str()
            .unwrap()
            .contains("09:00-10:10")
    );
    assert!(
        placement["source_b"]
            .as_str()
            .unwrap()
            .contains("carried out during the observation")
    );
    // Innovate's "two weeks prior" read as a minimum.
    let spacing = get("rules.timings.report_to_interview");
    assert_eq!(spacing["b"]["relation"], "before");
    assert_eq!(spacing["b"]["from"], "interview");
    assert!(spacing["reading_b"].as_str().unwrap().contains("minimum"));
    assert!(
        spacing["source_b"]
            .as_str()
            .unwrap()
            .contains("two weeks prior to the interview date")
    );
    // The cap: overall (TQUK) or the re-sat method (Innovate); retakes.
    let scope = get("rules.grade_cap.scope");
    assert_eq!(
        (scope["a"].as_str(), scope["b"].as_str()),
        (Some("overall"), Some("method"))
    );
    assert!(
        scope["source_a"]
            .as_str()
            .unwrap()
            .contains("overall EPA grade will be capped")
    );
    assert!(
        scope["source_b"]
            .as_str()
            .unwrap()
            .contains("maximum grade awarded to a re-sit")
    );
    let retake = get("rules.grade_cap.applies_to_retake");
    assert_eq!(
        (retake["a"].as_bool(), retake["b"].as_bool()),
        (Some(true), Some(false))
    );
    // Who decides exceptional circumstances.
    let who = get("rules.grade_cap.exceptional_circumstances.identified_by");
    assert_eq!(
        (who["a"].as_str(), who["b"].as_str()),
        (Some("epao_staff"), Some("assessor"))
    );
    assert!(
        who["source_a"]
            .as_str()
            .unwrap()
            .contains("Training Qualifications UK determines")
    );
    assert!(
        who["source_b"]
            .as_str()
            .unwrap()
            .contains("Innovate Awarding Assessor identifies")
    );
    let confirm = get("rules.grade_cap.exceptional_circumstances.confirmed_by");
    assert_eq!(confirm["b"], "epao_staff_not_grader");
    assert!(confirm["reading_b"].as_str().unwrap().contains("ADR 0104"));
    // Gateway components each side asks for, with the side's source.
    let photo = get("rules.gateway[photo_id]");
    assert_eq!(photo["a"]["component"], "photo_id");
    assert!(photo["b"].is_null());
    assert!(photo["source_a"].as_str().unwrap().contains("photo ID"));
    let declaration = get("rules.gateway[signed_declaration]");
    assert_eq!(declaration["b"]["component"], "provider_declaration");
    assert!(
        declaration["source_b"]
            .as_str()
            .unwrap()
            .contains("A signed declaration")
    );
    let training = get("rules.gateway[minimum_training]");
    assert_eq!(training["b"]["min_training_months"], 12);
    assert!(
        training["source_b"]
            .as_str()
            .unwrap()
            .contains("minimum of 12 months")
    );

    // The readable form prints the readings under their sources.
    let run = epa(&["plan", "diff", "tquk", "innovate"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("rules.grade_cap.scope"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("     reading: "), "{}", run.stdout);
}

#[test]
fn diff_refuses_unknown_sides() {
    let run = epa(&["plan", "diff", "tquk", "acme"], None);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.lines().count(), 1);
    assert!(run.stderr.contains("acme"), "{}", run.stderr);
    let run = epa(&["plan", "diff", "tquk", "ST0071/1.2"], None);
    assert_eq!(run.code, 2);
}

#[test]
fn missing_arguments_are_named() {
    names_missing_argument(&["plan", "check"], "<FILES>");
    names_missing_argument(&["plan", "diff", "tquk"], "<B>");
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    survives_closed_stdout(&["plan", "list"]);
    survives_closed_stdout(&["plan", "show", "ST0071", "--epao", "tquk"]);
}

#[test]
fn check_reports_an_unknown_key_and_the_problems_after_it() {
    let dir = fixture_dir("unknown-key");
    let plan = dir.join("plan.toml");
    let text = std::fs::read_to_string(&plan).unwrap();
    // Top-level keys come before the first table.
    let text = format!(
        "colour = 1\n{}",
        text.replacen("id = \"OBS-P02\"", "id = \"OBS-P01\"", 1)
    );
    let duplicate = text
        .lines()
        .skip_while(|l| *l != "id = \"OBS-P01\"")
        .skip(1)
        .position(|l| l == "id = \"OBS-P01\"")
        .is_some();
    assert!(duplicate, "fixture has the duplicate");
    std::fs::write(&plan, &text).unwrap();
    // A second, damaged file is reported too, and does not stop the first.
    let damaged = dir.join("epao-tquk.toml");
    let damaged_text = std::fs::read_to_string(&damaged)
        .unwrap()
        .replacen("[policy]", "[policy", 1);
    std::fs::write(&damaged, damaged_text).unwrap();

    let (plan_s, damaged_s) = (plan.display().to_string(), damaged.display().to_string());
    let run = epa(&["plan", "check", &damaged_s, &plan_s], None);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("{plan_s}:1:")) && l.contains("colour")),
        "{}",
        run.stdout
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&plan_s) && l.contains("duplicate criterion \"OBS-P01\"")),
        "{}",
        run.stdout
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("{damaged_s}:"))),
        "{}",
        run.stdout
    );
    let _ = std::fs::remove_dir_all(&dir);
}
