//! Unique Learner Numbers.
//!
//! A ULN is ten digits, the first not 0. The tenth digit is a check digit:
//! weight the first nine digits 10, 9, ..., 2 and sum them; `r = sum mod 11`;
//! `r = 0` can never be valid, otherwise the check digit is `10 - r`.
//!
//! Test ULNs. DfE test and sandbox environments use learner numbers that do
//! not pass the check digit. They must never be accepted in production, so
//! they are accepted only when the caller passes [`UlnMode::Sandbox`] (a
//! setting of the deployment, never of the request). The list the code knows
//! is [`SANDBOX_TEST_ULNS`]:
//! - `9999999999`: the ILR's "ULN not known" placeholder, which DfE test data
//!   uses for learners without a real number (it fails the check digit: the
//!   check digit of `999999999_` is 8).
//!
//! A deployment can accept further test ULNs with [`UlnMode::SandboxWith`].

use std::fmt;

use serde::{Deserialize, Serialize};

/// Test ULNs accepted in [`UlnMode::Sandbox`] even though they fail the check digit.
pub const SANDBOX_TEST_ULNS: &[&str] = &["9999999999"];

/// Whether test ULNs are acceptable. Production is [`UlnMode::Strict`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UlnMode<'a> {
    /// Only numbers that pass the check digit.
    #[default]
    Strict,
    /// Also the DfE test ULNs in [`SANDBOX_TEST_ULNS`].
    Sandbox,
    /// Also [`SANDBOX_TEST_ULNS`] and the given extra test numbers.
    SandboxWith(&'a [&'a str]),
}

/// Why a string is not a ULN. The messages are the reasons `epa uln check` prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UlnError {
    #[error("a ULN is 10 digits; {value:?} has {len} characters")]
    Length { value: String, len: usize },
    #[error("a ULN is digits only; {value:?} contains {found:?}")]
    NotDigits { value: String, found: char },
    #[error("a ULN cannot start with 0: {value}")]
    LeadingZero { value: String },
    #[error(
        "{value} fails the check digit: the weighted sum of its first nine digits is a multiple of 11, which no ULN can have"
    )]
    ImpossibleRemainder { value: String },
    #[error("{value} fails the check digit: the last digit should be {expected}, not {found}")]
    CheckDigit {
        value: String,
        expected: u8,
        found: u8,
    },
}

/// A Unique Learner Number that passed its check (or is a test ULN accepted in sandbox mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Uln([u8; 10]);

impl Uln {
    /// Parses a production ULN: digits only, no spaces (a ULN is an identifier;
    /// silently cleaning it up would hide typing mistakes in imported files).
    pub fn parse(text: &str) -> Result<Uln, UlnError> {
        Uln::parse_with(text, UlnMode::Strict)
    }

    /// Parses a ULN under the given mode: test ULNs pass only in sandbox modes.
    pub fn parse_with(text: &str, mode: UlnMode<'_>) -> Result<Uln, UlnError> {
        let digits = Uln::digits(text)?;
        match check_digit_error(text, &digits) {
            None => Ok(Uln(digits)),
            Some(err) => {
                let accepted = match mode {
                    UlnMode::Strict => false,
                    UlnMode::Sandbox => SANDBOX_TEST_ULNS.contains(&text),
                    UlnMode::SandboxWith(extra) => {
                        SANDBOX_TEST_ULNS.contains(&text) || extra.contains(&text)
                    }
                };
                if accepted { Ok(Uln(digits)) } else { Err(err) }
            }
        }
    }

    fn digits(text: &str) -> Result<[u8; 10], UlnError> {
        let len = text.chars().count();
        if let Some(found) = text.chars().find(|c| !c.is_ascii_digit()) {
            return Err(UlnError::NotDigits {
                value: text.to_owned(),
                found,
            });
        }
        if len != 10 {
            return Err(UlnError::Length {
                value: text.to_owned(),
                len,
            });
        }
        let mut digits = [0u8; 10];
        for (slot, byte) in digits.iter_mut().zip(text.bytes()) {
            *slot = byte - b'0';
        }
        if digits[0] == 0 {
            return Err(UlnError::LeadingZero {
                value: text.to_owned(),
            });
        }
        Ok(digits)
    }

    /// The check digit the first nine digits call for, or `None` when no
    /// tenth digit can make them a ULN (`r = 0`).
    pub fn expected_check_digit(first_nine: [u8; 9]) -> Option<u8> {
        let sum: u32 = first_nine
            .iter()
            .zip((2..=10u32).rev())
            .map(|(&d, w)| u32::from(d) * w)
            .sum();
        match sum % 11 {
            0 => None,
            r => Some((10 - r) as u8),
        }
    }

    pub fn as_digits(&self) -> [u8; 10] {
        self.0
    }
}

