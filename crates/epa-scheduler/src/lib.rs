//! Assessor allocation and timetable for apprentices past gateway.
//!
//! Given the EPAO's assessors and the apprentices waiting after gateway
//! ([`Instance`]), [`schedule`] proposes who assesses each apprentice's
//! observation, interview and discussion, and on which day, so that every
//! hard rule holds and apprentices finish as early as possible. The format,
//! rules, objective and algorithm are in `docs/scheduling.md`.
//!
//! Pure: no IO, no clock. The caller may stop the search early through a
//! [`Observer`] (the command line's time limit); without one the answer
//! depends only on the instance and the [`Options`].

mod check;
mod instance;
mod problem;
mod solver;

use epa_domain::calendar::HolidayCalendar;

pub use check::{Booking, Objective, Schedule, Unscheduled, objective, violations};
pub use instance::{
    Apprentice, Assessor, Epao, Instance, InstanceError, MAX_APPRENTICES, MAX_ASSESSORS, Method,
};

use problem::{NONE, Problem};
use solver::{Rng, State};

/// How hard to search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// How much the neighbourhood search may do, in days visited by the
    /// insertion (a count, so the same on every machine); `None` is
    /// [`default_work`] of the instance's size.
    pub work: Option<u64>,
    /// Seed of the search's random choices.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            work: None,
            seed: 0x0E9A_5C4E_D01E,
        }
    }
}

/// The search's largest default budget, in days visited by the insertion:
/// a count, not a time, so that the answer is the same on every machine
/// that finishes it within the time limit. About 5 s on one core of the
/// benchmark machine for 2000 apprentices and 120 assessors.
pub const DEFAULT_WORK: u64 = 45_000_000;

/// The default budget for an instance of `apprentices` apprentices:
/// [`WORK_PER_APPRENTICE`] each, at most [`DEFAULT_WORK`].
pub fn default_work(apprentices: usize) -> u64 {
    (apprentices as u64 * WORK_PER_APPRENTICE).clamp(WORK_PER_APPRENTICE, DEFAULT_WORK)
}

/// The budget per apprentice: small instances are done in a second.
pub const WORK_PER_APPRENTICE: u64 = 500_000;

/// Iterations in a row without improvement after which the search starts
/// again (from a blurred construction), budget permitting.
pub const STALL: u64 = 5_000;

/// Where the search is, told to an [`Observer`] before every iteration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub iteration: u64,
    /// Work done so far and the budget (days visited by the insertion).
    pub work: u64,
    pub budget: u64,
    /// The best total so far.
    pub total: f64,
}

/// Watches the search; returning `false` stops it, keeping the best
/// schedule found so far.
pub trait Observer {
    fn progress(&mut self, progress: &Progress) -> bool;
}

/// Never stops the search.
impl Observer for () {
    fn progress(&mut self, _: &Progress) -> bool {
        true
    }
}

/// What the search did, besides its answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    /// The total after the greedy construction, before the search.
    pub greedy_total: f64,
    pub iterations: u64,
    /// The work done by the search and its budget.
    pub work: u64,
    pub budget: u64,
    /// Whether the observer stopped the search before its budget or its
    /// stall limit ended it.
    pub stopped: bool,
    /// A lower bound on the total ([`alone_bound`]).
    pub lower_bound: f64,
}

/// Proposes a schedule. The instance must have passed [`Instance::validate`]
/// ([`Instance::from_json`] does it).
pub fn schedule(
    instance: &Instance,
    calendar: &HolidayCalendar,
    options: &Options,
    observer: &mut dyn Observer,
) -> Result<(Schedule, Stats), InstanceError> {
    instance.validate()?;
    let p = Problem::new(instance, calendar)?;
    let mut st = State::new(&p);
    solver::construct(&p, &mut st);
    let greedy_total = st.total as f64 / 60.0;
    let budget = options
        .work
        .unwrap_or_else(|| default_work(instance.apprentices.len()));
    let mut rng = Rng::new(options.seed);
    let mut stopped = false;
    // Iterations of earlier runs, and the best total of earlier runs, so
    // that progress counts across restarts.
    let earlier = std::cell::Cell::new((0u64, i64::MAX));
    let mut keep = |iteration: u64, work: u64, total: i64| {
        let (before, best) = earlier.get();
        let go = observer.progress(&Progress {
            iteration: before + iteration,
            work,
            budget,
            total: total.min(best) as f64 / 60.0,
        });
        stopped |= !go;
        go
    };
    // Large neighbourhood search; when it stalls with budget left (small
    // instances), it starts again from a blurred construction, keeping the
    // best schedule of all runs.
    let floor = solver::alone_bound(&p);
    let start = st.work.get();
    let mut iterations = 0;
    let mut best: Option<(i64, Vec<Option<solver::Assign>>)> = None;
    loop {
        let (done, stalled) = solver::search(
            &p,
            &mut st,
            &mut rng,
            (start, budget),
            floor,
            STALL,
            &mut keep,
        );
        iterations += done;
        if best.as_ref().is_none_or(|(total, _)| st.total < *total) {
            best = Some((st.total, st.assign.clone()));
        }
        earlier.set((iterations, best.as_ref().map_or(i64::MAX, |(t, _)| *t)));
        if !stalled || st.work.get() - start >= budget || st.total <= floor {
            break;
        }
        let work = st.work.get();
        st = State::new(&p);
        st.work.set(work);
        solver::construct_blurred(&p, &mut st, &mut rng);
    }
    let work = st.work.get() - start;
    if let Some((total, assign)) = best
        && total < st.total
    {
        let w = st.work.get();
        st = State::new(&p);
        st.work.set(w);
        for (a, x) in assign.into_iter().enumerate() {
            if let Some(x) = x {
                st.place(&p, a, x);
            }
        }
    }
    let schedule = answer(&p, &st);
    debug_assert_eq!(schedule.objective.total_minutes(), st.total);
    Ok((
        schedule,
        Stats {
            greedy_total,
            iterations,
            work,
            budget,
            stopped,
            lower_bound: floor as f64 / 60.0,
        },
    ))
}

