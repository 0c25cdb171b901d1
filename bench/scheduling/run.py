#!/usr/bin/env python3
"""Runs the benchmark and prints the figures; see run.sh (the one command).

For each size: the naive greedy, CP-SAT (started from the greedy's answer,
--cpsat-seconds, default 60) and `epa schedule` (its default time limit,
10 s) on the same instance; every answer checked by check.py; each total,
the floor, each excess over the floor, CP-SAT's bound, run times and the
ratios. Answers and a summary are written to instances/results/.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import check
import common
import generate
import greedy

HERE = common.HERE


def epa_bin():
    return os.environ.get("EPA_BIN", "epa")


def holidays_agree():
    """The holidays the Python side uses are the product's own."""
    for year in sorted(common.HOLIDAY_YEARS):
        out = subprocess.run([epa_bin(), "dates", "holidays", str(year)],
                             check=True, capture_output=True, text=True).stdout
        theirs = {common.date(line.split()[0]) for line in out.splitlines() if line.strip()}
        ours = {d for d in common.HOLIDAYS if d.year == year}
        if theirs != ours:
            sys.exit(f"bank holidays of {year} differ from `epa dates holidays`: "
                     f"{sorted(theirs ^ ours)}")


def timed(fn):
    started = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - started


def checked(name, inst, answer):
    broken = check.violations(inst, answer["bookings"])
    if broken:
        sys.exit(f"{name}: {len(broken)} hard-rule violations, the first: {broken[0]}")
    return common.objective(inst, answer["bookings"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cpsat-seconds", type=float, default=60.0)
    ap.add_argument("--cpsat-workers", type=int, default=2)
    ap.add_argument("--sizes", default="small,medium,large")
    args = ap.parse_args()
    holidays_agree()
    inst_dir = os.path.join(HERE, "instances")
    out_dir = os.path.join(inst_dir, "results")
    os.makedirs(out_dir, exist_ok=True)
    rows = []
    for name, n, m, epao, seed in generate.SIZES:
        if name not in args.sizes.split(","):
            continue
        inst = generate.instance(n, m, epao, seed)
        path = os.path.join(inst_dir, f"{name}.json")
        with open(path, "w") as f:
            json.dump(inst, f, indent=1)
            f.write("\n")
        floor = common.floor(inst)

        g, g_time = timed(lambda: greedy.solve(inst))
        g_obj = checked("greedy", inst, g)
        g_path = os.path.join(out_dir, f"{name}.greedy.json")
        with open(g_path, "w") as f:
            json.dump(g, f)

        cp_path = os.path.join(out_dir, f"{name}.cpsat.json")
        cp_cmd = [sys.executable, os.path.join(HERE, "cpsat.py"), path,
                  "--time-limit", str(args.cpsat_seconds),
                  "--workers", str(args.cpsat_workers), "--hint", g_path]
        with open(cp_path, "w") as f:
            _, cp_time = timed(lambda: subprocess.run(cp_cmd, check=True, stdout=f))
        with open(cp_path) as f:
            cp = json.load(f)
        cp_obj = checked("CP-SAT", inst, cp) if cp["bookings"] else None

        e_path = os.path.join(out_dir, f"{name}.epa.json")
        with open(e_path, "w") as f:
            proc, e_time = timed(lambda: subprocess.run(
                [epa_bin(), "schedule", "--input", path], stdout=f, stderr=subprocess.PIPE,
                text=True, check=True))
        with open(e_path) as f:
            e = json.load(f)
        e_obj = checked("epa schedule", inst, e)
        if abs(e_obj["total"] - e["objective"]["total"]) > 0.011:
            sys.exit(f"epa schedule claims {e['objective']['total']}, its bookings give {e_obj['total']}")
        stopped = "time limit" in proc.stderr
        rows.append({
            "size": f"{n}x{m}", "epao": epao, "floor": floor,
            "greedy": g_obj["total"], "greedy_s": round(g_time, 2),
            "cpsat": cp_obj["total"] if cp_obj else None,
            "cpsat_status": cp["cpsat"]["status"], "cpsat_bound": cp["cpsat"]["bound"],
            "cpsat_restricted": cp["cpsat"]["restricted"], "cpsat_s": round(cp_time, 1),
            "epa_lower_bound": e.get("lower_bound"),
            "epa": e_obj["total"], "epa_s": round(e_time, 2), "epa_stopped_by_time": stopped,
            "epa_unscheduled": e_obj["unscheduled"], "greedy_unscheduled": g_obj["unscheduled"],
            "cpsat_unscheduled": cp_obj["unscheduled"] if cp_obj else None,
        })
        print(f"{name}: done", file=sys.stderr)

    def excess(total, floor):
        return None if total is None else round(total - floor, 2)

    lines = []
    lines.append("size | EPAO | floor | greedy (excess) | CP-SAT (excess) | CP-SAT status, bound | epa (excess) | epa's lower bound (excess) | epa/greedy excess | epa/CP-SAT excess | time greedy / CP-SAT / epa")
    lines.append("|".join(["---"] * 11))
    for r in rows:
        ge, ce, ee = excess(r["greedy"], r["floor"]), excess(r["cpsat"], r["floor"]), excess(r["epa"], r["floor"])
        bound = f"{r['cpsat_bound']}{'*' if r['cpsat_restricted'] else ''}"
        cps = "-" if r["cpsat"] is None else f"{r['cpsat']} ({ce})"
        ratio_g = f"{ee / ge:.3f}" if ge else "-"
        ratio_c = f"{ee / ce:.3f}" if ce else "-"
        lb = r["epa_lower_bound"]
        lbs = "-" if lb is None else f"{lb} ({excess(lb, r['floor'])})"
        lines.append(
            f"{r['size']} | {r['epao']} | {r['floor']} | {r['greedy']} ({ge}) | {cps} | {r['cpsat_status']}, {bound} | "
            f"{r['epa']} ({ee}) | {lbs} | {ratio_g} | {ratio_c} | {r['greedy_s']} s / {r['cpsat_s']} s / {r['epa_s']} s"
            + (" (epa stopped by its time limit)" if r["epa_stopped_by_time"] else ""))
    lines.append("")
    lines.append("excess = total - floor. floor = sum of days from gateway to the earliest possible interview. "
                 "epa's lower bound = each apprentice's cheapest booking with nobody else booked. "
                 "* = bound of CP-SAT's restricted model only (nearest assessors), not of the problem.")
    text = "\n".join(lines)
    print(text)
    with open(os.path.join(out_dir, "summary.json"), "w") as f:
        json.dump(rows, f, indent=1)
    with open(os.path.join(out_dir, "summary.txt"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
