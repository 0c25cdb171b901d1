use chrono::{Datelike, Duration, NaiveDate, Weekday};
use epa_domain::calendar::{HolidayCalendar, Region, add_months};
use epa_domain::grading::{CapContext, EpaJudgements, GradingScheme, MethodJudgement, Outcome};
use epa_domain::{Grade, MethodId};
use proptest::prelude::*;

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (0i64..(365 * 60))
        .prop_map(|n| NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + Duration::days(n))
}

fn schemes() -> [GradingScheme; 2] {
    [
        crate::grading::scheme("tquk"),
        crate::grading::scheme("innovate"),
    ]
}

fn judgements(bits: [Option<u128>; 3], cap: (bool, bool, bool)) -> EpaJudgements {
    EpaJudgements {
        methods: bits.map(|b| b.map(MethodJudgement::from_bits)),
        cap: CapContext {
            resit: cap.0,
            retake: cap.1,
            exceptional_circumstances: cap.2,
            resit_methods: [false; 3],
            retake_methods: [false; 3],
        },
    }
}

fn rank(o: Outcome) -> Option<Grade> {
    o.grade()
}

proptest! {
    // Each case walks the calendar day by day to check the count, so fewer cases.
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn working_days_land_on_working_days_and_grow(date in any_date(), n in 1u32..60) {
        let cal = HolidayCalendar::england_and_wales();
        let wd = cal.working_days(Region::EnglandAndWales).unwrap();
        let a = wd.add(date, n).unwrap();
        let b = wd.add(date, n + 1).unwrap();
        prop_assert!(wd.is_working_day(a).unwrap());
        prop_assert!(!matches!(a.weekday(), Weekday::Sat | Weekday::Sun));
        prop_assert!(a > date);
        prop_assert!(b > a);
        // Exactly n working days in (date, a].
        let mut count = 0;
        let mut day = date;
        while day < a {
            day = day.succ_opt().unwrap();
            if wd.is_working_day(day).unwrap() { count += 1; }
        }
        prop_assert_eq!(count, n);
    }

    #[test]
    fn months_clamp_and_never_overshoot(date in any_date(), n in 0u32..36) {
        let out = add_months(date, n).unwrap();
        let months = (out.year() - date.year()) * 12 + out.month() as i32 - date.month() as i32;
        prop_assert_eq!(months, n as i32);
        prop_assert!(out.day() <= date.day());
        prop_assert!(out.day() == date.day() || out.succ_opt().unwrap().day() == 1);
    }

    #[test]
    fn improving_a_judgement_never_lowers_a_grade(
        a in any::<[u128; 3]>(), extra in any::<[u128; 3]>(), present in any::<[bool; 3]>(),
        cap in any::<(bool, bool, bool)>(),
    ) {
        for s in schemes() {
            let before = judgements(std::array::from_fn(|i| present[i].then_some(a[i])), cap);
            let after = judgements(std::array::from_fn(|i| present[i].then_some(a[i] | extra[i])), cap);
            let (g0, g1) = (s.grade(&before), s.grade(&after));
            for i in 0..3 {
                prop_assert!(rank(g1.methods[i]) >= rank(g0.methods[i]));
            }
            prop_assert!(rank(g1.overall) >= rank(g0.overall));
        }
    }

    #[test]
    fn any_method_fail_means_overall_fail(bits in any::<[u128; 3]>(), cap in any::<(bool, bool, bool)>()) {
        for s in schemes() {
            let r = s.grade(&judgements(bits.map(Some), cap));
            let failed = r.methods.contains(&Outcome::Graded(Grade::Fail));
            prop_assert_eq!(failed, r.overall == Outcome::Graded(Grade::Fail));
        }
    }

    #[test]
    fn the_cap_never_raises_a_grade(bits in any::<[u128; 3]>(), present in any::<[bool; 3]>(), cap in any::<(bool, bool, bool)>()) {
        for s in schemes() {
            let capped = s.grade(&judgements(std::array::from_fn(|i| present[i].then_some(bits[i])), cap));
            let free = s.grade(&judgements(std::array::from_fn(|i| present[i].then_some(bits[i])), (false, false, false)));
            prop_assert!(rank(capped.overall) <= rank(free.overall));
            prop_assert_eq!(capped.uncapped, free.overall);
            prop_assert_eq!(capped.overall == Outcome::Pending, present.contains(&false));
            if !cap.2 && (cap.0 || cap.1) {
                prop_assert!(rank(capped.overall) <= Some(Grade::Pass));
            }
        }
    }

    #[test]
    fn method_grade_matches_the_rule(bits in any::<u128>()) {
        for s in schemes() {
            for m in MethodId::ALL {
                let ids = s.criteria(m);
                let met = |i: usize| bits >> i & 1 == 1;
                let pass_ok = (0..ids.len()).filter(|&i| s.level(m, &ids[i]) == Some(epa_domain::CriterionLevel::Pass)).all(met);
                let all_ok = (0..ids.len()).all(met);
                let want = if !pass_ok { Grade::Fail } else if all_ok { Grade::Distinction } else { Grade::Pass };
                prop_assert_eq!(s.method_grade(m, MethodJudgement::from_bits(bits)), want);
            }
        }
    }
}
