//! The solver: a greedy construction by urgency, then large neighbourhood
//! search (destroy a few apprentices, repair each with its best insertion,
//! keep the change when the total is no worse). See `docs/scheduling.md`
//! and ADR 0125.
//!
//! The best insertion of one apprentice with one assessor, the rest of the
//! schedule fixed, is exact: a dynamic programme over the days of the EPA
//! period, in date order, whose state is which methods are booked so far and
//! how many of them fall in the current week (the assessor's weekly cap).
//! Because days are visited in order, an order violation is known when the
//! later-recommended method was booked first, and the lead time is the day
//! of the last booking, added when the programme stops.

use crate::instance::Method;
use crate::problem::{DAY, NONE, Problem, UNSCHEDULED, VIOLATION};

/// One apprentice's booking: the assessor and the day offset of each method
/// (`NONE` when unbooked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Assign {
    pub assessor: usize,
    pub days: [u16; 3],
}

/// The cost of an apprentice with nothing booked.
const NOTHING: i64 = 3 * UNSCHEDULED;

/// The insertion compares costs scaled by `SCALE`, plus a tie-break below
/// one minute: up to `TIE` per booking, more for a busier week of the
/// assessor, so that among bookings of equal cost the one that leaves room
/// where others need it wins. Three bookings stay below `SCALE`, so the
/// tie-break never outweighs a real difference.
pub(crate) const SCALE: i64 = 256;
const TIE: i64 = 80;

pub(crate) struct State {
    stride: usize,
    day_load: Vec<u32>,
    week_load: Vec<u32>,
    obs_count: Vec<u32>,
    obs_region: Vec<usize>,
    pub assign: Vec<Option<Assign>>,
    pub cost: Vec<i64>,
    pub total: i64,
    /// Days visited by the insertion so far: the search's measure of work,
    /// counted so that its budget does not depend on the machine.
    pub work: std::cell::Cell<u64>,
}

impl State {
    pub fn new(p: &Problem) -> State {
        let stride = p.horizon + 1;
        let n = p.assessors.len();
        State {
            stride,
            day_load: vec![0; n * stride],
            week_load: vec![0; n * p.weeks],
            obs_count: vec![0; n * stride],
            obs_region: vec![0; n * stride],
            assign: vec![None; p.apprentices.len()],
            cost: vec![NOTHING; p.apprentices.len()],
            total: NOTHING * p.apprentices.len() as i64,
            work: std::cell::Cell::new(0),
        }
    }

    /// The cost of one apprentice's booking (minutes, see `problem`).
    pub fn cost_of(p: &Problem, a: usize, assign: &Assign) -> i64 {
        let ap = &p.apprentices[a];
        let mut cost = 0;
        let mut last = None;
        for m in Method::ALL {
            let d = assign.days[m.index()];
            if d == NONE {
                cost += UNSCHEDULED;
            } else {
                last = last.max(Some(i64::from(d)));
            }
        }
        if let Some(last) = last {
            cost += DAY * (last - ap.gateway);
        }
        if assign.days[Method::Observation.index()] != NONE {
            cost += i64::from(p.travel(assign.assessor, a));
        }
        for (e, l) in p.epao.order() {
            let (de, dl) = (assign.days[e.index()], assign.days[l.index()]);
            if de != NONE && dl != NONE && dl < de {
                cost += VIOLATION;
            }
        }
        cost
    }

    pub fn place(&mut self, p: &Problem, a: usize, assign: Assign) {
        debug_assert!(self.assign[a].is_none());
        let s = assign.assessor;
        for m in Method::ALL {
            let d = assign.days[m.index()];
            if d == NONE {
                continue;
            }
            let d = usize::from(d);
            self.day_load[s * self.stride + d] += 1;
            self.week_load[s * p.weeks + p.week[d]] += 1;
            if m == Method::Observation {
                self.obs_count[s * self.stride + d] += 1;
                self.obs_region[s * self.stride + d] = p.apprentices[a].region;
            }
        }
        let cost = State::cost_of(p, a, &assign);
        self.total += cost - self.cost[a];
        self.cost[a] = cost;
        self.assign[a] = Some(assign);
    }

