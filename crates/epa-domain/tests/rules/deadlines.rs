use epa_domain::calendar::{HolidayCalendar, Region};
use epa_domain::deadlines::{
    DeadlineError, DeadlineKind, DeadlineState, KnownDates, plan_deadlines,
};
use epa_plan::Catalog;

use crate::d;

fn run(epao: &str, known: &KnownDates, today: &str) -> epa_domain::deadlines::DeadlinePlan {
    let plan = Catalog::embedded().effective("ST0071", None, epao).unwrap();
    let cal = HolidayCalendar::england_and_wales();
    let wd = cal.working_days(Region::EnglandAndWales).unwrap();
    plan_deadlines(&plan, known, d(today), &wd).unwrap()
}

#[test]
fn tquk_from_gateway_and_planning_meeting() {
    let known = KnownDates {
        gateway: Some(d("2025-01-31")),
        planning_meeting: Some(d("2025-02-10")),
        ..KnownDates::default()
    };
    let out = run("tquk", &known, "2025-04-07");
    let get = |id: &str| {
        out.deadlines
            .iter()
            .find(|x| x.id == id)
            .unwrap_or_else(|| panic!("{id} in {:?}", out.deadlines))
    };
    // 31 January + 3 months = 30 April (clamped).
    assert_eq!(get("epa_period_end").date, d("2025-04-30"));
    assert_eq!(get("epa_period_end").state, DeadlineState::Upcoming);
    assert_eq!(get("earliest_observation").date, d("2025-02-14"));
    assert_eq!(get("earliest_observation").kind, DeadlineKind::NotBefore);
    assert_eq!(get("report_due").date, d("2025-04-10"));
    assert_eq!(get("report_due").state, DeadlineState::DueSoon);
    assert!(get("report_due").source.document.contains("TQUK"));
    // Later deadlines wait for their dates.
    assert!(
        out.waiting
            .iter()
            .any(|w| w.timing == "report_to_interview")
    );
    assert!(
        out.waiting
            .iter()
            .any(|w| w.timing == "resit_retake_window")
    );
}

#[test]
fn every_deadline_once_all_dates_are_known() {
    for epao in ["tquk", "innovate"] {
        let known = KnownDates {
            gateway: Some(d("2025-01-31")),
            planning_meeting: Some(d("2025-02-10")),
            proposal_rejection: Some(d("2025-02-12")),
            report_submission: Some(d("2025-03-28")),
            observation: Some(d("2025-03-03")),
            interview: Some(d("2025-04-14")),
            discussion: Some(d("2025-04-22")),
            result_upload: Some(d("2025-05-02")),
            fail_result: Some(d("2025-05-02")),
            project_fail_result: Some(d("2025-05-02")),
            replacement_request: Some(d("2025-06-02")),
            ..KnownDates::default()
        };
        let out = run(epao, &known, "2025-05-01");
        let ids: Vec<&str> = out.deadlines.iter().map(|x| x.id.as_str()).collect();
        for id in [
            "epa_period_end",
            "earliest_observation",
            "report_due",
            "portfolio_due",
            "project_rework_due",
            "resit_retake_window_end",
        ] {
            assert!(
                ids.contains(&id) || epao == "innovate" && id == "portfolio_due",
                "{epao}: {id} missing from {ids:?}"
            );
        }
        assert!(out.waiting.is_empty(), "{epao}: {:?}", out.waiting);
        let get = |id: &str| out.deadlines.iter().find(|x| x.id == id).unwrap();
        assert_eq!(get("resit_retake_window_end").date, d("2026-05-02"));
        assert_eq!(get("project_rework_due").date, d("2025-06-02"));
        if epao == "tquk" {
            assert_eq!(get("proposal_rework_due").date, d("2025-02-19"));
            assert_eq!(get("earliest_interview").date, d("2025-04-11"));
            assert_eq!(get("portfolio_due").date, d("2025-04-08"));
        } else {
            // Innovate: results within 7 working days of each assessment;
            // the certificate claimed within 15 working days of the upload.
            assert_eq!(get("results_due_observation").date, d("2025-03-12"));
            // 14 April 2025 + 7 working days, over Easter (18 and 21 April).
            assert_eq!(get("results_due_interview").date, d("2025-04-25"));
            assert_eq!(get("certificate_claim_due").date, d("2025-05-27"));
        }
    }
}

fn try_run(
    epao: &str,
    known: &KnownDates,
    today: &str,
) -> Result<epa_domain::deadlines::DeadlinePlan, DeadlineError> {
    let plan = Catalog::embedded().effective("ST0071", None, epao).unwrap();
    let cal = HolidayCalendar::england_and_wales();
    let wd = cal.working_days(Region::EnglandAndWales).unwrap();
    plan_deadlines(&plan, known, d(today), &wd)
}

