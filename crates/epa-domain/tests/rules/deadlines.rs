use epa_domain::MethodId;
use epa_domain::calendar::{HolidayCalendar, Region};
use epa_domain::deadlines::{
    DeadlineError, DeadlineId, DeadlineKind, DeadlineState, KnownDates, plan_deadlines,
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
fn a_retakes_fail_comes_before_its_new_epa_period_and_still_opens_the_window() {
    let retake = KnownDates {
        gateway: Some(d("2024-09-02")),
        epa_period_start: Some(d("2024-09-02")),
        fail_result: Some(d("2024-05-02")),
        retake: true,
        ..KnownDates::default()
    };
    let plan = try_run("tquk", &retake, "2024-09-10").expect("a retake's dates are possible");
    let window = plan
        .deadlines
        .iter()
        .find(|d| d.id == DeadlineId::ResitRetakeWindowEnd)
        .expect("the window");
    assert_eq!(window.date, d("2025-05-02"));
    // The same fail on a first attempt cannot be: its EPA period comes first.
    let first = KnownDates {
        retake: false,
        ..retake
    };
    let err = try_run("tquk", &first, "2024-09-10").unwrap_err();
    assert_eq!(
        err.to_string(),
        "impossible dates: the fail result 2024-05-02 is before the epa period start 2024-09-02"
    );
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
            .all(|x| x.state != DeadlineState::Missed),
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
    assert_eq!(get(&out, "epa_period_end"), DeadlineState::Missed);
    // A date given completes its deadline: the report was in on time.
    let known = KnownDates {
        report_submission: Some(d("2024-03-01")),
        ..known
    };
    let out = try_run("innovate", &known, "2025-06-01").unwrap();
    assert_eq!(get(&out, "report_due"), DeadlineState::Met);
    assert!(out.warnings.is_empty());
}

/// Innovate with the product's full record: gateway submitted 10 January
/// 2025 and approved 31 January; the observation booked 10 February for
/// 3 March.
fn innovate_record() -> KnownDates {
    KnownDates {
        gateway_submitted: Some(d("2025-01-10")),
        gateway: Some(d("2025-01-31")),
        observation_booked_on: Some(d("2025-02-10")),
        observation: Some(d("2025-03-03")),
        record_complete: true,
        ..KnownDates::default()
    }
}

fn state(out: &epa_domain::deadlines::DeadlinePlan, id: DeadlineId) -> DeadlineState {
    out.deadlines
        .iter()
        .find(|x| x.id == id)
        .unwrap_or_else(|| panic!("{id} in {:#?}", out.deadlines))
        .state
}

#[test]
fn what_the_product_records_is_met_or_missed_never_overdue_unless_done() {
    let mut known = innovate_record();
    known
        .results_released
        .insert(MethodId::Observation, d("2025-03-12"));
    let out = run("innovate", &known, "2025-06-01");
    // Results of the observation within 7 working days: 12 March, met by
    // releasing that method.
    assert_eq!(
        state(&out, DeadlineId::ResultsDue(MethodId::Observation)),
        DeadlineState::Met
    );
    // Gateway processing: two weeks from the submission (24 January); the
    // approval on 31 January missed it.
    assert_eq!(
        state(&out, DeadlineId::GatewayProcessingEnd),
        DeadlineState::Missed
    );
    // Notice: booked on 10 February for 3 March, due by 17 February: met.
    assert_eq!(
        state(&out, DeadlineId::ObservationNoticeDue),
        DeadlineState::Met
    );
    // Nothing the product decides is left "unless done".
    for x in &out.deadlines {
        assert!(x.state != DeadlineState::OverdueUnlessDone, "{x:#?}");
    }
    // The report, never submitted by 31 March, is missed by the record.
    assert_eq!(state(&out, DeadlineId::ReportDue), DeadlineState::Missed);

    // A release one working day late is missed.
    let mut late = innovate_record();
    late.results_released
        .insert(MethodId::Observation, d("2025-03-13"));
    let out = run("innovate", &late, "2025-06-01");
    assert_eq!(
        state(&out, DeadlineId::ResultsDue(MethodId::Observation)),
        DeadlineState::Missed
    );
    // Not released and past its date: missed; not yet past: due soon.
    let out = run("innovate", &innovate_record(), "2025-03-13");
    assert_eq!(
        state(&out, DeadlineId::ResultsDue(MethodId::Observation)),
        DeadlineState::Missed
    );
    let out = run("innovate", &innovate_record(), "2025-03-12");
    assert_eq!(
        state(&out, DeadlineId::ResultsDue(MethodId::Observation)),
        DeadlineState::DueSoon
    );

    // Approval within the two weeks is met; booked with too little notice
    // is missed, with a warning naming the rule.
    let mut quick = innovate_record();
    quick.gateway = Some(d("2025-01-24"));
    quick.observation_booked_on = Some(d("2025-02-18"));
    let out = run("innovate", &quick, "2025-03-01");
    assert_eq!(
        state(&out, DeadlineId::GatewayProcessingEnd),
        DeadlineState::Met
    );
    assert_eq!(
        state(&out, DeadlineId::ObservationNoticeDue),
        DeadlineState::Missed
    );
    assert!(
        out.warnings
            .iter()
            .any(|w| w.deadline == DeadlineId::ObservationNoticeDue
                && w.event == "observation_booked_on"),
        "{:#?}",
        out.warnings
    );
}

#[test]
fn the_certificate_claim_and_portfolio_are_met_by_their_dates() {
    let mut known = innovate_record();
    known.interview = Some(d("2025-04-14"));
    known.discussion = Some(d("2025-04-22"));
    known.result_upload = Some(d("2025-05-02"));
    known.certificate_claim = Some(d("2025-05-23"));
    let out = run("innovate", &known, "2025-06-30");
    assert_eq!(
        state(&out, DeadlineId::CertificateClaimDue),
        DeadlineState::Met
    );
    known.certificate_claim = Some(d("2025-05-28"));
    let out = run("innovate", &known, "2025-06-30");
    assert_eq!(
        state(&out, DeadlineId::CertificateClaimDue),
        DeadlineState::Missed
    );
    // Innovate takes the portfolio at gateway: by the gateway.
    known.portfolio_submission = Some(d("2025-01-10"));
    let out = run("innovate", &known, "2025-06-30");
    assert_eq!(state(&out, DeadlineId::PortfolioDue), DeadlineState::Met);

    // TQUK: two weeks before the discussion.
    let tquk = KnownDates {
        gateway: Some(d("2025-01-31")),
        discussion: Some(d("2025-04-22")),
        portfolio_submission: Some(d("2025-04-08")),
        record_complete: true,
        ..KnownDates::default()
    };
    assert_eq!(
        state(&run("tquk", &tquk, "2025-05-01"), DeadlineId::PortfolioDue),
        DeadlineState::Met
    );
    let late = KnownDates {
        portfolio_submission: Some(d("2025-04-09")),
        ..tquk.clone()
    };
    assert_eq!(
        state(&run("tquk", &late, "2025-05-01"), DeadlineId::PortfolioDue),
        DeadlineState::Missed
    );
    let none = KnownDates {
        portfolio_submission: None,
        ..tquk
    };
    assert_eq!(
        state(&run("tquk", &none, "2025-05-01"), DeadlineId::PortfolioDue),
        DeadlineState::Missed
    );
}

#[test]
fn only_what_happens_outside_the_product_stays_unless_done() {
    let mut known = innovate_record();
    known.replacement_request = Some(d("2025-06-02"));
    let out = run("innovate", &known, "2025-06-10");
    assert_eq!(
        state(&out, DeadlineId::ReplacementCertificateDue),
        DeadlineState::OverdueUnlessDone
    );
    known
        .done
        .insert(DeadlineId::ReplacementCertificateDue, d("2025-06-03"));
    let out = run("innovate", &known, "2025-06-10");
    assert_eq!(
        state(&out, DeadlineId::ReplacementCertificateDue),
        DeadlineState::Met
    );
}

#[test]
fn a_finished_epa_has_no_open_deadline() {
    let mut known = innovate_record();
    known
        .results_released
        .insert(MethodId::Observation, d("2025-03-12"));
    let open = run("innovate", &known, "2025-03-05");
    assert!(!open.open().is_empty());
    known.finished = true;
    let out = run("innovate", &known, "2025-03-05");
    assert!(out.open().is_empty(), "{:#?}", out.deadlines);
    assert!(out.deadlines.iter().all(|x| !x.state.is_open()));
    assert!(out.waiting.is_empty());
    // What was decided stays: the met results and notice, the missed processing.
    assert_eq!(
        state(&out, DeadlineId::ResultsDue(MethodId::Observation)),
        DeadlineState::Met
    );
    assert_eq!(
        state(&out, DeadlineId::GatewayProcessingEnd),
        DeadlineState::Missed
    );
}

#[test]
fn open_deadlines_come_most_urgent_first() {
    let known = KnownDates {
        gateway: Some(d("2025-01-31")),
        planning_meeting: Some(d("2025-02-03")),
        replacement_request: Some(d("2025-03-03")),
        ..KnownDates::default()
    };
    let out = run("innovate", &known, "2025-03-24");
    let open: Vec<(DeadlineState, DeadlineId)> =
        out.open().iter().map(|x| (x.state, x.id)).collect();
    let ranks: Vec<u8> = open.iter().map(|(s, _)| s.urgency()).collect();
    let mut sorted = ranks.clone();
    sorted.sort();
    assert_eq!(ranks, sorted, "{open:?}");
    assert_eq!(open[0].0, DeadlineState::OverdueUnlessDone, "{open:?}");
}

#[test]
fn innovates_two_weeks_prior_is_a_minimum_in_deadlines_and_bookings() {
    use epa_domain::booking::{BookingFacts, check};
    let plan = Catalog::embedded()
        .effective("ST0071", None, "innovate")
        .unwrap();
    let cal = HolidayCalendar::england_and_wales();
    let wd = cal.working_days(Region::EnglandAndWales).unwrap();
    // Interview 14 April: the report is due by 31 March.
    for (submitted, want) in [
        ("2025-03-20", DeadlineState::Met),
        ("2025-03-31", DeadlineState::Met),
        ("2025-04-01", DeadlineState::Missed),
    ] {
        let known = KnownDates {
            gateway: Some(d("2025-01-31")),
            report_submission: Some(d(submitted)),
            interview: Some(d("2025-04-14")),
            record_complete: true,
            ..KnownDates::default()
        };
        let out = run("innovate", &known, "2025-04-20");
        let due = out
            .deadlines
            .iter()
            .find(|x| x.id == DeadlineId::ReportDueBeforeInterview)
            .unwrap();
        assert_eq!(due.date, d("2025-03-31"));
        assert_eq!(due.state, want, "report on {submitted}");
        // The booking reads it the same: the interview not before the
        // submission plus two weeks, earlier is fine.
        let facts = BookingFacts {
            method: MethodId::Project,
            date: d("2025-04-14"),
            booked_on: d("2025-02-03"),
            epa_period_start: Some(d("2025-01-31")),
            report_submitted_on: Some(d(submitted)),
            portfolio_submitted_on: None,
            booked: Vec::new(),
        };
        let found = check(&plan, &facts, &wd).unwrap();
        let refused = found
            .iter()
            .any(|f| f.rule == "report_to_interview" && f.refuses());
        assert_eq!(
            refused,
            want == DeadlineState::Missed,
            "booking with report on {submitted}"
        );
    }
}

#[test]
fn deadline_ids_are_typed_and_keep_their_wire_names() {
    for id in DeadlineId::ALL {
        assert_eq!(DeadlineId::parse(id.as_str()), Some(id));
        assert_eq!(serde_json::to_value(id).unwrap(), id.as_str());
    }
    assert_eq!(
        DeadlineId::ResultsDue(MethodId::Project).as_str(),
        "results_due_interview"
    );
    assert_eq!(DeadlineId::parse("overdue"), None);
    // The old state name is still read.
    let old: DeadlineState = serde_json::from_str("\"overdue\"").unwrap();
    assert_eq!(old, DeadlineState::Missed);
}
