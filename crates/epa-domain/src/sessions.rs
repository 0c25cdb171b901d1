//! Checking what an assessor records about one sitting of a method against
//! the plan: how long it lasted (the method's duration plus or minus its
//! tolerance), how long the observation's questioning took (the policy's
//! limit), and how many interview questions were asked (the plan's count);
//! and which of a criterion's judgements stand once corrections are made.
//!
//! Every figure comes from the [`Method`] of the EPA's effective plan, so a
//! policy that changes a limit changes the check.

use chrono::NaiveTime;
use epa_plan::{Method, MethodId};

/// What the assessor records about a sitting, besides the date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionRecord {
    /// The actual start of the timed session.
    pub start: NaiveTime,
    /// The actual end; on the same day, after the start.
    pub end: NaiveTime,
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

/// The most minutes of questioning a method allows, when the policy limits
/// it: the share of the method's planned duration (rounded down) and the
/// minute figure, whichever is smaller where the policy gives both (the
/// TQUK reading: 15% of 60 minutes is 9, though it also prints 10).
pub fn questioning_limit(method: &Method) -> Option<u32> {
    let q = method.questioning.as_ref()?;
    let by_share = q
        .max_percent
        .map(|percent| method.duration_minutes * percent / 100);
    match (by_share, q.max_minutes) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Checks a sitting's record against its method. Returns the duration in
/// minutes, or every problem at once.
pub fn check_session(method: &Method, record: &SessionRecord) -> Result<u32, Vec<Problem>> {
    let mut problems = Vec::new();
    let minutes = (record.end - record.start).num_minutes();
    let duration = if minutes <= 0 {
        problems.push(problem(
            "end_time",
            "the end time must be after the start time",
        ));
        None
    } else {
        let minutes = u32::try_from(minutes).unwrap_or(u32::MAX);
        if minutes < method.min_minutes || minutes > method.max_minutes {
            problems.push(problem(
                "end_time",
                format!(
                    "the {} lasted {minutes} minutes; the plan allows {}–{} minutes ({} minutes ± {}%)",
                    method.id,
                    method.min_minutes,
                    method.max_minutes,
                    method.duration_minutes,
                    method.tolerance_percent
                ),
            ));
        }
        Some(minutes)
    };

    match (questioning_limit(method), record.questioning_minutes) {
        (Some(limit), Some(q)) if q > limit => problems.push(problem(
            "questioning_minutes",
            format!(
                "questioning took {q} minutes; the policy allows at most {limit} minutes for the {}",
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

    match (duration, problems.is_empty()) {
        (Some(d), true) => Ok(d),
        _ => Err(problems),
    }
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
        // 15% of 60 minutes is 9; TQUK also prints 10, and the smaller applies.
        assert_eq!(questioning_limit(&tquk), Some(9));
        assert_eq!(questioning_limit(&innovate), Some(9));
        assert_eq!(questioning_limit(&method("tquk", MethodId::Project)), None);
        let mut r = record("09:00", "10:00");
        r.questioning_minutes = Some(9);
        assert_eq!(check_session(&tquk, &r), Ok(60));
        r.questioning_minutes = Some(10);
        let err = check_session(&tquk, &r).unwrap_err();
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
