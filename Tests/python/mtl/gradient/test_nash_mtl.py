"""Nash-MTL through the Python API against a numpy float64 reference: α > 0 solving G Gᵀ α = 1/α (plain Newton
on that system, independent of the core's solver), the update clipped to max_norm, per-task scale invariance,
weight reuse; parameter and representation mode."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
import polyhead.nn.functional as F
from polyhead import mtl


def bargaining_weights(jacobian):
    """Newton's method on F(α) = Mα − 1/α, halving steps to stay positive and decrease ‖F‖."""
    gram = jacobian @ jacobian.T
    alpha = np.ones(len(gram)) / np.sqrt(np.diag(gram))
    residual = lambda a: gram @ a - 1 / a
    for _ in range(100):
        f = residual(alpha)
        step = np.linalg.solve(gram + np.diag(1 / alpha ** 2), -f)
        t = 1.0
        while np.any(alpha + t * step <= 0) or np.linalg.norm(residual(alpha + t * step)) > np.linalg.norm(f):
            t /= 2
            if t < 1e-12:
                break
        alpha = alpha + t * step
    assert np.allclose(alpha * (gram @ alpha), 1, rtol=1e-10)
    return alpha


def clipped(jacobian, alpha, max_norm):
    norm = np.linalg.norm(jacobian.T @ alpha)
    return alpha * (max_norm / norm) if 0 < max_norm < norm else alpha


@pytest.mark.parametrize("num_tasks,max_norm", [(2, 0.0), (3, 0.0), (3, 1.0), (4, 0.5)])
def test_parameter_mode_solves_the_bargaining_system(problem, check_heads, num_tasks, max_norm):
    p = problem(num_tasks, seed=110 + num_tasks)
    method = mtl.NashMTL(max_norm=max_norm)
    for step in range(2):
        ref = p.reference(step)
        result = p.run(method, step)
        weights = clipped(ref["jacobian"], bargaining_weights(ref["jacobian"]), max_norm)
        np.testing.assert_allclose(result["weights"], weights, rtol=1e-4)
        np.testing.assert_allclose(result["trunk"], ref["jacobian"].T @ weights, rtol=1e-4, atol=1e-6)
        if max_norm > 0:
            assert np.linalg.norm(result["trunk"]) <= max_norm * (1 + 1e-5)
        check_heads(p, result, ref)


def test_representation_mode(problem, check_heads):
    p = problem(3, seed=120)
    ref = p.reference(0)
    result = p.run(mtl.NashMTL(rep_grad=True), 0)
    weights = clipped(ref["representation"], bargaining_weights(ref["representation"]), 1.0)
    np.testing.assert_allclose(result["weights"], weights, rtol=1e-4)
    expected = p.representation_backprop(0, ref["representation"].T @ weights)
    np.testing.assert_allclose(result["trunk"], expected, rtol=1e-4, atol=1e-6)
    check_heads(p, result, ref)


def test_scaling_one_task_loss_leaves_the_update_and_rescales_its_weight(problem):
    p = problem(3, seed=121)
    base = p.run(mtl.NashMTL(max_norm=0), 0)
    for q in p.parameters():
        q.grad = None
    h = p.trunk(ph.from_numpy(p.batch(0)))
    losses = [F.mse_loss(head(h), ph.from_numpy(t)) for head, t in zip(p.heads, p.targets)]
    losses[1] = losses[1] * 10.0
    record = mtl.NashMTL(max_norm=0).backward(losses, shared_parameters=p.trunk.parameters())
    trunk = np.concatenate([q.grad.numpy().astype(np.float64).ravel() for q in p.trunk.parameters()])
    np.testing.assert_allclose(trunk, base["trunk"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(record.weights * [1, 10, 1], base["weights"], rtol=1e-4)


def test_weights_are_reused_between_updates(problem):
    p = problem(2, seed=122)
    method = mtl.NashMTL(max_norm=0, update_weights_every=2)
    first = p.run(method, 0)["weights"]
    second = p.run(method, 1)
    np.testing.assert_array_equal(second["weights"], first)
    np.testing.assert_allclose(second["trunk"], p.reference(1)["jacobian"].T @ first, rtol=1e-4, atol=1e-6)
    third = p.run(method, 2)["weights"]
    np.testing.assert_allclose(third, bargaining_weights(p.reference(2)["jacobian"]), rtol=1e-4)


@pytest.mark.parametrize("kwargs,error,match", [
    ({"update_weights_every": 0}, ValueError, "update_weights_every"), ({"optim_niter": 2.5}, TypeError, "optim_niter"),
    ({"max_norm": -1.0}, ValueError, "max_norm"), ({"optim_niter": True}, TypeError, "optim_niter")])
def test_bad_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        mtl.NashMTL(2, **kwargs)
