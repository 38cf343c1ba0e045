"""``nn.GELU`` (exact and tanh), ``nn.LeakyReLU``, ``nn.ELU`` and their functional forms against float64
references, including torch's derivative at 0."""

from __future__ import annotations

import math

import numpy as np
import pytest

import polyhead as ph
import polyhead.nn.functional as F
from polyhead import nn

_erf = np.vectorize(math.erf)


def gelu_exact(x):
    return 0.5 * x * (1 + _erf(x / math.sqrt(2)))


def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def _away_from_zero(shape, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.uniform(0.05, 3, shape) * rng.choice([-1, 1], shape)).astype(np.float32)


@pytest.mark.parametrize("op,reference,inputs", [
    (F.gelu, gelu_exact, None),
    (lambda x: F.gelu(x, approximate="tanh"), gelu_tanh, None),
    (lambda x: F.leaky_relu(x, 0.2), lambda x: np.where(x > 0, x, 0.2 * x), _away_from_zero((3, 5))),
    (F.leaky_relu, lambda x: np.where(x > 0, x, 0.01 * x), _away_from_zero((3, 5))),
    (lambda x: F.elu(x, alpha=1.5), lambda x: np.where(x > 0, x, 1.5 * np.expm1(x)), _away_from_zero((3, 5))),
])
def test_forward_and_gradient(check_op, op, reference, inputs):
    check_op([(3, 5)], reference, op, low=-4, high=4, inputs=None if inputs is None else [inputs])


def test_modules_and_reprs():
    x = ph.tensor([-2.0, -0.5, 0.0, 1.0])
    for module, function in [(nn.GELU(), F.gelu), (nn.LeakyReLU(0.3), lambda t: F.leaky_relu(t, 0.3)),
                             (nn.ELU(0.5), lambda t: F.elu(t, 0.5))]:
        np.testing.assert_array_equal(module(x).numpy(), function(x).numpy())
        assert list(module.parameters()) == []
    assert repr(nn.GELU()) == "GELU(approximate='none')"
    assert repr(nn.LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(nn.ELU(alpha=2.0)) == "ELU(alpha=2.0)"


def test_derivatives_at_zero_are_torchs():
    x = ph.zeros(1, requires_grad=True)
    F.leaky_relu(x, 0.25).sum().backward()
    assert x.grad.item() == pytest.approx(0.25)
    y = ph.zeros(1, requires_grad=True)
    F.elu(y, 2.0).sum().backward()
    assert y.grad.item() == pytest.approx(2.0)
    z = ph.zeros(1, requires_grad=True)
    F.gelu(z).sum().backward()
    assert z.grad.item() == pytest.approx(0.5)


def test_errors():
    with pytest.raises(ValueError, match="approximate"):
        nn.GELU("fast")
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(ph.ones(1), approximate="erf")
    with pytest.raises(ValueError, match=r"\[elu\]"):
        F.elu(ph.ones(1), alpha=float("inf"))
    with pytest.raises(TypeError, match="leaky_relu"):
        F.leaky_relu([1.0])
