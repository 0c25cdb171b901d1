#!/usr/bin/env bash
# Kill -9 harness: a client registers apprentices, logging every write the
# API acknowledged; the server is killed with SIGKILL at a random moment
# and restarted; every acknowledged write must still be there, every write
# in flight sent again under its Idempotency-Key must be done exactly once,
# and at the end `epa audit verify` must find the chain intact.
#
#   bench/crash/run.sh [RUNS]     (default 100)
#
# SQLite always; PostgreSQL too when EPA_BENCH_PG_URL names a server (a
# database is created and dropped there). Needs python3; builds the
# release binary first. Set EPA_CRASH_SEED to repeat a run's kill times.
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS="${1:-100}"
SEED="${EPA_CRASH_SEED:-$(date +%s)}"
cargo build --release --locked -q
TARGET="${CARGO_TARGET_DIR:-target}"
case "$TARGET" in /*) ;; *) TARGET="$PWD/$TARGET" ;; esac
EPA="$TARGET/release/epa"
WORK="$(mktemp -d /tmp/openepa-crash.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

echo "== SQLite: $RUNS runs (seed $SEED)"
mkdir -p "$WORK/sqlite"
python3 bench/crash/crash.py --epa "$EPA" --runs "$RUNS" --seed "$SEED" \
  --data-dir "$WORK/sqlite/data" --work "$WORK/sqlite"

if [ -n "${EPA_BENCH_PG_URL:-}" ]; then
  DB="openepa_crash_$$"
  psql -q "$EPA_BENCH_PG_URL" -c "CREATE DATABASE $DB"
  URL="${EPA_BENCH_PG_URL%/*}/$DB"
  echo "== PostgreSQL: $RUNS runs (seed $SEED)"
  mkdir -p "$WORK/pg"
  status=0
  python3 bench/crash/crash.py --epa "$EPA" --runs "$RUNS" --seed "$SEED" \
    --database-url "$URL" --data-dir "$WORK/pg/data" --work "$WORK/pg" || status=$?
  psql -q "$EPA_BENCH_PG_URL" -c "DROP DATABASE $DB WITH (FORCE)"
  exit "$status"
fi
