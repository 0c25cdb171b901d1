//! The answer's format, an independent checker of the hard rules, and the
//! objective computed from the bookings alone.
//!
//! Nothing here uses the solver's data structures: the checker reads the
//! instance and the bookings as they are printed, so a solver bug cannot
//! hide behind a shared helper.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate, Weekday};
use epa_domain::calendar::{HolidayCalendar, Region};
use serde::{Deserialize, Serialize};

use crate::instance::{Instance, Method, date};

/// One assessment booked: who assesses which method of whom, and when.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Booking {
    pub apprentice: String,
    pub method: Method,
    pub assessor: String,
    #[serde(with = "date")]
    pub date: NaiveDate,
}

/// An assessment the schedule could not place, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unscheduled {
    pub apprentice: String,
    pub method: Method,
    pub reason: String,
}

/// The objective's parts and total (lower is better).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    /// Assessments not booked (1000 each).
    pub unscheduled: u32,
    /// Sum over apprentices of days from gateway to their last booked
    /// assessment (an apprentice with nothing booked adds nothing).
    pub lead_time_days: i64,
    /// Sum over observations of the travel time from the assessor's region
    /// to the apprentice's, in hours, to two decimals.
    pub travel_hours: f64,
    /// Pairs of assessments booked against the EPAO's recommended order (50 each).
    pub order_violations: u32,
    /// 1000 x unscheduled + lead_time_days + travel_hours + 50 x order_violations.
    pub total: f64,
    /// The travel in whole minutes (the exact figure behind `travel_hours`).
    pub travel_minutes: u64,
}

impl Objective {
    /// The total in minutes, exact: 60 x (1000 u + lead + 50 v) + travel.
    pub fn total_minutes(&self) -> i64 {
        60 * (1000 * i64::from(self.unscheduled)
            + self.lead_time_days
            + 50 * i64::from(self.order_violations))
            + self.travel_minutes as i64
    }

