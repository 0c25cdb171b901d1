//! `epa export ofqual-outcomes` and `ofqual-registrations`: the demo's
//! returns checked cell by cell against the field rules of Ofqual's
//! published file formats (the regular expressions as published, with
//! the stray space in the ID patterns' group left out).

use regex::Regex;

use crate::support::{demo_data, epa};

/// Ofqual's published rules for positions 1 to 8, shared by both returns;
/// `true` where -2 ("not available") is accepted.
const PUBLISHED: [(&str, &str, bool); 8] = [
    (
        "ReportingDate",
        r"^(20)\d\d[-](0[1-9]|1[012])[-](0[1-9]|[12][0-9]|3[01])$",
        false,
    ),
    ("AwardingOrganisation", r"^.{1,100}$", false),
    (
        "AwardingOrganisationID",
        r"^(EPA)([0-9][0-9][0-9][0-9])$",
        false,
    ),
    ("StandardTitle", r"^.{1,100}$", false),
    ("StandardID", r"^(ST)([0-9][0-9][0-9][0-9])$", false),
    ("AssessmentPlanVersionNumber", r"^.{1,10}$", true),
    ("QualificationNumber", r"^.{1,10}$", true),
    ("ULN", r"^.{1,10}$", true),
];

/// `epa export RETURN` for the whole demo with `extra` arguments, from the
/// demo under `--data-dir data`.
fn export(data: &str, which: &str, extra: &[&str]) -> crate::support::Run {
    export_from(&["--data-dir", data], which, extra)
}

/// `epa export RETURN` for the whole demo on the database `at` names
/// (`--data-dir DIR` or `--database-url URL`), with `extra` arguments.
fn export_from(at: &[&str], which: &str, extra: &[&str]) -> crate::support::Run {
    let mut args = vec![
        "export",
        which,
        "--from",
        "2000-01-01",
        "--to",
        "2100-12-31",
    ];
    args.extend_from_slice(at);
    args.extend_from_slice(extra);
    epa(&args, None)
}

