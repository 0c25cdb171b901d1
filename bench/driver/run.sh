#!/usr/bin/env bash
# The driver's cost on a loaded database: sqlx, rusqlite and a raw commit,
# alternated three times, each run on a fresh copy of the database and
# pinned to one core, as the server is in bench/load.
#
#   epa demo load --apprentices 100000 --data-dir DIR
#   bench/driver/run.sh DIR/epa.db [transactions]
set -euo pipefail
cd "$(dirname "$0")"
DB="$1"
N="${2:-3000}"
cargo build --release --locked -q
BIN="${CARGO_TARGET_DIR:-target}/release/epa-bench-driver"
WORK="$(mktemp -d /tmp/openepa-driver.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
for _ in 1 2 3; do
  for driver in sqlx rusqlite raw; do
    cp "$DB" "$WORK/run.db"
    for extra in -wal -shm; do
      if [ -e "$DB$extra" ]; then cp "$DB$extra" "$WORK/run.db$extra"; fi
    done
    taskset -c 0 "$BIN" "$driver" "$WORK/run.db" "$N"
    rm -f "$WORK"/run.db*
  done
done
