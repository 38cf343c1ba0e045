#!/usr/bin/env bash
# The long API fuzz run (issue 5): ≥ 100,000 random calls in subprocess batches against the polyhead that
# PYTHON imports (default: python3; it needs hypothesis too). Crashes are written as runnable reproducers
# (crash-seed<N>.py) into the output folder, with summary.json.
#
#   PYTHON=/path/to/venv/bin/python Tests/fuzz/run-long.sh [calls] [out-dir] [first-seed]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python="${PYTHON:-python3}"
calls="${1:-100000}"
out="${2:-${TMPDIR:-/tmp}/polyhead-fuzz-out}"
first_seed="${3:-0}"
"$python" -c "import polyhead, hypothesis" || { echo "$python cannot import polyhead and hypothesis" >&2; exit 2; }
exec "$python" "$here/api_fuzz.py" run --calls "$calls" --out "$out" --first-seed "$first_seed"
