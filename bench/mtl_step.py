"""Per-step cost of every multi-task method relative to a plain summed-loss step (not a test).

Model: the DESIGN.md "mlp-hard" trunk 784 -> 256 -> 128 (ReLU) with T heads (alternately a 10-class
cross-entropy head and a 1-logit BCE-with-logits head), batch 256, Adam, 2 threads, one fixed random
batch. The baseline step is forward, sum of the T losses, backward, Adam step. A method step replaces
the backward by ``method.backward(losses, shared_parameters=trunk.parameters())`` (or the shared
representation with ``--rep-grad``). Each method is timed in --reps blocks of --steps steps that alternate
with blocks of the plain step; the ratio is the median of the per-block ratios.

Targets (issue 3): gradient methods ≤ (T + 1)x the plain step, loss-level methods ≤ 1.1x.

    python bench/mtl_step.py                 # T = 2 and T = 4, every registered method
    python bench/mtl_step.py --tasks 2 --methods pcgrad mgda --steps 20
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import polyhead as ph
from polyhead import mtl, nn, optim
import polyhead.nn.functional as F

IN, H1, H2 = 784, 256, 128


class Net(nn.Module):
    """Shared trunk with T heads: even heads classify 10 ways, odd heads give one logit."""

    def __init__(self, tasks: int):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(IN, H1), nn.ReLU(), nn.Linear(H1, H2), nn.ReLU())
        self.heads = nn.ModuleList([nn.Linear(H2, 10 if t % 2 == 0 else 1) for t in range(tasks)])

    def forward(self, x):
        h = self.trunk(x)
        return h, [head(h) for head in self.heads]


def make_step(tasks: int, batch: int, method_name: str | None, rep_grad: bool):
    """A closure running one training step with the named method (None = plain summed loss)."""
    rng = np.random.default_rng(0)
    x = ph.from_numpy(rng.standard_normal((batch, IN), dtype=np.float32))
    y_class = rng.integers(0, 10, size=batch)
    y_bin = ph.from_numpy(rng.integers(0, 2, size=(batch, 1)).astype(np.float32))
    ph.manual_seed(0)
    net = Net(tasks)
    method = None if method_name is None else method_class(method_name)(tasks, rep_grad=rep_grad)
    params = list(net.parameters()) + (list(method.parameters()) if method is not None else [])
    opt = optim.Adam(params, lr=1e-3)

    def step():
        h, outputs = net(x)
        losses = [F.cross_entropy(o, y_class) if t % 2 == 0 else F.binary_cross_entropy_with_logits(o, y_bin)
                  for t, o in enumerate(outputs)]
        opt.zero_grad()
        if method is None:
            sum(losses[1:], losses[0]).backward()
        elif rep_grad:
            method.backward(losses, representation=h)
        else:
            method.backward(losses, shared_parameters=net.trunk.parameters())
        opt.step()

    return step


def method_class(core_name: str):
    """The polyhead.mtl class whose core name is ``core_name``."""
    for name in mtl.__all__:
        cls = getattr(mtl, name)
        if getattr(cls, "_core_name", None) == core_name:
            return cls
    raise KeyError(core_name)


CLOCK = time.perf_counter


def time_block(step, steps: int) -> float:
    """Seconds per step over ``steps`` consecutive steps, on ``CLOCK``."""
    start = CLOCK()
    for _ in range(steps):
        step()
    return (CLOCK() - start) / steps


def paired_seconds(plain, method, steps: int, reps: int, warmup: int = 3) -> tuple[float, float, float]:
    """Median seconds per step of ``plain`` and ``method`` and the median of their per-repetition ratios.

    The two alternate block by block (in the order plain, method, method, plain, …, so that neither always
    runs first), so both see the same machine load (other processes on a shared machine drift by tens of
    percent within seconds)."""
    for _ in range(warmup):
        plain()
        method()
    plain_times, method_times = [], []
    for rep in range(reps):
        if rep % 2 == 0:
            plain_times.append(time_block(plain, steps))
            method_times.append(time_block(method, steps))
        else:
            method_times.append(time_block(method, steps))
            plain_times.append(time_block(plain, steps))
    ratio = statistics.median(m / p for m, p in zip(method_times, plain_times))
    return statistics.median(plain_times), statistics.median(method_times), ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--methods", nargs="+", default=None, help="core names (default: all registered)")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rep-grad", action="store_true", help="gradient methods on the shared representation")
    parser.add_argument("--cpu-time", action="store_true",
                        help="time with the process's CPU time instead of wall time: with --threads 1 it leaves out "
                             "the time other processes hold the cores (a loaded machine)")
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.process_time if args.cpu_time else time.perf_counter
    ph.set_num_threads(args.threads)
    names = args.methods or [n for n in mtl.available_methods() if _has_class(n)]
    print(f"mlp-hard {IN}->{H1}->{H2}, batch {args.batch}, {args.threads} threads, {args.reps} repetitions of "
          f"{args.steps} steps alternating with the plain step; x plain = median of the per-repetition ratios; "
          + ("CPU time" if args.cpu_time else "wall time") + (", representation mode" if args.rep_grad else ""))
    for tasks in args.tasks:
        plain = make_step(tasks, args.batch, None, False)
        print(f"\nT = {tasks}")
        print(f"{'method':<16}{'plain ms':>10}{'ms/step':>10}{'x plain':>10}   target")
        for name in names:
            try:
                method = make_step(tasks, args.batch, name, args.rep_grad)
                plain_seconds, seconds, ratio = paired_seconds(plain, method, args.steps, args.reps)
            except (ValueError, RuntimeError) as error:
                print(f"{name:<16}{'-':>10}{'-':>10}{'-':>10}   ({error})")
                continue
            loss_level = method_class(name).__module__.startswith("polyhead.mtl.weighting")
            target = "≤ 1.1x" if loss_level else f"≤ {tasks + 1}x"
            print(f"{name:<16}{plain_seconds * 1e3:>10.2f}{seconds * 1e3:>10.2f}{ratio:>10.2f}   {target}", flush=True)


def _has_class(core_name: str) -> bool:
    try:
        method_class(core_name)
        return True
    except KeyError:
        return False


if __name__ == "__main__":
    main()
