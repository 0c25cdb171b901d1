//! The grade cap after a resit or retake, read from each policy: a resit
//! accepted outside the recommended window still counts; TQUK caps the
//! overall grade, Innovate the re-sat method's grade; who decides
//! exceptional circumstances.

use epa_domain::attempts::{
    AttemptError, AttemptHistory, AttemptKind, AttemptPolicy, Sitting, SittingResult,
};
use epa_domain::calendar::{HolidayCalendar, Region};
use epa_domain::circumstances::{Party, Step, lifts_cap, may_act};
use epa_domain::grading::{EpaJudgements, GradingScheme, Outcome};
use epa_domain::{Grade, MethodId};
use epa_plan::{Catalog, EffectivePlan};

use crate::d;
use crate::grading::judged;

fn plan(epao: &str) -> EffectivePlan {
    Catalog::embedded().effective("ST0071", None, epao).unwrap()
}

fn sit(method: MethodId, kind: AttemptKind, on: &str, grade: Grade) -> Sitting {
    Sitting {
        method,
        kind,
        held_on: d(on),
        result: SittingResult::Graded(grade),
        result_issued_on: None,
    }
}

/// First sittings (the observation failed on 2025-03-10), then the given
/// resit; returns the history and the warnings the resit gave.
fn history(epao: &str, resit_on: &str, resit_grade: Grade) -> (AttemptHistory, Vec<AttemptError>) {
    let cal = HolidayCalendar::england_and_wales();
    let wd = cal.working_days(Region::EnglandAndWales).unwrap();
    let mut h = AttemptHistory::new(AttemptPolicy::from_plan(&plan(epao)));
    use MethodId::*;
    for s in [
        sit(Observation, AttemptKind::First, "2025-03-10", Grade::Fail),
        sit(
            Project,
            AttemptKind::First,
            "2025-04-01",
            Grade::Distinction,
        ),
        sit(
            Discussion,
            AttemptKind::First,
            "2025-04-08",
            Grade::Distinction,
        ),
    ] {
        assert!(h.record(s, &wd).unwrap().is_empty());
    }
    let warnings = h
        .record(
            sit(Observation, AttemptKind::Resit, resit_on, resit_grade),
            &wd,
        )
        .unwrap();
    (h, warnings)
}

fn graded(epao: &str, h: &AttemptHistory) -> epa_domain::grading::GradeResult {
    let scheme = GradingScheme::from_plan(&plan(epao)).unwrap();
    let mut j = EpaJudgements {
        methods: [None; 3],
        cap: h.cap_context(),
    };
    for (i, g) in h.current_grades().into_iter().enumerate() {
        j.methods[i] = g.map(|g| judged(&scheme, MethodId::ALL[i], g));
    }
    scheme.grade(&j)
}

#[test]
fn a_tquk_resit_thirteen_months_after_the_fail_is_recorded_with_a_warning_and_capped() {
    // 13 months after the fail: outside the recommended 12, accepted with
    // a warning, and it counts.
    let (h, warnings) = history("tquk", "2026-04-10", Grade::Distinction);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(matches!(warnings[0], AttemptError::OutsideWindow { .. }));
    assert_eq!(h.sittings().len(), 4);
    assert!(h.cap_context().resit);
    let result = graded("tquk", &h);
    assert_eq!(result.uncapped, Outcome::Graded(Grade::Distinction));
    assert_eq!(result.overall, Outcome::Graded(Grade::Pass));
    assert!(result.cap_applied);
    // The method grade stands under TQUK: the overall grade is capped.
    assert_eq!(
        result.method(MethodId::Observation),
        Outcome::Graded(Grade::Distinction)
    );
    // On the last day of the window there is no warning.
    let (_, warnings) = history("tquk", "2026-03-10", Grade::Distinction);
    assert!(warnings.is_empty());
}

#[test]
fn a_must_window_would_still_refuse() {
    let cal = HolidayCalendar::england_and_wales();
    let wd = cal.working_days(Region::EnglandAndWales).unwrap();
    let mut policy = AttemptPolicy::from_plan(&plan("tquk"));
    assert!(!policy.window_required, "both policies say 'should'");
    policy.window_required = true;
    let mut h = AttemptHistory::new(policy);
    h.record(
        sit(
            MethodId::Observation,
            AttemptKind::First,
            "2025-03-10",
            Grade::Fail,
        ),
        &wd,
    )
    .unwrap();
    assert!(matches!(
        h.record(
            sit(
                MethodId::Observation,
                AttemptKind::Resit,
                "2026-04-10",
                Grade::Pass
            ),
            &wd
        ),
        Err(AttemptError::OutsideWindow { .. })
    ));
}

