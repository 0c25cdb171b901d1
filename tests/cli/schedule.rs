//! `epa schedule`.
use serde_json::{Value, json};

use crate::support::{epa, names_missing_argument, survives_closed_stdout};

const SMALL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/bench/scheduling/instances/small.json"
);

fn example() -> Value {
    json!({"epao": "tquk", "today": "2027-01-04",
     "assessors": [{"id": "AS01", "region": "north-west", "max_per_day": 2, "max_per_week": 6,
                    "unavailable": ["2027-01-11"], "conflicts": ["EMP03", "TP02"]}],
     "apprentices": [{"id": "AP001", "employer": "EMP01", "provider": "TP01", "region": "london",
                      "gateway_approved": "2026-12-14", "report_due": "2027-02-12", "unavailable": []}],
     "travel_minutes": {"north-west": {"north-west": 30, "london": 150},
                        "london": {"north-west": 150, "london": 20}}})
}

#[test]
fn the_issue_example_from_standard_input() {
    let run = epa(&["schedule", "--input", "-"], Some(&example().to_string()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run.json();
    let bookings = out["bookings"].as_array().unwrap();
    assert_eq!(bookings.len(), 3);
    for b in bookings {
        assert_eq!(b["apprentice"], "AP001");
        assert_eq!(b["assessor"], "AS01");
        assert!(b["date"].as_str().unwrap().len() == 10);
    }
    let methods: Vec<&str> = bookings
        .iter()
        .map(|b| b["method"].as_str().unwrap())
        .collect();
    assert_eq!(methods, ["observation", "interview", "discussion"]);
    assert_eq!(out["unscheduled"], json!([]));
    // Report due Friday 12 February: interview Friday 26 February, the
    // discussion on Monday 1 March, 77 days after gateway; 2.5 hours' travel.
    let objective = &out["objective"];
    assert_eq!(objective["unscheduled"], 0);
    assert_eq!(objective["lead_time_days"], 77);
    assert_eq!(objective["travel_hours"], 2.5);
    assert_eq!(objective["order_violations"], 0);
    assert_eq!(objective["total"], 79.5);
}

#[test]
fn a_file_and_the_same_answer_twice() {
    let first = epa(&["schedule", "--input", SMALL], None);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let second = epa(
        &["schedule", "--input", SMALL, "--time-limit-ms", "60000"],
        None,
    );
    assert_eq!(first.stdout, second.stdout);
    let out = first.json();
    assert_eq!(out["bookings"].as_array().unwrap().len(), 60);
    assert!(out["objective"]["total"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_malformed_instance_names_the_field() {
    let mut bad = example();
    bad["apprentices"][0]["gateway_approved"] = "2026-14-01".into();
    let run = epa(&["schedule", "--input", "-"], Some(&bad.to_string()));
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("apprentices[0].gateway_approved: not a date"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());

    let mut bad = example();
    bad["assessors"][0]["max_per_week"] = "six".into();
    let run = epa(&["schedule", "--input", "-"], Some(&bad.to_string()));
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("assessors[0].max_per_week"),
        "{}",
        run.stderr
    );

    let run = epa(&["schedule", "--input", "-"], Some("{\"epao\": "));
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);

    let run = epa(&["schedule", "--input", "/nonexistent/instance.json"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("/nonexistent/instance.json"));

    let run = epa(
        &["schedule", "--input", SMALL, "--time-limit-ms", "0"],
        None,
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--time-limit-ms"), "{}", run.stderr);
}

#[test]
fn usage() {
    names_missing_argument(&["schedule"], "--input");
    survives_closed_stdout(&["schedule", "--input", SMALL]);
}

#[test]
fn an_imported_bank_holiday_is_not_a_working_day() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bank-holidays.json");
    // A bank holiday on Friday 26 February 2027, the day the interview
    // would otherwise take (the file's list is 2027's whole list).
    std::fs::write(
        &file,
        r#"{"england-and-wales": {"division": "england-and-wales", "events": [
            {"title": "A day of celebration", "date": "2027-02-26", "notes": "", "bunting": true}]}}"#,
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let run = epa(
        &["schedule", "--input", "-", "--holidays-file", path],
        Some(&example().to_string()),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run.json();
    let interview = out["bookings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["method"] == "interview")
        .unwrap();
    assert_eq!(interview["date"], "2027-03-01", "{out}");
    assert_eq!(out["objective"]["lead_time_days"], 78);
    // A file that cannot be read is refused, naming it.
    let missing = dir.path().join("missing.json");
    let run = epa(
        &[
            "schedule",
            "--input",
            "-",
            "--holidays-file",
            missing.to_str().unwrap(),
        ],
        Some(&example().to_string()),
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("missing.json"), "{}", run.stderr);
}
