//! `epa uln`.
use crate::support::{epa, names_missing_argument, survives_closed_stdout};

// Check digits worked by hand (weights 10..2 on the first nine digits,
// r = sum mod 11, check digit 10 - r):
// 1234567890: 10+18+24+28+30+30+28+24+18 = 210, r = 1, check digit 9.
// 9999999999: 9 * 54 = 486, r = 2, check digit 8.
// 100000040x: 10 + 4*3 = 22, r = 0: no check digit works.

#[test]
fn valid_ulns() {
    for uln in ["1234567899", "9999999998", "1000000000"] {
        let run = epa(&["uln", "check", uln], None);
        assert_eq!(run.code, 0, "{uln}: {}", run.stderr);
        assert_eq!(run.stdout.trim(), "valid");
    }
}

#[test]
fn invalid_ulns_exit_1_with_the_reason() {
    let cases = [
        ("1234567890", "should be 9"),
        ("9999999999", "should be 8"),
        ("1000000401", "multiple of 11"),
        ("0123456789", "cannot start with 0"),
        ("123456789", "10 digits"),
        ("12345678999", "10 digits"),
        ("12345x7899", "digits only"),
    ];
    for (uln, reason) in cases {
        let run = epa(&["uln", "check", uln], None);
        assert_eq!(run.code, 1, "{uln}");
        assert!(run.stderr.contains(reason), "{uln}: {}", run.stderr);
        assert!(run.stderr.contains(uln), "{uln}: {}", run.stderr);
        assert!(!run.stdout.contains("valid"));
    }
}

#[test]
fn sandbox_test_ulns_only_with_the_setting() {
    assert_eq!(epa(&["uln", "check", "9999999999"], None).code, 1);
    let run = epa(&["uln", "check", "9999999999", "--sandbox"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        epa(&["uln", "check", "1234567890", "--sandbox"], None).code,
        1
    );
}

#[test]
fn missing_argument_is_unusable() {
    names_missing_argument(&["uln", "check"], "<ULN>");
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    survives_closed_stdout(&["uln", "check", "3914177763"]);
}
