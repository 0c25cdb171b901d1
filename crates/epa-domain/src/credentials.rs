//! Rules about secrets, pure: which passwords are accepted (NIST SP
//! 800-63B: length over complexity, no known-bad passwords, nothing made of
//! the person's own details; ADR 0114), and how long a sign-in waits after
//! repeated failures.

use chrono::{DateTime, Duration, Utc};

/// Fewest characters in a password.
pub const PASSWORD_MIN: usize = 12;
/// Most characters: long passphrases welcome, but hashing stays bounded.
pub const PASSWORD_MAX: usize = 256;

/// Passwords everyone tries first, written for this product (no third-party
/// list is embedded). Compared after [`normalise`]: lower case, letters and
/// digits only, trailing digits dropped, and leetspeak read as letters.
const COMMON: &[&str] = &[
    "password",
    "passwort",
    "motdepasse",
    "qwerty",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "letmein",
    "welcome",
    "welcometo",
    "iloveyou",
    "admin",
    "administrator",
    "changeme",
    "default",
    "secret",
    "login",
    "football",
    "baseball",
    "monkey",
    "dragon",
    "sunshine",
    "princess",
    "trustno",
    "master",
    "superman",
    "batman",
    "starwars",
    "whatever",
    "shadow",
    "michael",
    "charlie",
    "jennifer",
    "liverpool",
    "arsenal",
    "chelsea",
    "manchester",
    "london",
    "england",
    "summer",
    "winter",
    "spring",
    "autumn",
    "january",
    "december",
    "monday",
    "friday",
    "abc",
    "abcdef",
    "test",
    "testing",
    "guest",
    "user",
    "root",
    "hello",
    "helloworld",
    "computer",
    "internet",
    "access",
    "apprentice",
    "apprenticeship",
    "assessment",
    "assessor",
    "endpoint",
    "endpointassessment",
    "openepa",
    "epa",
    "customerservice",
    "",
];

/// Words about this service: a password made of them is guessed first.
const SERVICE_WORDS: &[&str] = &[
    "openepa",
    "endpoint",
    "assessment",
    "assessor",
    "apprentice",
    "epao",
    "epa",
];

/// What is wrong with a password, in words for the person choosing it.
pub fn check_password(password: &str, own_words: &[&str]) -> Result<(), String> {
    let length = password.chars().count();
    if length < PASSWORD_MIN {
        return Err(format!(
            "use at least {PASSWORD_MIN} characters: a few words you will remember make a good password"
        ));
    }
    if length > PASSWORD_MAX {
        return Err(format!("use at most {PASSWORD_MAX} characters"));
    }
    let normal = normalise(password);
    if COMMON.contains(&normal.as_str()) || is_run(&normal) {
        return Err("this password is too easy to guess: it is one of the most common".into());
    }
    let distinct: std::collections::BTreeSet<char> = password.chars().collect();
    if distinct.len() < 4 {
        return Err("this password repeats too few characters to be safe".into());
    }
    // What is left once the person's own details and the service's name
    // are taken out must still be a password.
    let mut rest = password.to_lowercase();
    let words = own_words
        .iter()
        .flat_map(|w| w.split(|c: char| !c.is_alphanumeric()))
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 3)
        .chain(SERVICE_WORDS.iter().map(|w| (*w).to_owned()));
    for word in words {
        rest = rest.replace(&word, "");
    }
    let rest: String = rest.chars().filter(|c| c.is_alphanumeric()).collect();
    if rest.chars().count() < 8 || is_run(&normalise(&rest)) {
        return Err(
            "this password is too close to your name, your email or this service's name".into(),
        );
    }
    Ok(())
}

