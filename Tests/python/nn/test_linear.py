"""``nn.Linear`` (and ``nn.Identity``): shapes, torch's init distribution, forward against numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest

import polyhead as ph
from polyhead import nn


def test_parameters_shapes_and_flags():
    layer = nn.Linear(5, 3)
    assert isinstance(layer.weight, nn.Parameter) and isinstance(layer.bias, nn.Parameter)
    assert layer.weight.shape == (3, 5) and layer.bias.shape == (3,)
    assert layer.weight.requires_grad and layer.weight.is_leaf and layer.bias.requires_grad
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    assert (layer.in_features, layer.out_features) == (5, 3)


def test_no_bias():
    layer = nn.Linear(4, 2, bias=False)
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(layer(ph.tensor(x)).detach().numpy(), x @ layer.weight.detach().numpy().T, rtol=1e-5, atol=1e-6)
    assert repr(layer) == "Linear(in_features=4, out_features=2, bias=False)"


def test_init_follows_torch_kaiming_uniform_bounds():
    ph.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)  # kaiming_uniform(a=sqrt(5)) gives gain*sqrt(3/fan_in) = 1/sqrt(fan_in)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound  # uniform(-B, B) has std B/sqrt(3)
    assert np.abs(b).max() <= bound and abs(w.mean()) < 0.01 * bound


def test_same_seed_same_layer():
    ph.manual_seed(5)
    a = nn.Linear(3, 2)
    ph.manual_seed(5)
    b = nn.Linear(3, 2)
    np.testing.assert_array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())
    np.testing.assert_array_equal(a.bias.detach().numpy(), b.bias.detach().numpy())


@pytest.mark.parametrize("shape", [(7, 4), (4,), (2, 3, 4)])
def test_forward_against_numpy_for_any_leading_dims(shape):
    layer = nn.Linear(4, 3)
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    out = layer(ph.tensor(x))
    assert out.shape == shape[:-1] + (3,)
    np.testing.assert_allclose(out.detach().numpy(), x @ w.T + b, rtol=1e-5, atol=1e-5)


def test_forward_accepts_numpy_input():
    layer = nn.Linear(2, 1)
    x = np.ones((3, 2))
    assert layer(x).shape == (3, 1)


def test_gradients_reach_weight_and_bias():
    layer = nn.Linear(3, 2)
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    layer(ph.tensor(x)).sum().backward()
    np.testing.assert_allclose(layer.weight.grad.numpy(), np.tile(x.sum(0), (2, 1)), rtol=1e-6)
    np.testing.assert_allclose(layer.bias.grad.numpy(), [4.0, 4.0])


def test_reset_parameters_draws_new_values_in_place():
    layer = nn.Linear(6, 4)
    weight = layer.weight
    before = weight.detach().numpy().copy()
    layer.reset_parameters()
    assert layer.weight is weight
    assert not np.array_equal(before, weight.detach().numpy())


def test_repr_and_identity():
    assert repr(nn.Linear(20, 30)) == "Linear(in_features=20, out_features=30, bias=True)"
    x = ph.ones(2)
    assert nn.Identity(54, unused="x")(x) is x


def test_bad_sizes():
    with pytest.raises(ValueError):
        nn.Linear(0, 3)
    with pytest.raises(TypeError, match="in_features"):
        nn.Linear(2.5, 3)
    with pytest.raises(ValueError, match=r"\(2, 3\)|\(4, 3\)"):
        nn.Linear(3, 4)(ph.zeros(2, 3).T)
