"""LinearWeighting: fixed weights Σ wᵢ Lᵢ (equal by default)."""

from __future__ import annotations

import numpy as np
import pytest

from polyhead import mtl


def test_default_is_equal_weighting(leaves):
    weights, grads = leaves.step(mtl.LinearWeighting(), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(weights, [1, 1, 1])
    np.testing.assert_allclose(grads, [1, 1, 1])


def test_given_weights_are_applied_and_set_the_task_count(leaves):
    method = mtl.LinearWeighting(weights=np.array([0.5, 2.0]))
    assert method.num_tasks == 2 and method.weights == (0.5, 2.0)
    weights, grads = leaves.step(method, [1.0, 2.0])
    np.testing.assert_array_equal(weights, [0.5, 2.0])
    np.testing.assert_allclose(grads, [0.5, 2.0])
    assert repr(method) == "LinearWeighting(num_tasks=2, rep_grad=False, weights=(0.5, 2.0))"


def test_weights_are_checked():
    with pytest.raises(ValueError, match="3 values but there are 2 tasks"):
        mtl.LinearWeighting(2, weights=[1, 1, 1])
    with pytest.raises(ValueError, match="weight1=-1"):
        mtl.LinearWeighting(weights=[1, -1])
    with pytest.raises(TypeError, match="one value per task"):
        mtl.LinearWeighting(weights=1.0)
