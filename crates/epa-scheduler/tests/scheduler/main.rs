//! The scheduler against its rules: every hard rule at its edges, answers
//! checked by the independent checker, property tests on random instances,
//! determinism, and the benchmark's bank holidays against the calendar.

mod properties;
mod rules;

use epa_domain::calendar::HolidayCalendar;
use epa_scheduler::{Booking, Instance, Method, Options, Schedule, schedule, violations};
use serde_json::{Value, json};

pub fn calendar() -> HolidayCalendar {
    HolidayCalendar::england_and_wales()
}

/// One assessor in London and one apprentice in London, TQUK, today
/// Monday 4 January 2027; tests change what they need.
pub fn base() -> Value {
    json!({
        "epao": "tquk", "today": "2027-01-04",
        "assessors": [assessor("AS01", "london")],
        "apprentices": [apprentice("AP001", "2026-12-14", "2027-01-20")],
        "travel_minutes": {
            "london": {"london": 20, "north-west": 150},
            "north-west": {"london": 150, "north-west": 30}
        }
    })
}

pub fn assessor(id: &str, region: &str) -> Value {
    json!({"id": id, "region": region, "max_per_day": 2, "max_per_week": 6,
           "unavailable": [], "conflicts": []})
}

pub fn apprentice(id: &str, gateway: &str, report_due: &str) -> Value {
    json!({"id": id, "employer": "EMP01", "provider": "TP01", "region": "london",
           "gateway_approved": gateway, "report_due": report_due, "unavailable": []})
}

pub fn instance(value: &Value) -> Instance {
    Instance::from_json(&value.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

/// Solves, and checks the answer with the independent checker and the
/// objective recomputed from the bookings.
pub fn solve(value: &Value) -> Schedule {
    let instance = instance(value);
    let (answer, _) = schedule(&instance, &calendar(), &Options::default(), &mut ()).unwrap();
    let broken = violations(&instance, &calendar(), &answer.bookings);
    assert!(broken.is_empty(), "{broken:#?}");
    assert_eq!(
        epa_scheduler::objective(&instance, &answer.bookings),
        answer.objective
    );
    answer
}

pub fn date_of(answer: &Schedule, apprentice: &str, method: Method) -> Option<String> {
    answer
        .bookings
        .iter()
        .find(|b| b.apprentice == apprentice && b.method == method)
        .map(|b| b.date.to_string())
}

pub fn booking(apprentice: &str, method: Method, assessor: &str, date: &str) -> Booking {
    Booking {
        apprentice: apprentice.into(),
        method,
        assessor: assessor.into(),
        date: date.parse().unwrap(),
    }
}

#[test]
fn the_issue_example_is_scheduled() {
    let answer = solve(&base());
    assert!(answer.unscheduled.is_empty(), "{:?}", answer.unscheduled);
    assert_eq!(answer.bookings.len(), 3);
    assert_eq!(answer.objective.order_violations, 0);
}

#[test]
fn the_same_input_gives_the_same_answer() {
    let mut v = base();
    let mut apprentices = Vec::new();
    for i in 0..30 {
        let mut a = apprentice(&format!("AP{i:03}"), "2026-12-14", "2027-01-20");
        a["region"] = if i % 3 == 0 { "north-west" } else { "london" }.into();
        apprentices.push(a);
    }
    v["apprentices"] = Value::Array(apprentices);
    v["assessors"] = json!([assessor("AS01", "london"), assessor("AS02", "north-west")]);
    let first = serde_json::to_string(&solve(&v)).unwrap();
    let second = serde_json::to_string(&solve(&v)).unwrap();
    assert_eq!(first, second);
}

#[test]
fn the_benchmark_uses_the_products_bank_holidays() {
    let text = include_str!("../../../../bench/scheduling/bank-holidays-england-and-wales.json");
    let data: Value = serde_json::from_str(text).unwrap();
    let cal = calendar();
    let mut expected = Vec::new();
    for year in data["years"].as_array().unwrap() {
        let year = year.as_i64().unwrap() as i32;
        for h in cal
            .holidays(epa_domain::calendar::Region::EnglandAndWales, year)
            .unwrap()
        {
            expected.push(h.date.to_string());
        }
    }
    let listed: Vec<String> = data["dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, expected);
}

#[test]
fn the_small_benchmark_instance_reaches_the_proven_optimum() {
    // bench/scheduling/instances/small.json is generate.py's small size
    // (seed 20); CP-SAT proved 1396.83 optimal for it.
    let text = include_str!("../../../../bench/scheduling/instances/small.json");
    let instance = Instance::from_json(text).unwrap();
    let (answer, _) = schedule(&instance, &calendar(), &Options::default(), &mut ()).unwrap();
    assert!(violations(&instance, &calendar(), &answer.bookings).is_empty());
    assert_eq!(answer.objective.total, 1396.83);
}
