//! Checking what an assessor records about one sitting of a method against
//! the plan: how long it lasted (the method's duration plus or minus its
//! tolerance), how long the observation's questioning took (the policy's
//! limit), and how many interview questions were asked (the plan's count);
//! and which of a criterion's judgements stand once corrections are made.
//!
//! Every figure comes from the [`Method`] of the EPA's effective plan, so a
//! policy that changes a limit changes the check.

use chrono::NaiveTime;
use epa_plan::{Method, MethodId, QuestioningPlacement};

use crate::adjustments::{self, Adjustment};

/// What the assessor records about a sitting, besides the date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionRecord {
    /// The actual start of the timed session.
    pub start: NaiveTime,
    /// The actual end; on the same day, after the start.
    pub end: NaiveTime,
    /// Minutes of observation (the observation only), recorded apart from
    /// the questioning. When not given it is read from the sitting: the
    /// whole sitting where questions are asked during the observation
    /// (Innovate), the sitting less the questioning where they follow it
    /// (TQUK).
    pub observation_minutes: Option<u32>,
    /// Minutes of questioning (the observation only).
    pub questioning_minutes: Option<u32>,
    /// Interview questions asked (the project's interview only).
    pub interview_questions: Option<u32>,
}

/// One thing wrong with a record, against the field to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub message: String,
}

fn problem(field: &'static str, message: impl Into<String>) -> Problem {
    Problem {
        field,
        message: message.into(),
    }
}

/// The most minutes of questioning a method allows without an adjustment
/// (see [`adjustments::questioning_limit`]).
pub fn questioning_limit(method: &Method) -> Option<u32> {
    adjustments::questioning_limit(method, None)
}

/// Checks a sitting's record against its method, with no adjustment.
pub fn check_session(method: &Method, record: &SessionRecord) -> Result<u32, Vec<Problem>> {
    check_session_adjusted(method, None, record)
}