/// The greedy construction alone (the search's starting point).
pub fn schedule_greedy(
    instance: &Instance,
    calendar: &HolidayCalendar,
) -> Result<Schedule, InstanceError> {
    instance.validate()?;
    let p = Problem::new(instance, calendar)?;
    let mut st = State::new(&p);
    solver::construct(&p, &mut st);
    Ok(answer(&p, &st))
}

/// The lower bound on the lead time used by the benchmark: the sum over
/// apprentices of the days from gateway to their earliest possible
/// interview (a working day, free for the apprentice and for some assessor
/// without a conflict). Apprentices who cannot have an interview at all
/// add nothing.
pub fn lead_time_floor(
    instance: &Instance,
    calendar: &HolidayCalendar,
) -> Result<i64, InstanceError> {
    let p = Problem::new(instance, calendar)?;
    Ok((0..p.apprentices.len()).filter_map(|a| p.floor(a)).sum())
}

fn answer(p: &Problem, st: &State) -> Schedule {
    let mut bookings = Vec::new();
    let mut unscheduled = Vec::new();
    for (a, apprentice) in p.instance.apprentices.iter().enumerate() {
        for m in Method::ALL {
            match st.assign[a] {
                Some(x) if x.days[m.index()] != NONE => bookings.push(Booking {
                    apprentice: apprentice.id.clone(),
                    method: m,
                    assessor: p.instance.assessors[x.assessor].id.clone(),
                    date: p.date(x.days[m.index()]),
                }),
                _ => unscheduled.push(Unscheduled {
                    apprentice: apprentice.id.clone(),
                    method: m,
                    reason: reason(p, a, m, st.assign[a].map(|x| x.assessor)),
                }),
            }
        }
    }
    let objective = check::objective(p.instance, &bookings);
    Schedule {
        bookings,
        unscheduled,
        objective,
    }
}

/// Why a method of an apprentice could not be booked, in plain English.
fn reason(p: &Problem, a: usize, m: Method, assessor: Option<usize>) -> String {
    let ap = &p.apprentices[a];
    let apprentice = &p.instance.apprentices[a];
    let end = Instance::period_end(apprentice);
    if ap.hi < 1 {
        return format!("the EPA period ended on {end}");
    }
    if ap.candidates.is_empty() {
        return format!(
            "every assessor has a conflict of interest with employer {} or provider {}",
            apprentice.employer, apprentice.provider
        );
    }
    let from = ap.lo[m.index()].max(1);
    let open = (from..=ap.hi).any(|d| p.open_for(a, m, d as usize));
    let first = p.date(from.clamp(0, i64::from(u16::MAX - 1)) as u16);
    let rule = match m {
        Method::Observation => "two weeks' notice",
        Method::Interview => "14 days after the report is due",
        Method::Discussion => "after today",
    };
    if !open {
        if from > ap.hi {
            return format!(
                "the earliest day the rules allow ({first}, {rule}) is after the end of the EPA period ({end})"
            );
        }
        return format!(
            "no working day the apprentice is free between {first} ({rule}) and the end of the EPA period ({end})"
        );
    }
    match assessor {
        Some(s) => format!(
            "{} has this apprentice's other assessments (one assessor does all three) and no room on a day the apprentice is free between {first} ({rule}) and the end of the EPA period ({end}); no assessor was found with room for all three",
            p.instance.assessors[s].id
        ),
        None => format!(
            "no assessor without a conflict has room on a day the apprentice is free between {first} ({rule}) and the end of the EPA period ({end})"
        ),
    }
}

/// A lower bound on the total: the sum over apprentices of the cheapest
/// booking each could have if no other apprentice were booked. Tighter
/// than [`lead_time_floor`] (it counts the observation's notice, the
/// recommended order and travel), still ignoring the competition for
/// assessors.
pub fn alone_bound(instance: &Instance, calendar: &HolidayCalendar) -> Result<f64, InstanceError> {
    let p = Problem::new(instance, calendar)?;
    let total = solver::alone_bound(&p);
    Ok(total as f64 / 60.0)
}
