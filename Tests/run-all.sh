#!/usr/bin/env bash
# The whole test suite: Swift build + unit tests, `pip install .` into a fresh virtual environment,
# then pytest over the Python and cross-language tests against the installed package.
set -euo pipefail
cd "$(dirname "$0")/.."
unset CC CXX

echo "== swift build && swift test"
swift build
swift test

echo "== pip install . (fresh venv)"
venv="$(mktemp -d)/venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet numpy pytest
"$venv/bin/pip" install --quiet .

echo "== pytest (installed package)"
cd Tests   # never import the source tree's python/ package
"$venv/bin/python" -m pytest -q --import-mode=importlib -p no:cacheprovider python cross
