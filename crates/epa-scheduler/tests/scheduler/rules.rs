//! Every hard rule at its edges, from both sides: what the solver books,
//! and what the checker refuses.

use chrono::Datelike;
use epa_scheduler::{Method, violations};
use serde_json::json;

use crate::{apprentice, assessor, base, booking, calendar, date_of, instance, solve};

fn refused(v: &serde_json::Value, bookings: &[epa_scheduler::Booking], what: &str) -> bool {
    violations(&instance(v), &calendar(), bookings)
        .iter()
        .any(|line| line.contains(what))
}

#[test]
fn observation_needs_two_weeks_notice() {
    // Today Tuesday 5 January 2027: 14 days later is Tuesday 19 January.
    let mut v = base();
    v["today"] = "2027-01-05".into();
    v["apprentices"] = json!([apprentice("AP001", "2026-12-01", "2026-12-20")]);
    let answer = solve(&v);
    assert_eq!(
        date_of(&answer, "AP001", Method::Observation).as_deref(),
        Some("2027-01-19")
    );
    // TQUK: the discussion follows the observation and the interview.
    assert_eq!(
        date_of(&answer, "AP001", Method::Discussion).as_deref(),
        Some("2027-01-20")
    );
    let notice = "less than 14 days' notice";
    let on = |d: &str| [booking("AP001", Method::Observation, "AS01", d)];
    assert!(!refused(&v, &on("2027-01-19"), notice));
    assert!(refused(&v, &on("2027-01-18"), notice));
}

#[test]
fn interview_at_least_14_days_after_the_report() {
    // Report due Wednesday 20 January: the interview from Wednesday 3 February.
    let v = base();
    let answer = solve(&v);
    assert_eq!(
        date_of(&answer, "AP001", Method::Interview).as_deref(),
        Some("2027-02-03")
    );
    assert_eq!(
        date_of(&answer, "AP001", Method::Discussion).as_deref(),
        Some("2027-02-04")
    );
    assert_eq!(answer.objective.lead_time_days, 52);
    let rule = "less than 14 days after the report is due";
    let on = |d: &str| [booking("AP001", Method::Interview, "AS01", d)];
    assert!(!refused(&v, &on("2027-02-03"), rule));
    assert!(refused(&v, &on("2027-02-02"), rule));
}

#[test]
fn the_epa_period_ends_three_months_after_gateway_clamped_to_month_end() {
    // Gateway 30 November 2026: the period ends on Sunday 28 February 2027.
    let mut v = base();
    v["apprentices"] = json!([apprentice("AP001", "2026-11-30", "2027-02-11")]);
    let answer = solve(&v);
    assert_eq!(
        date_of(&answer, "AP001", Method::Interview).as_deref(),
        Some("2027-02-25")
    );
    assert_eq!(
        date_of(&answer, "AP001", Method::Discussion).as_deref(),
        Some("2027-02-26")
    );
    let rule = "after the end of the EPA period (2027-02-28)";
    let on = |d: &str| [booking("AP001", Method::Discussion, "AS01", d)];
    assert!(!refused(&v, &on("2027-02-26"), rule));
    assert!(refused(&v, &on("2027-03-01"), rule));

    // A day later, the interview is on the last working day, Friday 26
    // February: the discussion cannot follow it, and one out of order
    // costs less than one not booked.
    v["apprentices"] = json!([apprentice("AP001", "2026-11-30", "2027-02-12")]);
    let answer = solve(&v);
    assert!(answer.unscheduled.is_empty());
    assert_eq!(
        date_of(&answer, "AP001", Method::Interview).as_deref(),
        Some("2027-02-26")
    );
    assert_eq!(answer.objective.order_violations, 1);

    // Two days later there is no day for the interview at all.
    v["apprentices"] = json!([apprentice("AP001", "2026-11-30", "2027-02-15")]);
    let answer = solve(&v);
    assert_eq!(answer.unscheduled.len(), 1);
    assert_eq!(answer.unscheduled[0].method, Method::Interview);
    assert!(
        answer.unscheduled[0]
            .reason
            .contains("after the end of the EPA period (2027-02-28)"),
        "{}",
        answer.unscheduled[0].reason
    );
}

