"""The short CI runs of the fuzzers (Tests/fuzz/fuzz_driver.py): random calls in batches, each batch in its own
interpreter, so a crash shows up as a dead subprocess and is reported with its reproducer.

- ``api``: ≥ 5,000 calls of the PyTorch-style API (tensors, integer dtypes, ops, layers, optimizers, multi-task
  methods and architectures, randperm/Generator, utils.data, detect_anomaly, the sklearn estimators);
- ``keras``: ≥ 1,500 calls of ``polyhead.keras`` (models built, compiled, fit/evaluate/predict with bad data);
- checkpoints (Tests/fuzz/checkpoint_fuzz.py): ≥ 1,000 mutated safetensors files (every truncation of one
  file, bit flips, header lengths, JSON header mutations) through every loader.

POLYHEAD_FUZZ_SEED picks another first seed (the default is fixed, so CI runs the same calls each time);
the long runs are Tests/fuzz/run-long.sh.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

pytest.importorskip("hypothesis")

FUZZ_DIR = Path(__file__).resolve().parents[1] / "fuzz"


def load_fuzz_module(name: str):
    spec = importlib.util.spec_from_file_location(f"polyhead_{name}", FUZZ_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("target,min_calls,examples,steps,first_seed", [
    ("api", 5_000, 25, 50, 1000),
    ("keras", 1_500, 20, 40, 2000),
])
def test_short_fuzz_run_ends_every_call_in_a_result_or_an_exception(tmp_path, target, min_calls, examples, steps,
                                                                     first_seed):
    driver = load_fuzz_module("fuzz_driver")
    first_seed = int(os.environ.get("POLYHEAD_FUZZ_SEED", str(first_seed)))
    summary = driver.run_fuzz(int(min_calls * 1.1), tmp_path, examples=examples, steps=steps, first_seed=first_seed,
                              timeout=120.0, target=target)
    report = [f"{crash.reason} (seed {crash.seed}):\n{crash.stderr_tail[-1500:]}\nreproducer:\n"
              f"{crash.reproducer[-3000:]}" for crash in summary.crashes]
    assert not summary.crashes, "\n\n".join(report)
    assert not summary.suspicious, summary.suspicious[:10]
    assert not summary.leaks, f"examples that ended with more live core objects: {summary.leaks[:10]}"
    assert summary.calls >= min_calls, f"only {summary.calls} calls in {summary.seconds} s"
    print(f"\n{target}: {summary.calls} calls, {summary.examples} examples, {summary.batches} batches in "
          f"{summary.seconds} s; exceptions: {summary.exceptions}")


def test_short_checkpoint_fuzz_run_loads_or_raises_a_clear_error(tmp_path):
    fuzz = load_fuzz_module("checkpoint_fuzz")
    total = fuzz.run_checkpoint_fuzz(1_000, tmp_path, first_seed=int(os.environ.get("POLYHEAD_FUZZ_SEED", "2")),
                                     timeout=120.0)
    assert not total["crashes"], total["crashes"]
    assert not total["findings"], total["findings"][:20]
    assert total["mutations"] >= 1_000
    print(f"\ncheckpoints: {total['mutations']} mutated files, {total['loads']} loads in {total['seconds']} s; "
          f"{total['outcomes']}")
