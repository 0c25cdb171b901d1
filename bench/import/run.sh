#!/usr/bin/env bash
# Times `epa import apprentices` on a file of N good rows (default 10,000)
# into a fresh demo database: the dry run (every check, nothing stored)
# and the import itself (one transaction). The target is under 10 s for
# 10,000 rows.
#
#   bench/import/run.sh [N] [path/to/epa]       (SQLite, in a temporary directory)
#   DATABASE_URL=postgres://... bench/import/run.sh [N] [path/to/epa]
set -euo pipefail
n="${1:-10000}"
epa="${2:-target/release/epa}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -n "${DATABASE_URL:-}" ]; then
  where=(--database-url "$DATABASE_URL")
else
  where=(--data-dir "$work/data")
fi
"$epa" demo load --apprentices 0 "${where[@]}" >/dev/null 2>&1
python3 - "$n" > "$work/apprentices.csv" <<'PY'
import sys
n = int(sys.argv[1])
print("uln,given_names,family_name,date_of_birth,employer_id,provider_id,standard,policy,start_date")
i = 0
written = 0
while written < n:
    stem = "4%08d" % i
    i += 1
    r = sum(int(d) * w for d, w in zip(stem, range(10, 1, -1))) % 11
    if r == 0:
        continue
    policy = "tquk" if written % 2 == 0 else "innovate"
    print(f"{stem}{10 - r},Test,Apprentice {written},2003-04-17,Acme Retail,10012345,ST0071,{policy},2025-06-02")
    written += 1
PY
echo "rows: $n"
start=$(date +%s.%N)
"$epa" import apprentices "$work/apprentices.csv" --dry-run "${where[@]}" >/dev/null
mid=$(date +%s.%N)
"$epa" import apprentices "$work/apprentices.csv" "${where[@]}" >/dev/null
end=$(date +%s.%N)
printf 'dry run: %.2f s\nimport:  %.2f s\n' "$(echo "$mid - $start" | bc)" "$(echo "$end - $mid" | bc)"
