//! `epa dates`.
use crate::support::{epa, names_missing_argument, survives_closed_stdout};

fn one_line_naming(run: &crate::support::Run, value: &str) {
    assert_eq!(run.code, 2, "stdout {} stderr {}", run.stdout, run.stderr);
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(value),
        "{value} not named in {}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"));
}

#[test]
fn add_working_days() {
    let cases = [
        // Friday + 1 = Monday; the start date never counts.
        ("2025-07-04", "1", "2025-07-07"),
        ("2025-07-04", "7", "2025-07-15"),
        // VE Day 2020 (Friday 8 May).
        ("2020-05-07", "1", "2020-05-11"),
        // Christmas 2022: Boxing Day 26, substitute 27; New Year 2023 on Monday 2.
        ("2022-12-23", "1", "2022-12-28"),
        ("2022-12-30", "1", "2023-01-03"),
        // Easter 2025 (Good Friday 18, Easter Monday 21 April).
        ("2025-04-17", "1", "2025-04-22"),
    ];
    for (date, n, want) in cases {
        let run = epa(&["dates", "add-working-days", date, n], None);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.stdout.trim(), want, "{date} + {n}");
    }
    let run = epa(
        &[
            "dates",
            "add-working-days",
            "2025-07-04",
            "1",
            "--region",
            "england-and-wales",
        ],
        None,
    );
    assert_eq!(run.stdout.trim(), "2025-07-07");
}

#[test]
fn add_working_days_bad_input() {
    one_line_naming(
        &epa(&["dates", "add-working-days", "2025-02-30", "1"], None),
        "2025-02-30",
    );
    one_line_naming(
        &epa(&["dates", "add-working-days", "04/07/2025", "1"], None),
        "04/07/2025",
    );
    one_line_naming(
        &epa(&["dates", "add-working-days", "2025-07-04", "0"], None),
        "0",
    );
    one_line_naming(
        &epa(&["dates", "add-working-days", "2025-07-04", "-3"], None),
        "-3",
    );
    one_line_naming(
        &epa(&["dates", "add-working-days", "2025-07-04", "x"], None),
        "x",
    );
    one_line_naming(
        &epa(
            &[
                "dates",
                "add-working-days",
                "2025-07-04",
                "1",
                "--region",
                "wales",
            ],
            None,
        ),
        "wales",
    );
    // Scotland exists but has no data until it is imported.
    one_line_naming(
        &epa(
            &[
                "dates",
                "add-working-days",
                "2025-07-04",
                "1",
                "--region",
                "scotland",
            ],
            None,
        ),
        "scotland",
    );
}

#[test]
fn scotland_with_imported_data() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bank-holidays.json");
    std::fs::write(
        &file,
        r#"{"scotland": {"division": "scotland", "events": [
            {"title": "2nd January", "date": "2025-01-02", "notes": "", "bunting": true},
            {"title": "New Year’s Day", "date": "2025-01-01", "notes": "", "bunting": true}]}}"#,
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let run = epa(
        &[
            "dates",
            "add-working-days",
            "2024-12-31",
            "1",
            "--region",
            "scotland",
            "--holidays-file",
            path,
        ],
        None,
    );
    assert_eq!(run.code, 2, "2024 is not in the file: {}", run.stdout);
    let run = epa(
        &[
            "dates",
            "add-working-days",
            "2025-01-01",
            "1",
            "--region",
            "scotland",
            "--holidays-file",
            path,
        ],
        None,
    );
    assert_eq!(run.stdout.trim(), "2025-01-03", "{}", run.stderr);
    let run = epa(
        &[
            "dates",
            "holidays",
            "2025",
            "--region",
            "scotland",
            "--holidays-file",
            path,
        ],
        None,
    );
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("2025-01-01"));
}

#[test]
fn holidays_of_a_year() {
    let run = epa(&["dates", "holidays", "2022"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let dates: Vec<&str> = run.stdout.lines().map(|l| &l[..10]).collect();
    assert_eq!(
        dates,
        [
            "2022-01-03",
            "2022-04-15",
            "2022-04-18",
            "2022-05-02",
            "2022-06-02",
            "2022-06-03",
            "2022-08-29",
            "2022-09-19",
            "2022-12-26",
            "2022-12-27"
        ]
    );
    let run = epa(&["dates", "holidays", "2023"], None);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("2023-05-08") && l.contains("coronation"))
    );
    let run = epa(&["dates", "holidays", "2027"], None);
    assert!(run.stdout.contains("2027-12-27") && run.stdout.contains("2027-12-28"));
}

#[test]
fn holidays_bad_input() {
    one_line_naming(&epa(&["dates", "holidays", "twenty"], None), "twenty");
    one_line_naming(&epa(&["dates", "holidays", "1950"], None), "1950");
}