    pub fn remove(&mut self, p: &Problem, a: usize) -> Option<Assign> {
        let assign = self.assign[a].take()?;
        let s = assign.assessor;
        for m in Method::ALL {
            let d = assign.days[m.index()];
            if d == NONE {
                continue;
            }
            let d = usize::from(d);
            self.day_load[s * self.stride + d] -= 1;
            self.week_load[s * p.weeks + p.week[d]] -= 1;
            if m == Method::Observation {
                self.obs_count[s * self.stride + d] -= 1;
            }
        }
        self.total += NOTHING - self.cost[a];
        self.cost[a] = NOTHING;
        Some(assign)
    }

    /// Whether the assessor can take one more assessment on day `d`
    /// (availability of both, the day's cap; not the week's).
    #[inline]
    fn day_open(&self, p: &Problem, a: usize, s: usize, d: usize) -> bool {
        p.working[d]
            && !p.apprentices[a].unavailable[d]
            && !p.assessors[s].unavailable[d]
            && self.day_load[s * self.stride + d] < p.assessors[s].max_day
    }

    #[inline]
    fn week_room(&self, p: &Problem, s: usize, d: usize) -> u32 {
        p.assessors[s]
            .max_week
            .saturating_sub(self.week_load[s * p.weeks + p.week[d]])
    }

    #[inline]
    fn region_open(&self, p: &Problem, a: usize, s: usize, d: usize) -> bool {
        let i = s * self.stride + d;
        self.obs_count[i] == 0 || self.obs_region[i] == p.apprentices[a].region
    }

    /// The cheapest booking of apprentice `a` (currently unbooked) with
    /// assessor `s`, if one costs less than `bound`. Costs here are scaled
    /// (`SCALE`) and carry the tie-break; `cost / SCALE` is the real cost.
    pub fn best_with(&self, p: &Problem, a: usize, s: usize, bound: i64) -> Option<(i64, Assign)> {
        #[derive(Clone, Copy)]
        struct Cell {
            cost: i64,
            days: [u16; 3],
        }
        const EMPTY: Cell = Cell {
            cost: i64::MAX,
            days: [NONE; 3],
        };
        let ap = &p.apprentices[a];
        if ap.hi < 1 {
            return None;
        }
        let travel = SCALE * i64::from(p.travel(s, a));
        let order = p.epao.order();
        let max_week = i64::from(p.assessors[s].max_week.max(1));
        let mut cur = [[EMPTY; 4]; 8];
        cur[0][0] = Cell {
            cost: 0,
            days: [NONE; 3],
        };
        let mut best = bound;
        let mut best_days: Option<[u16; 3]> = None;
        let mut week = usize::MAX;
        let mut visited = 0u64;
        for d in 1..=ap.hi {
            visited += 1;
            let du = d as usize;
            if p.week[du] != week {
                week = p.week[du];
                for row in cur.iter_mut() {
                    let mut keep = row[0];
                    for cell in &row[1..] {
                        if cell.cost < keep.cost {
                            keep = *cell;
                        }
                    }
                    *row = [EMPTY; 4];
                    row[0] = keep;
                }
            }
            let mut least = i64::MAX;
            for row in &cur {
                for cell in row {
                    least = least.min(cell.cost);
                }
            }
            if least == i64::MAX || least + SCALE * DAY * (d - ap.gateway) >= best {
                break;
            }
            if !self.day_open(p, a, s, du) {
                continue;
            }
            let room = self.week_room(p, s, du).min(3) as usize;
            if room == 0 {
                continue;
            }
            let busy = i64::from(self.week_load[s * p.weeks + p.week[du]]);
            let tie = (TIE * busy / max_week).min(TIE);
            let mut allowed = [false; 3];
            allowed[Method::Observation.index()] =
                d >= ap.lo[Method::Observation.index()] && self.region_open(p, a, s, du);
            allowed[Method::Interview.index()] = d >= ap.lo[Method::Interview.index()];
            allowed[Method::Discussion.index()] = d >= ap.lo[Method::Discussion.index()];
            let snapshot = cur;
            for (mask, row) in snapshot.iter().enumerate() {
                for (wc, cell) in row.iter().enumerate() {
                    if cell.cost == i64::MAX || wc >= room {
                        continue;
                    }
                    for m in Method::ALL {
                        let bit = 1 << m.index();
                        if mask & bit != 0 || !allowed[m.index()] {
                            continue;
                        }
                        let mut cost = cell.cost + tie;
                        if m == Method::Observation {
                            cost += travel;
                        }
                        for (e, l) in order {
                            if *e == m && mask & (1 << l.index()) != 0 {
                                cost += SCALE * VIOLATION;
                            }
                        }
                        let next = mask | bit;
                        let mut days = cell.days;
                        days[m.index()] = d as u16;
                        let missing = 3 - i64::from((next as u32).count_ones());
                        let stop = cost + SCALE * (DAY * (d - ap.gateway) + UNSCHEDULED * missing);
                        if stop < best {
                            best = stop;
                            best_days = Some(days);
                        }
                        if next != 7 && cost < cur[next][wc + 1].cost {
                            cur[next][wc + 1] = Cell { cost, days };
                        }
                    }
                }
            }
        }
        self.work.set(self.work.get() + visited + 1);
        best_days.map(|days| (best, Assign { assessor: s, days }))
    }

