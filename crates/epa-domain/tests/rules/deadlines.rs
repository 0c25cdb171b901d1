use epa_domain::calendar::{HolidayCalendar, Region};
use epa_domain::deadlines::{DeadlineKind, DeadlineState, KnownDates, plan_deadlines};
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
