"""The short CI run of the API fuzzer (Tests/fuzz/api_fuzz.py): ≥ 5,000 random calls in batches, each batch
in its own interpreter, so a crash shows up as a dead subprocess and is reported with its reproducer.

POLYHEAD_FUZZ_SEED picks another first seed (the default is fixed, so CI runs the same calls each time);
the long run (≥ 100,000 calls) is Tests/fuzz/run-long.sh.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

pytest.importorskip("hypothesis")

FUZZ_DIR = Path(__file__).resolve().parents[1] / "fuzz"
MIN_CALLS = 5_000


def load_fuzzer():
    spec = importlib.util.spec_from_file_location("polyhead_api_fuzz", FUZZ_DIR / "api_fuzz.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_short_api_fuzz_run_ends_every_call_in_a_result_or_an_exception(tmp_path):
    fuzz = load_fuzzer()
    first_seed = int(os.environ.get("POLYHEAD_FUZZ_SEED", "1000"))
    summary = fuzz.run_fuzz(int(MIN_CALLS * 1.1), tmp_path, examples=25, steps=50, first_seed=first_seed,
                            timeout=120.0)
    report = [f"{crash.reason} (seed {crash.seed}):\n{crash.stderr_tail[-1500:]}\nreproducer:\n"
              f"{crash.reproducer[-3000:]}" for crash in summary.crashes]
    assert not summary.crashes, "\n\n".join(report)
    assert not summary.suspicious, summary.suspicious[:10]
    assert not summary.leaks, f"examples that ended with more live core objects: {summary.leaks[:10]}"
    assert summary.calls >= MIN_CALLS, f"only {summary.calls} calls in {summary.seconds} s"
    print(f"\n{summary.calls} calls, {summary.examples} examples, {summary.batches} batches in {summary.seconds} s; "
          f"exceptions: {summary.exceptions}")
