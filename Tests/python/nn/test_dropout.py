"""``nn.Dropout``/``F.dropout``: inverted scaling, train/eval, masks from the global seeded generator."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
import polyhead.nn.functional as F
from polyhead import nn


def test_training_zeroes_and_scales_and_the_gradient_uses_the_mask():
    ph.manual_seed(0)
    x = ph.full((20000,), 3.0, requires_grad=True)
    y = F.dropout(x, p=0.2)
    values = y.detach().numpy()
    kept = values != 0
    np.testing.assert_allclose(values[kept], 3.0 / 0.8, rtol=1e-6)
    assert abs(kept.mean() - 0.8) < 0.01
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), kept / 0.8, rtol=1e-6)


def test_mask_is_the_global_generators_uniform_draws():
    ph.manual_seed(42)
    y = F.dropout(ph.ones(100), 0.3).numpy()
    ph.manual_seed(42)
    draws = ph.rand(100).numpy()
    np.testing.assert_allclose(y, np.where(draws >= 0.3, 1 / 0.7, 0.0), rtol=1e-6)


def test_same_seed_same_mask_and_different_calls_differ():
    ph.manual_seed(5)
    a, b = F.dropout(ph.ones(64)).numpy(), F.dropout(ph.ones(64)).numpy()
    ph.manual_seed(5)
    np.testing.assert_array_equal(F.dropout(ph.ones(64)).numpy(), a)
    assert not np.array_equal(a, b)


def test_module_train_and_eval():
    m = nn.Dropout(0.5)
    x = ph.ones(4, 4)
    assert m.training and not np.array_equal(m(ph.ones(1000)).numpy(), np.ones(1000))
    m.eval()
    assert m(x) is x
    assert F.dropout(x, 0.5, training=False) is x
    net = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.9)).eval()
    np.testing.assert_array_equal(net(x).detach().numpy(), net[0](x).detach().numpy())
    assert repr(nn.Dropout()) == "Dropout(p=0.5, inplace=False)"


def test_extreme_probabilities():
    x = ph.randn(3, 4)
    np.testing.assert_array_equal(F.dropout(x, 0.0).numpy(), x.numpy())
    np.testing.assert_array_equal(F.dropout(x, 1.0).numpy(), np.zeros((3, 4)))


@pytest.mark.parametrize("p", [-0.1, 1.1, float("nan"), "0.5"])
def test_invalid_probability(p):
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        F.dropout(ph.ones(2), p)