    /// A lower bound on the cost of any full booking of `a` with `s`: the
    /// first day the assessor could take the interview, and the travel.
    /// `None` when there is no such day.
    fn full_bound(&self, p: &Problem, a: usize, s: usize) -> Option<i64> {
        let ap = &p.apprentices[a];
        let mut d = ap.lo[Method::Interview.index()].max(1);
        while d <= ap.hi {
            let du = d as usize;
            if self.day_open(p, a, s, du) && self.week_room(p, s, du) > 0 {
                return Some(SCALE * (DAY * (d - ap.gateway) + i64::from(p.travel(s, a))));
            }
            d += 1;
        }
        None
    }

    /// The cheapest booking of apprentice `a` over its assessors, placed.
    /// Assessors are tried by a lower bound on their cost, so that once a
    /// full booking is found the rest are skipped; ties go to the assessor
    /// tried first (the lower bound, then the nearest, then input order).
    pub fn insert_best(&mut self, p: &Problem, a: usize, scratch: &mut Vec<(i64, usize)>) {
        self.insert_best_but(p, a, usize::MAX, scratch);
    }

    /// [`State::insert_best`] without assessor `exclude`.
    pub fn insert_best_but(
        &mut self,
        p: &Problem,
        a: usize,
        exclude: usize,
        scratch: &mut Vec<(i64, usize)>,
    ) {
        debug_assert!(self.assign[a].is_none());
        scratch.clear();
        let mut partial_only = Vec::new();
        for &s in &p.apprentices[a].candidates {
            if s == exclude {
                continue;
            }
            match self.full_bound(p, a, s) {
                Some(lb) => scratch.push((lb, s)),
                None => partial_only.push(s),
            }
        }
        scratch.sort_by_key(|&(lb, _)| lb);
        let mut bound = SCALE * NOTHING;
        let mut chosen = None;
        for &(lb, s) in scratch.iter() {
            if bound <= SCALE * UNSCHEDULED && lb >= bound {
                break;
            }
            if let Some((cost, assign)) = self.best_with(p, a, s, bound) {
                bound = cost;
                chosen = Some(assign);
            }
        }
        if bound > SCALE * UNSCHEDULED {
            // No full booking: the assessors who cannot take the interview
            // may still take the rest.
            for s in partial_only {
                if let Some((cost, assign)) = self.best_with(p, a, s, bound) {
                    bound = cost;
                    chosen = Some(assign);
                }
            }
        }
        if let Some(assign) = chosen {
            self.place(p, a, assign);
        }
    }
}

