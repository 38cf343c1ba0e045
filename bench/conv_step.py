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

import statistics
import time
from typing import Callable, Dict, List, Optional

from _harness import compare, parse_args, two_task_batch, write_json

CHANNELS, SIDE, C1, C2, CLASSES = 3, 32, 32, 64, 10
FEATURES = C2 * (SIDE // 2) * (SIDE // 2)


def make_data(batch: int, seed: int):
    """One random batch: images (batch, 3, 32, 32) float32, labels int64 0..9, binary targets (batch, 1)."""
    return two_task_batch((batch, CHANNELS, SIDE, SIDE), seed, CLASSES)


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


def main(argv: Optional[List[str]] = None) -> Dict[str, object]:
    args = parse_args(__doc__.splitlines()[0], batch=64, steps=10, warmup=5, argv=argv,
                      extra=lambda p: p.add_argument("--profile", action="store_true",
                                                     help="also print Polyhead's per-phase times"))
    title = f"conv-hard 3x32x32 -> conv({C1}) -> conv({C2}) -> maxpool -> {{{CLASSES} CE, 1 BCE-with-logits}}, Adam"
    results, steps = compare(args, title, make_data, build_step, unit="ms")
    if args.profile:
        phases = profile_phases(steps["polyhead"], args.steps)
        results["polyhead_phases_ms"] = phases
        print("polyhead phases (median ms): " + ", ".join(f"{k} {v:.1f}" for k, v in phases.items()))
    write_json(results, args.json)
    return results


if __name__ == "__main__":
    main()
