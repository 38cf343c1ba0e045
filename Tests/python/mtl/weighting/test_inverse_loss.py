"""InverseLossWeighting: wᵢ = 1/Lᵢ (detached), optionally normalised to sum to T."""

from __future__ import annotations

import numpy as np
import pytest

from polyhead import mtl


def test_weights_and_gradients_are_the_inverse_losses(leaves):
    values = leaves.f32([0.5, 4.0, 0.02])
    weights, grads = leaves.step(mtl.InverseLossWeighting(), values)
    np.testing.assert_allclose(weights, 1 / values, rtol=1e-12)
    np.testing.assert_allclose(grads, 1 / values, rtol=1e-6)


def test_normalised_weights_sum_to_t(leaves):
    values = leaves.f32([0.5, 4.0, 0.02, 1.0])
    weights, grads = leaves.step(mtl.InverseLossWeighting(normalize=True), values)
    expected = 4 * (1 / values) / np.sum(1 / values)
    np.testing.assert_allclose(weights, expected, rtol=1e-12)
    np.testing.assert_allclose(grads, expected, rtol=1e-6)


def test_tiny_loss_is_finite_and_negative_loss_raises(leaves):
    weights, grads = leaves.step(mtl.InverseLossWeighting(), [1e-30, 2.0])
    np.testing.assert_allclose(weights, [1e8, 0.5])
    assert np.all(np.isfinite(grads))
    with pytest.raises(ValueError, match="loss 1 is -1.0"):
        leaves.step(mtl.InverseLossWeighting(), [1.0, -1.0])