/// A lower bound on the total: each apprentice's cheapest booking with
/// nobody else booked (minutes).
pub(crate) fn alone_bound(p: &Problem) -> i64 {
    let st = State::new(p);
    (0..p.apprentices.len())
        .map(|a| {
            let mut best = SCALE * NOTHING;
            for &s in &p.apprentices[a].candidates {
                if let Some((cost, _)) = st.best_with(p, a, s, best) {
                    best = cost;
                }
            }
            best / SCALE
        })
        .sum()
}

/// A small deterministic generator (SplitMix64): the same seed, the same
/// search.
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 11) % n as u64) as usize
    }
}

/// What the search is told between iterations; `false` from the observer
/// stops it (the time limit).
pub(crate) type Keep<'a> = &'a mut dyn FnMut(u64, u64, i64) -> bool;

/// Insertion order of the greedy construction: the least slack between the
/// earliest interview and the end of the EPA period first, then input order.
pub(crate) fn urgency_order(p: &Problem) -> Vec<usize> {
    let mut order: Vec<usize> = (0..p.apprentices.len()).collect();
    order.sort_by_key(|&a| (slack(p, a), a));
    order
}

fn slack(p: &Problem, a: usize) -> i64 {
    let ap = &p.apprentices[a];
    ap.hi - ap.lo[Method::Interview.index()].max(1)
}

pub(crate) fn construct(p: &Problem, st: &mut State) {
    let mut scratch = Vec::new();
    for a in urgency_order(p) {
        st.insert_best(p, a, &mut scratch);
    }
}

/// The construction for a restart: urgency blurred by a few random days.
pub(crate) fn construct_blurred(p: &Problem, st: &mut State, rng: &mut Rng) {
    let mut keyed: Vec<(i64, usize)> = (0..p.apprentices.len())
        .map(|a| (slack(p, a) + rng.below(8) as i64, a))
        .collect();
    keyed.sort_unstable();
    let mut scratch = Vec::new();
    for (_, a) in keyed {
        st.insert_best(p, a, &mut scratch);
    }
}

