#!/usr/bin/env python3
"""An independent checker of the hard rules, and the objective recomputed.

    python3 check.py INSTANCE.json ANSWER.json

Prints every broken rule (exit 1 if any) and the objective counted from the
bookings; exit 2 when the answer's own objective differs from it.
"""
import datetime as dt
import json
import sys

import common


def violations(inst, bookings):
    today = common.date(inst["today"])
    assessors = {a["id"]: a for a in inst["assessors"]}
    apprentices = {p["id"]: p for p in inst["apprentices"]}
    out = []
    seen, assessor_of, apprentice_days = set(), {}, set()
    per_day, per_week, regions = {}, {}, {}
    for b in bookings:
        what = f"{b['apprentice']} {b['method']} on {b['date']} by {b['assessor']}"
        a, p = assessors.get(b["assessor"]), apprentices.get(b["apprentice"])
        if a is None or p is None or b["method"] not in common.METHODS:
            out.append(f"{what}: unknown apprentice, assessor or method")
            continue
        day = common.date(b["date"])
        if (p["id"], b["method"]) in seen:
            out.append(f"{what}: booked twice")
        seen.add((p["id"], b["method"]))
        # 1. One assessor, without a conflict.
        first = assessor_of.setdefault(p["id"], a["id"])
        if first != a["id"]:
            out.append(f"{what}: another assessor ({first}) has this apprentice")
        if common.conflicted(a, p):
            out.append(f"{what}: conflict of interest")
        # 2. A working day, available, after today, within the EPA period.
        if not common.is_working_day(day):
            out.append(f"{what}: not a working day")
        if b["date"] in a.get("unavailable", []):
            out.append(f"{what}: assessor unavailable")
        if b["date"] in p.get("unavailable", []):
            out.append(f"{what}: apprentice unavailable")
        if day <= today:
            out.append(f"{what}: not after today")
        if day > common.period_end(p):
            out.append(f"{what}: after the end of the EPA period")
        # 3 and 4.
        if b["method"] == "observation" and (day - today).days < 14:
            out.append(f"{what}: less than two weeks' notice")
        if b["method"] == "interview" and (day - common.date(p["report_due"])).days < 14:
            out.append(f"{what}: less than 14 days after the report is due")
        # 5.
        if (p["id"], day) in apprentice_days:
            out.append(f"{what}: the apprentice has another assessment that day")
        apprentice_days.add((p["id"], day))
        per_day[(a["id"], day)] = per_day.get((a["id"], day), 0) + 1
        monday = day - dt.timedelta(days=day.weekday())
        per_week[(a["id"], monday)] = per_week.get((a["id"], monday), 0) + 1
        if b["method"] == "observation":
            regions.setdefault((a["id"], day), set()).add(p["region"])
    for (aid, day), n in sorted(per_day.items()):
        if n > assessors[aid]["max_per_day"]:
            out.append(f"{aid}: {n} assessments on {day}")
    for (aid, monday), n in sorted(per_week.items()):
        if n > assessors[aid]["max_per_week"]:
            out.append(f"{aid}: {n} assessments in the week of {monday}")
    for (aid, day), rs in sorted(regions.items()):
        if len(rs) > 1:
            out.append(f"{aid}: observations in {len(rs)} regions on {day}")
    return out


def main():
    with open(sys.argv[1]) as f:
        inst = json.load(f)
    with open(sys.argv[2]) as f:
        answer = json.load(f)
    broken = violations(inst, answer["bookings"])
    for line in broken:
        print(line)
    obj = common.objective(inst, answer["bookings"])
    print(json.dumps(obj))
    if broken:
        sys.exit(1)
    claimed = answer.get("objective", {}).get("total")
    if claimed is not None and abs(claimed - obj["total"]) > 0.011:
        print(f"the answer claims a total of {claimed}, the bookings give {obj['total']}")
        sys.exit(2)


if __name__ == "__main__":
    main()