/// Lower case, trailing digits and symbols dropped, leetspeak read as
/// letters, letters and digits only: `P@ssw0rd2024!` is `password`. A
/// password of digits alone stays its digits.
fn normalise(password: &str) -> String {
    let lower = password.to_lowercase();
    let stem = lower.trim_end_matches(|c: char| {
        c.is_ascii_digit() || c.is_ascii_punctuation() || c.is_whitespace()
    });
    if !stem.chars().any(char::is_alphabetic) {
        return lower.chars().filter(|c| c.is_alphanumeric()).collect();
    }
    stem.chars()
        .filter_map(|c| match c {
            '@' | '4' => Some('a'),
            '3' => Some('e'),
            '1' | '!' => Some('i'),
            '0' => Some('o'),
            '$' | '5' => Some('s'),
            '7' => Some('t'),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

/// A run along the alphabet, the digits or a keyboard row, or the same
/// short piece repeated (`abcabcabcabc`).
fn is_run(text: &str) -> bool {
    const ROWS: &[&str] = &[
        "abcdefghijklmnopqrstuvwxyz",
        "01234567890",
        "qwertyuiopasdfghjklzxcvbnm",
        "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    ];
    let chars: Vec<char> = text.chars().collect();
    if chars.len() < 2 {
        return true;
    }
    // Along a row, either way; digits alone count as a run however mixed.
    let along = |row: &str| {
        let reversed: String = row.chars().rev().collect();
        row.contains(text) || reversed.contains(text)
    };
    if ROWS.iter().any(|r| along(r)) || text.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    (1..=chars.len() / 2).any(|size| {
        chars.len().is_multiple_of(size) && chars.chunks(size).all(|piece| piece == &chars[..size])
    })
}

/// Sign-in failures allowed within [`FAILURE_WINDOW_MINUTES`] before a wait.
pub const FREE_FAILURES: usize = 5;
/// How far back failures count.
pub const FAILURE_WINDOW_MINUTES: i64 = 15;
/// The first wait, doubled with each further failure.
const FIRST_WAIT_SECONDS: i64 = 30;

/// How long a sign-in must wait now, given the recent failures for the
/// account or the address (any order): none until [`FREE_FAILURES`] fail
/// within the window, then 30 s after the latest, doubling with each
/// further failure, at most the window itself.
pub fn sign_in_wait(failures: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<Duration> {
    let since = now - Duration::minutes(FAILURE_WINDOW_MINUTES);
    let recent: Vec<&DateTime<Utc>> = failures.iter().filter(|t| **t > since).collect();
    if recent.len() < FREE_FAILURES {
        return None;
    }
    let latest = **recent.iter().max()?;
    let doublings = u32::try_from(recent.len() - FREE_FAILURES)
        .unwrap_or(u32::MAX)
        .min(10);
    let wait = Duration::seconds(FIRST_WAIT_SECONDS * (1_i64 << doublings))
        .min(Duration::minutes(FAILURE_WINDOW_MINUTES));
    let until = latest + wait;
    (until > now).then(|| until - now)
}

/// Whole seconds to put in `Retry-After`, rounded up.
pub fn retry_after_seconds(wait: Duration) -> i64 {
    let millis = wait.num_milliseconds().max(0);
    (millis + 999) / 1000
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn long_passphrases_pass_and_short_or_common_ones_do_not() {
        assert!(check_password("correct horse battery staple", &[]).is_ok());
        assert!(check_password("Tuesday lunch at the canal", &[]).is_ok());
        for bad in [
            "short",
            "password1234",
            "P@ssw0rd2024!",
            "Password123!",
            "qwertyuiop12",
            "123456789012",
            "abcdefghijkl",
            "aaaaaaaaaaaaaaaa",
            "abcabcabcabc",
            "letmein12345",
            "openepa12345",
            "welcome2026!!",
        ] {
            assert!(check_password(bad, &[]).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_password_made_of_ones_own_details_is_refused() {
        let me = ["sam.tutor@northfield.example", "Sam Tutor"];
        assert!(check_password("northfield2026", &me).is_err());
        assert!(check_password("SamTutorSamTutor", &me).is_err());
        assert!(check_password("sam likes green tea a lot", &me).is_ok());
    }

    #[test]
    fn the_limits_are_at_their_edges() {
        assert!(check_password("rain on tin", &[]).is_err());
        assert!(check_password("rain on a tin", &[]).is_ok()); // 13
        assert!(check_password("rainonatinro", &[]).is_ok()); // 12
        assert!(check_password("rainonatinr", &[]).is_err()); // 11
        let long: String = "rain on a tin roof ".repeat(14);
        assert!(long.chars().count() > PASSWORD_MAX);
        assert!(check_password(&long, &[]).is_err());
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap() + Duration::seconds(seconds)
    }

    #[test]
    fn the_sixth_try_waits_and_each_failure_doubles_the_wait() {
        let five: Vec<_> = (0..5).map(at).collect();
        assert_eq!(sign_in_wait(&five[..4], at(5)), None);
        assert_eq!(sign_in_wait(&five, at(5)), Some(Duration::seconds(29)));
        assert_eq!(sign_in_wait(&five, at(34)), None);
        let mut six = five.clone();
        six.push(at(40));
        assert_eq!(sign_in_wait(&six, at(40)), Some(Duration::seconds(60)));
        let many: Vec<_> = (0..40).map(at).collect();
        assert_eq!(
            sign_in_wait(&many, at(39)),
            Some(Duration::minutes(FAILURE_WINDOW_MINUTES))
        );
        // Failures older than the window are forgotten.
        assert_eq!(sign_in_wait(&five, at(16 * 60)), None);
        assert_eq!(retry_after_seconds(Duration::milliseconds(29_001)), 30);
        assert_eq!(retry_after_seconds(Duration::seconds(30)), 30);
    }
}
