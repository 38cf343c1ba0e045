"""Time training steps of a small hard-sharing conv net in Polyhead (and in PyTorch, if installed).

Model (DESIGN.md "conv-hard"): 3x32x32 images -> Conv2d(3, 32, 3, padding=1) -> ReLU -> Conv2d(32, 64, 3,
padding=1) -> ReLU -> MaxPool2d(2) -> Flatten (64*16*16) -> two heads, a 10-class head trained with
cross-entropy and a 1-logit head trained with binary cross-entropy on logits; the losses are summed and
Adam (lr 1e-3) updates every parameter. One step = forward, both losses, zero_grad, backward, optimizer
step, on one fixed random batch (converted to tensors once, outside the timed region, for both libraries).

Forward ~ 20 M multiply-adds per sample (the second conv: 64 x 288 x 1024); a training step is about 3x
the forward, ~7.6 GFLOP per batch of 64, so a 200 GFLOP/s sgemm bounds it near 1.7k samples/s.

Each repetition times --steps consecutive steps; the reported figure is the median over --reps
repetitions after --warmup untimed steps. Polyhead and PyTorch repetitions alternate so both see the same
machine conditions, and the ratio polyhead/torch is printed.

    python bench/conv_step.py                    # batch 64, 10 steps x 7 reps, 2 threads
    python bench/conv_step.py --no-torch         # Polyhead only
    python bench/conv_step.py --profile          # also time Polyhead's forward/backward/step phases
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

CHANNELS, SIDE, C1, C2, CLASSES = 3, 32, 32, 64, 10
FEATURES = C2 * (SIDE // 2) * (SIDE // 2)


def make_data(batch: int, seed: int):
    """One random batch: images (batch, 3, 32, 32) float32, labels int64 0..9, binary targets (batch, 1)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, CHANNELS, SIDE, SIDE), dtype=np.float32)
    y_class = rng.integers(0, CLASSES, size=batch, dtype=np.int64)
    y_bin = rng.integers(0, 2, size=(batch, 1)).astype(np.float32)
    return x, y_class, y_bin


def build_step(lib, nn, optim, x_np, y_class_np, y_bin_np, lr: float) -> Callable[[], object]:
    """Build the model, optimizer and batch with library `lib` (polyhead or torch); return one step."""

    class ConvHardSharing(nn.Module):
        def __init__(self):
            super().__init__()
            self.trunk = nn.Sequential(
                nn.Conv2d(CHANNELS, C1, 3, padding=1), nn.ReLU(), nn.Conv2d(C1, C2, 3, padding=1), nn.ReLU(),
                nn.MaxPool2d(2), nn.Flatten())
            self.classify = nn.Linear(FEATURES, CLASSES)
            self.binary = nn.Linear(FEATURES, 1)

        def forward(self, x):
            h = self.trunk(x)
            return self.classify(h), self.binary(h)

    model = ConvHardSharing()
    opt = optim.Adam(model.parameters(), lr=lr)
    ce = nn.functional.cross_entropy
    bce = nn.functional.binary_cross_entropy_with_logits
    x, y_class, y_bin = lib.from_numpy(x_np), lib.from_numpy(y_class_np), lib.from_numpy(y_bin_np)

    def step():
        logits, logit = model(x)
        loss = ce(logits, y_class) + bce(logit, y_bin)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    step.model = model  # type: ignore[attr-defined]
    step.parts = (model, opt, x, y_class, y_bin, ce, bce)  # type: ignore[attr-defined]
    return step


def time_rep(step: Callable[[], object], steps: int) -> float:
    """Seconds for `steps` consecutive steps (after a short sleep so the other library's threads idle)."""
    time.sleep(0.05)
    step()
    start = time.perf_counter()
    for _ in range(steps):
        loss = step()
    loss.item()  # type: ignore[union-attr]
    return time.perf_counter() - start


def profile_phases(step, steps: int) -> Dict[str, float]:
    """Median milliseconds of Polyhead's forward (with losses), backward and optimizer step."""
    model, opt, x, y_class, y_bin, ce, bce = step.parts
    phases: Dict[str, List[float]] = {"forward": [], "backward": [], "step": []}
    for _ in range(steps):
        t0 = time.perf_counter()
        logits, logit = model(x)
        loss = ce(logits, y_class) + bce(logit, y_bin)
        t1 = time.perf_counter()
        opt.zero_grad()
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        t3 = time.perf_counter()
        for name, seconds in (("forward", t1 - t0), ("backward", t2 - t1), ("step", t3 - t2)):
            phases[name].append(1e3 * seconds)
    return {name: statistics.median(values) for name, values in phases.items()}


def copy_weights(src_model, dst_model, torch) -> None:
    """Give the torch model the Polyhead model's initial weights (same names and layouts)."""
    src = {name: np.array(p.detach().numpy(), copy=True) for name, p in src_model.named_parameters()}
    with torch.no_grad():
        for name, p in dst_model.named_parameters():
            p.copy_(torch.from_numpy(src[name]))


def report(name: str, times: List[float], batch: int, steps: int) -> Dict[str, float]:
    rates = sorted(batch * steps / t for t in times)
    median = statistics.median(rates)
    print(f"{name:9s} {median:10,.0f} samples/s   {1e3 * batch / median:8.1f} ms/step"
          f"   (reps: {rates[0]:,.0f} .. {rates[-1]:,.0f})")
    return {"samples_per_s": median, "ms_per_step": 1e3 * batch / median, "min": rates[0], "max": rates[-1]}


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch", type=int, default=64, help="samples per step (default 64)")
    p.add_argument("--steps", type=int, default=10, help="steps per timed repetition (default 10)")
    p.add_argument("--reps", type=int, default=7, help="timed repetitions, median reported (default 7, min 5)")
    p.add_argument("--warmup", type=int, default=5, help="untimed steps first (default 5)")
    p.add_argument("--threads", type=int, default=2, help="BLAS/intra-op threads for both (default 2)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--no-torch", action="store_true", help="do not time PyTorch even if installed")
    p.add_argument("--profile", action="store_true", help="also print Polyhead's per-phase times")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    args = p.parse_args(argv)
    if args.reps < 5:
        p.error("--reps must be at least 5")
    if min(args.batch, args.steps, args.threads) < 1 or args.warmup < 0:
        p.error("--batch, --steps and --threads must be >= 1, --warmup >= 0")
    return args


def main(argv: Optional[List[str]] = None) -> Dict[str, object]:
    args = parse_args(argv)
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

    print(f"conv-hard 3x32x32 -> conv(32) -> conv(64) -> maxpool -> {{{CLASSES} CE, 1 BCE-with-logits}}, Adam, "
          f"batch {args.batch}, {args.threads} threads, {args.steps} steps x {args.reps} reps (median) "
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
        results[name] = report(name, times[name], args.batch, args.steps)
    if torch is not None:
        ratio = results["polyhead"]["samples_per_s"] / results["torch"]["samples_per_s"]  # type: ignore[index]
        results["ratio_polyhead_over_torch"] = ratio
        print(f"ratio polyhead/torch: {ratio:.2f}")
    if args.profile:
        phases = profile_phases(steps["polyhead"], args.steps)
        results["polyhead_phases_ms"] = phases
        print("polyhead phases (median ms): " + ", ".join(f"{k} {v:.1f}" for k, v in phases.items()))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return results


if __name__ == "__main__":
    main()
