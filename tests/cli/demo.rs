//! `epa demo load`: the demo and synthetic apprentices, once, with the
//! audit chain intact and the kept deadlines written as any EPA's are.

use crate::support::epa;

#[test]
fn the_synthetic_load_runs_once_and_keeps_the_audit_chain_intact() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let first = epa(
        &["demo", "load", "--apprentices", "45", "--data-dir", data],
        None,
    );
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(
        first.stdout.starts_with("loaded 45 synthetic apprentices"),
        "{}",
        first.stdout
    );
    assert!(
        first.stderr.contains("45/45 apprentices written"),
        "{}",
        first.stderr
    );
    let again = epa(
        &["demo", "load", "--apprentices", "45", "--data-dir", data],
        None,
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stdout.starts_with("already loaded"),
        "{}",
        again.stdout
    );
    let verified = epa(&["audit", "verify", "--data-dir", data], None);
    assert_eq!(verified.code, 0, "{}", verified.stdout);
    assert!(verified.stdout.starts_with("intact"), "{}", verified.stdout);
}

#[test]
fn a_missing_count_is_a_usage_error() {
    let run = epa(&["demo", "load"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--apprentices"), "{}", run.stderr);
}
