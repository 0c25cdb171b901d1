//! Random small instances: every answer passes the independent checker,
//! its objective is the one its bookings give, it is no better than the
//! lower bound, and the same input gives the same answer.

use chrono::NaiveDate;
use epa_scheduler::{
    Apprentice, Assessor, Epao, Instance, Options, alone_bound, objective, schedule, violations,
};
use proptest::prelude::*;

use crate::calendar;

const REGIONS: [&str; 3] = ["london", "north-west", "south-west"];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 3, 1).unwrap()
}

fn day(offset: i64) -> NaiveDate {
    today() + chrono::Duration::days(offset)
}

prop_compose! {
    fn an_assessor(i: usize)(
        region in 0..3usize,
        max_per_day in 0..4u32,
        max_per_week in 0..8u32,
        unavailable in proptest::collection::vec(1..100i64, 0..12),
        conflicts in proptest::collection::vec(0..4usize, 0..2),
    ) -> Assessor {
        Assessor {
            id: format!("AS{i:02}"),
            region: REGIONS[region].into(),
            max_per_day,
            max_per_week,
            unavailable: unavailable.into_iter().map(day).collect(),
            conflicts: conflicts
                .into_iter()
                .map(|c| ["EMP01", "EMP02", "TP01", "TP02"][c].to_owned())
                .collect(),
        }
    }
}

prop_compose! {
    fn an_apprentice(i: usize)(
        region in 0..3usize,
        employer in 0..2usize,
        provider in 0..2usize,
        gateway in 0..85i64,
        report in 0..90i64,
        unavailable in proptest::collection::vec(1..100i64, 0..8),
    ) -> Apprentice {
        let gateway_approved = day(-gateway);
        Apprentice {
            id: format!("AP{i:03}"),
            employer: ["EMP01", "EMP02"][employer].into(),
            provider: ["TP01", "TP02"][provider].into(),
            region: REGIONS[region].into(),
            gateway_approved,
            report_due: gateway_approved + chrono::Duration::days(report),
            unavailable: unavailable.into_iter().map(day).collect(),
        }
    }
}

fn an_instance() -> impl Strategy<Value = Instance> {
    (1..4usize, 1..9usize, any::<bool>()).prop_flat_map(|(m, n, tquk)| {
        let assessors: Vec<_> = (0..m).map(an_assessor).collect();
        let apprentices: Vec<_> = (0..n).map(an_apprentice).collect();
        (assessors, apprentices).prop_map(move |(assessors, apprentices)| {
            let mut travel = std::collections::BTreeMap::new();
            for (i, from) in REGIONS.iter().enumerate() {
                let row = REGIONS
                    .iter()
                    .enumerate()
                    .map(|(j, to)| {
                        let minutes = if i == j {
                            25
                        } else {
                            60 * (1 + i.abs_diff(j) as u32)
                        };
                        ((*to).to_owned(), minutes)
                    })
                    .collect();
                travel.insert((*from).to_owned(), row);
            }
            Instance {
                epao: if tquk { Epao::Tquk } else { Epao::Innovate },
                today: today(),
                assessors,
                apprentices,
                travel_minutes: travel,
            }
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn every_answer_keeps_every_hard_rule(instance in an_instance()) {
        let cal = calendar();
        let options = Options { work: Some(300_000), ..Options::default() };
        let (answer, _) = schedule(&instance, &cal, &options, &mut ()).unwrap();
        let broken = violations(&instance, &cal, &answer.bookings);
        prop_assert!(broken.is_empty(), "{:#?}", broken);
        prop_assert_eq!(&objective(&instance, &answer.bookings), &answer.objective);
        prop_assert_eq!(
            answer.bookings.len() + answer.unscheduled.len(),
            3 * instance.apprentices.len()
        );
        prop_assert_eq!(answer.objective.unscheduled as usize, answer.unscheduled.len());
        let bound = alone_bound(&instance, &cal).unwrap();
        prop_assert!(answer.objective.total + 0.01 >= bound, "{} < {}", answer.objective.total, bound);
        let (again, _) = schedule(&instance, &cal, &options, &mut ()).unwrap();
        prop_assert_eq!(answer, again);
    }

    #[test]
    fn the_json_round_trips(instance in an_instance()) {
        let text = serde_json::to_string(&instance).unwrap();
        prop_assert_eq!(Instance::from_json(&text).unwrap(), instance);
    }
}
