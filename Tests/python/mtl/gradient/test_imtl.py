"""IMTL-G through the Python API against numpy float64 references: the paper's closed form
α₂:T = g₁Uᵀ(DUᵀ)⁻¹, α₁ = 1 − Σα₂:T, and its defining property (equal projections of the update onto every
unit task gradient); parameter and representation mode."""

from __future__ import annotations

import numpy as np
import pytest

from polyhead import mtl


def imtl_weights(jacobian):
    units = jacobian / np.linalg.norm(jacobian, axis=1, keepdims=True)
    d = jacobian[0] - jacobian[1:]
    u = units[0] - units[1:]
    tail = np.linalg.solve((d @ u.T).T, u @ jacobian[0])   # α (D Uᵀ) = g₁ Uᵀ
    return np.r_[1 - tail.sum(), tail]


def assert_impartial(jacobian, direction):
    projections = jacobian @ direction / np.linalg.norm(jacobian, axis=1)
    np.testing.assert_allclose(projections, projections[0], rtol=1e-4)


@pytest.mark.parametrize("num_tasks", [2, 3, 4])
def test_parameter_mode_matches_the_closed_form(problem, check_heads, num_tasks):
    p = problem(num_tasks, seed=70 + num_tasks)
    method = mtl.IMTL()
    for step in range(2):
        ref = p.reference(step)
        result = p.run(method, step)
        weights = imtl_weights(ref["jacobian"])
        np.testing.assert_allclose(result["weights"], weights, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(result["trunk"], ref["jacobian"].T @ weights, rtol=1e-4, atol=1e-6)
        assert_impartial(ref["jacobian"], result["trunk"])
        check_heads(p, result, ref)


@pytest.mark.parametrize("num_tasks", [2, 3])
def test_representation_mode(problem, check_heads, num_tasks):
    p = problem(num_tasks, seed=80 + num_tasks)
    ref = p.reference(0)
    result = p.run(mtl.IMTL(rep_grad=True), 0)
    weights = imtl_weights(ref["representation"])
    np.testing.assert_allclose(result["weights"], weights, rtol=1e-4, atol=1e-6)
    direction = ref["representation"].T @ weights
    assert_impartial(ref["representation"], direction)
    np.testing.assert_allclose(result["trunk"], p.representation_backprop(0, direction), rtol=1e-4, atol=1e-6)
    check_heads(p, result, ref)


def test_imtl_takes_no_options():
    with pytest.raises(TypeError):
        mtl.IMTL(alpha=1.0)
