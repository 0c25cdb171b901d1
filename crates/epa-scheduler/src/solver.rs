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

pub(crate) struct State {
    stride: usize,
    day_load: Vec<u32>,
    week_load: Vec<u32>,
    obs_count: Vec<u32>,
    obs_region: Vec<usize>,
    pub assign: Vec<Option<Assign>>,
    pub cost: Vec<i64>,
    pub total: i64,
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
    /// assessor `s`, if one costs less than `bound`.
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
        let travel = i64::from(p.travel(s, a));
        let order = p.epao.order();
        // Quick refusal: when only a full booking can beat the bound, the
        // interview's first possible day with this assessor bounds the cost.
        if bound <= UNSCHEDULED {
            let lo = ap.lo[Method::Interview.index()].max(1);
            let mut found = None;
            let mut d = lo;
            while d <= ap.hi {
                let du = d as usize;
                if DAY * (d - ap.gateway) >= bound {
                    break;
                }
                if self.day_open(p, a, s, du) && self.week_room(p, s, du) > 0 {
                    found = Some(d);
                    break;
                }
                d += 1;
            }
            match found {
                Some(d) if DAY * (d - ap.gateway) + travel < bound => {}
                _ => return None,
            }
        }

        let mut cur = [[EMPTY; 4]; 8];
        cur[0][0] = Cell {
            cost: 0,
            days: [NONE; 3],
        };
        let mut best = bound;
        let mut best_days: Option<[u16; 3]> = None;
        let mut week = usize::MAX;
        for d in 1..=ap.hi {
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
            if least == i64::MAX || least + DAY * (d - ap.gateway) >= best {
                break;
            }
            if !self.day_open(p, a, s, du) {
                continue;
            }
            let room = self.week_room(p, s, du).min(3) as usize;
            if room == 0 {
                continue;
            }
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
                        let mut cost = cell.cost;
                        if m == Method::Observation {
                            cost += travel;
                        }
                        for (e, l) in order {
                            if *e == m && mask & (1 << l.index()) != 0 {
                                cost += VIOLATION;
                            }
                        }
                        let next = mask | bit;
                        let mut days = cell.days;
                        days[m.index()] = d as u16;
                        let missing = 3 - i64::from((next as u32).count_ones());
                        let stop = cost + DAY * (d - ap.gateway) + UNSCHEDULED * missing;
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
        best_days.map(|days| (best, Assign { assessor: s, days }))
    }

    /// The cheapest booking of apprentice `a` over its assessors, placed.
    /// Ties go to the assessor listed first (nearest, then input order).
    pub fn insert_best(&mut self, p: &Problem, a: usize) {
        debug_assert!(self.assign[a].is_none());
        let mut bound = NOTHING;
        let mut chosen = None;
        for &s in &p.apprentices[a].candidates {
            if let Some((cost, assign)) = self.best_with(p, a, s, bound) {
                bound = cost;
                chosen = Some(assign);
            }
        }
        if let Some(assign) = chosen {
            self.place(p, a, assign);
        }
    }
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
    for a in urgency_order(p) {
        st.insert_best(p, a);
    }
}

/// Large neighbourhood search from the state given. Runs `budget`
/// iterations, or fewer when `stall` iterations in a row bring no
/// improvement, or when `keep` says stop. Returns the iterations done.
pub(crate) fn search(
    p: &Problem,
    st: &mut State,
    rng: &mut Rng,
    budget: u64,
    stall: u64,
    keep: Keep<'_>,
) -> u64 {
    let n = p.apprentices.len();
    if n == 0 {
        return 0;
    }
    let floors: Vec<i64> = (0..n)
        .map(|a| p.floor(a).map_or(NOTHING, |f| DAY * f))
        .collect();
    let slacks: Vec<i64> = (0..n).map(|a| slack(p, a)).collect();
    let mut removed: Vec<usize> = Vec::with_capacity(16);
    let mut saved: Vec<(usize, Option<Assign>)> = Vec::with_capacity(16);
    let mut last_better = 0u64;
    let mut done = 0u64;
    for it in 0..budget {
        if !keep(it, budget, st.total) {
            break;
        }
        done = it + 1;
        removed.clear();
        let max_k = n.min(10);
        match rng.below(4) {
            0 => {
                let k = 2 + rng.below(max_k.saturating_sub(1).max(1));
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
        for &a in &removed {
            st.insert_best(p, a);
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
            break;
        }
    }
    done
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
