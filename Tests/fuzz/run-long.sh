#!/usr/bin/env bash
# The long fuzz runs (issue 5) against the polyhead that PYTHON imports (default: python3; it needs hypothesis
# and, for the checkpoint target, the safetensors package for its differential checks):
#   api         ≥ 100,000 random calls of the PyTorch-style API
#   keras       ≥ 20,000 random calls of polyhead.keras (build, compile, fit, evaluate, predict, save, load)
#   checkpoint  mutated safetensors files and Keras configs through every loader (count = mutated files)
# Crashes are written as reproducers (crash-*.py, crash-checkpoint-*.safetensors) into the output folder,
# with summary-<target>.json.
#
#   PYTHON=/path/to/venv/bin/python Tests/fuzz/run-long.sh [target] [count] [out-dir] [first-seed]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python="${PYTHON:-python3}"
target="${1:-api}"
out="${3:-${TMPDIR:-/tmp}/polyhead-fuzz-out}"
first_seed="${4:-0}"
"$python" -c "import polyhead, hypothesis" || { echo "$python cannot import polyhead and hypothesis" >&2; exit 2; }
case "$target" in
    api) exec "$python" "$here/fuzz_driver.py" run --target api --calls "${2:-100000}" --out "$out" --first-seed "$first_seed" ;;
    keras) exec "$python" "$here/fuzz_driver.py" run --target keras --calls "${2:-20000}" --out "$out" \
        --first-seed "$first_seed" --examples 20 --steps 40 --timeout 120 ;;
    checkpoint) exec "$python" "$here/checkpoint_fuzz.py" run --mutations "${2:-50000}" --out "$out" --first-seed "$first_seed" ;;
    *) echo "unknown target $target (api, keras, checkpoint)" >&2; exit 2 ;;
esac