#[test]
fn innovate_caps_the_resat_methods_grade_and_the_overall_follows() {
    let (h, warnings) = history("innovate", "2025-06-02", Grade::Distinction);
    assert!(warnings.is_empty());
    let ctx = h.cap_context();
    assert_eq!(ctx.resit_methods, [true, false, false]);
    let result = graded("innovate", &h);
    assert_eq!(
        result.methods_uncapped[0],
        Outcome::Graded(Grade::Distinction)
    );
    assert_eq!(
        result.method(MethodId::Observation),
        Outcome::Graded(Grade::Pass)
    );
    assert_eq!(
        result.method(MethodId::Project),
        Outcome::Graded(Grade::Distinction)
    );
    assert_eq!(result.uncapped, Outcome::Graded(Grade::Distinction));
    assert_eq!(result.overall, Outcome::Graded(Grade::Pass));
    assert!(result.cap_applied);
    // A resit that only passes is not lowered: the cap did nothing.
    let (h, _) = history("innovate", "2025-06-02", Grade::Pass);
    let result = graded("innovate", &h);
    assert_eq!(result.overall, Outcome::Graded(Grade::Pass));
    assert!(!result.cap_applied);
    // Innovate outside the window too: recorded with a warning, capped.
    let (h, warnings) = history("innovate", "2026-04-10", Grade::Distinction);
    assert_eq!(warnings.len(), 1);
    assert_eq!(
        graded("innovate", &h).method(MethodId::Observation),
        Outcome::Graded(Grade::Pass)
    );
}

#[test]
fn a_retake_is_capped_as_each_policy_words_it() {
    let cal = HolidayCalendar::england_and_wales();
    let wd = cal.working_days(Region::EnglandAndWales).unwrap();
    let run = |epao: &str| {
        let mut h = AttemptHistory::new(AttemptPolicy::from_plan(&plan(epao)));
        use MethodId::*;
        h.record(
            sit(Observation, AttemptKind::First, "2025-03-10", Grade::Fail),
            &wd,
        )
        .unwrap();
        h.record(
            sit(
                Project,
                AttemptKind::First,
                "2025-04-01",
                Grade::Distinction,
            ),
            &wd,
        )
        .unwrap();
        h.record(
            sit(
                Discussion,
                AttemptKind::First,
                "2025-04-08",
                Grade::Distinction,
            ),
            &wd,
        )
        .unwrap();
        h.record_retake_gateway(d("2025-06-01")).unwrap();
        h.record(
            sit(
                Observation,
                AttemptKind::Retake,
                "2025-07-01",
                Grade::Distinction,
            ),
            &wd,
        )
        .unwrap();
        graded(epao, &h)
    };
    // TQUK: "If a resit or retake is required, the overall EPA grade will be capped".
    assert_eq!(run("tquk").overall, Outcome::Graded(Grade::Pass));
    // Innovate names only "a re-sit": a retake is not capped.
    let innovate = run("innovate");
    assert_eq!(innovate.overall, Outcome::Graded(Grade::Distinction));
    assert!(!innovate.cap_applied);
}

#[test]
fn exceptional_circumstances_are_decided_by_whom_each_policy_says() {
    let tquk = plan("tquk").rules.grade_cap.exceptional_circumstances;
    let innovate = plan("innovate").rules.grade_cap.exceptional_circumstances;
    let staff = Party {
        epao_staff: true,
        ..Party::default()
    };
    let grader_staff = Party {
        epao_staff: true,
        graded_any: true,
        ..Party::default()
    };
    let assessor = Party {
        assessor_of_epa: true,
        graded_any: true,
        ..Party::default()
    };
    // TQUK: EPAO staff determine; no confirmation step.
    assert!(may_act(&tquk, Step::Identify, staff).is_ok());
    let err = may_act(&tquk, Step::Identify, assessor).unwrap_err();
    assert!(err.contains("only EPAO staff"), "{err}");
    assert!(
        err.contains("Training Qualifications UK determines"),
        "{err}"
    );
    assert!(may_act(&tquk, Step::Confirm, staff).is_err());
    assert!(lifts_cap(&tquk, true, false));
    // Innovate: the assessor identifies; staff who graded none of it confirm.
    assert!(may_act(&innovate, Step::Identify, assessor).is_ok());
    assert!(may_act(&innovate, Step::Identify, staff).is_err());
    assert!(may_act(&innovate, Step::Confirm, staff).is_ok());
    let err = may_act(&innovate, Step::Confirm, grader_staff).unwrap_err();
    assert!(err.contains("graded no part"), "{err}");
    assert!(may_act(&innovate, Step::Confirm, assessor).is_err());
    assert!(!lifts_cap(&innovate, true, false));
    assert!(lifts_cap(&innovate, true, true));
    assert!(!lifts_cap(&innovate, false, true));
}
