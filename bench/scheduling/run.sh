#!/usr/bin/env bash
# The scheduling benchmark in one command (not part of CI: it takes a few
# minutes). From the repository root:
#
#     bench/scheduling/run.sh [--cpsat-seconds 60] [--sizes small,medium,large]
#
# Builds the release `epa`, installs the pinned Python packages into
# bench/scheduling/.venv on first use, generates the instances, runs the
# naive greedy, CP-SAT and `epa schedule` on each, checks every answer with
# the independent checker and prints the figures side by side.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
cargo build --release --bin epa --quiet
target="${CARGO_TARGET_DIR:-$root/target}"
export EPA_BIN="${EPA_BIN:-$target/release/epa}"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi
exec "$venv/bin/python" "$here/run.py" "$@"
