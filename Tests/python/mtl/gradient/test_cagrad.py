"""CAGrad through the Python API against numpy float64 references: the dual weights recovered from the reported
ones are in the simplex, minimise the dual objective (vs a dense grid over the simplex), and give the update
d = (g₀ + √φ/‖g_w‖ g_w)/r; parameter and representation mode."""

from __future__ import annotations

import numpy as np
import pytest

from polyhead import mtl


def simplex_grid(t, steps):
    """Points of the simplex in Rᵗ (t = 2 or 3) on a grid of step 1/steps, as rows."""
    if t == 2:
        a = np.linspace(0, 1, steps + 1)
        return np.stack([a, 1 - a], axis=1)
    i, j = np.meshgrid(np.arange(steps + 1), np.arange(steps + 1), indexing="ij")
    keep = i + j <= steps
    i, j = i[keep] / steps, j[keep] / steps
    return np.stack([i, j, 1 - i - j], axis=1)


def dual_objective(gram, c, w):
    """F(w) = g_wᵀ g₀ + c‖g₀‖ ‖g_w‖ for rows w (from the Gram matrix)."""
    t = len(gram)
    g0_norm = np.sqrt(gram.sum() / t ** 2)
    quad = np.einsum("ni,ij,nj->n", w, gram, w)
    return w @ gram.sum(1) / t + c * g0_norm * np.sqrt(np.maximum(quad, 0))


def check_cagrad(jacobian, weights, c, rescale):
    """Recovers w* from the reported weights (1/T + λ w*)/r and checks it against the references; returns the
    expected update."""
    t = len(jacobian)
    gram = jacobian @ jacobian.T
    divisor = [1.0, 1 + c * c, 1 + c][rescale]
    lw = weights * divisor - 1 / t                      # λ w*
    lam = lw.sum()
    w = lw / lam
    assert np.all(w >= -1e-5) and abs(w.sum() - 1) < 1e-9
    g0 = jacobian.mean(0)
    gw = jacobian.T @ w
    np.testing.assert_allclose(lam, c * np.linalg.norm(g0) / np.linalg.norm(gw), rtol=1e-5)
    grid = dual_objective(gram, c, simplex_grid(t, 2000 if t == 2 else 300)).min()
    assert dual_objective(gram, c, w[None])[0] <= grid + 1e-7 * np.abs(gram).max()
    return (g0 + c * np.linalg.norm(g0) / np.linalg.norm(gw) * gw) / divisor


@pytest.mark.parametrize("num_tasks,c,rescale", [(2, 0.5, 1), (3, 0.5, 1), (3, 0.2, 0), (3, 0.8, 2)])
def test_parameter_mode_matches_the_dual_reference(problem, check_heads, num_tasks, c, rescale):
    p = problem(num_tasks, seed=50 + num_tasks)
    method = mtl.CAGrad(c=c, rescale=rescale)
    for step in range(2):
        ref = p.reference(step)
        result = p.run(method, step)
        expected = check_cagrad(ref["jacobian"], result["weights"], c, rescale)
        np.testing.assert_allclose(result["trunk"], expected, rtol=1e-4, atol=1e-6)
        check_heads(p, result, ref)


def test_representation_mode(problem, check_heads):
    p = problem(3, seed=60)
    ref = p.reference(0)
    result = p.run(mtl.CAGrad(rep_grad=True), 0)
    expected = check_cagrad(ref["representation"], result["weights"], 0.5, 1)
    np.testing.assert_allclose(result["trunk"], p.representation_backprop(0, expected), rtol=1e-4, atol=1e-6)
    check_heads(p, result, ref)


def test_c_zero_is_the_mean_gradient(problem):
    p = problem(2, seed=61)
    ref = p.reference(0)
    result = p.run(mtl.CAGrad(c=0), 0)
    np.testing.assert_allclose(result["weights"], [0.5, 0.5])
    np.testing.assert_allclose(result["trunk"], ref["jacobian"].mean(0), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("kwargs,error,match", [({"c": -0.1}, ValueError, "c="), ({"rescale": 3}, ValueError, "rescale"),
                                                ({"rescale": 1.0}, TypeError, "rescale"), ({"c": "big"}, TypeError, "c")])
def test_bad_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        mtl.CAGrad(2, **kwargs)
