#!/usr/bin/env bash
# The whole test suite: Swift build + unit tests, `pip install .` into a fresh virtual environment,
# a wheel installed into a second fresh environment, then pytest over the Python and cross-language
# tests against the installed package.
set -euo pipefail
cd "$(dirname "$0")/.."
unset CC CXX
work="$(mktemp -d)"

echo "== swift build && swift test"
swift build
swift test

echo "== pip install . (fresh venv)"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --upgrade pip
"$work/venv/bin/pip" install --quiet numpy pytest safetensors hypothesis scikit-learn matplotlib
"$work/venv/bin/pip" install --quiet .

echo "== pip wheel . → installs and imports in another fresh venv"
"$work/venv/bin/pip" wheel --quiet --no-deps -w "$work/wheels" .
python3 -m venv "$work/wheel-venv"
"$work/wheel-venv/bin/pip" install --quiet "$work"/wheels/polyhead-*.whl
(cd / && env -u LD_LIBRARY_PATH "$work/wheel-venv/bin/python" -c "import polyhead as ph
x = ph.ones(2, 3, requires_grad=True); (x * 2).sum().backward()
assert x.grad.numpy().sum() == 12; print('wheel ok:', ph.__file__)")

echo "== pytest (installed package)"
cd Tests   # never import the source tree's python/ package
"$work/venv/bin/python" -m pytest -q --import-mode=importlib -p no:cacheprovider python cross
