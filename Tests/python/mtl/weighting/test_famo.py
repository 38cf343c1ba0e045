"""FAMO (Liu et al. 2023): the reported weights over several steps against a numpy reference of the logit
update (Adam with L2 decay, or the plain Algorithm 1 step) and of c·zᵢ/(Lᵢ+ε)."""

from __future__ import annotations

import numpy as np
import pytest

from polyhead import mtl

EPS = 1e-8


def effective_weights(z, losses):
    c = 1 / np.sum(z / (losses + EPS))
    return c * z / (losses + EPS)


def logit_gradient(xi, before, after, gamma, softmax):
    z = softmax(xi)
    delta = np.log(before + EPS) - np.log(after + EPS)
    jacobian = np.diag(z) - np.outer(z, z)
    return jacobian @ delta + gamma * xi


@pytest.mark.parametrize("adam", [True, False])
def test_weights_follow_the_reference_update(leaves, adam):
    history = leaves.f32([[0.5, 2.0, 8.0], [0.4, 1.9, 6.0], [0.41, 1.5, 5.0], [0.3, 1.4, 4.9], [0.2, 1.4, 4.0]])
    lr, gamma = 0.1, 1e-2
    method = mtl.FAMO(lr=lr, weight_decay=gamma, adam=adam)
    xi, m, v = np.zeros(3), np.zeros(3), np.zeros(3)
    for step, values in enumerate(history):
        if step > 0:
            g = logit_gradient(xi, history[step - 1], values, gamma, leaves.softmax)
            if adam:
                m = 0.9 * m + 0.1 * g
                v = 0.999 * v + 0.001 * g * g
                xi = xi - lr * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
            else:
                xi = xi - lr * g
        weights, grads = leaves.step(method, values)
        expected = effective_weights(leaves.softmax(xi), values)
        np.testing.assert_allclose(weights, expected, rtol=1e-9, err_msg=f"step {step}")
        np.testing.assert_allclose(grads, expected, rtol=1e-5)


def test_zero_losses_stay_finite(leaves):
    method = mtl.FAMO()
    for values in ([0.0, 1.0, 1e-20], [0.0, 0.0, 2.0], [1e-30, 0.5, 0.0]):
        weights, grads = leaves.step(method, values)
        assert np.all(np.isfinite(weights)) and np.all(np.isfinite(grads)) and abs(weights.sum() - 1) < 1e-9
    with pytest.raises(ValueError, match="loss 0 is -1.0"):
        leaves.step(method, [-1.0, 1.0, 1.0])
    assert repr(mtl.FAMO(2, lr=0.5)) == "FAMO(num_tasks=2, rep_grad=False, lr=0.5)"