/// Large neighbourhood search from the state given. Runs until the
/// insertion has visited `budget` days in all since the state's `work` was
/// `start`, or `stall` iterations in a row bring no improvement, or the
/// total reaches `floor` (a lower bound: nothing better exists), or `keep`
/// says stop. Returns the iterations done, and whether it stalled.
pub(crate) fn search(
    p: &Problem,
    st: &mut State,
    rng: &mut Rng,
    (start, budget): (u64, u64),
    floor: i64,
    stall: u64,
    keep: Keep<'_>,
) -> (u64, bool) {
    let n = p.apprentices.len();
    if n == 0 {
        return (0, false);
    }
    let floors: Vec<i64> = (0..n)
        .map(|a| p.floor(a).map_or(NOTHING, |f| DAY * f))
        .collect();
    let slacks: Vec<i64> = (0..n).map(|a| slack(p, a)).collect();
    let mut removed: Vec<usize> = Vec::with_capacity(16);
    let mut saved: Vec<(usize, Option<Assign>)> = Vec::with_capacity(16);
    let mut rest: Vec<usize> = Vec::with_capacity(16);
    let mut last_better = 0u64;
    let mut scratch = Vec::new();
    let mut done = 0u64;
    for it in 0.. {
        let work = st.work.get() - start;
        if work >= budget || st.total <= floor || !keep(it, work, st.total) {
            break;
        }
        // Every iteration counts, even one that visits no day.
        st.work.set(st.work.get() + 1);
        done = it + 1;
        removed.clear();
        let max_k = n.min(10);
        let mut first = None;
        let mut exclude = usize::MAX;
        match rng.below(7) {
            6 => {
                // Two assessors' bookings over two weeks: one apprentice's
                // assessor and another that could take it.
                let a0 = rng.below(n);
                let ap = &p.apprentices[a0];
                let booked: Vec<u16> = st.assign[a0]
                    .map(|x| x.days.iter().copied().filter(|&d| d != NONE).collect())
                    .unwrap_or_default();
                if let (Some(x), false) = (st.assign[a0], booked.is_empty()) {
                    let other = ap.candidates[rng.below(ap.candidates.len().min(12))];
                    let week = p.week[usize::from(booked[rng.below(booked.len())])];
                    let mut near: Vec<usize> = (0..n)
                        .filter(|&a| {
                            st.assign[a].is_some_and(|y| {
                                (y.assessor == x.assessor || y.assessor == other)
                                    && y.days.iter().any(|&d| {
                                        d != NONE && {
                                            let w = p.week[usize::from(d)];
                                            w == week || w == week + 1
                                        }
                                    })
                            })
                        })
                        .collect();
                    take_some(rng, &mut near, max_k + 2, &mut removed);
                } else {
                    removed.push(a0);
                }
            }
            5 => {
                // Move one apprentice to another assessor: it goes first,
                // without its assessor, into room made with the new one.
                let a0 = rng.below(n);
                if let Some(x) = st.assign[a0] {
                    exclude = x.assessor;
                    let k = (3 + rng.below(max_k)).min(max_k);
                    make_room(p, st, rng, a0, k, &mut removed);
                    first = Some(a0);
                } else {
                    removed.push(a0);
                }
            }
            4 => {
                // Make room: one apprentice (half the time the worst of a
                // few against their floor) goes first, into the weeks of a
                // day it could have its interview, cleared of one candidate
                // assessor's other bookings.
                let mut a0 = rng.below(n);
                let draws = if rng.below(2) == 0 { 7 } else { 0 };
                for _ in 0..draws {
                    let a = rng.below(n);
                    if st.cost[a] - floors[a] > st.cost[a0] - floors[a0] {
                        a0 = a;
                    }
                }
                make_room(p, st, rng, a0, max_k, &mut removed);
                first = Some(a0);
            }
            0 => {
                let k = if rng.below(2) == 0 {
                    2 + rng.below(2)
                } else {
                    2 + rng.below(max_k.saturating_sub(1).max(1))
                };
                while removed.len() < k.min(n) {
                    let a = rng.below(n);
                    if !removed.contains(&a) {
                        removed.push(a);
                    }
                }
            }
            1 => {
                // One assessor's bookings around one day.
                let a0 = rng.below(n);
                around_assessor(p, st, rng, a0, 4, max_k, &mut removed);
            }
            2 => {
                // The worst of a few apprentices against their floor, and
                // those booked near its interview in the same region.
                let mut a0 = rng.below(n);
                for _ in 0..7 {
                    let a = rng.below(n);
                    if st.cost[a] - floors[a] > st.cost[a0] - floors[a0] {
                        a0 = a;
                    }
                }
                around_day(p, st, rng, a0, 2, max_k, &mut removed);
            }
            _ => {
                let a0 = rng.below(n);
                around_day(p, st, rng, a0, 1, max_k, &mut removed);
                if let Some(b) = removed.get(rng.below(removed.len())).copied() {
                    around_assessor(p, st, rng, b, 2, max_k, &mut removed);
                }
            }
        }
        if removed.is_empty() {
            continue;
        }
        let before = st.total;
        saved.clear();
        for &a in &removed {
            saved.push((a, st.remove(p, a)));
        }
        if rng.below(2) == 0 {
            removed.sort_by_key(|&a| (slacks[a], a));
        } else {
            for i in (1..removed.len()).rev() {
                let j = rng.below(i + 1);
                removed.swap(i, j);
            }
        }
        rest.clear();
        rest.extend(removed.iter().copied().filter(|&a| Some(a) != first));
        if let Some(a0) = first {
            st.insert_best_but(p, a0, exclude, &mut scratch);
        }
        for &a in &rest {
            st.insert_best(p, a, &mut scratch);
        }
        if st.total <= before {
            if st.total < before {
                last_better = it;
            }
        } else {
            for &a in &removed {
                st.remove(p, a);
            }
            for &(a, old) in &saved {
                if let Some(old) = old {
                    st.place(p, a, old);
                }
            }
            debug_assert_eq!(st.total, before);
        }
        if it - last_better > stall {
            return (done, true);
        }
    }
    (done, false)
}