#[test]
fn impossible_orderings_are_refused_naming_both_dates() {
    let known = KnownDates {
        gateway: Some(d("2024-01-15")),
        planning_meeting: Some(d("2023-01-01")),
        ..KnownDates::default()
    };
    let err = try_run("tquk", &known, "2024-01-20").unwrap_err();
    assert_eq!(
        err.to_string(),
        "impossible dates: the planning meeting 2023-01-01 is before the gateway 2024-01-15"
    );
    // Every assessment before the gateway is named, all at once.
    let known = KnownDates {
        gateway: Some(d("2024-01-15")),
        observation: Some(d("2024-01-10")),
        discussion: Some(d("2024-01-12")),
        ..KnownDates::default()
    };
    let DeadlineError::Contradictory(found) =
        try_run("innovate", &known, "2024-01-20").unwrap_err()
    else {
        panic!("not a contradiction")
    };
    let events: Vec<&str> = found.iter().map(|c| c.event).collect();
    assert_eq!(events, ["observation", "discussion"]);
    assert!(found.iter().all(|c| c.before == "gateway"));
    // A final result before an assessment cannot be either.
    let known = KnownDates {
        gateway: Some(d("2024-01-15")),
        interview: Some(d("2024-03-01")),
        result_upload: Some(d("2024-02-20")),
        ..KnownDates::default()
    };
    assert!(
        try_run("tquk", &known, "2024-03-05")
            .unwrap_err()
            .to_string()
            .contains("the result upload 2024-02-20 is before the interview 2024-03-01")
    );
    // The same day is not a contradiction.
    let known = KnownDates {
        gateway: Some(d("2024-01-15")),
        planning_meeting: Some(d("2024-01-15")),
        ..KnownDates::default()
    };
    assert!(known.contradictions().is_empty());
}

#[test]
fn a_booking_that_breaks_a_must_rule_is_a_warning_naming_the_rule() {
    // Gateway 31 January 2025: with two weeks' notice from then at the
    // soonest, the observation is not before 14 February.
    let known = KnownDates {
        gateway: Some(d("2025-01-31")),
        planning_meeting: Some(d("2025-02-03")),
        observation: Some(d("2025-02-10")),
        ..KnownDates::default()
    };
    let out = try_run("tquk", &known, "2025-02-03").unwrap();
    assert_eq!(out.warnings.len(), 1, "{:#?}", out.warnings);
    let w = &out.warnings[0];
    assert_eq!(w.deadline, "earliest_observation");
    assert_eq!(w.timing, "observation_notice");
    assert_eq!(w.event, "observation");
    assert_eq!(w.event_date, d("2025-02-10"));
    assert_eq!(w.deadline_date, d("2025-02-14"));
    assert!(w.message.contains("two weeks' notice"), "{}", w.message);
    let get = |id: &str| out.deadlines.iter().find(|x| x.id == id).unwrap();
    assert_eq!(get("earliest_observation").state, DeadlineState::Missed);
    assert_eq!(get("earliest_observation").done, Some(d("2025-02-10")));

    // A booking that keeps the rules gives none.
    let known = KnownDates {
        observation: Some(d("2025-02-14")),
        ..known
    };
    let out = try_run("tquk", &known, "2025-02-03").unwrap();
    assert!(out.warnings.is_empty(), "{:#?}", out.warnings);

    // TQUK: the interview at least two weeks after the report; an
    // assessment after the EPA period breaks the period rule.
    let known = KnownDates {
        gateway: Some(d("2025-01-31")),
        planning_meeting: Some(d("2025-02-03")),
        report_submission: Some(d("2025-04-01")),
        interview: Some(d("2025-05-06")),
        ..KnownDates::default()
    };
    let out = try_run("tquk", &known, "2025-02-03").unwrap();
    let broken: Vec<&str> = out.warnings.iter().map(|w| w.deadline.as_str()).collect();
    assert_eq!(broken, ["epa_period_end"], "{:#?}", out.warnings);
    let known = KnownDates {
        interview: Some(d("2025-04-08")),
        ..known
    };
    let out = try_run("tquk", &known, "2025-02-03").unwrap();
    let broken: Vec<&str> = out.warnings.iter().map(|w| w.deadline.as_str()).collect();
    assert_eq!(broken, ["earliest_interview"], "{:#?}", out.warnings);
}

#[test]
fn a_past_deadline_with_nothing_recorded_is_not_known_to_be_missed() {
    let known = KnownDates {
        gateway: Some(d("2024-01-15")),
        ..KnownDates::default()
    };
    // Long after every deadline: only the gateway is known.
    let out = try_run("innovate", &known, "2025-06-01").unwrap();
    assert!(
        out.deadlines
            .iter()
            .all(|x| x.state != DeadlineState::Overdue),
        "{:#?}",
        out.deadlines
    );
    let get = |out: &epa_domain::deadlines::DeadlinePlan, id: &str| {
        out.deadlines.iter().find(|x| x.id == id).unwrap().state
    };
    assert_eq!(
        get(&out, "epa_period_end"),
        DeadlineState::OverdueUnlessDone
    );
    assert_eq!(get(&out, "report_due"), DeadlineState::OverdueUnlessDone);
    // A record that is complete says it was not done.
    let complete = KnownDates {
        record_complete: true,
        ..known.clone()
    };
    let out = try_run("innovate", &complete, "2025-06-01").unwrap();
    assert_eq!(get(&out, "epa_period_end"), DeadlineState::Overdue);
    // A date given completes its deadline: the report was in on time.
    let known = KnownDates {
        report_submission: Some(d("2024-03-01")),
        ..known
    };
    let out = try_run("innovate", &known, "2025-06-01").unwrap();
    assert_eq!(get(&out, "report_due"), DeadlineState::Met);
    assert!(out.warnings.is_empty());
}
