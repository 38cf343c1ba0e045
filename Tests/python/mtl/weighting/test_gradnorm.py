"""GradNorm (Chen et al. 2018): the weights' gradient and update over two steps of a fixed tiny model,
against a numpy reference (backprop by hand: trunk tanh(x Wᵀ + b), heads yᵢ = h vᵢᵀ + cᵢ, MSE)."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import mtl, nn, optim
import polyhead.nn.functional as F

X = np.random.default_rng(5).standard_normal((5, 3)).astype(np.float32)
TARGETS = [np.random.default_rng(6).standard_normal((5, 1)).astype(np.float32) * s for s in (1.0, 4.0)]


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(3, 4), nn.Tanh())
        self.heads = nn.ModuleList([nn.Linear(4, 1), nn.Linear(4, 1)])

    def forward(self):
        h = self.trunk(ph.from_numpy(X))
        return h, [F.mse_loss(head(h), ph.from_numpy(t)) for head, t in zip(self.heads, TARGETS)]


def reference(net):
    """(losses, ‖∇_W Lᵢ‖, ‖∇_h Lᵢ‖) in float64 from the model's current parameters."""
    w, b = (p.detach().numpy().astype(np.float64) for p in net.trunk[0].parameters())
    x = X.astype(np.float64)
    h = np.tanh(x @ w.T + b)
    losses, weight_norms, rep_norms = [], [], []
    for head, t in zip(net.heads, TARGETS):
        v, c = (p.detach().numpy().astype(np.float64) for p in head.parameters())
        residual = h @ v.T + c - t                      # (N, 1)
        losses.append(np.mean(residual ** 2))
        d_h = 2 / len(x) * residual @ v                 # ∂L/∂h, (N, 4)
        d_w = (d_h * (1 - h ** 2)).T @ x                # ∂L/∂W, (4, 3)
        weight_norms.append(np.linalg.norm(d_w))
        rep_norms.append(np.linalg.norm(d_h))
    return np.array(losses), np.array(weight_norms), np.array(rep_norms)


def gradnorm_gradient(weights, norms, losses, initial, alpha):
    g = weights * norms
    ratios = losses / initial
    target = g.mean() * (ratios / ratios.mean()) ** alpha
    return np.sign(g - target) * norms


def test_weight_gradient_and_update_over_two_steps():
    ph.manual_seed(2)
    net = Tiny()
    method = mtl.GradNorm(2, alpha=1.5)
    opt = optim.SGD(list(net.parameters()) + method.parameters(), lr=0.1)

    losses0, norms0, _ = reference(net)
    _, losses = net()
    record = method.backward(losses, shared_parameters=net.trunk.parameters())   # W measured, not b
    np.testing.assert_array_equal(record.weights, [1, 1])
    g0 = gradnorm_gradient(np.ones(2), norms0, losses0, losses0, 1.5)
    np.testing.assert_allclose(method.loss_weights.grad.numpy(), g0, rtol=1e-4)
    opt.step()
    opt.zero_grad()

    stepped = 1 - 0.1 * g0
    renormalised = 2 * stepped / stepped.sum()
    losses1, norms1, _ = reference(net)
    _, losses = net()
    record = method.backward(losses, shared_parameters=net.trunk.parameters())
    np.testing.assert_allclose(record.weights, renormalised, rtol=1e-5)
    g1 = gradnorm_gradient(renormalised, norms1, losses1, losses0, 1.5)
    np.testing.assert_allclose(method.loss_weights.grad.numpy(), g1, rtol=1e-4)


def test_representation_mode_measures_the_representation_gradient():
    ph.manual_seed(4)
    net = Tiny()
    method = mtl.GradNorm(2, alpha=0.5, rep_grad=True)
    _, _, rep_norms = reference(net)
    h, losses = net()
    method.backward(losses, representation=h)
    expected = gradnorm_gradient(np.ones(2), rep_norms, np.ones(2), np.ones(2), 0.5)
    np.testing.assert_allclose(method.loss_weights.grad.numpy(), expected, rtol=1e-4)
    assert net.trunk[0].weight.grad is not None


def test_arguments():
    with pytest.raises(ValueError, match="num_tasks"):
        mtl.GradNorm()
    with pytest.raises(ValueError, match="alpha=-1"):
        mtl.GradNorm(2, alpha=-1)
    assert repr(mtl.GradNorm(3, alpha=0.12)) == "GradNorm(num_tasks=3, rep_grad=False, alpha=0.12)"