    pub(crate) fn from_parts(
        unscheduled: u32,
        lead_time_days: i64,
        travel_minutes: u64,
        order_violations: u32,
    ) -> Objective {
        let travel_hours = round2(travel_minutes as f64 / 60.0);
        let total = round2(
            1000.0 * f64::from(unscheduled)
                + lead_time_days as f64
                + travel_hours
                + 50.0 * f64::from(order_violations),
        );
        Objective {
            unscheduled,
            lead_time_days,
            travel_hours,
            order_violations,
            total,
            travel_minutes,
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The answer to an instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub bookings: Vec<Booking>,
    pub unscheduled: Vec<Unscheduled>,
    pub objective: Objective,
}

/// The objective of a set of bookings, counted from the bookings alone.
/// Bookings naming an unknown apprentice or assessor are ignored here (the
/// checker reports them).
pub fn objective(instance: &Instance, bookings: &[Booking]) -> Objective {
    let assessors: HashMap<&str, usize> = instance
        .assessors
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let mut per: HashMap<&str, BTreeMap<Method, (NaiveDate, usize)>> = HashMap::new();
    for b in bookings {
        if let Some(&s) = assessors.get(b.assessor.as_str()) {
            per.entry(b.apprentice.as_str())
                .or_default()
                .insert(b.method, (b.date, s));
        }
    }
    let mut unscheduled = 0u32;
    let mut lead = 0i64;
    let mut travel = 0u64;
    let mut violations = 0u32;
    for p in &instance.apprentices {
        let Some(booked) = per.get(p.id.as_str()) else {
            unscheduled += 3;
            continue;
        };
        unscheduled += 3 - booked.len() as u32;
        if let Some(last) = booked.values().map(|(d, _)| *d).max() {
            lead += (last - p.gateway_approved).num_days();
        }
        if let Some((_, s)) = booked.get(&Method::Observation) {
            travel += u64::from(instance.travel(&instance.assessors[*s], p));
        }
        for (earlier, later) in instance.epao.order() {
            if let (Some((e, _)), Some((l, _))) = (booked.get(earlier), booked.get(later))
                && l < e
            {
                violations += 1;
            }
        }
    }
    Objective::from_parts(unscheduled, lead, travel, violations)
}

/// Every hard rule the bookings break, one line each; empty when none.
pub fn violations(
    instance: &Instance,
    calendar: &HolidayCalendar,
    bookings: &[Booking],
) -> Vec<String> {
    let mut out = Vec::new();
    let assessors: HashMap<&str, usize> = instance
        .assessors
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let apprentices: HashMap<&str, usize> = instance
        .apprentices
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let mut seen: BTreeSet<(&str, Method)> = BTreeSet::new();
    let mut assessor_of: HashMap<&str, &str> = HashMap::new();
    let mut apprentice_days: BTreeSet<(&str, NaiveDate)> = BTreeSet::new();
    let mut per_day: HashMap<(usize, NaiveDate), u32> = HashMap::new();
    let mut per_week: HashMap<(usize, NaiveDate), u32> = HashMap::new();
    let mut regions: HashMap<(usize, NaiveDate), BTreeSet<&str>> = HashMap::new();
    for b in bookings {
        let what = format!(
            "{} {} on {} by {}",
            b.apprentice, b.method, b.date, b.assessor
        );
        let (Some(&s), Some(&p)) = (
            assessors.get(b.assessor.as_str()),
            apprentices.get(b.apprentice.as_str()),
        ) else {
            out.push(format!("{what}: unknown apprentice or assessor"));
            continue;
        };
        let assessor = &instance.assessors[s];
        let apprentice = &instance.apprentices[p];
        if !seen.insert((b.apprentice.as_str(), b.method)) {
            out.push(format!("{what}: the method is booked twice"));
        }
        // Rule 1.
        let first = *assessor_of
            .entry(b.apprentice.as_str())
            .or_insert(b.assessor.as_str());
        if first != b.assessor {
            out.push(format!(
                "{what}: another assessor ({first}) has this apprentice"
            ));
        }
        if assessor
            .conflicts
            .iter()
            .any(|c| *c == apprentice.employer || *c == apprentice.provider)
        {
            out.push(format!("{what}: the assessor has a conflict of interest"));
        }
        // Rule 2.
        let weekend = matches!(b.date.weekday(), Weekday::Sat | Weekday::Sun);
        let holiday = calendar
            .holidays(Region::EnglandAndWales, b.date.year())
            .map(|list| list.iter().any(|h| h.date == b.date))
            .unwrap_or(true);
        if weekend || holiday {
            out.push(format!("{what}: not a working day"));
        }
        if assessor.unavailable.contains(&b.date) {
            out.push(format!("{what}: the assessor is unavailable"));
        }
        if apprentice.unavailable.contains(&b.date) {
            out.push(format!("{what}: the apprentice is unavailable"));
        }
        if b.date <= instance.today {
            out.push(format!("{what}: not after today"));
        }
        let end = apprentice
            .gateway_approved
            .checked_add_months(chrono::Months::new(3))
            .expect("in range");
        if b.date > end {
            out.push(format!("{what}: after the end of the EPA period ({end})"));
        }
        // Rules 3 and 4.
        if b.method == Method::Observation && (b.date - instance.today).num_days() < 14 {
            out.push(format!("{what}: less than 14 days' notice"));
        }
        if b.method == Method::Interview && (b.date - apprentice.report_due).num_days() < 14 {
            out.push(format!("{what}: less than 14 days after the report is due"));
        }
        // Rule 5.
        if !apprentice_days.insert((b.apprentice.as_str(), b.date)) {
            out.push(format!(
                "{what}: the apprentice has another assessment that day"
            ));
        }
        *per_day.entry((s, b.date)).or_default() += 1;
        let monday = b.date - chrono::Days::new(u64::from(b.date.weekday().num_days_from_monday()));
        *per_week.entry((s, monday)).or_default() += 1;
        if b.method == Method::Observation {
            regions
                .entry((s, b.date))
                .or_default()
                .insert(apprentice.region.as_str());
        }
    }
    let mut tail = Vec::new();
    for ((s, day), n) in &per_day {
        let a = &instance.assessors[*s];
        if *n > a.max_per_day {
            tail.push(format!(
                "{} has {n} assessments on {day} (max_per_day {})",
                a.id, a.max_per_day
            ));
        }
    }
    for ((s, monday), n) in &per_week {
        let a = &instance.assessors[*s];
        if *n > a.max_per_week {
            tail.push(format!(
                "{} has {n} assessments in the week of {monday} (max_per_week {})",
                a.id, a.max_per_week
            ));
        }
    }
    for ((s, day), set) in &regions {
        if set.len() > 1 {
            tail.push(format!(
                "{} observes in {} regions on {day}",
                instance.assessors[*s].id,
                set.len()
            ));
        }
    }
    tail.sort();
    out.extend(tail);
    out
}
