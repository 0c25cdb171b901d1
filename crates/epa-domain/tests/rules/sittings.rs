//! A sitting's minutes and a booking's length against the policy: where the
//! observation's questions go (TQUK after it, Innovate during it), and the
//! window a reasonable adjustment gives.

use chrono::NaiveTime;
use epa_domain::adjustments::{Adjustment, ExtraTime, allowed_window, questioning_limit};
use epa_domain::sessions::{SessionRecord, check_booking_length, check_session_adjusted};
use epa_plan::{Catalog, Method, MethodId};

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

fn observation(start: &str, end: &str, observed: Option<u32>, questions: u32) -> SessionRecord {
    SessionRecord {
        start: t(start),
        end: t(end),
        observation_minutes: observed,
        questioning_minutes: Some(questions),
        interview_questions: None,
    }
}

fn fields(err: &[epa_domain::sessions::Problem]) -> Vec<&'static str> {
    err.iter().map(|p| p.field).collect()
}

fn extra(percent: u32) -> Adjustment {
    Adjustment::new(Some(ExtraTime::Percent(percent)), None, "processing speed").unwrap()
}

#[test]
fn tquk_questions_follow_a_full_observation_up_to_ten_minutes() {
    let tquk = method("tquk", MethodId::Observation);
    // 09:00-10:10: 60 minutes of observation, then 10 of questions.
    assert_eq!(
        check_session_adjusted(&tquk, None, &observation("09:00", "10:10", Some(60), 10)),
        Ok(70)
    );
    // The observation's minutes read from the sitting when not given.
    assert_eq!(
        check_session_adjusted(&tquk, None, &observation("09:00", "10:10", None, 10)),
        Ok(70)
    );
    // 11 minutes of questions is over TQUK's "up to 10 minutes".
    let err = check_session_adjusted(&tquk, None, &observation("09:00", "10:11", Some(60), 11))
        .unwrap_err();
    assert_eq!(fields(&err), ["questioning_minutes"]);
    assert!(
        err[0].message.contains("at most 10 minutes after"),
        "{err:?}"
    );
    // The observation itself must last 54-66 minutes: a 60-minute sitting
    // with 9 minutes of questions after it observed only 51.
    let err =
        check_session_adjusted(&tquk, None, &observation("09:00", "10:00", None, 9)).unwrap_err();
    assert_eq!(fields(&err), ["end_time"]);
    assert!(err[0].message.contains("lasted 51 minutes"), "{err:?}");
    // Edges: 54 + 10 and 66 + 10 fit; 67 does not.
    assert!(
        check_session_adjusted(&tquk, None, &observation("09:00", "10:04", Some(54), 10)).is_ok()
    );
    assert!(
        check_session_adjusted(&tquk, None, &observation("09:00", "10:16", Some(66), 10)).is_ok()
    );
    let err = check_session_adjusted(&tquk, None, &observation("09:00", "10:17", Some(67), 10))
        .unwrap_err();
    assert_eq!(fields(&err), ["observation_minutes"]);
    // Observation and questions must fit in the sitting.
    let err = check_session_adjusted(&tquk, None, &observation("09:00", "10:05", Some(60), 10))
        .unwrap_err();
    assert_eq!(fields(&err), ["observation_minutes"]);
    assert!(err[0].message.contains("do not fit"), "{err:?}");
}

#[test]
fn innovate_questions_happen_during_the_observation_within_fifteen_percent() {
    let innovate = method("innovate", MethodId::Observation);
    assert_eq!(questioning_limit(&innovate, None), Some(9));
    // The sitting is the observation: 60 minutes with 9 of questioning in it.
    assert_eq!(
        check_session_adjusted(&innovate, None, &observation("09:00", "10:00", None, 9)),
        Ok(60)
    );
    let err = check_session_adjusted(&innovate, None, &observation("09:00", "10:00", None, 10))
        .unwrap_err();
    assert_eq!(fields(&err), ["questioning_minutes"]);
    assert!(
        err[0].message.contains("at most 9 minutes during"),
        "{err:?}"
    );
    // TQUK's 60 + 10 sitting is too long under Innovate: the questions are
    // inside the observation, which lasted 70 minutes.
    let err = check_session_adjusted(&innovate, None, &observation("09:00", "10:10", None, 9))
        .unwrap_err();
    assert_eq!(fields(&err), ["end_time"]);
    assert!(err[0].message.contains("lasted 70 minutes"), "{err:?}");
    // An observation recorded longer than its sitting cannot be.
    let err = check_session_adjusted(&innovate, None, &observation("09:00", "10:00", Some(62), 9))
        .unwrap_err();
    assert_eq!(fields(&err), ["observation_minutes"]);
}

