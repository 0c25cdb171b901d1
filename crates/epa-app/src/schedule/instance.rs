//! The scheduler's instance (`docs/scheduling.md`) built from what was
//! gathered, and its answer turned back into the product's bookings.
//!
//! The instance's format is the command line's; the product's facts fit it
//! as follows (ADR 0127):
//! - Who may assess whom is decided here, and carried by rule 1's
//!   conflicts: each apprentice's employer and provider are its EPA's ID,
//!   and an assessor's conflicts list every EPA they may not take (a
//!   conflict of interest, an EPA allocated to someone else, an
//!   observation in a region outside their profile). An EPA nobody may
//!   take is not sent; its reason is said here.
//! - An assessor's region is their own name in the instance, with the
//!   travel from the nearest region of their profile to each region.
//! - What an assessor has booked already closes the days and weeks it
//!   fills.
//! - An EPA with some methods booked is sent whole: the proposals for the
//!   booked methods are dropped, and its booked days are days the
//!   apprentice is not free.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate, NaiveTime, Timelike};
use epa_domain::assessor_profile::Region;
use epa_domain::lifecycle::Stage;
use epa_plan::{MethodId, Mode};
use epa_scheduler::{Epao, Instance, Method, Schedule};
use uuid::Uuid;

use super::views::{ProposedBooking, UnscheduledAssessment};
use super::waiting::{Gathered, WaitingEpa};

/// Where the first assessment of an assessor's day starts.
const DAY_STARTS: (u32, u32) = (9, 0);
/// Time between two assessments of one assessor's day (questions that
/// follow an observation, moving between calls).
const BETWEEN_MINUTES: u32 = 30;

/// An instance, with how its apprentices map back to the EPAs.
pub(super) struct Built {
    pub instance: Instance,
    /// Per apprentice of the instance, its EPA's position in the gathered list.
    pub epas: Vec<usize>,
    /// Assessments left out before the search, with the reason.
    pub left_out: Vec<UnscheduledAssessment>,
}

fn method_id(method: Method) -> MethodId {
    match method {
        Method::Observation => MethodId::Observation,
        Method::Interview => MethodId::Project,
        Method::Discussion => MethodId::Discussion,
    }
}

/// Who may take the EPA, or why nobody can.
fn allowed(g: &Gathered, w: &WaitingEpa, region: Region) -> Result<Vec<Uuid>, String> {
    let ctx = &w.ctx;
    let has_profile = |id: Uuid| g.assessors.iter().any(|a| a.profile.user_id == id);
    match ctx.row.epa.assessor_id {
        // The planning meeting allocated the assessor, with the employer
        // and provider: the proposal keeps them.
        Some(id) if ctx.state.stage != Stage::GatewayApproved => {
            if ctx.is_conflicted(id) {
                Err("the allocated assessor has a conflict of interest with the employer or provider: change the assessor first".to_owned())
            } else if !has_profile(id) {
                Err("the allocated assessor has no assessor profile (regions, capacity and days off): set it first".to_owned())
            } else {
                Ok(vec![id])
            }
        }
        _ => {
            let found: Vec<Uuid> = g
                .assessors
                .iter()
                .map(|a| &a.profile)
                .filter(|p| p.regions.contains(&region) && !ctx.is_conflicted(p.user_id))
                .map(|p| p.user_id)
                .collect();
            if found.is_empty() {
                Err(format!(
                    "no assessor with a profile works in {} without a conflict of interest with the employer or provider",
                    region.name()
                ))
            } else {
                Ok(found)
            }
        }
    }
}

/// The EPAO's recommended order: the policy most of the waiting EPAs run
/// under (one EPAO has one policy in practice).
fn epao_of(g: &Gathered) -> Epao {
    let innovate = g
        .waiting
        .iter()
        .filter(|w| Epao::parse(&w.ctx.row.epa.policy) == Some(Epao::Innovate))
        .count();
    if innovate * 2 > g.waiting.len() {
        Epao::Innovate
    } else {
        Epao::Tquk
    }
}

/// Days an assessor's existing bookings fill: the days at their daily
/// limit, and every day of a week at its weekly limit.
fn full_days(
    bookings: &[epa_store::planning::Booking],
    per_day: u32,
    per_week: u32,
) -> Vec<NaiveDate> {
    let mut by_day: BTreeMap<NaiveDate, u32> = BTreeMap::new();
    let mut by_week: BTreeMap<NaiveDate, u32> = BTreeMap::new();
    for b in bookings {
        *by_day.entry(b.assessment_on).or_default() += 1;
        *by_week.entry(monday_of(b.assessment_on)).or_default() += 1;
    }
    let mut full: BTreeSet<NaiveDate> = by_day
        .into_iter()
        .filter(|(_, n)| *n >= per_day)
        .map(|(d, _)| d)
        .collect();
    for (monday, n) in by_week {
        if n >= per_week {
            full.extend((0..7).filter_map(|i| monday.checked_add_days(Days::new(i))));
        }
    }
    full.into_iter().collect()
}

fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Days::new(u64::from(date.weekday().num_days_from_monday()))
}

fn id_of(epa: Uuid) -> String {
    epa.to_string()
}

/// Builds the instance for `today`.
pub(super) fn build(g: &Gathered, today: NaiveDate) -> Built {
    let mut apprentices = Vec::new();
    let mut epas = Vec::new();
    let mut left_out = Vec::new();
    // Per assessor, the EPAs they may take.
    let mut may_take: BTreeMap<Uuid, BTreeSet<String>> = BTreeMap::new();
    for (i, w) in g.waiting.iter().enumerate() {
        let leave_out = |reason: String, left_out: &mut Vec<UnscheduledAssessment>| {
            left_out.extend(w.needs.iter().map(|m| UnscheduledAssessment {
                epa_id: w.ctx.id(),
                apprentice: w.apprentice.clone(),
                method: m.as_str().to_owned(),
                reason: reason.clone(),
            }));
        };
        let Some(region) = w.region else {
            leave_out(
                format!(
                    "the employer, {}, has no region, so the observation has no place: set the region where the apprentice works on the employer's record",
                    w.employer
                ),
                &mut left_out,
            );
            continue;
        };
        let Some(start) = w.period_start else {
            leave_out(
                "the EPA period has no start date: the gateway is not approved".to_owned(),
                &mut left_out,
            );
            continue;
        };
        if start > today {
            leave_out(
                format!("the EPA period starts on {start}: ask for a proposal from then"),
                &mut left_out,
            );
            continue;
        }
        let who = match allowed(g, w, region) {
            Ok(who) => who,
            Err(reason) => {
                leave_out(reason, &mut left_out);
                continue;
            }
        };
        let id = id_of(w.ctx.id());
        for assessor in who {
            may_take.entry(assessor).or_default().insert(id.clone());
        }
        // The instance's rule 4 (the interview at least 14 days after the
        // report's due date) gives the plan's own earliest interview.
        let report_due = w
            .earliest_interview
            .and_then(|d| d.checked_sub_days(Days::new(14)))
            .or(w.report_due)
            .unwrap_or(start)
            .max(start);
        apprentices.push(epa_scheduler::Apprentice {
            id: id.clone(),
            employer: id.clone(),
            provider: id,
            region: region.as_str().to_owned(),
            gateway_approved: start,
            report_due,
            unavailable: w.busy.iter().copied().filter(|d| *d > today).collect(),
        });
        epas.push(i);
    }
    let mut assessors = Vec::new();
    let mut travel_minutes = BTreeMap::new();
    for a in &g.assessors {
        let p = &a.profile;
        let name = p.user_id.to_string();
        let takes = may_take.remove(&p.user_id).unwrap_or_default();
        let per_day = u32::try_from(p.max_per_day).unwrap_or(0);
        let per_week = u32::try_from(p.max_per_week).unwrap_or(0);
        let diary = g.diaries.get(&p.user_id).map_or(&[][..], Vec::as_slice);
        let mut unavailable = p.unavailable.clone();
        unavailable.extend(full_days(diary, per_day, per_week));
        unavailable.sort();
        unavailable.dedup();
        assessors.push(epa_scheduler::Assessor {
            id: name.clone(),
            region: name.clone(),
            max_per_day: per_day,
            max_per_week: per_week,
            unavailable,
            conflicts: apprentices
                .iter()
                .filter(|ap| !takes.contains(&ap.id))
                .map(|ap| ap.id.clone())
                .collect(),
        });
        let row: BTreeMap<String, u32> = Region::ALL
            .iter()
            .map(|to| {
                let minutes = p.regions.iter().map(|from| from.travel_minutes(*to)).min();
                (to.as_str().to_owned(), minutes.unwrap_or(0))
            })
            .collect();
        travel_minutes.insert(name, row);
    }
    Built {
        instance: Instance {
            epao: epao_of(g),
            today,
            assessors,
            apprentices,
            travel_minutes,
        },
        epas,
        left_out,
    }
}

