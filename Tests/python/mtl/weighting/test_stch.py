"""STCH (Lin et al. 2024, LibMTL's form): warm-up on Σ log L, nadir from epoch W, then the smooth maximum
T μ log Σ exp(log(Lᵢ/nᵢ)/μ); values and gradients against numpy."""

from __future__ import annotations

import numpy as np
import pytest

from polyhead import mtl


def smooth_max_gradient(values, nadir, mu):
    """∂/∂Lᵢ of T μ log Σ (Lⱼ/nⱼ)^(1/μ)."""
    powers = (values / nadir) ** (1 / mu)
    return len(values) * powers / powers.sum() / values


@pytest.mark.parametrize("mu", [1.0, 0.5, 0.1])
def test_without_warm_up(leaves, mu):
    values = leaves.f32([0.5, 2.0, 1.5])
    weights, grads = leaves.step(mtl.STCH(mu=mu, warmup_epochs=None), values)
    expected = smooth_max_gradient(values, np.ones(3), mu)
    np.testing.assert_allclose(weights, expected, rtol=1e-6)
    np.testing.assert_allclose(grads, expected, rtol=1e-4)


def test_warm_up_then_nadir(leaves):
    method = mtl.STCH(2, warmup_epochs=1)
    weights, grads = leaves.step(method, [0.5, 4.0])
    np.testing.assert_allclose(weights, [2.0, 0.25], rtol=1e-6)
    np.testing.assert_allclose(grads, [2.0, 0.25], rtol=1e-5)
    method.end_epoch()
    leaves.step(method, [1.0, 4.0])
    leaves.step(method, [3.0, 2.0])
    method.end_epoch()                                  # nadir (2, 3)
    weights, grads = leaves.step(method, [1.0, 6.0])
    expected = smooth_max_gradient(np.array([1.0, 6.0]), np.array([2.0, 3.0]), 1.0)
    np.testing.assert_allclose(weights, expected, rtol=1e-6)
    np.testing.assert_allclose(grads, expected, rtol=1e-4)


def test_arguments_and_zero_losses(leaves):
    with pytest.raises(ValueError, match="warmup_epochs"):
        mtl.STCH(warmup_epochs=-1)
    with pytest.raises(TypeError, match="warmup_epochs"):
        mtl.STCH(warmup_epochs=1.5)
    with pytest.raises(ValueError, match="mu=0"):
        mtl.STCH(2, mu=0.0)
    weights, grads = leaves.step(mtl.STCH(mu=1e-3, warmup_epochs=None), [0.0, 5.0])
    assert np.all(np.isfinite(weights)) and np.all(np.isfinite(grads))
    assert repr(mtl.STCH(warmup_epochs=None)) == "STCH(rep_grad=False, warmup_epochs=None)"
