//! The instance turned into arrays the solver can index: days as offsets
//! from today, regions and assessors as numbers, availability as flags.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use epa_domain::calendar::{HolidayCalendar, Region};

use crate::instance::{Epao, Instance, InstanceError, Method};

/// Day offsets from today fit in `u16`; `NONE` marks an unbooked method.
pub(crate) const NONE: u16 = u16::MAX;

/// Costs are in minutes so that travel stays a whole number:
/// 60 x (1000 unscheduled + lead days + 50 violations) + travel minutes.
pub(crate) const DAY: i64 = 60;
pub(crate) const UNSCHEDULED: i64 = 1000 * DAY;
pub(crate) const VIOLATION: i64 = 50 * DAY;

pub(crate) struct AssessorP {
    pub region: usize,
    pub max_day: u32,
    pub max_week: u32,
    /// Per day offset: the assessor is unavailable.
    pub unavailable: Vec<bool>,
}

pub(crate) struct ApprenticeP {
    pub region: usize,
    /// Gateway as a day offset (zero or negative: gateway is not after today).
    pub gateway: i64,
    /// The last day offset any assessment may take (the end of the EPA
    /// period); below 1 when the period is over.
    pub hi: i64,
    /// The earliest day offset of each method (rules 2, 3 and 4).
    pub lo: [i64; 3],
    /// Per day offset: the apprentice is unavailable.
    pub unavailable: Vec<bool>,
    /// Assessors without a conflict, nearest first (then in input order).
    pub candidates: Vec<usize>,
}

pub(crate) struct Problem<'a> {
    pub instance: &'a Instance,
    pub epao: Epao,
    /// Day offsets 0 (today) ..= `horizon`.
    pub horizon: usize,
    pub working: Vec<bool>,
    /// Monday-to-Sunday week of each day offset, 0 for today's week.
    pub week: Vec<usize>,
    pub weeks: usize,
    pub assessors: Vec<AssessorP>,
    pub apprentices: Vec<ApprenticeP>,
    pub regions: usize,
    /// Minutes, `[assessor region * regions + apprentice region]`.
    pub travel: Vec<u32>,
}

impl<'a> Problem<'a> {
    pub fn new(
        instance: &'a Instance,
        calendar: &HolidayCalendar,
    ) -> Result<Problem<'a>, InstanceError> {
        let today = instance.today;
        let horizon = instance
            .apprentices
            .iter()
            .map(|p| (Instance::period_end(p) - today).num_days())
            .max()
            .unwrap_or(0)
            .clamp(0, 4000) as usize;
        let mut working = Vec::with_capacity(horizon + 1);
        let mut week = Vec::with_capacity(horizon + 1);
        let first = i64::from(today.weekday().num_days_from_monday());
        for d in 0..=horizon {
            let date = today + chrono::Days::new(d as u64);
            let is = calendar
                .is_working_day(Region::EnglandAndWales, date)
                .map_err(|e| InstanceError::new("today", format!("{today}: {e}")))?;
            working.push(is);
            week.push(((first + d as i64) / 7) as usize);
        }
        let weeks = week.last().map_or(1, |w| w + 1);

        let mut names: BTreeMap<&str, usize> = BTreeMap::new();
        for name in instance
            .assessors
            .iter()
            .map(|a| a.region.as_str())
            .chain(instance.apprentices.iter().map(|p| p.region.as_str()))
        {
            let next = names.len();
            names.entry(name).or_insert(next);
        }
        let regions = names.len().max(1);
        let mut travel = vec![0u32; regions * regions];
        for (from, row) in &instance.travel_minutes {
            let Some(&i) = names.get(from.as_str()) else {
                continue;
            };
            for (to, minutes) in row {
                if let Some(&j) = names.get(to.as_str()) {
                    travel[i * regions + j] = *minutes;
                }
            }
        }

        let offset = |date: NaiveDate| (date - today).num_days();
        let flags = |dates: &[NaiveDate]| {
            let mut out = vec![false; horizon + 1];
            for d in dates {
                let o = offset(*d);
                if (0..=horizon as i64).contains(&o) {
                    out[o as usize] = true;
                }
            }
            out
        };
        let assessors: Vec<AssessorP> = instance
            .assessors
            .iter()
            .map(|a| AssessorP {
                region: names[a.region.as_str()],
                max_day: a.max_per_day,
                max_week: a.max_per_week,
                unavailable: flags(&a.unavailable),
            })
            .collect();
        let apprentices = instance
            .apprentices
            .iter()
            .map(|p| {
                let region = names[p.region.as_str()];
                let mut candidates: Vec<usize> = instance
                    .assessors
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| !Instance::conflicted(a, p))
                    .map(|(s, _)| s)
                    .collect();
                candidates.sort_by_key(|&s| (travel[assessors[s].region * regions + region], s));
                let hi = offset(Instance::period_end(p)).min(horizon as i64);
                let mut lo = [1i64; 3];
                lo[Method::Observation.index()] = 14;
                lo[Method::Interview.index()] = (offset(p.report_due) + 14).max(1);
                ApprenticeP {
                    region,
                    gateway: offset(p.gateway_approved),
                    hi,
                    lo,
                    unavailable: flags(&p.unavailable),
                    candidates,
                }
            })
            .collect();
        Ok(Problem {
            instance,
            epao: instance.epao,
            horizon,
            working,
            week,
            weeks,
            assessors,
            apprentices,
            regions,
            travel,
        })
    }

    pub fn travel(&self, s: usize, a: usize) -> u32 {
        self.travel[self.assessors[s].region * self.regions + self.apprentices[a].region]
    }

    pub fn date(&self, offset: u16) -> NaiveDate {
        self.instance.today + chrono::Days::new(u64::from(offset))
    }

    /// A day the apprentice could take `method` on, the assessors aside.
    pub fn open_for(&self, a: usize, method: Method, d: usize) -> bool {
        let p = &self.apprentices[a];
        self.working[d] && !p.unavailable[d] && d as i64 >= p.lo[method.index()] && d as i64 <= p.hi
    }

    /// A lower bound on the apprentice's lead time in days: from gateway to
    /// the earliest day an interview could take place with some assessor
    /// without a conflict; `None` when no interview is possible at all.
    pub fn floor(&self, a: usize) -> Option<i64> {
        let p = &self.apprentices[a];
        let lo = p.lo[Method::Interview.index()].max(1);
        (lo..=p.hi)
            .map(|d| d as usize)
            .find(|&d| {
                self.open_for(a, Method::Interview, d)
                    && p.candidates.iter().any(|&s| {
                        let asr = &self.assessors[s];
                        !asr.unavailable[d] && asr.max_day > 0 && asr.max_week > 0
                    })
            })
            .map(|d| d as i64 - p.gateway)
    }
}