/// Checks a sitting's record against its method and the EPA's reasonable
/// adjustment, if any. Returns the sitting's length in minutes, or every
/// problem at once.
///
/// The observation (where the policy limits its questioning) is checked
/// as the policy places the questions: where they follow the observation
/// (TQUK) the observation's own minutes must fit the method's window and
/// the questions, apart, their limit, and both fit in the sitting (09:00 to
/// 10:10 holds 60 minutes of observation and 10 of questions); where they
/// happen during it (Innovate) the sitting is the observation, and the
/// questioning is a part of it within the policy's share.
pub fn check_session_adjusted(
    method: &Method,
    adjustment: Option<&Adjustment>,
    record: &SessionRecord,
) -> Result<u32, Vec<Problem>> {
    let mut problems = Vec::new();
    let window = adjustments::allowed_window(method, adjustment);
    let limit = adjustments::questioning_limit(method, adjustment);
    let placement = method.questioning.as_ref().map(|q| q.placement);
    let minutes = (record.end - record.start).num_minutes();
    let sitting = if minutes <= 0 {
        problems.push(problem(
            "end_time",
            "the end time must be after the start time",
        ));
        None
    } else {
        Some(u32::try_from(minutes).unwrap_or(u32::MAX))
    };

    let observed = method.id == MethodId::Observation && limit.is_some();
    if let Some(length) = sitting {
        if observed {
            let q = record.questioning_minutes.unwrap_or(0);
            let (observation, field) = match (record.observation_minutes, placement) {
                (Some(o), _) => (o, "observation_minutes"),
                (None, Some(QuestioningPlacement::After)) => (length.saturating_sub(q), "end_time"),
                (None, _) => (length, "end_time"),
            };
            if !window.contains(observation) {
                problems.push(problem(
                    field,
                    format!(
                        "the observation lasted {observation} minutes; the plan allows {}",
                        window.describe()
                    ),
                ));
            }
            match placement {
                Some(QuestioningPlacement::After) if observation + q > length => {
                    problems.push(problem(
                        "observation_minutes",
                        format!(
                            "{observation} minutes of observation and the {q} minutes of questions that follow it do not fit in a sitting of {length} minutes"
                        ),
                    ))
                }
                Some(QuestioningPlacement::During) if observation > length => {
                    problems.push(problem(
                        "observation_minutes",
                        format!(
                            "the observation cannot last {observation} minutes in a sitting of {length} minutes"
                        ),
                    ))
                }
                Some(QuestioningPlacement::During) if q > observation => problems.push(problem(
                    "questioning_minutes",
                    format!(
                        "questioning happens during the observation: {q} minutes cannot be more than the observation's {observation}"
                    ),
                )),
                _ => {}
            }
        } else if !window.contains(length) {
            problems.push(problem(
                "end_time",
                format!(
                    "the {} lasted {length} minutes; the plan allows {}",
                    method.id,
                    window.describe()
                ),
            ));
        }
    }
    if record.observation_minutes.is_some() && !observed {
        problems.push(problem(
            "observation_minutes",
            format!(
                "observation minutes are recorded for the observation, not the {}",
                method.id
            ),
        ));
    }

    match (limit, record.questioning_minutes) {
        (Some(limit), Some(q)) if q > limit => problems.push(problem(
            "questioning_minutes",
            format!(
                "questioning took {q} minutes; the policy allows at most {limit} minutes {} the {}",
                match placement {
                    Some(QuestioningPlacement::After) => "after",
                    _ => "during",
                },
                method.id
            ),
        )),
        (Some(_), Some(_)) => {}
        (Some(_), None) if method.id == MethodId::Observation => problems.push(problem(
            "questioning_minutes",
            "enter how many minutes the questioning took",
        )),
        (_, Some(_)) => problems.push(problem(
            "questioning_minutes",
            format!(
                "questioning minutes are recorded for the observation, not the {}",
                method.id
            ),
        )),
        (_, None) => {}
    }

    match (method.interview_questions, record.interview_questions) {
        (Some(planned), Some(asked)) if asked != planned => problems.push(problem(
            "interview_questions",
            format!("the plan sets {planned} interview questions; {asked} were recorded"),
        )),
        (Some(_), Some(_)) => {}
        (Some(_), None) => problems.push(problem(
            "interview_questions",
            "enter how many interview questions were asked",
        )),
        (None, Some(_)) => problems.push(problem(
            "interview_questions",
            format!(
                "interview questions are recorded for the project's interview, not the {}",
                method.id
            ),
        )),
        (None, None) => {}
    }

    match (sitting, problems.is_empty()) {
        (Some(d), true) => Ok(d),
        _ => Err(problems),
    }
}

/// A booking's length checked against its method: long enough for the
/// method's lower bound, and no longer than its window (with the
/// adjustment) plus, where the policy's questions follow the method
/// (TQUK's observation), the questioning limit. Returns the length.
pub fn check_booking_length(
    method: &Method,
    adjustment: Option<&Adjustment>,
    start: NaiveTime,
    end: NaiveTime,
) -> Result<u32, Problem> {
    let minutes = (end - start).num_minutes();
    if minutes <= 0 {
        return Err(problem("end_time", "the booking must end after it starts"));
    }
    let length = u32::try_from(minutes).unwrap_or(u32::MAX);
    let window = adjustments::allowed_window(method, adjustment);
    let after = adjustments::questions_after(method, adjustment);
    let (min, max) = (window.min, window.max + after);
    if (min..=max).contains(&length) {
        return Ok(length);
    }
    let questions = if after > 0 {
        format!(", and up to {after} minutes of questions after it")
    } else {
        String::new()
    };
    Err(problem(
        "end_time",
        format!(
            "the booking lasts {length} minutes; the {} needs {min}–{max} minutes: {}{questions}",
            method.id,
            window.describe()
        ),
    ))
}

