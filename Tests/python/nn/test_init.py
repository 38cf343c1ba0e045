"""``nn.init``: fills in place with torch's bounds and standard deviations (checked on large tensors),
gains and fans as torch computes them, clear errors otherwise."""

from __future__ import annotations

import math

import numpy as np
import pytest

import polyhead as ph
from polyhead import nn
from polyhead.nn import init


def test_calculate_gain_matches_torch_values():
    assert init.calculate_gain("linear") == 1.0 and init.calculate_gain("sigmoid") == 1.0
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    with pytest.raises(ValueError, match="Unsupported nonlinearity softplus"):
        init.calculate_gain("softplus")


@pytest.mark.parametrize("fill,bound", [
    (lambda w: init.xavier_uniform_(w), math.sqrt(6 / (60 + 40))),
    (lambda w: init.xavier_uniform_(w, gain=2.0), 2 * math.sqrt(6 / (60 + 40))),
    (lambda w: init.kaiming_uniform_(w, nonlinearity="relu"), math.sqrt(3) * math.sqrt(2) / math.sqrt(60)),
    (lambda w: init.kaiming_uniform_(w, a=math.sqrt(5)), math.sqrt(3) * math.sqrt(2 / 6) / math.sqrt(60)),
    (lambda w: init.uniform_(w, -0.3, 0.3), 0.3),
])
def test_uniform_fills_have_torch_bounds(fill, bound):
    w = nn.Parameter(ph.zeros(40, 60))
    assert fill(w) is w and w.requires_grad
    values = w.detach().numpy()
    assert values.max() <= bound and values.min() >= -bound
    assert values.max() > 0.95 * bound and values.min() < -0.95 * bound  # fills the range
    assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.05)


@pytest.mark.parametrize("fill,std", [
    (lambda w: init.xavier_normal_(w), math.sqrt(2 / (20 * 9 + 10 * 9))),
    (lambda w: init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu"), math.sqrt(2) / math.sqrt(10 * 9)),
    (lambda w: init.normal_(w, mean=1.0, std=0.02), 0.02),
])
def test_normal_fills_have_torch_std_with_conv_fans(fill, std):
    w = nn.Parameter(ph.zeros(10, 20, 3, 3))  # conv weight: fan_in 20·9, fan_out 10·9
    fill(w)
    values = w.detach().numpy()
    assert values.std() == pytest.approx(std, rel=0.06)


def test_constants_and_eye():
    w = ph.ones(2, 3)
    assert init.zeros_(w).sum().item() == 0
    assert init.ones_(w).sum().item() == 6
    assert init.constant_(w, 0.5).tolist() == [[0.5] * 3] * 2
    assert init.eye_(w).tolist() == [[1, 0, 0], [0, 1, 0]]


def test_seeded_init_repeats():
    a, b = ph.zeros(5, 4), ph.zeros(5, 4)
    ph.manual_seed(3)
    init.xavier_uniform_(a)
    ph.manual_seed(3)
    init.xavier_uniform_(b)
    assert np.array_equal(a.numpy(), b.numpy())


def test_module_apply_with_init_functions():
    def init_weights(m):
        if isinstance(m, nn.Linear):
            init.zeros_(m.bias)
            init.constant_(m.weight, 0.25)

    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)).apply(init_weights)
    assert net(ph.ones(2, 3)).tolist() == [[0.75], [0.75]]


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(ph.zeros(5))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_normal_(ph.zeros(2, 2), mode="fan_avg")
    with pytest.raises(TypeError, match="polyhead Tensor"):
        init.zeros_(np.zeros(3))
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        init.eye_(ph.zeros(2, 2, 2))
    with pytest.raises(AttributeError, match="orthogonal_ is not implemented"):
        init.orthogonal_
