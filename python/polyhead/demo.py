"""Train a two-task network on the bundled handwritten digits: ``python -m polyhead.demo``.

Hard parameter sharing: one trunk (64 → 128 → 64, ReLU) feeds two heads — a 10-way digit classifier
trained with cross-entropy and a one-logit "digit ≥ 5" classifier trained with binary cross-entropy on
logits. The sum of both losses is minimised with Adam on mini-batches; after every epoch the demo prints
each task's mean training loss and its accuracy on the held-out split.
"""

from __future__ import annotations

import argparse
import time
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

import polyhead as ph
from polyhead import nn, optim
from polyhead.datasets import load_digits_multitask

__all__ = ["HardSharingNet", "main"]


class HardSharingNet(nn.Module):
    """Shared trunk 64 → 128 → 64 (ReLU) with a 10-logit digit head and a 1-logit "≥ 5" head."""

    def __init__(self, n_features: int = 64, hidden: int = 128, shared: int = 64) -> None:
        super().__init__()
        self.trunk = nn.Sequential(
            nn.Linear(n_features, hidden), nn.ReLU(), nn.Linear(hidden, shared), nn.ReLU()
        )
        self.digit_head = nn.Linear(shared, 10)
        self.large_head = nn.Linear(shared, 1)

    def forward(self, x):
        h = self.trunk(x)
        return self.digit_head(h), self.large_head(h)


def _accuracies(net: HardSharingNet, x: np.ndarray, y_digit: np.ndarray, y_large: np.ndarray) -> Tuple[float, float]:
    """Accuracy of both heads on (x, y_digit, y_large), computed without recording gradients."""
    with ph.no_grad():
        digit_logits, large_logit = net(ph.from_numpy(x))
    digit_acc = float(np.mean(digit_logits.numpy().argmax(axis=1) == y_digit))
    large_acc = float(np.mean((large_logit.numpy() > 0.0) == (y_large > 0.5)))
    return digit_acc, large_acc


def main(
    epochs: int = 20,
    seed: int = 0,
    batch_size: int = 64,
    lr: float = 1e-3,
    verbose: bool = True,
) -> Dict[str, float]:
    """Train the two-task network and return the final test accuracies.

    Args:
        epochs: passes over the 1,437 training images.
        seed: seeds the weight initialisation (``ph.manual_seed``), the mini-batch order
            (``numpy.random.default_rng``) and the train/test split; equal seeds give equal runs.
        batch_size: images per optimiser step.
        lr: Adam learning rate.
        verbose: print one line per epoch and a summary.

    Returns:
        ``{"digit": test accuracy of the digit head, "large": test accuracy of the ≥ 5 head,
        "seconds": wall-clock training time}``.
    """
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be >= 1, got {epochs} and {batch_size}")
    data = load_digits_multitask(test_size=0.2, seed=seed)
    ph.manual_seed(seed)
    rng = np.random.default_rng(seed)

    net = HardSharingNet()
    opt = optim.Adam(net.parameters(), lr=lr)
    ce = nn.functional.cross_entropy
    bce = nn.functional.binary_cross_entropy_with_logits
    if verbose:
        print(
            f"digits: {data.n_train} train / {data.n_test} test images; "
            f"tasks: digit (10 classes, cross-entropy), digit >= 5 (BCE with logits)"
        )

    start = time.perf_counter()
    digit_acc = large_acc = 0.0
    for epoch in range(1, epochs + 1):
        net.train()
        order = rng.permutation(data.n_train)
        sums = np.zeros(2)
        for lo in range(0, data.n_train, batch_size):
            idx = order[lo : lo + batch_size]
            x = ph.from_numpy(data.x_train[idx])
            y_digit = ph.from_numpy(data.y_digit_train[idx])
            y_large = ph.from_numpy(data.y_large_train[idx])

            digit_logits, large_logit = net(x)
            loss_digit = ce(digit_logits, y_digit)
            loss_large = bce(large_logit, y_large)
            loss = loss_digit + loss_large

            opt.zero_grad()
            loss.backward()
            opt.step()
            sums += len(idx) * np.array([loss_digit.item(), loss_large.item()])

        net.eval()
        digit_acc, large_acc = _accuracies(net, data.x_test, data.y_digit_test, data.y_large_test)
        if verbose:
            loss_d, loss_l = sums / data.n_train
            print(
                f"epoch {epoch:3d}/{epochs}  train loss  digit {loss_d:.4f}  >=5 {loss_l:.4f}"
                f"  |  test acc  digit {digit_acc:.3f}  >=5 {large_acc:.3f}"
                f"  ({time.perf_counter() - start:.1f} s)"
            )
    seconds = time.perf_counter() - start
    if verbose:
        print(f"final test accuracy: digit {digit_acc:.3f}, digit >= 5 {large_acc:.3f} ({seconds:.1f} s)")
    return {"digit": digit_acc, "large": large_acc, "seconds": seconds}


def _parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m polyhead.demo",
        description="Train a hard-parameter-sharing MLP on two tasks of the bundled 8x8 digits.",
    )
    parser.add_argument("--epochs", type=int, default=20, help="passes over the training set (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="seed for init, batches and split (default 0)")
    parser.add_argument("--batch-size", type=int, default=64, help="mini-batch size (default 64)")
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate (default 1e-3)")
    return parser.parse_args(argv)


def _cli(argv: Optional[Sequence[str]] = None) -> None:
    args = _parse_args(argv)
    main(epochs=args.epochs, seed=args.seed, batch_size=args.batch_size, lr=args.lr)


if __name__ == "__main__":
    _cli()