/// The CSV's header and rows.
fn read(csv_text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

fn assert_published_rules(header: &[String], rows: &[Vec<String>]) {
    for (at, (name, pattern, not_available)) in PUBLISHED.iter().enumerate() {
        assert_eq!(header[at], *name, "position {}", at + 1);
        let rule = Regex::new(pattern).unwrap();
        for row in rows {
            let value = &row[at];
            assert!(
                rule.is_match(value) || (*not_available && value == "-2"),
                "{name} {value:?} breaks {pattern}"
            );
        }
    }
}

#[test]
fn the_outcomes_return_follows_ofquals_field_rules() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_data(dir.path());
    let run = export(
        &data,
        "ofqual-outcomes",
        &[
            "--awarding-organisation-id",
            "EPA0071",
            "--reporting-date",
            "2026-09-30",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("\r\n"), "CRLF line ends");
    let (header, rows) = read(&run.stdout);
    assert!(!rows.is_empty(), "the demo has released results");
    assert_published_rules(&header, &rows);
    assert_eq!(header[7], "ULN");
    let grades = Regex::new(r"^(Fail|Pass|Distinction)$").unwrap();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    for row in &rows {
        assert_eq!(row[0], "2026-09-30");
        assert_eq!(row[2], "EPA0071");
        assert_eq!(row[3], "Customer service specialist");
        assert_eq!(row[4], "ST0071");
        assert_eq!(row[5], "1.2");
        assert!(epa_domain_uln_is_valid(&row[7]), "{}", row[7]);
        for column in [
            "Component1Grade",
            "Component2Grade",
            "Component3Grade",
            "EPAGrade",
        ] {
            assert!(grades.is_match(&row[at(column)]), "{column}: {row:?}");
        }
    }
    // One row per EPA.
    let mut ulns: Vec<&String> = rows.iter().map(|r| &r[7]).collect();
    ulns.sort();
    ulns.dedup();
    assert_eq!(ulns.len(), rows.len());

    // A window before anything was released has the header alone.
    let empty = epa(
        &[
            "export",
            "ofqual-outcomes",
            "--from",
            "2001-01-01",
            "--to",
            "2001-12-31",
            "--data-dir",
            &data,
        ],
        None,
    );
    assert_eq!(empty.code, 0, "{}", empty.stderr);
    assert_eq!(read(&empty.stdout).1.len(), 0);
}

/// A ULN's check digit, as `epa uln check` has it.
fn epa_domain_uln_is_valid(uln: &str) -> bool {
    epa(&["uln", "check", uln], None).code == 0
}

#[test]
fn the_registrations_return_follows_ofquals_field_rules() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_data(dir.path());
    let run = export(
        &data,
        "ofqual-registrations",
        &["--awarding-organisation-id", "EPA0071"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (header, rows) = read(&run.stdout);
    assert!(!rows.is_empty());
    assert_published_rules(&header, &rows);
    let date = Regex::new(r"^(20)\d\d[-](0[1-9]|1[012])[-](0[1-9]|[12][0-9]|3[01])$").unwrap();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert!(
        rows.iter()
            .all(|r| date.is_match(&r[at("RegistrationDate")]))
    );
    assert!(
        rows.iter()
            .any(|r| date.is_match(&r[at("GatewaySignOffDate")])),
        "some demo EPAs passed gateway"
    );
    assert!(
        rows.iter().any(|r| r[at("GatewaySubmissionDate")] == "-2"),
        "some demo EPAs are not yet at gateway"
    );
}

#[test]
fn without_the_epaos_id_the_return_is_written_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_data(dir.path());
    let run = export(&data, "ofqual-outcomes", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("AwardingOrganisationID is empty"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.starts_with("ReportingDate,"), "{}", run.stdout);
}

#[test]
fn a_bad_window_or_id_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_data(dir.path());
    let backwards = epa(
        &[
            "export",
            "ofqual-outcomes",
            "--from",
            "2026-02-01",
            "--to",
            "2026-01-01",
            "--data-dir",
            &data,
        ],
        None,
    );
    assert_eq!(backwards.code, 2);
    assert!(backwards.stderr.contains("--from"), "{}", backwards.stderr);
    let bad_id = export(
        &data,
        "ofqual-outcomes",
        &["--awarding-organisation-id", "TQUK"],
    );
    assert_eq!(bad_id.code, 2);
    assert!(
        bad_id
            .stderr
            .contains("AwardingOrganisationID: must be EPA and four digits"),
        "{}",
        bad_id.stderr
    );
    assert!(bad_id.stdout.is_empty());
    let not_a_date = epa(
        &[
            "export",
            "ofqual-outcomes",
            "--from",
            "yesterday",
            "--to",
            "2026-01-01",
        ],
        None,
    );
    assert_eq!(not_a_date.code, 2);
}

/// Both returns, sorted by row, from the demo on the database `at` names
/// (`--data-dir DIR` or `--database-url URL`).
fn both_returns(at: &[&str]) -> Vec<Vec<Vec<String>>> {
    ["ofqual-outcomes", "ofqual-registrations"]
        .into_iter()
        .map(|which| {
            let dated = [
                "--awarding-organisation-id",
                "EPA0071",
                "--reporting-date",
                "2026-09-30",
            ];
            let run = export_from(at, which, &dated);
            assert_eq!(run.code, 0, "{which}: {}", run.stderr);
            let (header, mut rows) = read(&run.stdout);
            assert!(!rows.is_empty(), "{which} has rows");
            rows.sort();
            rows.insert(0, header);
            rows
        })
        .collect()
}

#[test]
fn postgresql_gives_the_same_returns_as_sqlite() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(test_db) = runtime.block_on(epa_testkit::TestDb::postgres()) else {
        epa_testkit::skip_without_postgres();
        return;
    };
    let url = test_db.url.clone();
    let loaded = epa(
        &["demo", "load", "--apprentices", "0", "--database-url", &url],
        None,
    );
    assert_eq!(loaded.code, 0, "{}", loaded.stderr);
    let dir = tempfile::tempdir().unwrap();
    let data = demo_data(dir.path());

    let on_postgres = both_returns(&["--database-url", &url]);
    let on_sqlite = both_returns(&["--data-dir", &data]);
    assert_eq!(on_postgres, on_sqlite);
    runtime.block_on(test_db.finish());
}
