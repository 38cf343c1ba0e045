"""GeometricLossStrategy (Chennupati et al. 2019): (Π Lᵢ)^(1/T) and its derivatives against numpy."""

from __future__ import annotations

import numpy as np
import pytest

from polyhead import mtl


@pytest.mark.parametrize("values", [[0.5, 2.0, 8.0], [3.0], [0.1, 0.2, 0.3, 40.0]])
def test_effective_weights_are_the_derivatives_of_the_geometric_mean(leaves, values):
    values = leaves.f32(values)
    t = len(values)
    geometric_mean = np.prod(values) ** (1 / t)
    expected = geometric_mean / (t * values)            # ∂/∂Lᵢ (Π L)^(1/T)
    weights, grads = leaves.step(mtl.GeometricLossStrategy(), values)
    np.testing.assert_allclose(weights, expected, rtol=1e-6)
    np.testing.assert_allclose(grads, expected, rtol=1e-5)


def test_zero_loss_is_finite(leaves):
    weights, grads = leaves.step(mtl.GeometricLossStrategy(), [0.0, 4.0])
    assert np.all(np.isfinite(weights)) and np.all(np.isfinite(grads))
    with pytest.raises(ValueError, match="loss 0 is -1.0"):
        leaves.step(mtl.GeometricLossStrategy(), [-1.0, 4.0])
