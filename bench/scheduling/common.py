"""What the benchmark's scripts share: the calendar and the instance's rules.

Written apart from the Rust crate on purpose: the checker must not trust
the code it checks. The bank holidays come from the JSON file beside this
one, which the crate's tests and the runner compare with the product's own
calendar, so the two sides cannot drift apart.
"""
import calendar
import datetime as dt
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
METHODS = ("observation", "interview", "discussion")
ORDER = {
    "tquk": (("observation", "discussion"), ("interview", "discussion")),
    "innovate": (("interview", "discussion"),),
}


def load_holidays():
    with open(os.path.join(HERE, "bank-holidays-england-and-wales.json")) as f:
        data = json.load(f)
    return set(dt.date.fromisoformat(d) for d in data["dates"]), set(data["years"])


HOLIDAYS, HOLIDAY_YEARS = load_holidays()


def date(text):
    return dt.date.fromisoformat(text)


def is_working_day(day):
    if day.year not in HOLIDAY_YEARS:
        raise ValueError(f"no bank holiday data for {day.year}")
    return day.weekday() < 5 and day not in HOLIDAYS


def add_months(day, n):
    """Calendar months, clamped to the end of a shorter month."""
    month = day.month - 1 + n
    year = day.year + month // 12
    month = month % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def period_end(apprentice):
    return add_months(date(apprentice["gateway_approved"]), 3)


def conflicted(assessor, apprentice):
    c = set(assessor.get("conflicts", []))
    return apprentice["employer"] in c or apprentice["provider"] in c


def earliest(inst, apprentice, method):
    today = date(inst["today"])
    lo = today + dt.timedelta(days=1)
    if method == "observation":
        lo = max(lo, today + dt.timedelta(days=14))
    if method == "interview":
        lo = max(lo, date(apprentice["report_due"]) + dt.timedelta(days=14))
    return lo


def floor(inst):
    """Sum over apprentices of days from gateway to their earliest possible
    interview: a working day after today, at least 14 days after the report
    is due, within the EPA period, free for the apprentice and for some
    assessor without a conflict. A lower bound on the lead time."""
    total = 0
    for p in inst["apprentices"]:
        end = period_end(p)
        unavailable = set(p.get("unavailable", []))
        ok = [a for a in inst["assessors"] if not conflicted(a, p)
              and a["max_per_day"] > 0 and a["max_per_week"] > 0]
        day = earliest(inst, p, "interview")
        while day <= end:
            iso = day.isoformat()
            if is_working_day(day) and iso not in unavailable and any(
                    iso not in a.get("unavailable", []) for a in ok):
                total += (day - date(p["gateway_approved"])).days
                break
            day += dt.timedelta(days=1)
    return total


def objective(inst, bookings):
    """The issue's objective, from the bookings alone."""
    assessors = {a["id"]: a for a in inst["assessors"]}
    per = {}
    for b in bookings:
        per.setdefault(b["apprentice"], {})[b["method"]] = b
    unscheduled = lead = violations = 0
    travel = 0
    for p in inst["apprentices"]:
        booked = per.get(p["id"], {})
        unscheduled += 3 - len(booked)
        if booked:
            last = max(date(b["date"]) for b in booked.values())
            lead += (last - date(p["gateway_approved"])).days
        if "observation" in booked:
            a = assessors[booked["observation"]["assessor"]]
            travel += inst["travel_minutes"][a["region"]][p["region"]]
        for earlier, later in ORDER[inst["epao"]]:
            if earlier in booked and later in booked and \
                    booked[later]["date"] < booked[earlier]["date"]:
                violations += 1
    hours = round(travel / 60.0, 2)
    return {
        "unscheduled": unscheduled, "lead_time_days": lead, "travel_hours": hours,
        "order_violations": violations, "travel_minutes": travel,
        "total": round(1000 * unscheduled + lead + hours + 50 * violations, 2),
        "total_minutes": 60 * (1000 * unscheduled + lead + 50 * violations) + travel,
    }
