"""Multi-task learning on handwritten digits with Polyhead's PyTorch-style API.

One network, two tasks: a shared trunk reads an 8x8 digit image and two heads answer
  * "which digit is it?"  (10 classes, cross-entropy)
  * "is it 5 or larger?"  (1 logit, binary cross-entropy with logits)
The per-task losses are added and minimised together with Adam ("hard parameter sharing").

Run:  python examples/mtl_digits_pytorch_style.py [--epochs 20] [--seed 0]

The code is plain PyTorch. To run it on PyTorch instead, change only the two marked import lines to
    import torch as ph
    from torch import nn, optim
(the data set loader needs only numpy and stays the same).
"""

import argparse

import numpy as np

import polyhead as ph  # PyTorch: import torch as ph
from polyhead import nn, optim  # PyTorch: from torch import nn, optim
from polyhead.datasets import load_digits_multitask

F = nn.functional


class TwoTaskNet(nn.Module):
    """Shared trunk 64 -> 128 -> 64 with a digit head (10 logits) and a ">= 5" head (1 logit)."""

    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(
            nn.Linear(64, 128),
            nn.ReLU(),
            nn.Linear(128, 64),
            nn.ReLU(),
        )
        self.digit_head = nn.Linear(64, 10)
        self.large_head = nn.Linear(64, 1)

    def forward(self, x):
        h = self.trunk(x)
        return self.digit_head(h), self.large_head(h)


def evaluate(model, x, y_digit, y_large):
    """Return (digit accuracy, ">= 5" accuracy) of `model` on numpy arrays."""
    model.eval()
    with ph.no_grad():
        digit_logits, large_logit = model(ph.from_numpy(x))
    digit_pred = digit_logits.numpy().argmax(axis=1)
    large_pred = large_logit.numpy() > 0.0
    return np.mean(digit_pred == y_digit), np.mean(large_pred == (y_large > 0.5))


def train(epochs=20, seed=0, batch_size=64, lr=1e-3):
    data = load_digits_multitask(test_size=0.2, seed=seed)
    ph.manual_seed(seed)
    rng = np.random.default_rng(seed)

    model = TwoTaskNet()
    optimizer = optim.Adam(model.parameters(), lr=lr)

    n = len(data.x_train)
    for epoch in range(epochs):
        model.train()
        total_digit = total_large = 0.0
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            x = ph.from_numpy(data.x_train[idx])
            y_digit = ph.from_numpy(data.y_digit_train[idx])
            y_large = ph.from_numpy(data.y_large_train[idx])

            digit_logits, large_logit = model(x)
            loss_digit = F.cross_entropy(digit_logits, y_digit)
            loss_large = F.binary_cross_entropy_with_logits(large_logit, y_large)
            loss = loss_digit + loss_large

            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

            total_digit += loss_digit.item() * len(idx)
            total_large += loss_large.item() * len(idx)

        acc_digit, acc_large = evaluate(model, data.x_test, data.y_digit_test, data.y_large_test)
        print(
            f"epoch {epoch + 1:2d}  loss digit {total_digit / n:.4f}  large {total_large / n:.4f}"
            f"  |  test acc digit {acc_digit:.3f}  large {acc_large:.3f}"
        )
    return model, (acc_digit, acc_large)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    _, (acc_digit, acc_large) = train(epochs=args.epochs, seed=args.seed)
    print(f"test accuracy: digit {acc_digit:.3f}, digit >= 5 {acc_large:.3f}")
