"""End to end: every registered weighting/gradient method trains a hard-sharing MLP on the bundled digits
to ≥ 0.90 test accuracy on both tasks (digit class, digit ≥ 5)."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import mtl, nn, optim
import polyhead.nn.functional as F
from polyhead.datasets import load_digits_multitask


def _method_classes():
    classes = {}
    for name in mtl.__all__:
        cls = getattr(mtl, name)
        core_name = getattr(cls, "_core_name", None)
        if isinstance(cls, type) and core_name:
            classes[core_name] = cls
    return classes


CLASSES = _method_classes()


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU())
        self.digit = nn.Linear(64, 10)
        self.large = nn.Linear(64, 1)

    def forward(self, x):
        h = self.trunk(x)
        return h, self.digit(h), self.large(h)


def train(method, epochs: int = 25, seed: int = 0):
    data = load_digits_multitask(seed=seed)
    ph.manual_seed(seed)
    net = Net()
    opt = optim.Adam(list(net.parameters()) + list(method.parameters()), lr=2e-3)
    rng = np.random.default_rng(seed)
    rep_grad = method.rep_grad
    for _ in range(epochs):
        order = rng.permutation(len(data.x_train))
        for start in range(0, len(order), 64):
            rows = order[start:start + 64]
            h, digit, large = net(ph.from_numpy(data.x_train[rows]))
            losses = [F.cross_entropy(digit, data.y_digit_train[rows]),
                      F.binary_cross_entropy_with_logits(large, data.y_large_train[rows])]
            opt.zero_grad()
            if rep_grad:
                method.backward(losses, representation=h)
            else:
                method.backward(losses, shared_parameters=net.trunk.parameters())
            opt.step()
        method.end_epoch()
    with ph.no_grad():
        _, digit, large = net(ph.from_numpy(data.x_test))
    digit_accuracy = float(np.mean(digit.numpy().argmax(axis=1) == data.y_digit_test))
    large_accuracy = float(np.mean((large.numpy() > 0) == (data.y_large_test > 0.5)))
    return digit_accuracy, large_accuracy


def test_every_registered_method_has_a_python_class():
    assert sorted(CLASSES) == sorted(mtl.available_methods())


@pytest.mark.parametrize("core_name", sorted(CLASSES))
def test_method_trains_both_tasks_to_90_percent(core_name):
    cls = CLASSES[core_name]
    method = cls(2)
    digit_accuracy, large_accuracy = train(method)
    assert digit_accuracy >= 0.90 and large_accuracy >= 0.90, (core_name, digit_accuracy, large_accuracy)
    assert len(method.last_step.weights) == 2 and np.all(np.isfinite(method.last_step.weights))
