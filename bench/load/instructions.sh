#!/usr/bin/env bash
# Counts the instructions a write runs in the server, with valgrind's
# callgrind: for the same build the count is the same whatever else the
# machine runs (two runs agree within a few tenths of a percent), so two
# builds can be told apart by a change of a few percent, which the timed
# benchmark (run.sh) cannot resolve. Loads N apprentices (default 100,000)
# on SQLite, finds the writes' targets as run.sh does, sends 20 to warm
# up, counts the next ones (300 judgement saves, 280 registrations, or
# the rest of the bookings with the delivery of their emails, three a
# booking, counted until the outbox holds none queued), and prints the
# count a write and the product's functions that take the most.
#
#   bench/load/instructions.sh [judgements|registrations|bookings] [N]
#
# Needs valgrind (Debian's package), curl and python3; builds the release
# binary first. EPA_BENCH_BIN names one already built (built with
# CARGO_PROFILE_RELEASE_DEBUG=line-tables-only, the functions have their
# names); EPA_BENCH_DATA a data directory already loaded, to skip the load
# (it is copied, never changed); EPA_BENCH_CALLGRIND a file to keep
# callgrind's output in, for `callgrind_annotate` (each function's own
# count, its callers: what the list printed here leaves out).
set -euo pipefail
cd "$(dirname "$0")/../.."

# A number first is N, as before the kinds: judgement saves.
case "${1:-}" in '' | *[!0-9]*) ;; *) set -- judgements "$@" ;; esac
KIND="${1:-judgements}"
N="${2:-100000}"
PORT="${EPA_BENCH_PORT:-18482}"
CLIENT_CORE=1
case "$KIND" in judgements | registrations | bookings) ;;
  *) echo "judgements, registrations or bookings, not $KIND" >&2; exit 2 ;;
esac

command -v valgrind >/dev/null || { echo "valgrind is needed: apt-get install valgrind" >&2; exit 2; }
. bench/load/lib.sh
EPA="$(release_epa)"
WORK="$(mktemp -d /tmp/openepa-instructions.XXXXXX)"
SERVER=
trap 'if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT

bench_data
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$WORK/callgrind.out" \
  "$EPA" serve --demo --bind "127.0.0.1:$PORT" --data-dir "$WORK/data" \
  >"$WORK/serve.out" 2>"$WORK/serve.log" &
SERVER=$!
# Under valgrind the server starts some fifty times slower.
demo_tokens 0.5
write_targets
token="$TOKEN"
[ "$KIND" = judgements ] && token="$ASSESSOR_TOKEN"
ADMIN_TOKEN="$(sign_in epao-admin@demo.test "$PASSWORD")"
head -n 20 "$WORK/$KIND.txt" > "$WORK/warm.txt"
post_list "$WORK/warm.txt" "$token" >/dev/null
# Each EPA is booked once and each apprentice registered once: those
# counted are those not warmed up. A sitting is judged again and again.
if [ "$KIND" = judgements ]; then
  cp "$WORK/judgements.txt" "$WORK/counted.txt"
else
  tail -n +21 "$WORK/$KIND.txt" > "$WORK/counted.txt"
fi
[ -s "$WORK/counted.txt" ] || { echo "no $KIND left to count after the 20 to warm up: load more apprentices" >&2; exit 2; }
outbox_quiet 600
callgrind_control -i on "$SERVER" >/dev/null 2>&1
post_list "$WORK/counted.txt" "$token" >/dev/null
# A booking's emails are delivered inside the count; the outbox is asked
# every half second until they are (each ask a small read, counted too:
# five asks in a run of 980 bookings, a few hundredths of a percent).
# Judgement saves and registrations queue no email.
if [ "$KIND" = bookings ]; then outbox_quiet 600; fi
callgrind_control -i off "$SERVER" >/dev/null 2>&1
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
SERVER=

if [ -n "${EPA_BENCH_CALLGRIND:-}" ]; then cp "$WORK/callgrind.out" "$EPA_BENCH_CALLGRIND"; fi
writes="$(grep -c . "$WORK/counted.txt")"
callgrind_annotate --inclusive=yes "$WORK/callgrind.out" 2>/dev/null > "$WORK/inclusive.txt"
python3 - "$WORK/inclusive.txt" "$writes" "$KIND" <<'PY'
import re, sys
path, writes, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
total, rows = None, []
for line in open(path):
    if line.startswith("-- Auto-annotated source"):
        break  # the functions' list ends; their sources follow
    m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)", line)
    if not m:
        continue
    count, name = int(m.group(1).replace(",", "")), m.group(2)
    if name.startswith("PROGRAM TOTALS"):
        total = count
    elif "/crates/" in name:
        rows.append((count, re.sub(r".*/crates/", "", name.split(" [")[0])))
what = {"judgements": "judgement save", "registrations": "registration",
        "bookings": "booking, its emails delivered"}[kind]
print(f"   {what}: {total // writes:,} instructions ({writes} {kind}, {total:,} in all)")
print("   the product's functions, with what they call, a share of all:")
seen = set()
for count, name in rows:
    if name in seen or len(seen) == 15:
        continue
    seen.add(name)
    print(f"   {100 * count / total:5.1f} %  {name[:110]}")
PY