/// How the plan lets the method be held: the observation in person, at
/// the workplace; the others remotely; else the plan's first mode.
fn mode_for(w: &WaitingEpa, method: MethodId) -> Option<(Mode, u32)> {
    let m = w.ctx.plan.method(method)?;
    let wanted = if method == MethodId::Observation {
        Mode::InPerson
    } else {
        Mode::Remote
    };
    let mode = if m.modes.contains(&wanted) {
        wanted
    } else {
        *m.modes.first()?
    };
    Some((mode, m.duration_minutes))
}

/// The answer as the product's bookings, each with a start time after the
/// assessor's other bookings that day, and every assessment left out.
pub(super) fn answer(
    g: &Gathered,
    built: &Built,
    schedule: &Schedule,
) -> (Vec<ProposedBooking>, Vec<UnscheduledAssessment>) {
    let waiting_of = |apprentice: &str| {
        built
            .instance
            .apprentices
            .iter()
            .position(|a| a.id == apprentice)
            .map(|k| &g.waiting[built.epas[k]])
    };
    let name_of = |assessor: Uuid| {
        g.assessors
            .iter()
            .find(|a| a.profile.user_id == assessor)
            .map_or_else(String::new, |a| a.name.clone())
    };
    // Where each assessor's day is up to, from their existing bookings.
    let mut day_ends: BTreeMap<(Uuid, NaiveDate), NaiveTime> = BTreeMap::new();
    for (assessor, diary) in &g.diaries {
        for b in diary {
            let end = b.starts_at
                + chrono::Duration::minutes(
                    i64::from(b.duration_minutes) + i64::from(BETWEEN_MINUTES),
                );
            let at = day_ends.entry((*assessor, b.assessment_on)).or_insert(end);
            *at = (*at).max(end);
        }
    }
    let first = NaiveTime::from_hms_opt(DAY_STARTS.0, DAY_STARTS.1, 0).unwrap_or_default();
    let mut bookings = Vec::new();
    for b in &schedule.bookings {
        let method = method_id(b.method);
        let (Some(w), Ok(assessor)) = (waiting_of(&b.apprentice), b.assessor.parse::<Uuid>())
        else {
            continue;
        };
        if !w.needs.contains(&method) {
            continue;
        }
        let Some((mode, minutes)) = mode_for(w, method) else {
            continue;
        };
        let at = day_ends.entry((assessor, b.date)).or_insert(first);
        let start = quarter_hour((*at).max(first));
        *at = start + chrono::Duration::minutes(i64::from(minutes + BETWEEN_MINUTES));
        bookings.push(ProposedBooking {
            epa_id: w.ctx.id(),
            apprentice: w.apprentice.clone(),
            method: method.as_str().to_owned(),
            date: b.date,
            start_time: start.format("%H:%M").to_string(),
            duration_minutes: minutes,
            mode: mode.as_str().to_owned(),
            assessor_id: assessor,
            assessor: name_of(assessor),
            region: w.region.map_or_else(String::new, |r| r.as_str().to_owned()),
            needs_planning_meeting: w.ctx.state.stage == Stage::GatewayApproved,
        });
    }
    let mut unscheduled = built.left_out.clone();
    for u in &schedule.unscheduled {
        let method = method_id(u.method);
        let Some(w) = waiting_of(&u.apprentice) else {
            continue;
        };
        if !w.needs.contains(&method) {
            continue;
        }
        // The solver names assessors by their instance ID.
        let mut reason = u.reason.clone();
        for a in &g.assessors {
            reason = reason.replace(&a.profile.user_id.to_string(), &a.name);
        }
        unscheduled.push(UnscheduledAssessment {
            epa_id: w.ctx.id(),
            apprentice: w.apprentice.clone(),
            method: method.as_str().to_owned(),
            reason,
        });
    }
    (bookings, unscheduled)
}

/// The next quarter hour at or after `time`.
fn quarter_hour(time: NaiveTime) -> NaiveTime {
    let minutes = time.hour() * 60 + time.minute() + u32::from(time.second() > 0);
    let up = minutes.div_ceil(15) * 15;
    NaiveTime::from_hms_opt(up / 60, up % 60, 0).unwrap_or(time)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn starts_on_the_quarter_hour() {
        assert_eq!(quarter_hour(time(9, 0)), time(9, 0));
        assert_eq!(quarter_hour(time(9, 1)), time(9, 15));
        assert_eq!(quarter_hour(time(10, 45)), time(10, 45));
        assert_eq!(quarter_hour(time(10, 46)), time(11, 0));
    }

    #[test]
    fn a_week_is_monday_to_sunday() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(monday_of(d("2027-01-04")), d("2027-01-04"));
        assert_eq!(monday_of(d("2027-01-10")), d("2027-01-04"));
        assert_eq!(monday_of(d("2027-01-11")), d("2027-01-11"));
    }
}
