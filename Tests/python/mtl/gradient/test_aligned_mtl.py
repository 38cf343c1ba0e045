"""Aligned-MTL through the Python API against a numpy float64 reference (numpy.linalg.eigh): B = √σ V Λ^{−1/2} Vᵀ
on the kept eigenpairs, α = B·1; the aligned gradients B G have condition number 1; every scale mode, parameter
and representation mode."""

from __future__ import annotations

import numpy as np
import pytest

from polyhead import mtl


def balance(jacobian, scale_mode="min"):
    gram = jacobian @ jacobian.T
    values, vectors = np.linalg.eigh(gram)
    keep = values > values.max() * len(gram) * np.finfo(np.float32).eps
    values, vectors = values[keep], vectors[:, keep]
    ordered = np.sort(values)
    sigma = {"min": ordered[0], "median": ordered[(len(ordered) - 1) // 2], "rmse": ordered.mean()}[scale_mode]
    return np.sqrt(sigma) * vectors @ np.diag(values ** -0.5) @ vectors.T, sigma


@pytest.mark.parametrize("num_tasks,scale_mode", [(2, "min"), (3, "min"), (4, "median"), (3, "rmse")])
def test_parameter_mode_matches_the_eigh_reference(problem, check_heads, num_tasks, scale_mode):
    p = problem(num_tasks, seed=90 + num_tasks)
    method = mtl.AlignedMTL(scale_mode=scale_mode)
    for step in range(2):
        ref = p.reference(step)
        result = p.run(method, step)
        b, sigma = balance(ref["jacobian"], scale_mode)
        aligned = b @ ref["jacobian"]
        np.testing.assert_allclose(aligned @ aligned.T, sigma * np.eye(num_tasks), atol=1e-9 * sigma)
        weights = b.sum(1)
        np.testing.assert_allclose(result["weights"], weights, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(result["trunk"], ref["jacobian"].T @ weights, rtol=1e-4, atol=1e-6)
        check_heads(p, result, ref)


def test_representation_mode(problem, check_heads):
    p = problem(3, seed=99)
    ref = p.reference(0)
    result = p.run(mtl.AlignedMTL(rep_grad=True), 0)
    weights = balance(ref["representation"])[0].sum(1)
    np.testing.assert_allclose(result["weights"], weights, rtol=1e-4, atol=1e-6)
    expected = p.representation_backprop(0, ref["representation"].T @ weights)
    np.testing.assert_allclose(result["trunk"], expected, rtol=1e-4, atol=1e-6)
    check_heads(p, result, ref)


@pytest.mark.parametrize("value,error", [("mean", ValueError), (0, TypeError)])
def test_bad_scale_mode(value, error):
    with pytest.raises(error, match="scale_mode"):
        mtl.AlignedMTL(scale_mode=value)
