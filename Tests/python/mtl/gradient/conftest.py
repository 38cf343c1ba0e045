"""Shared fixture of the gradient-method tests: a tiny hard-sharing regression whose per-task gradients
(of the shared parameters and of the shared representation) are worked out by hand in numpy float64."""

from __future__ import annotations

from typing import List

import numpy as np
import pytest

import polyhead as ph
from polyhead import nn
import polyhead.nn.functional as F


class Problem:
    """Trunk ``h = tanh(x Wᵀ + b)`` (3 → 4), T heads ``yᵢ = h vᵢᵀ + cᵢ`` (4 → 1), losses ``mean((yᵢ − tᵢ)²)``
    with targets of different scales; every step uses its own fixed batch of 5 rows."""

    def __init__(self, num_tasks: int = 2, seed: int = 0) -> None:
        ph.manual_seed(seed)
        self.trunk = nn.Sequential(nn.Linear(3, 4), nn.Tanh())
        self.heads = [nn.Linear(4, 1) for _ in range(num_tasks)]
        rng = np.random.default_rng(seed)
        scales = [1.0, 3.0, 0.5, 2.0][:num_tasks]
        self.targets = [(rng.standard_normal((5, 1)) * s).astype(np.float32) for s in scales]

    @staticmethod
    def batch(step: int) -> np.ndarray:
        return np.random.default_rng(100 + step).standard_normal((5, 3)).astype(np.float32)

    def reference(self, step: int) -> dict:
        """float64 losses, Jacobian of the trunk parameters (rows: W row-major, then b), Jacobian of the
        representation (rows: h row-major), and each head's own gradient (v, c)."""
        x = self.batch(step).astype(np.float64)
        w, b = (p.detach().numpy().astype(np.float64) for p in self.trunk[0].parameters())
        h = np.tanh(x @ w.T + b)
        losses, jac, rep, heads = [], [], [], []
        for head, t in zip(self.heads, self.targets):
            v, c = (p.detach().numpy().astype(np.float64) for p in head.parameters())
            residual = h @ v.T + c - t                       # (5, 1)
            losses.append(np.mean(residual ** 2))
            d_h = 2 / len(x) * residual @ v                  # ∂L/∂h, (5, 4)
            d_pre = d_h * (1 - h ** 2)
            jac.append(np.concatenate([(d_pre.T @ x).ravel(), d_pre.sum(0)]))
            rep.append(d_h.ravel())
            heads.append(np.concatenate([(2 / len(x) * residual.T @ h).ravel(), [2 * residual.mean()]]))
        return {"losses": np.array(losses), "jacobian": np.array(jac), "representation": np.array(rep),
                "heads": heads, "h": h}

    def run(self, method, step: int) -> dict:
        """One ``method.backward`` on the step's batch: the trunk's new gradient (flat, float64), each head's
        gradient and the record."""
        for p in self.parameters():
            p.grad = None
        h = self.trunk(ph.from_numpy(self.batch(step)))
        losses = [F.mse_loss(head(h), ph.from_numpy(t)) for head, t in zip(self.heads, self.targets)]
        if method.rep_grad:
            record = method.backward(losses, representation=h)
        else:
            record = method.backward(losses, shared_parameters=self.trunk.parameters())
        trunk = np.concatenate([p.grad.numpy().astype(np.float64).ravel() for p in self.trunk.parameters()])
        heads = [np.concatenate([p.grad.numpy().astype(np.float64).ravel() for p in head.parameters()])
                 for head in self.heads]
        return {"trunk": trunk, "heads": heads, "weights": record.weights}

    def parameters(self) -> List:
        return list(self.trunk.parameters()) + [p for head in self.heads for p in head.parameters()]

    def representation_backprop(self, step: int, direction: np.ndarray) -> np.ndarray:
        """The trunk-parameter gradient of a representation gradient ``direction`` (flat, 5 × 4), in float64."""
        x = self.batch(step).astype(np.float64)
        w, b = (p.detach().numpy().astype(np.float64) for p in self.trunk[0].parameters())
        h = np.tanh(x @ w.T + b)
        d_pre = direction.reshape(h.shape) * (1 - h ** 2)
        return np.concatenate([(d_pre.T @ x).ravel(), d_pre.sum(0)])


@pytest.fixture
def problem():
    """The Problem class (call it with the number of tasks and a seed)."""
    return Problem


def assert_heads_get_their_own_gradient(problem: Problem, result: dict, reference: dict) -> None:
    for got, want in zip(result["heads"], reference["heads"]):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


@pytest.fixture
def check_heads():
    """Asserts that every head received its own task's gradient."""
    return assert_heads_get_their_own_gradient
