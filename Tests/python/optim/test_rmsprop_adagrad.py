"""``optim.RMSprop`` and ``optim.Adagrad``: the first steps against torch's rules in float64 numpy and, where
torch is installed, against torch's own updates on a small two-group model."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import nn, optim

P0 = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
C = np.array([[1.0, 0.5, 0.3], [0.8, 1.2, 0.6]])


def reference_rmsprop(steps, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    p, v, mean, buf, history = P0.copy(), np.zeros_like(P0), np.zeros_like(P0), np.zeros_like(P0), []
    for _ in range(steps):
        g = 2 * C * C * p + weight_decay * p
        v = alpha * v + (1 - alpha) * g * g
        variance = v
        if centered:
            mean = alpha * mean + (1 - alpha) * g
            variance = v - mean * mean
        scaled = g / (np.sqrt(variance) + eps)
        buf = momentum * buf + scaled
        p = p - lr * (buf if momentum > 0 else scaled)
        history.append(p.copy())
    return history


def reference_adagrad(steps, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    p, s, history = P0.copy(), np.full_like(P0, initial_accumulator_value), []
    for t in range(1, steps + 1):
        g = 2 * C * C * p + weight_decay * p
        s = s + g * g
        p = p - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(s) + eps)
        history.append(p.copy())
    return history


@pytest.mark.parametrize("options", [
    dict(lr=0.01), dict(lr=0.05, alpha=0.9, eps=1e-3), dict(lr=0.02, weight_decay=0.3),
    dict(lr=0.02, momentum=0.9), dict(lr=0.02, centered=True, momentum=0.5),
])
def test_rmsprop_first_three_steps(options, run_optimizer):
    for got, want in zip(run_optimizer(optim.RMSprop, 3, P0, C, **options), reference_rmsprop(3, **options)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("options", [
    dict(lr=0.1), dict(lr=0.1, lr_decay=0.5), dict(lr=0.05, weight_decay=0.2),
    dict(lr=0.05, initial_accumulator_value=0.4, eps=1e-3),
])
def test_adagrad_first_three_steps(options, run_optimizer):
    for got, want in zip(run_optimizer(optim.Adagrad, 3, P0, C, **options), reference_adagrad(3, **options)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def train(module, name, options, steps=5):
    """Weights of a fixed 3→2 linear model after ``steps`` updates with two parameter groups."""
    rng = np.random.default_rng(0)
    x = module.tensor(rng.standard_normal((8, 3)).astype(np.float32))
    y = module.tensor(rng.standard_normal((8, 2)).astype(np.float32))
    w = module.nn.Parameter(module.tensor(rng.standard_normal((2, 3)).astype(np.float32)))
    b = module.nn.Parameter(module.tensor(np.zeros(2, np.float32)))
    opt = getattr(module.optim, name)([{"params": [w]}, {"params": [b], "lr": 0.003}], **options)
    for _ in range(steps):
        opt.zero_grad()
        ((x @ w.t() + b - y) ** 2).mean().backward()
        opt.step()
    return np.asarray(w.detach().numpy()), np.asarray(b.detach().numpy())


@pytest.mark.parametrize("name,options", [
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.01)),
    ("RMSprop", dict(lr=0.01)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.1, weight_decay=0.01, initial_accumulator_value=0.1)),
])
def test_matches_torch(name, options):
    torch = pytest.importorskip("torch")
    for got, want in zip(train(ph, name, options), train(torch, name, options)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_defaults_match_torch():
    assert optim.RMSprop([nn.Parameter(ph.zeros(1))]).defaults == dict(
        lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False)
    assert optim.Adagrad([nn.Parameter(ph.zeros(1))]).defaults == dict(
        lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10)


@pytest.mark.parametrize("cls,options,message", [
    (optim.RMSprop, dict(lr=-1.0), "Invalid learning rate: -1.0"),
    (optim.RMSprop, dict(alpha=1.5), "Invalid alpha value: 1.5"),
    (optim.RMSprop, dict(momentum=-0.1), "Invalid momentum value: -0.1"),
    (optim.RMSprop, dict(eps=-1.0), "Invalid epsilon value: -1.0"),
    (optim.Adagrad, dict(lr_decay=-1.0), "Invalid lr_decay value: -1.0"),
    (optim.Adagrad, dict(initial_accumulator_value=-1), "Invalid initial_accumulator_value value: -1"),
    (optim.Adagrad, dict(weight_decay="a lot"), "Invalid weight_decay value: a lot"),
])
def test_validation_messages(cls, options, message):
    with pytest.raises(ValueError, match=message):
        cls([nn.Parameter(ph.zeros(1))], **options)


def test_unimplemented_optimizers_are_named():
    with pytest.raises(AttributeError, match="polyhead.optim.LBFGS is not implemented"):
        optim.LBFGS
