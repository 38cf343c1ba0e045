"""DualProj through the Python API against a numpy float64 reference: the mean gradient projected onto the
dual cone by brute force over the active sets of its quadratic program."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from polyhead import mtl


def dual_cone_weights(u, gram):
    """argmin vᵀ G v subject to v ≥ u, by enumerating the active constraints."""
    n = len(u)
    best, best_value = None, np.inf
    for mask in itertools.product([False, True], repeat=n):
        fixed = np.array(mask)
        v = np.array(u, dtype=np.float64)
        free = ~fixed
        if free.any():
            v[free] = np.linalg.solve(gram[np.ix_(free, free)], -gram[np.ix_(free, fixed)] @ v[fixed])
        if np.all(v >= u - 1e-12) and v @ gram @ v < best_value - 1e-15:
            best, best_value = v, v @ gram @ v
    return best


def dualproj_weights(jacobian, pref, reg_eps=1e-4):
    gram = jacobian @ jacobian.T
    gram = gram / np.trace(gram) + reg_eps * np.eye(len(gram))
    return dual_cone_weights(np.asarray(pref, dtype=np.float64), gram)


@pytest.mark.parametrize("num_tasks", [2, 3])
def test_parameter_mode_matches_the_projection_reference(problem, check_heads, num_tasks):
    p = problem(num_tasks, seed=10 + num_tasks)
    method = mtl.DualProj()
    for step in range(2):
        ref = p.reference(step)
        result = p.run(method, step)
        weights = dualproj_weights(ref["jacobian"], np.full(num_tasks, 1 / num_tasks))
        np.testing.assert_allclose(result["weights"], weights, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(result["trunk"], weights @ ref["jacobian"], rtol=1e-4, atol=1e-6)
        check_heads(p, result, ref)


def test_a_conflicting_pair_is_projected(problem):
    # A preference leaning on task 0 whose weighted sum conflicts with task 1: the projection is active and
    # (with a negligible reg_eps) the update no longer conflicts with either task.
    p = problem(2, seed=1)
    method = mtl.DualProj(pref_vector=np.array([0.9, 0.1]), reg_eps=1e-10)
    ref = p.reference(0)
    assert np.any(ref["jacobian"] @ (np.array([0.9, 0.1]) @ ref["jacobian"]) < 0)
    weights = dualproj_weights(ref["jacobian"], [0.9, 0.1], reg_eps=1e-10)
    assert not np.allclose(weights, [0.9, 0.1])
    result = p.run(method, 0)
    np.testing.assert_allclose(result["weights"], weights, rtol=1e-4, atol=1e-6)
    assert np.all(ref["jacobian"] @ result["trunk"] >= -1e-6)


def test_representation_mode(problem):
    p = problem(2, seed=4)
    method = mtl.DualProj(rep_grad=True)
    ref = p.reference(1)
    result = p.run(method, 1)
    weights = dualproj_weights(ref["representation"], [0.5, 0.5])
    np.testing.assert_allclose(result["trunk"], p.representation_backprop(1, weights @ ref["representation"]),
                               rtol=1e-4, atol=1e-6)
