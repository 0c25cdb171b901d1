//! `epa create-admin`: the first administrator, their token, and refusals.

use crate::support::epa;

#[test]
fn creates_an_administrator_once_and_prints_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let args = [
        "create-admin",
        "--email",
        "Admin@Example.org",
        "--name",
        "Ada Admin",
        "--epao-name",
        "Best EPAO",
        "--data-dir",
        data.to_str().unwrap(),
    ];
    let run = epa(&args, Some("correct horse battery staple\n"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let issued = run.json();
    assert!(issued["token"].as_str().unwrap().starts_with("epa_"));
    assert!(
        !run.stdout.contains("correct horse"),
        "the password is never printed"
    );

    let again = epa(&args, Some("correct horse battery staple\n"));
    assert_eq!(again.code, 2);
    assert!(
        again
            .stderr
            .contains("email: a user with this email already exists"),
        "{}",
        again.stderr
    );

    let verify = epa(
        &["audit", "verify", "--data-dir", data.to_str().unwrap()],
        None,
    );
    assert_eq!(verify.code, 0, "{}", verify.stderr);
}

#[test]
fn refuses_a_short_password_and_a_bad_email_together() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let run = epa(
        &[
            "create-admin",
            "--email",
            "nobody",
            "--name",
            "X",
            "--data-dir",
            data.to_str().unwrap(),
        ],
        Some("short\n"),
    );
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("email:")
            && run.stderr.contains("password: use at least 12 characters"),
        "{}",
        run.stderr
    );
}
