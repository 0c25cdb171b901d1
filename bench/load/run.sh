#!/usr/bin/env bash
# Measures OpenEPA at the size of a large EPAO: loads N synthetic
# apprentices (default 100,000), serves them on one core and drives them
# with wrk from the other, and prints each read as a ratio to /healthz and
# each write as a ratio to raw commits on the same database, measured in
# the same run. SQLite always; PostgreSQL too when EPA_BENCH_PG_URL names
# a server (a database is created and dropped there).
#
#   bench/load/run.sh [N]
#
# Needs wrk (Debian's package), taskset and python3; builds the release
# binary first.
set -euo pipefail
cd "$(dirname "$0")/../.."

N="${1:-100000}"
DURATION="${EPA_BENCH_SECONDS:-10}"
PORT=18480
SERVER_CORE=0
CLIENT_CORE=1

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }
cargo build --release --locked -q
EPA="$PWD/${CARGO_TARGET_DIR:-target}/release/epa"
WORK="$(mktemp -d /tmp/openepa-bench.XXXXXX)"
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# Raw commits: one small row per transaction, WAL and synchronous=FULL, on
# the disk the database lives on.
raw_sqlite() {
  python3 - "$WORK/raw.db" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
n, start = 0, time.time()
while time.time() - start < 5:
    db.execute("BEGIN IMMEDIATE"); db.execute("INSERT INTO t (v) VALUES ('x')"); db.execute("COMMIT"); n += 1
print(f"{n / (time.time() - start):.0f}")
PY
}

raw_postgres() {
  python3 - "$1" <<'PY'
import subprocess, sys, time
# psql in one session: each INSERT commits on its own (autocommit).
n = 3000
sql = "CREATE TABLE IF NOT EXISTS bench_raw (id BIGSERIAL PRIMARY KEY, v TEXT);\n" + "INSERT INTO bench_raw (v) VALUES ('x');\n" * n
start = time.time()
subprocess.run(["psql", "-q", sys.argv[1]], input=sql.encode(), check=True, stdout=subprocess.DEVNULL)
print(f"{n / (time.time() - start):.0f}")
PY
}

# wrk's requests/s for a path (GET, with the token), and its latency lines.
rate() {
  local path="$1" out
  out="$(taskset -c "$CLIENT_CORE" wrk -t1 -c8 -d"${DURATION}s" --latency \
    -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$path")"
  echo "$out" > "$WORK/last.txt"
  echo "$out" | awk '/Requests\/sec/ {print int($2)}'
}

# Registrations: each POST a new apprentice with its own valid ULN.
register_rate() {
  cat > "$WORK/register.lua" <<LUA
local n = 0
local employer, provider = "$EMPLOYER", "$PROVIDER"
local function uln(i)
  local step = 0
  while true do
    local stem = string.format("3%08d", i * 3 + step)
    local sum = 0
    for k = 1, 9 do sum = sum + tonumber(stem:sub(k, k)) * (11 - k) end
    local r = sum % 11
    if r ~= 0 and r ~= 10 then return stem .. tostring(10 - r) end
    step = step + 1
  end
end
request = function()
  n = n + 1
  local i = n * 8 + (id or 0)
  local body = string.format('{"uln":"%s","given_names":"Bench","family_name":"Registration %d","date_of_birth":"2004-05-06","employer_id":"%s","provider_id":"%s","standard":"ST0071","policy":"tquk","start_date":"2025-06-02"}', uln(i), i, employer, provider)
  return wrk.format("POST", "/api/v1/epas", {["Content-Type"]="application/json", ["Authorization"]="Bearer $TOKEN"}, body)
end
LUA
  taskset -c "$CLIENT_CORE" wrk -t1 -c1 -d"${DURATION}s" -s "$WORK/register.lua" \
    "http://127.0.0.1:$PORT" | awk '/Requests\/sec/ {print int($2)}'
}

measure() {
  local label="$1"; shift
  local raw="$1"; shift
  echo "== $label: loading $N apprentices"
  /usr/bin/time -f "   load: %e s, peak memory %M KB" "$EPA" demo load --apprentices "$N" "$@" >/dev/null
  taskset -c "$SERVER_CORE" "$EPA" serve --demo --bind "127.0.0.1:$PORT" "$@" >"$WORK/serve.out" 2>"$WORK/serve.log" &
  SERVER=$!
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  # The demo prints its password with the logins.
  local password
  password="$(sed -n 's/.*with password "\([^"]*\)".*/\1/p' "$WORK/serve.out" | head -n 1)"
  TOKEN="$(curl -sf -H 'content-type: application/json' \
    -d "{\"email\":\"operations@demo.test\",\"password\":\"$password\"}" \
    "http://127.0.0.1:$PORT/api/v1/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
  local first
  first="$(curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/epas?limit=1&stage=planned")"
  EPA_ID="$(echo "$first" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')"
  EMPLOYER="$(echo "$first" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["employer_id"])')"
  PROVIDER="$(echo "$first" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["provider_id"])')"

  local health list filtered deadlines page timeline register
  health="$(rate /healthz)"
  list="$(rate '/api/v1/epas?limit=50')"
  filtered="$(rate '/api/v1/epas?limit=50&stage=planned')"
  deadlines="$(rate '/api/v1/deadlines?limit=50')"
  page="$(rate "/api/v1/epas/$EPA_ID")"
  timeline="$(rate "/api/v1/epas/$EPA_ID/timeline")"
  grep -E "50%|99%" "$WORK/last.txt" | sed 's/^/   timeline latency /'
  register="$(register_rate)"
  local rss
  rss="$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
  python3 - "$health" "$list" "$filtered" "$deadlines" "$page" "$timeline" "$register" "$raw" "$rss" <<'PY'
import sys
h, l, f, d, p, t, reg, raw, rss = (float(x) for x in sys.argv[1:])
print(f"   /healthz                      {h:8.0f} req/s")
for name, v, target in [("list of 50", l, 0.05), ("filtered list of 50", f, 0.05),
                        ("50 most urgent deadlines", d, 0.05), ("an EPA's page", p, 0.1),
                        ("an EPA's timeline", t, 0.1)]:
    print(f"   {name:<29} {v:8.0f} req/s  {v / h:5.3f} of /healthz (target {target})")
print(f"   raw commits                   {raw:8.0f} /s")
print(f"   registration                  {reg:8.0f} /s  {reg / raw:5.3f} of raw commits (target 0.25)")
print(f"   server peak memory            {rss / 1024:8.0f} MB")
PY
}

SQLITE_RAW="$(raw_sqlite)"
measure "SQLite" "$SQLITE_RAW" --data-dir "$WORK/sqlite"

if [ -n "${EPA_BENCH_PG_URL:-}" ]; then
  DB="openepa_bench_$$"
  psql -q "$EPA_BENCH_PG_URL" -c "CREATE DATABASE $DB"
  URL="${EPA_BENCH_PG_URL%/*}/$DB"
  PG_RAW="$(raw_postgres "$URL")"
  psql -q "$URL" -c "DROP TABLE bench_raw"
  measure "PostgreSQL" "$PG_RAW" --database-url "$URL" --data-dir "$WORK/pg-files"
  psql -q "$EPA_BENCH_PG_URL" -c "DROP DATABASE $DB"
fi