fn check_digit_error(text: &str, digits: &[u8; 10]) -> Option<UlnError> {
    let mut first_nine = [0u8; 9];
    first_nine.copy_from_slice(&digits[..9]);
    match Uln::expected_check_digit(first_nine) {
        None => Some(UlnError::ImpossibleRemainder {
            value: text.to_owned(),
        }),
        Some(expected) if expected == digits[9] => None,
        Some(expected) => Some(UlnError::CheckDigit {
            value: text.to_owned(),
            expected,
            found: digits[9],
        }),
    }
}

impl fmt::Display for Uln {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.0 {
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Uln {
    type Err = UlnError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uln::parse(s)
    }
}

impl Serialize for Uln {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Uln {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Uln::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors worked by hand (weights 10..2 on the first nine digits).
    // 1234567890: 1*10+2*9+3*8+4*7+5*6+6*5+7*4+8*3+9*2 = 210; 210 mod 11 = 1
    //   (11*19 = 209), so the check digit is 10-1 = 9: 1234567899 is valid,
    //   1234567890 is not.
    // 9999999999: 9*(10+9+...+2) = 9*54 = 486; 486 mod 11 = 2 (11*44 = 484),
    //   so the check digit is 8: 9999999998 is valid, 9999999999 is not.
    // 1000000000: 1*10 = 10; r = 10, check digit 0: valid.
    // 2000000001: 2*10 = 20; r = 9, check digit 1: valid.
    // 1100000002: 10 + 9 = 19; r = 8, check digit 2: valid.
    // 1000000019: 10 + 1*2 = 12; r = 1, check digit 9: valid.
    // 100000040_: 10 + 4*3 = 22 = 2*11; r = 0, so no tenth digit makes it valid.
    #[test]
    fn hand_worked_vectors() {
        assert!(Uln::parse("1234567899").is_ok());
        assert_eq!(
            Uln::parse("1234567890"),
            Err(UlnError::CheckDigit {
                value: "1234567890".into(),
                expected: 9,
                found: 0
            })
        );
        assert!(Uln::parse("9999999998").is_ok());
        assert_eq!(
            Uln::parse("9999999999"),
            Err(UlnError::CheckDigit {
                value: "9999999999".into(),
                expected: 8,
                found: 9
            })
        );
        assert!(Uln::parse("1000000000").is_ok());
        assert!(Uln::parse("2000000001").is_ok());
        assert!(Uln::parse("1100000002").is_ok());
        assert!(Uln::parse("1000000019").is_ok());
        for last in 0..=9 {
            let text = format!("100000040{last}");
            assert_eq!(
                Uln::parse(&text),
                Err(UlnError::ImpossibleRemainder {
                    value: text.clone()
                })
            );
        }
    }

    #[test]
    fn shape_errors() {
        assert!(matches!(
            Uln::parse("123456789"),
            Err(UlnError::Length { len: 9, .. })
        ));
        assert!(matches!(
            Uln::parse("12345678990"),
            Err(UlnError::Length { len: 11, .. })
        ));
        assert!(matches!(
            Uln::parse(""),
            Err(UlnError::Length { len: 0, .. })
        ));
        assert!(matches!(
            Uln::parse("12345 7899"),
            Err(UlnError::NotDigits { found: ' ', .. })
        ));
        assert!(matches!(
            Uln::parse("１234567899"),
            Err(UlnError::NotDigits { .. })
        ));
        assert!(matches!(
            Uln::parse("0123456789"),
            Err(UlnError::LeadingZero { .. })
        ));
    }

    #[test]
    fn sandbox_ulns_only_in_sandbox_mode() {
        assert!(Uln::parse("9999999999").is_err());
        assert!(Uln::parse_with("9999999999", UlnMode::Strict).is_err());
        assert!(Uln::parse_with("9999999999", UlnMode::Sandbox).is_ok());
        assert!(Uln::parse_with("1234567890", UlnMode::Sandbox).is_err());
        assert!(Uln::parse_with("1234567890", UlnMode::SandboxWith(&["1234567890"])).is_ok());
        // Sandbox mode never relaxes the shape.
        assert!(Uln::parse_with("999999999", UlnMode::Sandbox).is_err());
    }

    #[test]
    fn display_and_serde_round_trip() {
        let uln = Uln::parse("1234567899").unwrap();
        assert_eq!(uln.to_string(), "1234567899");
        let json = serde_json::to_string(&uln).unwrap();
        assert_eq!(json, "\"1234567899\"");
        assert_eq!(serde_json::from_str::<Uln>(&json).unwrap(), uln);
        assert!(serde_json::from_str::<Uln>("\"1234567890\"").is_err());
    }

    #[test]
    fn exactly_one_check_digit_per_prefix() {
        // Every nine-digit prefix with r != 0 has exactly one valid completion.
        for prefix in [123456789u32, 987654321, 100000000, 555555555, 314159265] {
            let valid = (0..=9)
                .filter(|d| Uln::parse(&format!("{prefix}{d}")).is_ok())
                .count();
            let digits: Vec<u8> = prefix.to_string().bytes().map(|b| b - b'0').collect();
            let expected = Uln::expected_check_digit(digits.try_into().unwrap());
            assert_eq!(valid, usize::from(expected.is_some()));
        }
    }
}
