"""UPGrad through the Python API against a numpy float64 reference: each (1/T-scaled) task gradient projected
onto the dual cone by brute force over the active sets of its quadratic program."""

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


def prepared_gram(jacobian, norm_eps=1e-4, reg_eps=1e-4):
    """torchjd's regularize(normalize(J Jᵀ))."""
    gram = jacobian @ jacobian.T
    trace = np.trace(gram)
    gram = np.zeros_like(gram) if trace < norm_eps else gram / trace
    return gram + reg_eps * np.eye(len(gram))


def upgrad_weights(jacobian, pref=None, **eps):
    t = len(jacobian)
    pref = np.full(t, 1 / t) if pref is None else np.asarray(pref, dtype=np.float64)
    gram = prepared_gram(jacobian, **eps)
    return sum(dual_cone_weights(pref[i] * np.eye(t)[i], gram) for i in range(t))


@pytest.mark.parametrize("num_tasks", [2, 3])
def test_parameter_mode_matches_the_projection_reference(problem, check_heads, num_tasks):
    p = problem(num_tasks, seed=num_tasks)
    method = mtl.UPGrad()
    for step in range(2):
        ref = p.reference(step)
        result = p.run(method, step)
        weights = upgrad_weights(ref["jacobian"])
        np.testing.assert_allclose(result["weights"], weights, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(result["trunk"], weights @ ref["jacobian"], rtol=1e-4, atol=1e-6)
        check_heads(p, result, ref)
        # The update conflicts with no task.
        assert np.all(ref["jacobian"] @ result["trunk"] >= -1e-6)


def test_representation_mode_and_preferences(problem):
    p = problem(3, seed=7)
    method = mtl.UPGrad(pref_vector=[0.5, 0.2, 0.3], reg_eps=1e-3, rep_grad=True)
    assert method.num_tasks == 3
    ref = p.reference(0)
    result = p.run(method, 0)
    weights = upgrad_weights(ref["representation"], pref=[0.5, 0.2, 0.3], reg_eps=1e-3)
    np.testing.assert_allclose(result["weights"], weights, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(result["trunk"], p.representation_backprop(0, weights @ ref["representation"]),
                               rtol=1e-4, atol=1e-6)


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="pref_vector has 2 values but there are 3 tasks"):
        mtl.UPGrad(3, pref_vector=[1, 2])
    with pytest.raises(ValueError, match="reg_eps"):
        mtl.UPGrad(2, reg_eps=-1)
    with pytest.raises(TypeError, match="pref_vector"):
        mtl.UPGrad(pref_vector=3)
    assert repr(mtl.UPGrad(norm_eps=0.01)) == "UPGrad(rep_grad=False, norm_eps=0.01)"
