"""Time training steps of a hard-parameter-sharing MLP in Polyhead (and in PyTorch, if installed).

Model (DESIGN.md "mlp-hard"): shared trunk 784 -> 256 -> 128 (ReLU) with two heads, a 10-class head
trained with cross-entropy and a 1-logit head trained with binary cross-entropy on logits; the two
losses are summed and Adam (lr 1e-3) updates every parameter. One step = forward, both losses,
zero_grad, backward, optimizer step, on one fixed random batch (the data is converted to tensors
once, outside the timed region, for both libraries alike).

Each repetition times --steps consecutive steps; the reported figure is the median over --reps
repetitions, after --warmup untimed steps. Polyhead and PyTorch repetitions alternate so that both
see the same machine conditions, and the ratio polyhead/torch is printed.

    python bench/train_step.py                      # batch 256, 50 steps x 7 reps, 2 threads
    python bench/train_step.py --batch 64 --steps 100 --reps 9
    python bench/train_step.py --no-torch           # Polyhead only
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

IN, H1, H2, CLASSES = 784, 256, 128, 10


def make_data(batch: int, seed: int):
    """One random batch: inputs (batch, 784) float32, digit labels int64 0..9, binary targets (batch, 1)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, IN), dtype=np.float32)
    y_class = rng.integers(0, CLASSES, size=batch, dtype=np.int64)
    y_bin = rng.integers(0, 2, size=(batch, 1)).astype(np.float32)
    return x, y_class, y_bin


def build_step(lib, nn, optim, x_np, y_class_np, y_bin_np, lr: float) -> Callable[[], object]:
    """Build the model, optimizer and batch with library `lib` (polyhead or torch); return one step."""

    class HardSharing(nn.Module):
        def __init__(self):
            super().__init__()
            self.trunk = nn.Sequential(nn.Linear(IN, H1), nn.ReLU(), nn.Linear(H1, H2), nn.ReLU())
            self.classify = nn.Linear(H2, CLASSES)
            self.binary = nn.Linear(H2, 1)

        def forward(self, x):
            h = self.trunk(x)
            return self.classify(h), self.binary(h)

    model = HardSharing()
    opt = optim.Adam(model.parameters(), lr=lr)
    ce = nn.functional.cross_entropy
    bce = nn.functional.binary_cross_entropy_with_logits
    x = lib.from_numpy(x_np)
    y_class = lib.from_numpy(y_class_np)
    y_bin = lib.from_numpy(y_bin_np)

    def step():
        logits, logit = model(x)
        loss = ce(logits, y_class) + bce(logit, y_bin)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    step.model = model  # type: ignore[attr-defined]
    return step


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
    """Give the torch model the Polyhead model's initial weights (same names, torch's (out, in) layout)."""
    src = {name: np.array(p.detach().numpy(), copy=True) for name, p in src_model.named_parameters()}
    with torch.no_grad():
        for name, p in dst_model.named_parameters():
            p.copy_(torch.from_numpy(src[name]))


def report(name: str, times: List[float], batch: int, steps: int) -> Dict[str, float]:
    rates = sorted(batch * steps / t for t in times)
    median = statistics.median(rates)
    print(
        f"{name:9s} {median:12,.0f} samples/s   {1e6 * batch / median:9.1f} us/step"
        f"   (reps: {rates[0]:,.0f} .. {rates[-1]:,.0f})"
    )
    return {"samples_per_s": median, "us_per_step": 1e6 * batch / median, "min": rates[0], "max": rates[-1]}


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch", type=int, default=256, help="samples per step (default 256)")
    p.add_argument("--steps", type=int, default=50, help="steps per timed repetition (default 50)")
    p.add_argument("--reps", type=int, default=7, help="timed repetitions, median reported (default 7, min 5)")
    p.add_argument("--warmup", type=int, default=20, help="untimed steps first (default 20)")
    p.add_argument("--threads", type=int, default=2, help="BLAS/intra-op threads for both (default 2)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--no-torch", action="store_true", help="do not time PyTorch even if installed")
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

    print(
        f"mlp-hard {IN}->{H1}->{H2}->{{{CLASSES} CE, 1 BCE-with-logits}}, Adam, batch {args.batch}, "
        f"{args.threads} threads, {args.steps} steps x {args.reps} reps (median) after {args.warmup} warm-up"
    )
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

    results: Dict[str, object] = {
        "batch": args.batch, "steps": args.steps, "reps": args.reps, "threads": args.threads,
    }
    for name in steps:
        results[name] = report(name, times[name], args.batch, args.steps)
    if torch is not None:
        ratio = results["polyhead"]["samples_per_s"] / results["torch"]["samples_per_s"]  # type: ignore[index]
        results["ratio_polyhead_over_torch"] = ratio
        print(f"ratio polyhead/torch: {ratio:.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return results


if __name__ == "__main__":
    main()