#[test]
fn bank_holidays_are_refused() {
    // Report due Friday 12 March 2027: 14 days later is Good Friday, then
    // Easter Monday; the interview is on Tuesday 30 March.
    let mut v = base();
    v["today"] = "2027-03-01".into();
    v["apprentices"] = json!([apprentice("AP001", "2027-02-15", "2027-03-12")]);
    let answer = solve(&v);
    assert_eq!(
        date_of(&answer, "AP001", Method::Interview).as_deref(),
        Some("2027-03-30")
    );
    let rule = "not a working day";
    let on = |d: &str| [booking("AP001", Method::Interview, "AS01", d)];
    assert!(refused(&v, &on("2027-03-26"), rule));
    assert!(refused(&v, &on("2027-03-29"), rule));
    assert!(refused(&v, &on("2027-03-27"), rule));
    assert!(!refused(&v, &on("2027-03-30"), rule));
}

#[test]
fn unavailable_days_are_refused() {
    let mut v = base();
    v["apprentices"][0]["unavailable"] = json!(["2027-02-03"]);
    let answer = solve(&v);
    assert_eq!(
        date_of(&answer, "AP001", Method::Interview).as_deref(),
        Some("2027-02-04")
    );
    let mut v = base();
    v["assessors"][0]["unavailable"] = json!(["2027-02-03", "2027-02-04"]);
    let answer = solve(&v);
    assert_eq!(
        date_of(&answer, "AP001", Method::Interview).as_deref(),
        Some("2027-02-05")
    );
    let on = [booking("AP001", Method::Interview, "AS01", "2027-02-03")];
    assert!(refused(&v, &on, "the assessor is unavailable"));
    // Not after today.
    let on = [booking("AP001", Method::Discussion, "AS01", "2027-01-04")];
    assert!(refused(&v, &on, "not after today"));
}

#[test]
fn max_per_week_counts_monday_to_sunday() {
    let mut v = base();
    v["assessors"][0]["max_per_week"] = 1.into();
    let answer = solve(&v);
    assert!(answer.unscheduled.is_empty());
    let weeks: std::collections::BTreeSet<_> =
        answer.bookings.iter().map(|b| b.date.iso_week()).collect();
    assert_eq!(weeks.len(), 3);
    let rule = "assessments in the week of 2027-01-18";
    // Friday 22 and Monday 25 January are in different weeks.
    let apart = [
        booking("AP001", Method::Observation, "AS01", "2027-01-22"),
        booking("AP001", Method::Discussion, "AS01", "2027-01-25"),
    ];
    assert!(violations(&instance(&v), &calendar(), &apart).is_empty());
    let together = [
        booking("AP001", Method::Observation, "AS01", "2027-01-18"),
        booking("AP001", Method::Discussion, "AS01", "2027-01-22"),
    ];
    assert!(refused(&v, &together, rule));
}

#[test]
fn max_per_day_and_one_assessment_a_day_for_the_apprentice() {
    let mut v = base();
    v["assessors"][0]["max_per_day"] = 1.into();
    v["apprentices"] = json!([
        apprentice("AP001", "2026-12-14", "2027-01-20"),
        apprentice("AP002", "2026-12-14", "2027-01-20")
    ]);
    let answer = solve(&v);
    assert!(answer.unscheduled.is_empty());
    let mut days: Vec<_> = answer.bookings.iter().map(|b| b.date).collect();
    days.sort();
    days.dedup();
    assert_eq!(days.len(), 6);
    let same_day = [
        booking("AP001", Method::Observation, "AS01", "2027-01-19"),
        booking("AP002", Method::Observation, "AS01", "2027-01-19"),
    ];
    assert!(refused(&v, &same_day, "2 assessments on 2027-01-19"));
    let apprentice_twice = [
        booking("AP001", Method::Observation, "AS01", "2027-02-04"),
        booking("AP001", Method::Interview, "AS01", "2027-02-04"),
    ];
    assert!(refused(
        &v,
        &apprentice_twice,
        "the apprentice has another assessment that day"
    ));
}

