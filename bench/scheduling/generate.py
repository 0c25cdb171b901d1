#!/usr/bin/env python3
"""Realistic scheduling instances for the benchmark, from fixed seeds.

    python3 generate.py OUT_DIR        writes small.json, medium.json, large.json

Regions are England's nine; apprentices and assessors are spread over them
roughly by population; travel times follow the distance between regional
centres. Gateways fall over the ten weeks before today, reports are due five
to nine weeks after gateway (the plan's two months for the project), and assessors and apprentices have leave and
odd days off. Employers and providers are shared by many apprentices, and
some assessors have a conflict with one of them.
"""
import datetime as dt
import json
import math
import os
import random
import sys

import common

# Region, share of apprentices, centre (latitude, longitude), minutes within.
REGIONS = [
    ("north-east", 0.05, (54.97, -1.61), 35),
    ("north-west", 0.13, (53.48, -2.24), 30),
    ("yorkshire-and-the-humber", 0.10, (53.80, -1.55), 30),
    ("east-midlands", 0.09, (52.95, -1.15), 35),
    ("west-midlands", 0.11, (52.48, -1.89), 30),
    ("east-of-england", 0.11, (52.20, 0.12), 40),
    ("london", 0.15, (51.51, -0.13), 20),
    ("south-east", 0.16, (51.45, -0.97), 40),
    ("south-west", 0.10, (50.72, -3.53), 45),
]

SIZES = [
    # name, apprentices, assessors, EPAO, seed
    ("small", 20, 4, "tquk", 20),
    ("medium", 200, 20, "innovate", 200),
    ("large", 2000, 120, "tquk", 2000),
]

TODAY = dt.date(2027, 3, 8)


def km(a, b):
    (la1, lo1), (la2, lo2) = a, b
    x = math.radians(lo2 - lo1) * math.cos(math.radians((la1 + la2) / 2))
    y = math.radians(la2 - la1)
    return 6371 * math.hypot(x, y)


def travel_minutes():
    out = {}
    for name, _, centre, within in REGIONS:
        row = {}
        for other, _, c2, _ in REGIONS:
            if other == name:
                row[other] = within
            else:
                # Roads are not straight: 1.3 x the distance at 80 km/h, plus
                # getting out of town, to the nearest 5 minutes.
                row[other] = int(5 * round((20 + km(centre, c2) * 1.3 / 80 * 60) / 5))
        out[name] = row
    return out


def working_days(start, end):
    day = start
    while day <= end:
        if common.is_working_day(day):
            yield day
        day += dt.timedelta(days=1)


def leave(rng, start, end, odd_days, week_chance):
    """A week's leave now and then, and a few odd days off."""
    days = list(working_days(start, end))
    out = set()
    if rng.random() < week_chance:
        first = rng.randrange(len(days))
        out.update(days[first:first + 5])
    for _ in range(odd_days):
        if rng.random() < 0.5:
            out.add(rng.choice(days))
    return sorted(d.isoformat() for d in out)


def instance(n_apprentices, n_assessors, epao, seed):
    rng = random.Random(seed)
    names = [r[0] for r in REGIONS]
    weights = [r[1] for r in REGIONS]
    horizon_end = TODAY + dt.timedelta(days=100)
    n_employers = max(3, n_apprentices // 4)
    n_providers = max(2, n_apprentices // 25)
    employers = [f"EMP{i + 1:04d}" for i in range(n_employers)]
    providers = [f"TP{i + 1:03d}" for i in range(n_providers)]
    # A few large employers and providers, many small ones.
    emp_w = [1 / (i + 1) ** 0.8 for i in range(n_employers)]
    prov_w = [1 / (i + 1) ** 0.6 for i in range(n_providers)]

    assessors = []
    # At least one assessor per region where there are enough of them.
    regions = (names * ((n_assessors // len(names)) or 1))[:n_assessors] \
        if n_assessors >= len(names) else []
    regions += rng.choices(names, weights, k=n_assessors - len(regions))
    for i in range(n_assessors):
        conflicts = []
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            if rng.random() < 0.6:
                conflicts.append(rng.choices(providers, prov_w)[0])
            else:
                conflicts.append(rng.choices(employers, emp_w)[0])
        assessors.append({
            "id": f"AS{i + 1:03d}",
            "region": regions[i],
            "max_per_day": rng.choices([2, 3], [0.7, 0.3])[0],
            "max_per_week": rng.choice([5, 6, 6, 7, 8]),
            "unavailable": leave(rng, TODAY, horizon_end, 6, 0.35),
            "conflicts": sorted(set(conflicts)),
        })

    apprentices = []
    for i in range(n_apprentices):
        # Gateways over the past ten weeks, more of them recent.
        gateway = TODAY - dt.timedelta(days=int(70 * rng.random() ** 1.3))
        # The project's two months run from gateway or the planning
        # meeting a week or two later; some report early.
        report_due = gateway + dt.timedelta(days=rng.randint(35, 63))
        if rng.random() < 0.01:
            # Now and then a report due too late for the EPA period.
            report_due = gateway + dt.timedelta(days=rng.randint(80, 95))
        apprentices.append({
            "id": f"AP{i + 1:04d}",
            "employer": rng.choices(employers, emp_w)[0],
            "provider": rng.choices(providers, prov_w)[0],
            "region": rng.choices(names, weights)[0],
            "gateway_approved": gateway.isoformat(),
            "report_due": report_due.isoformat(),
            "unavailable": leave(rng, TODAY, horizon_end, 3, 0.2),
        })
    return {
        "epao": epao,
        "today": TODAY.isoformat(),
        "assessors": assessors,
        "apprentices": apprentices,
        "travel_minutes": travel_minutes(),
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(common.HERE, "instances")
    os.makedirs(out, exist_ok=True)
    for name, n, m, epao, seed in SIZES:
        path = os.path.join(out, f"{name}.json")
        with open(path, "w") as f:
            json.dump(instance(n, m, epao, seed), f, indent=1)
            f.write("\n")
        print(f"{path}: {n} apprentices x {m} assessors ({epao})")


if __name__ == "__main__":
    main()
