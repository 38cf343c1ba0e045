"""Compare every multi-task weighting and gradient method on the bundled digits.

The same hard-sharing MLP (trunk 64 -> 128 -> 64, ReLU; a 10-way digit head with cross-entropy and a
"digit >= 5" head with BCE-with-logits) is trained with each method in ``polyhead.mtl`` for the same
epochs, seed and optimizer; the script prints a table of both tasks' test accuracy and the seconds per
epoch. With ``--rep-grad`` the methods combine the gradients of the shared representation (the trunk's
output) instead of the shared parameters. ``Tests/python/mtl/test_all_methods_train_digits.py`` runs
``train`` for every method in both modes.

    python examples/compare_methods.py                 # all methods, 25 epochs
    python examples/compare_methods.py --epochs 30 --methods pcgrad mgda uncertainty
    python examples/compare_methods.py --rep-grad --methods mgda pcgrad
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import polyhead as ph
from polyhead import mtl, nn, optim
import polyhead.nn.functional as F
from polyhead.datasets import load_digits_multitask


class HardSharing(nn.Module):
    """The digits model; ``forward`` returns the shared representation and both heads' logits."""

    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU())
        self.digit = nn.Linear(64, 10)
        self.large = nn.Linear(64, 1)

    def forward(self, x):
        h = self.trunk(x)
        return h, self.digit(h), self.large(h)


def train(method, epochs: int = 25, seed: int = 0):
    """Trains the digits model with ``method`` (made for 2 tasks); returns (digit accuracy, >=5 accuracy,
    seconds per epoch)."""
    data = load_digits_multitask(seed=seed)
    ph.manual_seed(seed)
    net = HardSharing()
    opt = optim.Adam(list(net.parameters()) + list(method.parameters()), lr=2e-3)
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    for _ in range(epochs):
        order = rng.permutation(len(data.x_train))
        for first in range(0, len(order), 64):
            rows = order[first:first + 64]
            h, digit, large = net(ph.from_numpy(data.x_train[rows]))
            losses = [F.cross_entropy(digit, data.y_digit_train[rows]),
                      F.binary_cross_entropy_with_logits(large, data.y_large_train[rows])]
            opt.zero_grad()
            if method.rep_grad:
                method.backward(losses, representation=h)
            else:
                method.backward(losses, shared_parameters=net.trunk.parameters())
            opt.step()
        method.end_epoch()
    seconds = (time.perf_counter() - start) / epochs
    with ph.no_grad():
        _, digit, large = net(ph.from_numpy(data.x_test))
    return (float(np.mean(digit.numpy().argmax(axis=1) == data.y_digit_test)),
            float(np.mean((large.numpy() > 0) == (data.y_large_test > 0.5))), seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--methods", nargs="+", help="core names, e.g. pcgrad mgda (default: all)")
    parser.add_argument("--rep-grad", action="store_true", help="combine the representation's gradients")
    args = parser.parse_args()
    classes = {cls._core_name: cls for cls in (getattr(mtl, n) for n in mtl.__all__)
               if isinstance(cls, type) and getattr(cls, "_core_name", None)}
    names = args.methods or sorted(classes)
    print(f"{'method':<38}{'digit acc':>10}{'>=5 acc':>10}{'s/epoch':>10}")
    for name in names:
        digit, large, seconds = train(classes[name](2, rep_grad=args.rep_grad), args.epochs, args.seed)
        print(f"{classes[name].__name__ + ' (' + name + ')':<38}{digit:>10.3f}{large:>10.3f}{seconds:>10.3f}")


if __name__ == "__main__":
    main()
