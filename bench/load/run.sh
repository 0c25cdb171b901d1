#!/usr/bin/env bash
# Measures OpenEPA at the size of a large EPAO: loads N synthetic
# apprentices (default 100,000), serves them on one core and drives them
# with wrk from the other, and prints each read as a ratio to /healthz
# measured just before it, and each write as a ratio to raw commits on the
# same database measured just before and after the writes, all in the same
# run. SQLite always; PostgreSQL too when EPA_BENCH_PG_URL names
# a server (a database is created and dropped there). The lists are the
# EPAO staff's (whole and filtered) and the training provider's, which the
# loader makes the largest organisation.
#
#   bench/load/run.sh [N]
#
# Needs wrk (Debian's package), curl, taskset and python3; builds the release
# binary first. Reads run on 8 connections (their latency at half load on
# as many as its pace needs). Writes run twice: on one connection, one
# after another, so each write's own cost is what is measured; and on 8
# at once, as reads are, where SQLite's writer shares a commit between
# the writes that wait for it (ADR 0169).
set -euo pipefail
cd "$(dirname "$0")/../.."
# Set only for one read, as another person (the provider's list).
unset RATE_TOKEN

N="${1:-100000}"
DURATION="${EPA_BENCH_SECONDS:-10}"
PORT="${EPA_BENCH_PORT:-18480}"
SERVER_CORE=0
CLIENT_CORE=1

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }
# The binary, the server's logins and the writes' targets, shared with
# instructions.sh. EPA_BENCH_PORT names another port, to run two benches
# side by side.
. bench/load/lib.sh
EPA="$(release_epa)"
WORK="$(mktemp -d /tmp/openepa-bench.XXXXXX)"
SERVER=
# EPA_BENCH_MAIL_IN_MEMORY=1 puts the demo's mail directory (an `.eml`
# file for each email, where production sends by SMTP) on a memory file
# system: what creating those files costs follows the disk's file
# system and its recent history, and moved one build's bookings by half
# from run to run (docs/performance.md, sixteenth section).
MAIL=
# Under `set -e` a failed kill of a server already gone (the last command
# of the trap's list) would make the whole run exit 1 after printing.
trap 'if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; fi; rm -rf "$WORK" ${MAIL:+"$MAIL"}' EXIT
if [ "${EPA_BENCH_MAIL_IN_MEMORY:-}" = 1 ]; then MAIL="$(mktemp -d /dev/shm/openepa-mail.XXXXXX)"; fi

