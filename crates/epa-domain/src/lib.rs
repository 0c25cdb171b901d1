//! The rules of an end-point assessment, pure: no IO, no async, no global
//! state. Time comes in through [`clock::Clock`]; plans come in as
//! [`epa_plan`] data.
//!
//! - [`uln`]: Unique Learner Numbers and their check digit.
//! - [`calendar`]: bank holidays, working days, week and month arithmetic.
//! - [`grading`]: criterion judgements -> method grades -> overall grade.
//! - [`attempts`]: first attempts, resits, retakes, rework, and the DfE record.
//! - [`adjustments`]: reasonable adjustments and the duration windows they change.
//! - [`diary`]: an assessor's diary: clashes, weekends, bank holidays, working hours.
//! - [`booking`]: the rules a booking of an assessment method must meet.
//! - [`circumstances`]: who may decide exceptional circumstances, and when they lift the cap.
//! - [`deadlines`]: every deadline that follows from an EPA's dates.
//! - [`lifecycle`]: the EPA's stages and the commands that move it between them.
//! - [`policy`]: who may do what to which EPA, by role and relationship.

/// A closed set of words the product stores and shows: the enum, its
/// snake_case names (the database and API values: never rename one without
/// a migration), `ALL`, `as_str`, `parse`, `Display`, and, with the `sqlx`
/// feature, its sqlx type stored as TEXT.
macro_rules! named_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            pub fn parse(text: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|value| value.as_str() == text)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        epa_plan::stored_as_text!($name, $name::parse);
    };
}

pub mod adjustments;
pub mod assessor_profile;
pub mod attempts;
pub mod booking;
pub mod calendar;
pub mod circumstances;
pub mod clock;
pub mod credentials;
pub mod deadlines;
pub mod diary;
pub mod gateway;
pub mod grading;
pub mod lifecycle;
pub mod locator;
pub mod people;
pub mod plan;
pub mod policy;
pub mod replay;
pub mod sessions;
pub mod uln;

pub use clock::{Clock, FixedClock, SystemClock};
pub use epa_plan::{CriterionLevel, Grade, MethodId, Mode};
pub use uln::{Uln, UlnError, UlnMode};

#[cfg(test)]
mod stored_names {
    use crate::attempts::{AttemptKind, ResultStatus};
    use crate::booking::{BookingStatus, SubmissionKind};
    use crate::gateway::{ComponentKind, ReviewDecision, ReviewStatus, SubmissionStatus};
    use crate::lifecycle::Stage;
    use crate::{Grade, MethodId, Mode};

    /// Every stored name reads back as the value that wrote it, and the
    /// serde name is the same word (views and the database agree).
    macro_rules! round_trips {
        ($($ty:ty => $all:expr, $parse:expr;)+) => {$(
            for value in $all {
                let text = value.as_str();
                assert_eq!($parse(text), Some(value), "{text}");
                assert_eq!(serde_json::to_value(value).unwrap(), text);
            }
            assert_eq!($parse("unknown"), None::<$ty>);
            assert_eq!($parse(""), None::<$ty>);
        )+};
    }

    #[test]
    fn every_name_round_trips_and_an_unknown_one_is_none() {
        round_trips! {
            Stage => Stage::ALL, |t: &str| t.parse::<Stage>().ok();
            MethodId => MethodId::ALL, MethodId::parse;
            Grade => Grade::ALL, Grade::parse;
            Mode => Mode::ALL, Mode::parse;
            AttemptKind => AttemptKind::ALL, AttemptKind::parse;
            ComponentKind => ComponentKind::ALL, ComponentKind::parse;
            ReviewStatus => [ReviewStatus::Unreviewed, ReviewStatus::Accepted, ReviewStatus::Rejected], ReviewStatus::parse;
            ResultStatus => ResultStatus::ALL.iter().copied(), ResultStatus::parse;
            BookingStatus => BookingStatus::ALL.iter().copied(), BookingStatus::parse;
            SubmissionKind => SubmissionKind::ALL.iter().copied(), SubmissionKind::parse;
            SubmissionStatus => SubmissionStatus::ALL.iter().copied(), SubmissionStatus::parse;
            ReviewDecision => ReviewDecision::ALL.iter().copied(), ReviewDecision::parse;
        }
    }

    #[test]
    fn a_name_is_matched_exactly() {
        assert!("Registered".parse::<Stage>().is_err());
        assert_eq!(BookingStatus::parse("no-show"), None);
        assert_eq!(Grade::parse(" pass"), None);
    }
}
