"""PCGrad through the Python API against a numpy float64 reference of the projection (two tasks, where the
random order cannot matter); the reported weights are the exact coefficients of the update."""

from __future__ import annotations

import numpy as np
import pytest

from polyhead import mtl


def pcgrad_two(jacobian):
    """Weights w with Jᵀw = g₁ᴾᶜ + g₂ᴾᶜ: g₁ᴾᶜ = g₁ − (g₁·g₂/‖g₂‖²) g₂ and g₂ᴾᶜ = g₂ − (g₁·g₂/‖g₁‖²) g₁ when
    g₁·g₂ < 0."""
    m = jacobian @ jacobian.T
    w = np.ones(2)
    if m[0, 1] < 0:
        w += [-m[0, 1] / m[0, 0], -m[0, 1] / m[1, 1]]
    return w


@pytest.mark.parametrize("rep_grad", [False, True])
def test_two_tasks_match_the_projection(problem, check_heads, rep_grad):
    key = "representation" if rep_grad else "jacobian"
    for seed in range(130, 136):
        p = problem(2, seed=seed)
        ref = p.reference(0)
        result = p.run(mtl.PCGrad(rep_grad=rep_grad), 0)
        weights = pcgrad_two(ref[key])
        np.testing.assert_allclose(result["weights"], weights, rtol=1e-4)
        direction = ref[key].T @ weights
        expected = p.representation_backprop(0, direction) if rep_grad else direction
        np.testing.assert_allclose(result["trunk"], expected, rtol=1e-4, atol=1e-6)
        check_heads(p, result, ref)


def test_weights_are_the_coefficients_of_the_update_for_more_tasks(problem):
    p = problem(4, seed=140)
    ref = p.reference(0)
    result = p.run(mtl.PCGrad(), 0)
    np.testing.assert_allclose(result["trunk"], ref["jacobian"].T @ result["weights"], rtol=1e-4, atol=1e-6)