# Raw commits: one small row per transaction, WAL and synchronous=FULL, on
# the disk the database lives on.
raw_sqlite() {
  rm -f "$WORK/raw.db" "$WORK/raw.db-wal" "$WORK/raw.db-shm"
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

# Raw commits on the PostgreSQL database being measured (`$PG_URL`), in a
# table of their own, dropped again.
raw_postgres_here() {
  raw_postgres "$PG_URL"
  psql -q "$PG_URL" -c "DROP TABLE bench_raw" >/dev/null
}

# wrk's requests/s for a path (GET, with the token), and its latency lines.
rate() {
  local path="$1" out
  out="$(taskset -c "$CLIENT_CORE" wrk -t1 -c8 -d"${DURATION}s" --latency \
    -H "Authorization: Bearer ${RATE_TOKEN:-$TOKEN}" "http://127.0.0.1:$PORT$path")"
  echo "$out" > "$WORK/last.txt"
  echo "$out" | awk '/Requests\/sec/ {print int($2)}'
}

# Latency at about half the peak rate: each connection waits between
# requests so that together they send half of `peak` per second (a little
# less, as each waits after its answer; the rate reached is printed). wrk
# takes a whole number of milliseconds for the wait (it drops the
# fraction, so a wait under 1 ms was no wait at all and a fast read was
# measured at full load): the wait is rounded, and the connections are as
# many as that wait needs.
half_load() {
  local label="$1" path="$2" peak="$3" out pause connections
  read -r pause connections < <(python3 -c "
half = max($peak / 2, 1)
pause = max(1, round(8000 / half))
print(pause, max(1, round(half * pause / 1000)))")
  cat > "$WORK/half.lua" <<LUA
function delay() return $pause end
LUA
  out="$(taskset -c "$CLIENT_CORE" wrk -t1 -c"$connections" -d"${DURATION}s" --latency -s "$WORK/half.lua" \
    -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$path")"
  echo "$out" | awk -v label="$label" '
    /Requests\/sec/ {rate = int($2)}
    /^ +50%/ {p50 = $2} /^ +99%/ {p99 = $2}
    END {printf "   %-29s p50 %s, p99 %s at %d req/s\n", label " at half load", p50, p99, rate}'
}

# Registrations: each POST a new apprentice with its own valid ULN, on
# `$1` connections; `$2` numbers the run, so that each run's ULNs are new
# (a million a run: the ULN's ten digits hold a few runs).
register_rate() {
  local connections="$1" run="$2"
  cat > "$WORK/register.lua" <<LUA
local n = $run * 1000000
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
  taskset -c "$CLIENT_CORE" wrk -t1 -c"$connections" -d"${DURATION}s" -s "$WORK/register.lua" \
    "http://127.0.0.1:$PORT" | awk '
      # Only the registrations made count: a refusal is quick.
      / requests in / {made = $1; secs = $4 + 0}
      /Non-2xx/ {refused = $5}
      END {
        if (refused) printf "   (registrations refused: %d of %d)\n", refused, made > "/dev/stderr"
        print int((made - refused) / secs)
      }'
}

# This machine's speed drifts by a third within minutes, so each ratio
# is taken against its baseline measured next to it: each read against
# `/healthz` just before it, the writes against raw commits just before
# and just after them (their mean).
measure() {
  local label="$1"; shift
  local raw_cmd="$1"; shift
  echo "== $label: loading $N apprentices"
  /usr/bin/time -f "   load: %e s, peak memory %M KB" "$EPA" demo load --apprentices "$N" "$@" >/dev/null
  if [ -n "$MAIL" ]; then
    local data="${*: -1}"  # the last argument: the data directory
    # The loader makes the directory only for SQLite's file.
    mkdir -p "$MAIL/$label" "$data"
    rm -rf "$data/mail"
    ln -s "$MAIL/$label" "$data/mail"
  fi
  taskset -c "$SERVER_CORE" "$EPA" serve --demo --bind "127.0.0.1:$PORT" "$@" >"$WORK/serve.out" 2>"$WORK/serve.log" &
  SERVER=$!
  demo_tokens 0.2
  # The loader's apprentices all train with the demo's one provider: its
  # list is the largest organisation's (ADR 0172).
  PROVIDER_TOKEN="$(sign_in provider@demo.test "$PASSWORD")"
  # Only an EPAO admin sees the outbox.
  ADMIN_TOKEN="$(sign_in epao-admin@demo.test "$PASSWORD")"
  local first
  first="$(curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/epas?limit=1&stage=planned")"
  EPA_ID="$(echo "$first" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')"
  EMPLOYER="$(echo "$first" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["employer_id"])')"
  PROVIDER="$(echo "$first" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["provider_id"])')"

  local list filtered deadlines page timeline register judgements bookings raw_before raw_after
  local register8 judgements8 bookings8 half
  local h_list h_filtered h_provider h_deadlines h_page h_timeline provider
  h_list="$(rate /healthz)"; list="$(rate '/api/v1/epas?limit=50')"
  h_filtered="$(rate /healthz)"; filtered="$(rate '/api/v1/epas?limit=50&stage=planned')"
  h_provider="$(rate /healthz)"; provider="$(RATE_TOKEN="$PROVIDER_TOKEN" rate '/api/v1/epas?limit=50')"
  h_deadlines="$(rate /healthz)"; deadlines="$(rate '/api/v1/deadlines?limit=50')"
  h_page="$(rate /healthz)"; page="$(rate "/api/v1/epas/$EPA_ID")"
  h_timeline="$(rate /healthz)"; timeline="$(rate "/api/v1/epas/$EPA_ID/timeline")"
  half_load "list of 50" '/api/v1/epas?limit=50' "$list"
  half_load "an EPA's page" "/api/v1/epas/$EPA_ID" "$page"
  half_load "an EPA's timeline" "/api/v1/epas/$EPA_ID/timeline" "$timeline"
  write_targets
  outbox_quiet
  raw_before="$("$raw_cmd")"
  register="$(register_rate 1 0)"
  outbox_quiet
  register8="$(register_rate 8 1)"
  first_ok "$WORK/judgements.txt" "$ASSESSOR_TOKEN"
  outbox_quiet
  judgements="$(post_list "$WORK/judgements.txt" "$ASSESSOR_TOKEN")"
  outbox_quiet
  judgements8="$(post_list "$WORK/judgements.txt" "$ASSESSOR_TOKEN" 8)"
  first_ok "$WORK/bookings.txt" "$TOKEN"
  sed -i 1d "$WORK/bookings.txt"  # booked now: the rest are still free
  # Each EPA is booked once: half the list one by one, half 8 at a time.
  half=$(( $(wc -l < "$WORK/bookings.txt") / 2 ))
  head -n "$half" "$WORK/bookings.txt" > "$WORK/bookings-1.txt"
  tail -n +"$(( half + 1 ))" "$WORK/bookings.txt" > "$WORK/bookings-8.txt"
  outbox_quiet
  bookings="$(post_list "$WORK/bookings-1.txt" "$TOKEN")"
  outbox_quiet
  bookings8="$(post_list "$WORK/bookings-8.txt" "$TOKEN" 8)"
  raw_after="$("$raw_cmd")"
  local rss
  rss="$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
  SERVER=
  python3 - "$h_list" "$list" "$h_filtered" "$filtered" "$h_provider" "$provider" \
    "$h_deadlines" "$deadlines" \
    "$h_page" "$page" "$h_timeline" "$timeline" \
    "$register" "$judgements" "$bookings" "$register8" "$judgements8" "$bookings8" \
    "$raw_before" "$raw_after" "$rss" <<'PY'
import sys
v = [float(x or 0) for x in sys.argv[1:]]
reads, (reg, judged, booked, reg8, judged8, booked8, raw_before, raw_after, rss) = v[:12], v[12:]
healths = reads[0::2]
print(f"   /healthz                      {min(healths):8.0f} to {max(healths):.0f} req/s, measured before each read")
for (name, target), h, r in zip([("list of 50", 0.05), ("filtered list of 50", 0.05),
                                 ("a provider's list of 50", 0.05),
                                 ("50 most urgent deadlines", 0.05), ("an EPA's page", 0.1),
                                 ("an EPA's timeline", 0.1)], healths, reads[1::2]):
    print(f"   {name:<29} {r:8.0f} req/s  {r / h:5.3f} of /healthz {h:.0f} (target {target})")
raw = (raw_before + raw_after) / 2
print(f"   raw commits                   {raw:8.0f} /s ({raw_before:.0f} before the writes, {raw_after:.0f} after)")
for name, w, w8 in [("registration", reg, reg8), ("judgement save", judged, judged8),
                    ("booking", booked, booked8)]:
    print(f"   {name:<29} {w:8.0f} /s  {w / raw:5.3f} of raw commits on one connection, "
          f"{w8:.0f} /s  {w8 / raw:5.3f} on 8 (target 0.25)")
print(f"   server peak memory            {rss / 1024:8.0f} MB")
PY
}

# EPA_BENCH_SKIP_SQLITE=1 measures PostgreSQL alone. Each database's
# measure ends its arguments with --data-dir and the directory.
if [ -z "${EPA_BENCH_SKIP_SQLITE:-}" ]; then
  measure "SQLite" raw_sqlite --data-dir "$WORK/sqlite"
fi

if [ -n "${EPA_BENCH_PG_URL:-}" ]; then
  DB="openepa_bench_$$"
  psql -q "$EPA_BENCH_PG_URL" -c "CREATE DATABASE $DB"
  URL="${EPA_BENCH_PG_URL%/*}/$DB"
  PG_URL="$URL"
  measure "PostgreSQL" raw_postgres_here --database-url "$URL" --data-dir "$WORK/pg-files"
  psql -q "$EPA_BENCH_PG_URL" -c "DROP DATABASE $DB"
fi