#[test]
fn observations_in_one_region_a_day() {
    let mut v = base();
    v["assessors"][0]["max_per_day"] = 3.into();
    v["assessors"][0]["max_per_week"] = 20.into();
    let mut far = apprentice("AP002", "2026-12-14", "2027-01-20");
    far["region"] = "north-west".into();
    let mut near = apprentice("AP003", "2026-12-14", "2027-01-20");
    near["employer"] = "EMP02".into();
    v["apprentices"] = json!([apprentice("AP001", "2026-12-14", "2027-01-20"), far, near]);
    let answer = solve(&v);
    let o1 = date_of(&answer, "AP001", Method::Observation).unwrap();
    let o2 = date_of(&answer, "AP002", Method::Observation).unwrap();
    assert_ne!(o1, o2);
    let rule = "observes in 2 regions on 2027-01-19";
    let two_regions = [
        booking("AP001", Method::Observation, "AS01", "2027-01-19"),
        booking("AP002", Method::Observation, "AS01", "2027-01-19"),
    ];
    assert!(refused(&v, &two_regions, rule));
    let one_region = [
        booking("AP001", Method::Observation, "AS01", "2027-01-19"),
        booking("AP003", Method::Observation, "AS01", "2027-01-19"),
    ];
    assert!(violations(&instance(&v), &calendar(), &one_region).is_empty());
}

#[test]
fn conflicts_on_employer_and_provider() {
    let mut v = base();
    let mut employer = assessor("AS01", "london");
    employer["conflicts"] = json!(["EMP01"]);
    let mut provider = assessor("AS02", "london");
    provider["conflicts"] = json!(["TP01"]);
    v["assessors"] = json!([employer, provider, assessor("AS03", "north-west")]);
    let answer = solve(&v);
    assert!(answer.unscheduled.is_empty());
    assert!(answer.bookings.iter().all(|b| b.assessor == "AS03"));
    // Travel from the north-west: 150 minutes.
    assert_eq!(answer.objective.travel_hours, 2.5);
    let on = [booking("AP001", Method::Discussion, "AS01", "2027-02-04")];
    assert!(refused(&v, &on, "conflict of interest"));
    let on = [booking("AP001", Method::Discussion, "AS02", "2027-02-04")];
    assert!(refused(&v, &on, "conflict of interest"));

    v["assessors"] = json!([v["assessors"][0], v["assessors"][1]]);
    let answer = solve(&v);
    assert_eq!(answer.unscheduled.len(), 3);
    assert!(
        answer.unscheduled[0]
            .reason
            .contains("conflict of interest")
    );
    assert_eq!(answer.objective.total, 3000.0);
}

#[test]
fn one_assessor_for_all_three() {
    let v = base();
    let split = [
        booking("AP001", Method::Observation, "AS01", "2027-01-19"),
        booking("AP001", Method::Interview, "AS02", "2027-02-03"),
    ];
    let mut two = v.clone();
    two["assessors"] = json!([assessor("AS01", "london"), assessor("AS02", "london")]);
    assert!(refused(&two, &split, "another assessor (AS01)"));
}

#[test]
fn innovate_wants_the_discussion_after_the_interview_only() {
    let mut v = base();
    v["epao"] = "innovate".into();
    // The interview can be early; the observation cannot.
    v["today"] = "2027-01-05".into();
    v["apprentices"] = json!([apprentice("AP001", "2026-12-01", "2026-12-20")]);
    let answer = solve(&v);
    assert_eq!(answer.objective.order_violations, 0);
    // The observation (19 January at the earliest) is the last; the
    // discussion need not wait for it.
    assert_eq!(
        date_of(&answer, "AP001", Method::Observation).as_deref(),
        Some("2027-01-19")
    );
    let d = date_of(&answer, "AP001", Method::Discussion).unwrap();
    assert!(d.as_str() < "2027-01-19", "{d}");
}