#[test]
fn plan_deadlines_tquk() {
    let run = epa(
        &[
            "dates",
            "plan",
            "--epao",
            "tquk",
            "--gateway",
            "2025-01-31",
            "--planning-meeting",
            "2025-02-10",
            "--today",
            "2025-04-07",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    let deadlines = doc["deadlines"].as_array().unwrap();
    let get = |id: &str| {
        deadlines
            .iter()
            .find(|d| d["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing: {doc}"))
    };
    assert_eq!(get("epa_period_end")["date"], "2025-04-30");
    assert_eq!(get("earliest_observation")["date"], "2025-02-14");
    assert_eq!(get("report_due")["date"], "2025-04-10");
    assert_eq!(get("report_due")["state"], "due_soon");
    for d in deadlines {
        assert!(d["rule"].as_str().is_some_and(|r| !r.is_empty()));
        assert!(d["source"]["document"].as_str().is_some());
    }
}

#[test]
fn plan_deadlines_innovate_without_planning_meeting() {
    let run = epa(
        &[
            "dates",
            "plan",
            "--epao",
            "innovate",
            "--gateway",
            "2025-01-31",
            "--today",
            "2025-01-31",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert!(
        doc["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == "epa_period_end")
    );
}

#[test]
fn plan_bad_input() {
    one_line_naming(
        &epa(
            &["dates", "plan", "--epao", "tquk", "--gateway", "2025-13-01"],
            None,
        ),
        "2025-13-01",
    );
    one_line_naming(
        &epa(
            &[
                "dates",
                "plan",
                "--epao",
                "nobody",
                "--gateway",
                "2025-01-31",
            ],
            None,
        ),
        "nobody",
    );
    let run = epa(&["dates", "plan", "--epao", "tquk"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--gateway"), "{}", run.stderr);
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    survives_closed_stdout(&["dates", "holidays", "2024"]);
    survives_closed_stdout(&["dates", "add-working-days", "2024-01-01", "5"]);
    survives_closed_stdout(&["dates", "plan", "--epao", "tquk", "--gateway", "2024-01-15"]);
}

#[test]
fn missing_arguments_are_named() {
    names_missing_argument(&["dates", "add-working-days", "2024-01-01"], "<N>");
    names_missing_argument(&["dates", "add-working-days"], "<DATE>");
    names_missing_argument(&["dates", "holidays"], "<YEAR>");
}

#[test]
fn holidays_help_says_an_import_replaces_whole_years() {
    for args in [
        &["dates", "--help"][..],
        &["dates", "holidays", "--help"][..],
    ] {
        let run = epa(args, None);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout.contains("replaces whole years"),
            "{args:?}: {}",
            run.stdout
        );
    }
}

fn plan(extra: &[&str]) -> crate::support::Run {
    let mut args = vec!["dates", "plan", "--epao", "tquk"];
    args.extend_from_slice(extra);
    epa(&args, None)
}

#[test]
fn plan_refuses_dates_in_an_impossible_order() {
    let run = plan(&[
        "--gateway",
        "2024-01-15",
        "--planning-meeting",
        "2023-01-01",
    ]);
    one_line_naming(&run, "2023-01-01");
    assert!(
        run.stderr.contains("planning meeting") && run.stderr.contains("2024-01-15"),
        "{}",
        run.stderr
    );
    let run = plan(&["--gateway", "2024-01-15", "--observation", "2024-01-10"]);
    one_line_naming(
        &run,
        "observation 2024-01-10 is before the gateway 2024-01-15",
    );
    assert!(run.stdout.is_empty());
}

#[test]
fn plan_warns_of_a_booking_that_breaks_a_must_rule() {
    // Two weeks' notice from the gateway at the soonest: not before 29 January.
    let run = plan(&[
        "--gateway",
        "2024-01-15",
        "--observation",
        "2024-01-22",
        "--today",
        "2024-01-16",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    let warnings = doc["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{doc}");
    assert_eq!(warnings[0]["deadline"], "earliest_observation");
    assert_eq!(warnings[0]["timing"], "observation_notice");
    assert_eq!(warnings[0]["strength"], "must");
    assert!(
        warnings[0]["rule"]
            .as_str()
            .is_some_and(|r| r.contains("notice")),
        "{doc}"
    );
    // A booking within the rules: the array is there, empty.
    let run = plan(&[
        "--gateway",
        "2024-01-15",
        "--observation",
        "2024-01-29",
        "--today",
        "2024-01-16",
    ]);
    assert_eq!(run.json()["warnings"], serde_json::json!([]));
}

#[test]
fn plan_with_only_the_gateway_does_not_claim_deadlines_were_missed() {
    let run = plan(&["--gateway", "2024-01-15", "--today", "2025-01-15"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    let states: Vec<(&str, &str)> = doc["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["id"].as_str().unwrap(), d["state"].as_str().unwrap()))
        .collect();
    assert!(states.iter().all(|(_, s)| *s != "overdue"), "{states:?}");
    assert!(
        states.contains(&("epa_period_end", "overdue_unless_done")),
        "{states:?}"
    );
}

#[test]
fn plan_with_the_whole_record_says_met_or_missed() {
    let run = epa(
        &[
            "dates",
            "plan",
            "--epao",
            "innovate",
            "--gateway-submitted",
            "2025-01-10",
            "--gateway",
            "2025-01-31",
            "--observation-booked-on",
            "2025-02-10",
            "--observation",
            "2025-03-03",
            "--observation-released",
            "2025-03-12",
            "--complete-record",
            "--today",
            "2025-06-01",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    let state = |id: &str| {
        doc["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap_or_else(|| panic!("{id} in {doc}"))["state"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(state("results_due_observation"), "met");
    assert_eq!(state("observation_notice_due"), "met");
    assert_eq!(state("gateway_processing_end"), "missed");
    assert_eq!(state("report_due"), "missed");
    assert!(
        doc["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["state"] != "overdue_unless_done"),
        "{doc}"
    );
    // Finished: nothing open is left.
    let run = epa(
        &[
            "dates",
            "plan",
            "--epao",
            "innovate",
            "--gateway",
            "2025-01-31",
            "--finished",
            "--today",
            "2025-02-03",
        ],
        None,
    );
    let doc = run.json();
    assert!(
        doc["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| ["met", "missed"].contains(&d["state"].as_str().unwrap())),
        "{doc}"
    );
    assert_eq!(doc["waiting"], serde_json::json!([]));
}
