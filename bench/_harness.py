"""The side-by-side timing harness shared by the training-step benchmarks (train_step.py, conv_step.py).

A benchmark supplies ``make_data(batch, seed)`` and ``build_step(lib, nn, optim, x, y_class, y_bin, lr)``
(returning a step closure with a ``.model`` attribute); the harness builds the Polyhead step and, when
PyTorch is installed, the identical torch step with Polyhead's initial weights, then alternates timed
repetitions of both and reports the median samples/s and the ratio.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from typing import Callable, Dict, List, Optional

import numpy as np

import polyhead as ph
from polyhead import nn as phnn
from polyhead import optim as phoptim


def two_task_batch(input_shape, seed: int, classes: int = 10):
    """One random batch of a two-task benchmark: inputs ``input_shape`` float32 (standard normal), class
    labels int64 in ``0..classes-1`` and binary targets ``(batch, 1)`` float32."""
    rng = np.random.default_rng(seed)
    batch = input_shape[0]
    x = rng.standard_normal(input_shape, dtype=np.float32)
    y_class = rng.integers(0, classes, size=batch, dtype=np.int64)
    y_bin = rng.integers(0, 2, size=(batch, 1)).astype(np.float32)
    return x, y_class, y_bin


def time_rep(step: Callable[[], object], steps: int) -> float:
    """Seconds for `steps` consecutive steps (the last loss is read so all work is finished).

    Sleeps briefly first so that the other library's spinning worker threads (OpenBLAS, OpenMP) have
    gone idle and do not compete for the two cores.
    """
    time.sleep(0.05)
    step()
    start = time.perf_counter()
    for _ in range(steps):
        loss = step()
    loss.item()  # type: ignore[union-attr]
    return time.perf_counter() - start


def copy_weights(src_model, dst_model, torch) -> None:
    """Give the torch model the Polyhead model's initial weights (same names and layouts)."""
    src = {name: np.array(p.detach().numpy(), copy=True) for name, p in src_model.named_parameters()}
    with torch.no_grad():
        for name, p in dst_model.named_parameters():
            p.copy_(torch.from_numpy(src[name]))


def report(name: str, times: List[float], batch: int, steps: int, unit: str) -> Dict[str, float]:
    """Prints and returns the median samples/s of `times` with the time per step in `unit` ("us" or "ms")."""
    rates = sorted(batch * steps / t for t in times)
    median = statistics.median(rates)
    scale = 1e6 if unit == "us" else 1e3
    print(f"{name:9s} {median:12,.0f} samples/s   {scale * batch / median:9.1f} {unit}/step"
          f"   (reps: {rates[0]:,.0f} .. {rates[-1]:,.0f})")
    return {"samples_per_s": median, f"{unit}_per_step": scale * batch / median, "min": rates[0], "max": rates[-1]}


def parse_args(description: str, batch: int, steps: int, warmup: int, argv: Optional[List[str]] = None,
               extra: Callable[[argparse.ArgumentParser], None] = lambda parser: None) -> argparse.Namespace:
    """The common options with this benchmark's defaults; `extra` adds benchmark-specific ones."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--batch", type=int, default=batch, help=f"samples per step (default {batch})")
    p.add_argument("--steps", type=int, default=steps, help=f"steps per timed repetition (default {steps})")
    p.add_argument("--reps", type=int, default=7, help="timed repetitions, median reported (default 7, min 5)")
    p.add_argument("--warmup", type=int, default=warmup, help=f"untimed steps first (default {warmup})")
    p.add_argument("--threads", type=int, default=2, help="BLAS/intra-op threads for both (default 2)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--no-torch", action="store_true", help="do not time PyTorch even if installed")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    extra(p)
    args = p.parse_args(argv)
    if args.reps < 5:
        p.error("--reps must be at least 5")
    if min(args.batch, args.steps, args.threads) < 1 or args.warmup < 0:
        p.error("--batch, --steps and --threads must be >= 1, --warmup >= 0")
    return args


def compare(args: argparse.Namespace, title: str, make_data, build_step, unit: str):
    """Builds the Polyhead (and torch) steps, prints `title` and the versions, checks the first losses agree,
    warms up, times alternating repetitions and reports; returns (results, steps)."""
    torch = None
    if not args.no_torch:
        try:
            import torch  # type: ignore[no-redef]
        except ImportError:
            print("PyTorch not installed: timing Polyhead only (pip install torch to compare)")

    ph.set_num_threads(args.threads)
    ph.manual_seed(args.seed)
    x, y_class, y_bin = make_data(args.batch, args.seed)
    steps = {"polyhead": build_step(ph, phnn, phoptim, x, y_class, y_bin, args.lr)}
    if torch is not None:
        torch.set_num_threads(args.threads)
        torch.manual_seed(args.seed)
        steps["torch"] = build_step(torch, torch.nn, torch.optim, x, y_class, y_bin, args.lr)
        copy_weights(steps["polyhead"].model, steps["torch"].model, torch)  # type: ignore[attr-defined]

    print(f"{title}, batch {args.batch}, {args.threads} threads, {args.steps} steps x {args.reps} reps (median) "
          f"after {args.warmup} warm-up")
    versions = f"polyhead {getattr(ph, '__version__', '?')}, numpy {np.__version__}"
    if torch is not None:
        versions += f", torch {torch.__version__}"
    print(f"{versions}; python {platform.python_version()} on {platform.machine()}")

    first_losses = {name: float(step().item()) for name, step in steps.items()}
    if torch is not None:
        diff = abs(first_losses["polyhead"] - first_losses["torch"])
        print(f"first-step loss with identical weights: polyhead {first_losses['polyhead']:.6f}, "
              f"torch {first_losses['torch']:.6f} (|diff| {diff:.2e})")
    for step in steps.values():
        for _ in range(args.warmup):
            step()

    times: Dict[str, List[float]] = {name: [] for name in steps}
    for _ in range(args.reps):
        for name, step in steps.items():  # alternate libraries so both see the same conditions
            times[name].append(time_rep(step, args.steps))

    results: Dict[str, object] = {"batch": args.batch, "steps": args.steps, "reps": args.reps,
                                  "threads": args.threads}
    for name in steps:
        results[name] = report(name, times[name], args.batch, args.steps, unit)
    if torch is not None:
        ratio = results["polyhead"]["samples_per_s"] / results["torch"]["samples_per_s"]  # type: ignore[index]
        results["ratio_polyhead_over_torch"] = ratio
        print(f"ratio polyhead/torch: {ratio:.2f}")
    return results, steps


def write_json(results: Dict[str, object], path: Optional[str]) -> None:
    """Writes `results` to `path` as JSON when a path is given."""
    if path:
        with open(path, "w") as f:
            json.dump(results, f, indent=2)
