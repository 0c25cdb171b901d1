#!/usr/bin/env python3
"""A CP-SAT model of the same problem: the second yardstick.

    python3 cpsat.py INSTANCE.json [--time-limit 60] [--workers 2]
                     [--hint ANSWER.json] [--max-literals 150000] > ANSWER.json

One Boolean per (apprentice, assessor, method, day) that every rule but the
assessors' capacity allows on its own; capacity, the assessor of all three,
one assessment a day per apprentice and one region of observations per
assessor-day are linear constraints. The lead time is time-indexed (one
Boolean per apprentice and day: all booked by then), whose relaxation is
far stronger than a maximum of dates. The objective is the issue's, in
minutes so that it is a whole number: 60 x (1000 unscheduled + lead days +
50 order violations) + travel minutes.

An instance too large for a model of every Boolean keeps, per apprentice,
only the nearest assessors (and the hint's assessor) within
--max-literals; the answer then says `"restricted": true`, and the bound is
a bound of the restricted model only, not of the problem. With --hint (the
greedy's answer), the search starts from it.
"""
import argparse
import datetime as dt
import json
import os
import sys
import time

from ortools.sat.python import cp_model

import common


def build(inst, max_literals, hint):
    today = common.date(inst["today"])
    assessors = inst["assessors"]
    aps = inst["apprentices"]
    ends = [(common.period_end(p) - today).days for p in aps]
    horizon = max([0] + ends)
    days = [today + dt.timedelta(days=d) for d in range(horizon + 1)]
    working = [common.is_working_day(d) for d in days]
    first = today.weekday()
    week = [(first + d) // 7 for d in range(horizon + 1)]
    a_unav = [set((common.date(x) - today).days for x in a.get("unavailable", []))
              for a in assessors]
    hint_assessor = {}
    if hint:
        ids = {a["id"]: i for i, a in enumerate(assessors)}
        for b in hint["bookings"]:
            hint_assessor[b["apprentice"]] = ids[b["assessor"]]

    def travel(s, p):
        return inst["travel_minutes"][assessors[s]["region"]][p["region"]]

    windows = []
    for i, p in enumerate(aps):
        unav = set((common.date(x) - today).days for x in p.get("unavailable", []))
        hi = min(ends[i], horizon)
        lo = {m: (common.earliest(inst, p, m) - today).days for m in common.METHODS}
        open_days = [d for d in range(1, hi + 1) if working[d] and d not in unav]
        windows.append((lo, open_days))
    cands = []
    for i, p in enumerate(aps):
        c = [s for s in range(len(assessors)) if not common.conflicted(assessors[s], p)
             and assessors[s]["max_per_day"] > 0 and assessors[s]["max_per_week"] > 0]
        c.sort(key=lambda s: (travel(s, p), s))
        cands.append(c)
    full = sum(len(cands[i]) * len(windows[i][1]) * 3 for i in range(len(aps)))
    restricted = full > max_literals
    if restricted:
        per = max(1, max_literals // max(1, sum(len(w[1]) * 3 for w in windows)))
        for i, p in enumerate(aps):
            keep = cands[i][:per]
            h = hint_assessor.get(p["id"])
            if h is not None and h not in keep:
                keep.append(h)
            cands[i] = keep

    model = cp_model.CpModel()
    x = {}
    ys_of = {}
    extra = {}
    by_sd = {}
    by_sw = {}
    obs_regions = {}
    objective = []
    constant = 0
    for i, p in enumerate(aps):
        lo, open_days = windows[i]
        g = (common.date(p["gateway_approved"]) - today).days
        ys = []
        per_day = {}
        dates = {}
        scheds = {}
        for s in cands[i]:
            y = model.NewBoolVar(f"y{i}_{s}")
            ys.append(y)
            ys_of[(i, s)] = y
            for m in common.METHODS:
                lits = []
                for d in open_days:
                    if d < lo[m] or d in a_unav[s]:
                        continue
                    v = model.NewBoolVar(f"x{i}_{s}_{m[0]}{d}")
                    x[(i, s, m, d)] = v
                    lits.append(v)
                    per_day.setdefault(d, []).append(v)
                    by_sd.setdefault((s, d), []).append(v)
                    by_sw.setdefault((s, week[d]), []).append(v)
                    dates.setdefault(m, []).append((d, v))
                    if m == "observation":
                        obs_regions.setdefault((s, d), {}).setdefault(p["region"], []).append(v)
                        objective.append(travel(s, p) * v)
                if lits:
                    model.Add(sum(lits) <= y)
        if ys:
            model.AddAtMostOne(ys)
        for d, lits in per_day.items():
            if len(lits) > 1:
                model.AddAtMostOne(lits)
        # Time-indexed, through cumulative Booleans: booked[m][t] says
        # method m is booked on day t or before (a chain, so every
        # constraint below stays short). done[t] says every booked
        # assessment is on day t or before; the lead is the number of days
        # from gateway with done false. This relaxes far better than a
        # maximum of dates.
        hi = min(ends[i], horizon)
        done = {}
        for t in range(g, hi):
            done[t] = model.NewBoolVar(f"f{i}_{t}")
            extra[("done", i, t)] = done[t]
            objective.append(60 * (1 - done[t]))
        for t in range(g, hi - 1):
            model.AddImplication(done[t], done[t + 1])
        booked = {}
        for m in common.METHODS:
            pairs = dates.get(m, [])
            if not pairs:
                constant += 60000
                continue
            sched = model.NewBoolVar(f"s{i}{m[0]}")
            extra[("sched", i, m)] = sched
            model.Add(sum(v for _, v in pairs) == sched)
            scheds[m] = sched
            objective.append(60000 * (1 - sched))
            on = {}
            for d, v in pairs:
                on.setdefault(d, []).append(v)
            chain = {}
            prev = None
            for t in range(0, hi + 1):
                today_lits = on.get(t, [])
                if prev is None and not today_lits:
                    continue
                c = model.NewBoolVar(f"c{i}{m[0]}{t}")
                extra[("chain", i, m, t)] = c
                model.Add(c == (prev if prev is not None else 0) + sum(today_lits))
                chain[t] = c
                prev = c
            booked[m] = chain

            def by(t, chain=chain):
                keys = [k for k in chain if k <= t]
                return chain[max(keys)] if keys else 0
            for t in range(max(g, 0), hi):
                # Booked after t means not done by t.
                model.Add(done[t] + sched - by(t) <= 1)
            booked[m] = by
        for e, l in common.ORDER[inst["epao"]]:
            if e in scheds and l in scheds:
                viol = model.NewBoolVar(f"v{i}{e[0]}{l[0]}")
                extra[("viol", i, e, l)] = viol
                objective.append(3000 * viol)
                for t in range(1, hi + 1):
                    # The later method booked by t needs the earlier one
                    # before t, unless a violation or the earlier unbooked.
                    model.Add(booked[l](t) - booked[e](t - 1) <= viol + 1 - scheds[e])
    for (s, d), lits in by_sd.items():
        if len(lits) > assessors[s]["max_per_day"]:
            model.Add(sum(lits) <= assessors[s]["max_per_day"])
    for (s, w), lits in by_sw.items():
        if len(lits) > assessors[s]["max_per_week"]:
            model.Add(sum(lits) <= assessors[s]["max_per_week"])
    for (s, d), regs in obs_regions.items():
        if len(regs) > 1:
            rs = []
            for r, lits in regs.items():
                rv = model.NewBoolVar(f"r{s}_{d}_{r}")
                extra[("region", s, d, r)] = rv
                rs.append(rv)
                for v in lits:
                    model.AddImplication(v, rv)
            model.AddAtMostOne(rs)
    model.Minimize(sum(objective) + constant)

    if hint:
        # A complete hint of the booking Booleans (every other variable
        # follows from them), so that CP-SAT starts from the greedy's
        # schedule rather than searching for a first one.
        ids = {a["id"]: i for i, a in enumerate(assessors)}
        index = {p["id"]: i for i, p in enumerate(aps)}
        on = set()
        for b in hint["bookings"]:
            i, s = index[b["apprentice"]], ids[b["assessor"]]
            d = (common.date(b["date"]) - today).days
            on.add((i, s, b["method"], d))
        for key, v in x.items():
            model.AddHint(v, 1 if key in on else 0)
        pairs = {(k[0], k[1]) for k in on}
        for key, y in ys_of.items():
            model.AddHint(y, 1 if key in pairs else 0)
        day_of = {(k[0], k[2]): k[3] for k in on}
        last_of = {}
        for (i, _), d in day_of.items():
            last_of[i] = max(last_of.get(i, d), d)
        regions_on = {(k[1], k[3], aps[k[0]]["region"]) for k in on if k[2] == "observation"}
        for key, v in extra.items():
            kind = key[0]
            if kind == "sched":
                value = (key[1], key[2]) in day_of
            elif kind == "chain":
                d = day_of.get((key[1], key[2]))
                value = d is not None and d <= key[3]
            elif kind == "done":
                value = last_of.get(key[1], -10**9) <= key[2]
            elif kind == "viol":
                de, dl = day_of.get((key[1], key[2])), day_of.get((key[1], key[3]))
                value = de is not None and dl is not None and dl < de
            else:
                value = (key[1], key[2], key[3]) in regions_on
            model.AddHint(v, 1 if value else 0)
    return model, x, constant, restricted, len(x), today


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("instance")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--hint")
    ap.add_argument("--max-literals", type=int, default=150_000)
    args = ap.parse_args()
    with open(args.instance) as f:
        inst = json.load(f)
    hint = None
    if args.hint:
        with open(args.hint) as f:
            hint = json.load(f)
    started = time.time()
    model, x, constant, restricted, literals, today = build(inst, args.max_literals, hint)
    built = time.time() - started
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = args.time_limit
    solver.parameters.num_workers = args.workers
    solver.parameters.random_seed = 1
    if os.environ.get("CPSAT_NO_PRESOLVE"):
        solver.parameters.cp_model_presolve = False
    solver.parameters.log_search_progress = bool(os.environ.get("CPSAT_LOG"))
    status = solver.Solve(model)
    bookings = []
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for (i, s, m, d), v in x.items():
            if solver.BooleanValue(v):
                bookings.append({
                    "apprentice": inst["apprentices"][i]["id"], "method": m,
                    "assessor": inst["assessors"][s]["id"],
                    "date": (today + dt.timedelta(days=d)).isoformat()})
    bookings.sort(key=lambda b: (b["apprentice"], common.METHODS.index(b["method"])))
    out = {
        "bookings": bookings,
        "objective": common.objective(inst, bookings),
        "cpsat": {
            "status": solver.StatusName(status),
            "objective_minutes": solver.ObjectiveValue() if bookings else None,
            "bound": round(solver.BestObjectiveBound() / 60.0, 2),
            "restricted": restricted,
            "literals": literals,
            "build_seconds": round(built, 1),
            "solve_seconds": round(solver.WallTime(), 1),
        },
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
