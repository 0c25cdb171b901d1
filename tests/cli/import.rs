//! `epa import apprentices`: all or nothing, every bad row and column named
//! on standard error with exit 2; a file of 10,000 good rows registered in
//! one go with the audit chain intact.

use std::fmt::Write as _;

use crate::support::{demo_data, epa};

/// The `n`-th valid ULN of this file's series: `3` and eight digits, then
/// the check digit (stems with no valid check digit step on).
fn uln(n: u32) -> String {
    (0..)
        .map(|step| format!("3{:08}", n * 3 + step))
        .find_map(|stem| {
            let digits: [u8; 9] = std::array::from_fn(|i| stem.as_bytes()[i] - b'0');
            epa_domain::Uln::expected_check_digit(digits).map(|check| format!("{stem}{check}"))
        })
        .unwrap()
}

const HEADER: &str =
    "uln,given_names,family_name,date_of_birth,employer_id,provider_id,standard,policy,start_date";

/// A good row: the demo's employer by name, its provider by UKPRN.
fn row(n: u32) -> String {
    let policy = if n.is_multiple_of(2) {
        "tquk"
    } else {
        "innovate"
    };
    format!(
        "{},Test,Apprentice {n},2003-04-17,Acme Retail,10012345,ST0071,{policy},2025-06-02",
        uln(n)
    )
}

#[test]
fn a_file_with_problems_names_each_row_and_column_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_data(dir.path());
    let file = dir.path().join("apprentices.csv");
    let text = [
        HEADER.to_owned(),
        row(1),
        format!(
            "{},Amira,,2003-04-17,Acme Retail,10012345,ST0071,tquk,2025-06-02",
            uln(2)
        ),
        row(1),
        format!(
            "{},Amira,Khan,2003-02-30,Nowhere Ltd,10012345,ST0071,tquk,2099-01-01",
            uln(3)
        ),
    ]
    .join("\n");
    std::fs::write(&file, text).unwrap();
    let path = file.to_str().unwrap();
    let run = epa(&["import", "apprentices", path, "--data-dir", &data], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        lines[..5],
        [
            format!("{path}:3: family_name: enter a name"),
            format!("{path}:4: uln: this ULN is also on row 2: an apprentice is registered once"),
            format!("{path}:5: date_of_birth: enter a real date as YYYY-MM-DD (or DD/MM/YYYY)"),
            format!(
                "{path}:5: employer_id: no employer has this exact name or UKPRN: check the spelling, or use its ID"
            ),
            format!("{path}:5: start_date: the start date cannot be in the future"),
        ],
        "{}",
        run.stderr
    );
    assert_eq!(
        lines[5],
        format!("epa: 5 problem(s) in 3 row(s) of {path}: nothing was stored")
    );
    // Nothing was stored: the good row imports now.
    std::fs::write(&file, format!("{HEADER}\n{}\n", row(1))).unwrap();
    let run = epa(&["import", "apprentices", path, "--data-dir", &data], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["registered"], 1);
}

#[test]
fn ten_thousand_good_rows_are_registered_in_one_go() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_data(dir.path());
    let file = dir.path().join("apprentices.csv");
    let mut text = String::from(HEADER);
    for n in 0..10_000 {
        let _ = write!(text, "\r\n{}", row(n));
    }
    std::fs::write(&file, text).unwrap();
    let path = file.to_str().unwrap();
    let checked = epa(
        &[
            "import",
            "apprentices",
            path,
            "--dry-run",
            "--data-dir",
            &data,
        ],
        None,
    );
    assert_eq!(checked.code, 0, "{}", checked.stderr);
    assert_eq!(checked.json()["registered"], 0);
    let run = epa(&["import", "apprentices", path, "--data-dir", &data], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let summary = run.json();
    assert_eq!(summary["rows"], 10_000);
    assert_eq!(summary["registered"], 10_000);
    assert_eq!(summary["epas"][9_999]["row"], 10_001);
    // A second run finds every ULN on file, and stores nothing.
    let again = epa(&["import", "apprentices", path, "--data-dir", &data], None);
    assert_eq!(again.code, 2);
    assert!(
        again.stderr.starts_with(&format!(
            "{path}:2: uln: an apprentice with this ULN is already registered\n"
        )),
        "{}",
        &again.stderr[..200.min(again.stderr.len())]
    );
    let verified = epa(&["audit", "verify", "--data-dir", &data], None);
    assert_eq!(verified.code, 0, "{}", verified.stdout);
}

#[test]
fn an_unreadable_file_is_exit_2_naming_it() {
    let run = epa(
        &["import", "apprentices", "/nonexistent/apprentices.csv"],
        None,
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("epa: cannot read /nonexistent/apprentices.csv"),
        "{}",
        run.stderr
    );
}
