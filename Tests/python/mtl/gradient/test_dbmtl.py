"""DB-MTL through the Python API against a numpy float64 reference over three steps: the moving average of the
log-loss gradients gᵢ/(Lᵢ + 1e-8), the max-norm balancing, and the heads' log-loss gradients."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import mtl


class Reference:
    def __init__(self, num_tasks, width, beta=0.9, beta_sigma=0.0):
        self.buffer = np.zeros((num_tasks, width))
        self.k = 0
        self.beta, self.beta_sigma = beta, beta_sigma

    def step(self, g, losses):
        self.k += 1
        log_grads = g / (losses[:, None] + 1e-8)
        self.buffer = log_grads + self.beta / self.k ** self.beta_sigma * (self.buffer - log_grads)
        norms = np.linalg.norm(self.buffer, axis=1)
        return (norms.max() / (norms + 1e-8)) @ self.buffer


@pytest.mark.parametrize("options", [{}, {"beta": 0.6, "beta_sigma": 0.5}])
def test_three_steps_follow_the_moving_average(problem, options):
    p = problem(3, seed=14)
    method = mtl.DBMTL(**options)
    reference = Reference(3, 16, **options)
    for step in range(3):
        ref = p.reference(step)
        result = p.run(method, step)
        d = reference.step(ref["jacobian"], ref["losses"])
        np.testing.assert_allclose(result["trunk"], d, rtol=1e-4, atol=1e-6)
        # As LibMTL, the heads follow their log-loss: ∇ log(Lᵢ + 1e-8) = ∇Lᵢ / (Lᵢ + 1e-8).
        for got, want, loss in zip(result["heads"], ref["heads"], ref["losses"]):
            np.testing.assert_allclose(got, want / (loss + 1e-8), rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(result["weights"], np.linalg.lstsq(ref["jacobian"].T, d, rcond=None)[0],
                                   rtol=1e-3, atol=1e-6)


def test_negative_losses_are_refused(problem):
    p = problem(2, seed=1)
    h = p.trunk(ph.from_numpy(p.batch(0)))
    losses = [p.heads[0](h).mean() - 100.0, (p.heads[1](h) ** 2).mean()]
    with pytest.raises(ValueError, match="logarithm"):
        mtl.DBMTL().backward(losses, shared_parameters=p.trunk.parameters())