/// Adds `a0` and up to `max` apprentices booked with `a0`'s assessor within
/// `width` days of one of `a0`'s bookings.
fn around_assessor(
    p: &Problem,
    st: &State,
    rng: &mut Rng,
    a0: usize,
    width: i64,
    max: usize,
    out: &mut Vec<usize>,
) {
    if !out.contains(&a0) {
        out.push(a0);
    }
    let Some(assign) = st.assign[a0] else {
        return;
    };
    let booked: Vec<u16> = assign.days.iter().copied().filter(|d| *d != NONE).collect();
    if booked.is_empty() {
        return;
    }
    let d0 = i64::from(booked[rng.below(booked.len())]);
    let mut near: Vec<usize> = (0..p.apprentices.len())
        .filter(|&a| {
            st.assign[a].is_some_and(|x| {
                x.assessor == assign.assessor
                    && x.days
                        .iter()
                        .any(|&d| d != NONE && (i64::from(d) - d0).abs() <= width)
            })
        })
        .collect();
    take_some(rng, &mut near, max, out);
}

/// Adds `a0` and up to `max` apprentices of the same region booked within
/// `width` days of `a0`'s interview (or last booking), with any assessor.
fn around_day(
    p: &Problem,
    st: &State,
    rng: &mut Rng,
    a0: usize,
    width: i64,
    max: usize,
    out: &mut Vec<usize>,
) {
    if !out.contains(&a0) {
        out.push(a0);
    }
    let region = p.apprentices[a0].region;
    let d0 = match st.assign[a0] {
        Some(x) if x.days[Method::Interview.index()] != NONE => {
            i64::from(x.days[Method::Interview.index()])
        }
        _ => p.apprentices[a0].lo[Method::Interview.index()],
    };
    let mut near: Vec<usize> = (0..p.apprentices.len())
        .filter(|&a| {
            p.apprentices[a].region == region
                && st.assign[a].is_some_and(|x| {
                    x.days
                        .iter()
                        .any(|&d| d != NONE && (i64::from(d) - d0).abs() <= width)
                })
        })
        .collect();
    take_some(rng, &mut near, max, out);
}

fn take_some(rng: &mut Rng, pool: &mut Vec<usize>, max: usize, out: &mut Vec<usize>) {
    while out.len() < max && !pool.is_empty() {
        let i = rng.below(pool.len());
        let a = pool.swap_remove(i);
        if !out.contains(&a) {
            out.push(a);
        }
    }
}

/// Adds `a0` and up to `max` apprentices booked with one of `a0`'s
/// candidate assessors in the week of a day `a0` could have its interview
/// or the week before.
fn make_room(p: &Problem, st: &State, rng: &mut Rng, a0: usize, max: usize, out: &mut Vec<usize>) {
    if !out.contains(&a0) {
        out.push(a0);
    }
    let ap = &p.apprentices[a0];
    if ap.candidates.is_empty() || ap.hi < 1 {
        return;
    }
    let s = ap.candidates[rng.below(ap.candidates.len().min(12))];
    let lo = ap.lo[Method::Interview.index()].clamp(1, ap.hi);
    let span = (ap.hi - lo + 1).min(10) as usize;
    let d0 = lo as usize + rng.below(span);
    let week = p.week[d0];
    let mut near: Vec<usize> = (0..p.apprentices.len())
        .filter(|&a| {
            a != a0
                && st.assign[a].is_some_and(|x| {
                    x.assessor == s
                        && x.days.iter().any(|&d| {
                            d != NONE
                                && (p.week[usize::from(d)] + 1 == week
                                    || p.week[usize::from(d)] == week)
                        })
                })
        })
        .collect();
    take_some(rng, &mut near, max, out);
}
