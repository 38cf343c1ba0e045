"""MGDA through the Python API against a numpy float64 reference: the exact min-norm point of the convex hull,
found by enumerating the faces of the simplex (no Frank-Wolfe), in parameter and representation (MGDA-UB) mode."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from polyhead import mtl


def min_norm_weights(gram):
    """argmin_{α ∈ Δ} αᵀ M α: the best feasible KKT point over every support (faces of the simplex)."""
    t = len(gram)
    best, best_value = None, np.inf
    for size in range(1, t + 1):
        for support in itertools.combinations(range(t), size):
            s = list(support)
            kkt = np.block([[gram[np.ix_(s, s)], np.ones((size, 1))], [np.ones((1, size)), np.zeros((1, 1))]])
            try:
                solution = np.linalg.solve(kkt, np.r_[np.zeros(size), 1.0])
            except np.linalg.LinAlgError:
                continue
            alpha = np.zeros(t)
            alpha[s] = solution[:size]
            if alpha.min() >= -1e-12 and alpha @ gram @ alpha < best_value - 1e-15:
                best, best_value = alpha, alpha @ gram @ alpha
    return best


def mgda_weights(jacobian, losses, normalization="none"):
    norms = np.linalg.norm(jacobian, axis=1)
    scale = {"none": np.ones(len(jacobian)), "l2": norms, "loss": losses, "loss+": losses * norms}[normalization]
    scaled = jacobian / scale[:, None]
    return min_norm_weights(scaled @ scaled.T) / scale


@pytest.mark.parametrize("num_tasks", [2, 3, 4])
def test_parameter_mode_matches_the_min_norm_reference(problem, check_heads, num_tasks):
    p = problem(num_tasks, seed=10 + num_tasks)
    method = mtl.MGDA()
    for step in range(2):
        ref = p.reference(step)
        result = p.run(method, step)
        weights = mgda_weights(ref["jacobian"], ref["losses"])
        np.testing.assert_allclose(result["weights"], weights, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(result["trunk"], ref["jacobian"].T @ weights, rtol=1e-4, atol=1e-6)
        check_heads(p, result, ref)


@pytest.mark.parametrize("normalization", ["l2", "loss", "loss+"])
def test_normalizations_match_the_reference(problem, check_heads, normalization):
    p = problem(3, seed=20)
    ref = p.reference(0)
    result = p.run(mtl.MGDA(normalization=normalization), 0)
    weights = mgda_weights(ref["jacobian"], ref["losses"], normalization)
    np.testing.assert_allclose(result["weights"], weights, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(result["trunk"], ref["jacobian"].T @ weights, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("num_tasks", [2, 3])
def test_representation_mode_is_mgda_ub(problem, check_heads, num_tasks):
    p = problem(num_tasks, seed=30 + num_tasks)
    method = mtl.MGDA(rep_grad=True)
    ref = p.reference(0)
    result = p.run(method, 0)
    weights = mgda_weights(ref["representation"], ref["losses"])
    np.testing.assert_allclose(result["weights"], weights, rtol=1e-4, atol=1e-6)
    expected = p.representation_backprop(0, ref["representation"].T @ weights)
    np.testing.assert_allclose(result["trunk"], expected, rtol=1e-4, atol=1e-6)
    check_heads(p, result, ref)


def test_the_common_direction_does_not_increase_any_task(problem):
    p = problem(3, seed=40)
    ref = p.reference(0)
    result = p.run(mtl.MGDA(), 0)
    d = result["trunk"]
    assert np.all(ref["jacobian"] @ d >= (d @ d) * (1 - 1e-4))   # gₜ·d ≥ ‖d‖² at the min-norm point


@pytest.mark.parametrize("value,error", [("L2", ValueError), ("max", ValueError), (1, TypeError), (None, TypeError)])
def test_bad_normalization(value, error):
    with pytest.raises(error, match="normalization"):
        mtl.MGDA(normalization=value)


def test_repr_shows_non_default_options():
    assert repr(mtl.MGDA(2, normalization="loss+")) == "MGDA(num_tasks=2, rep_grad=False, normalization='loss+')"
    assert repr(mtl.MGDA()) == "MGDA(rep_grad=False)"
