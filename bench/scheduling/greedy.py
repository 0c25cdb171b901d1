#!/usr/bin/env python3
"""The naive greedy yardstick.

    python3 greedy.py INSTANCE.json > ANSWER.json

Apprentices by the end of their EPA period (then input order); for each, the
nearest assessor without a conflict (least travel, then input order) who
can take all three assessments, each on its earliest legal day: the
observation, then the interview, then the discussion after both (after the
interview for Innovate), each on the first day every hard rule allows with
the bookings made so far. When no assessor can take all three, the nearest
who can take the most gets them and the rest are left unscheduled.
"""
import datetime as dt
import json
import sys

import common


def solve(inst):
    today = common.date(inst["today"])
    assessors = inst["assessors"]
    unavailable = {a["id"]: set(a.get("unavailable", [])) for a in assessors}
    day_load, week_load, obs_region = {}, {}, {}

    def week(day):
        return day - dt.timedelta(days=day.weekday())

    def fits(a, p, method, day, taken, tentative):
        iso = day.isoformat()
        if not common.is_working_day(day) or iso in unavailable[a["id"]] \
                or iso in p.get("unavailable", []) or day in taken:
            return False
        extra_day = sum(1 for d in tentative if d == day)
        extra_week = sum(1 for d in tentative if week(d) == week(day))
        if day_load.get((a["id"], day), 0) + extra_day >= a["max_per_day"]:
            return False
        if week_load.get((a["id"], week(day)), 0) + extra_week >= a["max_per_week"]:
            return False
        if method == "observation":
            r = obs_region.get((a["id"], day))
            if r is not None and r != p["region"]:
                return False
        return True

    def plan(a, p):
        end = common.period_end(p)
        got = {}
        for method in common.METHODS:
            lo = common.earliest(inst, p, method)
            if method == "discussion":
                before = [got[m] for m, l in common.ORDER[inst["epao"]] if m in got]
                if before:
                    lo = max([lo] + [d + dt.timedelta(days=1) for d in before])
            day = lo
            while day <= end:
                if fits(a, p, method, day, set(got.values()), list(got.values())):
                    got[method] = day
                    break
                day += dt.timedelta(days=1)
            if method == "discussion" and method not in got:
                # Out of order rather than not at all.
                day = common.earliest(inst, p, method)
                while day <= end:
                    if fits(a, p, method, day, set(got.values()), list(got.values())):
                        got[method] = day
                        break
                    day += dt.timedelta(days=1)
        return got

    bookings = []
    order = sorted(range(len(inst["apprentices"])),
                   key=lambda i: (common.period_end(inst["apprentices"][i]), i))
    for i in order:
        p = inst["apprentices"][i]
        candidates = sorted(
            (a for a in assessors if not common.conflicted(a, p)),
            key=lambda a: inst["travel_minutes"][a["region"]][p["region"]])
        best = None
        for a in candidates:
            got = plan(a, p)
            if len(got) == 3:
                best = (a, got)
                break
            if got and (best is None or len(got) > len(best[1])):
                best = (a, got)
        if best is None:
            continue
        a, got = best
        for method, day in got.items():
            day_load[(a["id"], day)] = day_load.get((a["id"], day), 0) + 1
            week_load[(a["id"], week(day))] = week_load.get((a["id"], week(day)), 0) + 1
            if method == "observation":
                obs_region[(a["id"], day)] = p["region"]
            bookings.append({"apprentice": p["id"], "method": method,
                             "assessor": a["id"], "date": day.isoformat()})
    return {"bookings": bookings, "objective": common.objective(inst, bookings)}


def main():
    with open(sys.argv[1]) as f:
        inst = json.load(f)
    json.dump(solve(inst), sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
