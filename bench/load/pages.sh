#!/usr/bin/env bash
# Counts the pages a write adds to SQLite's log, by the table or index
# each page belongs to: what a commit makes durable, and what the next
# checkpoint copies into the file. Loads N apprentices (default 100,000)
# on SQLite, or copies EPA_BENCH_DATA (a data directory already loaded;
# never changed), copies the log into the file, serves it, makes K writes
# one after another (bookings or judgement saves, found as run.sh finds
# them), stops the server with kill -9 (which leaves the log as it is),
# and reads the log's frames, naming each page through SQLite's `dbstat`.
#
#   bench/load/pages.sh [bookings|judgements] [K] [N]
#
# The log starts again after each checkpoint (every 1,000 pages), so only
# the writes since its last start are read (the count is printed: of 15
# bookings, 7 to 14). A write is a transaction that changed a page of its
# own table (`bookings` or `judgements`); the others (the outbox's claims
# and records of emails sent, a session seen) are left out. Needs curl,
# taskset and python3 with an SQLite that has `dbstat` (Debian's has);
# builds the release binary first unless EPA_BENCH_BIN names one. K is at
# least 2: the first write checks the targets, and is not counted.
set -euo pipefail
cd "$(dirname "$0")/../.."

KIND="${1:-bookings}"
K="${2:-15}"
N="${3:-100000}"
PORT="${EPA_BENCH_PORT:-18483}"
CLIENT_CORE=1
case "$KIND" in bookings | judgements) ;; *) echo "bookings or judgements, not $KIND" >&2; exit 2 ;; esac
[ "$K" -ge 2 ] 2>/dev/null || { echo "K is a number of writes, at least 2, not $K" >&2; exit 2; }

. bench/load/lib.sh
EPA="$(release_epa)"
WORK="$(mktemp -d /tmp/openepa-pages.XXXXXX)"
SERVER=
trap 'if [ -n "$SERVER" ]; then kill -9 "$SERVER" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT

bench_data
python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA wal_checkpoint(TRUNCATE)")' "$WORK/data/epa.db"
taskset -c 0 "$EPA" serve --demo --bind "127.0.0.1:$PORT" --data-dir "$WORK/data" \
  >"$WORK/serve.out" 2>"$WORK/serve.log" &
SERVER=$!
demo_tokens 0.2
write_targets
head -n "$K" "$WORK/$KIND.txt" > "$WORK/writes.txt"
token="$TOKEN"
[ "$KIND" = judgements ] && token="$ASSESSOR_TOKEN"
first_ok "$WORK/writes.txt" "$token"
sed -i 1d "$WORK/writes.txt"
post_list "$WORK/writes.txt" "$token" >/dev/null
kill -9 "$SERVER"; wait "$SERVER" 2>/dev/null || true
SERVER=

python3 - "$WORK/data/epa.db" "$(grep -c . "$WORK/writes.txt")" "$KIND" <<'PY'
import collections, sqlite3, struct, sys
db, k, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(db + "-wal", "rb") as f:
    log = f.read()
page_size = struct.unpack(">I", log[8:12])[0]
salt = log[16:24]
# Each frame: a 24-byte header (page number, the database's size after a
# commit or 0, the log's salt) and the page.
transactions, pages, at = [], [], 32
while at + 24 + page_size <= len(log):
    number, commit = struct.unpack(">II", log[at:at + 8])
    if log[at + 8:at + 16] != salt:
        break  # the log's earlier life, before it started again
    pages.append(number)
    if commit:
        transactions.append(pages)
        pages = []
    at += 24 + page_size
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
owner = dict((number, name) for name, number in con.execute("SELECT name, pageno FROM dbstat"))
table = kind  # the table each write of its kind changes
writes = [t for t in transactions if any(owner.get(p) == table for p in t)][-k:]
if not writes:
    sys.exit("no write found in the log's last start")
print(f"   {kind}: {len(writes)} read from the log, pages each: {[len(t) for t in writes]}")
print(f"   {sum(map(len, writes)) / len(writes):.1f} pages a write on average, by b-tree:")
counts = collections.Counter(owner.get(p, "(free page)") for t in writes for p in t)
for name, count in counts.most_common():
    print(f"   {count / len(writes):6.2f}  {name}")
PY