#[test]
fn twenty_five_percent_extra_time_allows_seventy_five_minutes_and_its_tolerance() {
    let obs = method("innovate", MethodId::Observation);
    let adj = extra(25);
    let window = allowed_window(&obs, Some(&adj));
    assert_eq!(
        (window.planned, window.extra, window.min, window.max),
        (75, 15, 54, 83)
    );
    assert!(
        window
            .describe()
            .contains("75 minutes with the reasonable adjustment")
    );
    assert_eq!(allowed_window(&obs, None).max, 66);
    // The 75-minute sitting refused without the adjustment passes with it.
    let sitting = observation("09:00", "10:15", None, 11);
    assert!(check_session_adjusted(&obs, None, &sitting).is_err());
    assert_eq!(check_session_adjusted(&obs, Some(&adj), &sitting), Ok(75));
    // Its questioning share grows with it: 15% of 75 is 11.
    assert_eq!(questioning_limit(&obs, Some(&adj)), Some(11));
    assert!(
        check_session_adjusted(&obs, Some(&adj), &observation("09:00", "10:15", None, 12)).is_err()
    );
    // Upper edge 83, one more refused.
    assert!(
        check_session_adjusted(&obs, Some(&adj), &observation("09:00", "10:23", None, 9)).is_ok()
    );
    assert!(
        check_session_adjusted(&obs, Some(&adj), &observation("09:00", "10:24", None, 9)).is_err()
    );
    // Extra time in minutes, on the discussion.
    let pd = method("tquk", MethodId::Discussion);
    let minutes = Adjustment::new(Some(ExtraTime::Minutes(20)), None, "reader").unwrap();
    let record = SessionRecord {
        start: t("09:00"),
        end: t("10:28"),
        observation_minutes: None,
        questioning_minutes: None,
        interview_questions: None,
    };
    assert!(check_session_adjusted(&pd, None, &record).is_err());
    assert_eq!(check_session_adjusted(&pd, Some(&minutes), &record), Ok(88));
    // Arrangements alone change no window.
    let words = Adjustment::new(None, Some("a quiet room".into()), "anxiety").unwrap();
    assert_eq!(allowed_window(&pd, Some(&words)), allowed_window(&pd, None));
}

#[test]
fn a_booking_fits_the_method_its_questions_and_the_adjustment() {
    let tquk = method("tquk", MethodId::Observation);
    let innovate = method("innovate", MethodId::Observation);
    // TQUK leaves room for the 10 minutes of questions after the observation.
    assert_eq!(
        check_booking_length(&tquk, None, t("09:00"), t("10:16")),
        Ok(76)
    );
    assert!(check_booking_length(&tquk, None, t("09:00"), t("10:17")).is_err());
    // Innovate's questions are inside the observation.
    assert_eq!(
        check_booking_length(&innovate, None, t("09:00"), t("10:06")),
        Ok(66)
    );
    let err = check_booking_length(&innovate, None, t("09:00"), t("10:10")).unwrap_err();
    assert_eq!(err.field, "end_time");
    assert!(err.message.contains("lasts 70 minutes"), "{err:?}");
    assert!(check_booking_length(&innovate, None, t("09:00"), t("09:53")).is_err());
    assert!(check_booking_length(&innovate, None, t("09:00"), t("09:54")).is_ok());
    assert!(check_booking_length(&innovate, None, t("10:00"), t("09:00")).is_err());
    // With 25% extra time a 75-minute booking fits.
    let adj = extra(25);
    assert!(check_booking_length(&innovate, None, t("09:00"), t("10:15")).is_err());
    assert_eq!(
        check_booking_length(&innovate, Some(&adj), t("09:00"), t("10:15")),
        Ok(75)
    );
}
