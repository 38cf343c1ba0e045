"""``optim.Adam`` / ``optim.AdamW``: the first steps against torch's update rules in float64 numpy."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import nn, optim

P0 = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
C = np.array([[1.0, 0.5, 0.3], [0.8, 1.2, 0.6]])


def grad_of(p):
    return 2 * C * C * p


def reference_adam(steps, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=False):
    """torch.optim.Adam (decoupled=False) / AdamW (decoupled=True), one parameter, float64."""
    p, m, v, history = P0.copy(), np.zeros_like(P0), np.zeros_like(P0), []
    beta1, beta2 = betas
    for t in range(1, steps + 1):
        g = grad_of(p)
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        history.append(p.copy())
    return history


@pytest.mark.parametrize("options", [
    dict(lr=0.1),
    dict(lr=0.05, betas=(0.8, 0.99)),
    dict(lr=0.05, eps=1e-3),
    dict(lr=0.1, weight_decay=0.5),
])
def test_adam_first_three_steps(options, run_optimizer):
    for got, want in zip(run_optimizer(optim.Adam, 3, P0, C, **options), reference_adam(3, **options)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("options", [dict(lr=0.1), dict(lr=0.1, weight_decay=0.5), dict(lr=0.05, betas=(0.5, 0.9))])
def test_adamw_first_three_steps(options, run_optimizer):
    reference = reference_adam(3, decoupled=True, **dict(dict(weight_decay=1e-2), **options))
    for got, want in zip(run_optimizer(optim.AdamW, 3, P0, C, **options), reference):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_adam_and_adamw_differ_with_weight_decay(run_optimizer):
    a = run_optimizer(optim.Adam, 2, P0, C, lr=0.1, weight_decay=0.5)[-1]
    w = run_optimizer(optim.AdamW, 2, P0, C, lr=0.1, weight_decay=0.5)[-1]
    assert not np.allclose(a, w)


def test_defaults():
    p = nn.Parameter(ph.zeros(1))
    adam, adamw = optim.Adam([p]), optim.AdamW([nn.Parameter(ph.zeros(1))])
    assert adam.defaults == dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False)
    assert adamw.param_groups[0]["weight_decay"] == 1e-2


@pytest.mark.parametrize("options,message", [
    (dict(lr=-1.0), "Invalid learning rate: -1.0"),
    (dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
    (dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    (dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
])
@pytest.mark.parametrize("cls", [optim.Adam, optim.AdamW])
def test_validation_messages_match_torch(cls, options, message):
    with pytest.raises(ValueError, match=message):
        cls([nn.Parameter(ph.zeros(1))], **options)


def test_amsgrad_is_refused():
    with pytest.raises(NotImplementedError, match="amsgrad"):
        optim.Adam([nn.Parameter(ph.zeros(1))], amsgrad=True)