/// For judgements listed oldest first, whether each has been superseded by
/// a later judgement on the same criterion (the latest one counts).
pub fn superseded<S: AsRef<str>>(criteria_oldest_first: &[S]) -> Vec<bool> {
    criteria_oldest_first
        .iter()
        .enumerate()
        .map(|(i, c)| {
            criteria_oldest_first[i + 1..]
                .iter()
                .any(|later| later.as_ref() == c.as_ref())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use epa_plan::Catalog;

    fn t(text: &str) -> NaiveTime {
        NaiveTime::parse_from_str(text, "%H:%M").unwrap()
    }

    fn method(policy: &str, id: MethodId) -> Method {
        Catalog::embedded()
            .effective("ST0071", None, policy)
            .unwrap()
            .method(id)
            .unwrap()
            .clone()
    }

    fn record(start: &str, end: &str) -> SessionRecord {
        SessionRecord {
            start: t(start),
            end: t(end),
            observation_minutes: None,
            questioning_minutes: None,
            interview_questions: None,
        }
    }

    #[test]
    fn durations_inside_the_tolerance_pass_and_outside_name_the_range() {
        let discussion = method("tquk", MethodId::Discussion);
        assert_eq!(
            check_session(&discussion, &record("09:00", "09:54")),
            Ok(54)
        );
        assert_eq!(
            check_session(&discussion, &record("09:00", "10:06")),
            Ok(66)
        );
        let err = check_session(&discussion, &record("09:00", "10:07")).unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].field, "end_time");
        assert_eq!(
            err[0].message,
            "the discussion lasted 67 minutes; the plan allows 54–66 minutes (60 minutes ± 10%)"
        );
        assert!(check_session(&discussion, &record("09:00", "09:53")).is_err());
        let err = check_session(&discussion, &record("10:00", "09:00")).unwrap_err();
        assert_eq!(err[0].message, "the end time must be after the start time");
    }

    #[test]
    fn questioning_is_limited_by_the_policy() {
        let tquk = method("tquk", MethodId::Observation);
        let innovate = method("innovate", MethodId::Observation);
        // TQUK prints "up to 10 minutes"; Innovate 15% of the 60 minutes: 9.
        assert_eq!(questioning_limit(&tquk), Some(10));
        assert_eq!(questioning_limit(&innovate), Some(9));
        assert_eq!(questioning_limit(&method("tquk", MethodId::Project)), None);
        let mut r = record("09:00", "10:00");
        r.questioning_minutes = Some(9);
        assert_eq!(check_session(&innovate, &r), Ok(60));
        r.questioning_minutes = Some(10);
        let err = check_session(&innovate, &r).unwrap_err();
        assert_eq!(err[0].field, "questioning_minutes");
        assert!(err[0].message.contains("at most 9 minutes"), "{err:?}");
        r.questioning_minutes = None;
        assert_eq!(
            check_session(&tquk, &r).unwrap_err()[0].field,
            "questioning_minutes"
        );
    }

    #[test]
    fn the_interview_asks_the_plans_count_and_fields_belong_to_their_method() {
        let project = method("innovate", MethodId::Project);
        let mut r = record("09:00", "10:00");
        r.interview_questions = Some(10);
        assert_eq!(check_session(&project, &r), Ok(60));
        r.interview_questions = Some(8);
        r.questioning_minutes = Some(5);
        let err = check_session(&project, &r).unwrap_err();
        let fields: Vec<_> = err.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["questioning_minutes", "interview_questions"]);
        assert!(err[1].message.contains("sets 10 interview questions"));

        let discussion = method("innovate", MethodId::Discussion);
        let mut r = record("09:00", "09:00");
        r.interview_questions = Some(10);
        let err = check_session(&discussion, &r).unwrap_err();
        let fields: Vec<_> = err.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["end_time", "interview_questions"]);
    }

    #[test]
    fn the_latest_judgement_of_a_criterion_stands() {
        assert_eq!(
            superseded(&["OBS-P01", "OBS-P02", "OBS-P01", "OBS-P01"]),
            [true, false, true, false]
        );
        assert!(superseded::<&str>(&[]).is_empty());
    }
}
