"""MoCo through the Python API against a numpy float64 reference of its tracking and weight updates over
three steps (LibMTL's update with the step's loss values)."""

from __future__ import annotations

import numpy as np

from polyhead import mtl


class Reference:
    def __init__(self, num_tasks, width, beta=0.5, beta_sigma=0.5, gamma=0.1, gamma_sigma=0.5, rho=0.0):
        self.y = np.zeros((num_tasks, width))
        self.lam = np.full(num_tasks, 1 / num_tasks)
        self.k = 0
        self.beta, self.beta_sigma, self.gamma, self.gamma_sigma, self.rho = beta, beta_sigma, gamma, gamma_sigma, rho

    def step(self, g, losses):
        self.k += 1
        scaled = g / (np.linalg.norm(g, axis=1, keepdims=True) + 1e-8) * losses[:, None]
        self.y = self.y - self.beta / self.k ** self.beta_sigma * (self.y - scaled)
        z = self.lam - self.gamma / self.k ** self.gamma_sigma * (self.y @ self.y.T + self.rho * np.eye(len(g))) @ self.lam
        self.lam = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
        return self.lam @ self.y


def test_three_steps_track_the_gradients(problem, check_heads):
    p = problem(3, seed=12)
    options = dict(beta=0.6, beta_sigma=0.3, gamma=0.5, gamma_sigma=0.2, rho=0.05)
    method = mtl.MoCo(**options)
    reference = Reference(3, 16, **options)
    for step in range(3):
        ref = p.reference(step)
        result = p.run(method, step)
        g = ref["jacobian"]
        d = reference.step(g, ref["losses"])
        np.testing.assert_allclose(result["trunk"], d, rtol=1e-4, atol=1e-6)
        check_heads(p, result, ref)
        # The weights are the least-squares coefficients of d on this step's task gradients.
        np.testing.assert_allclose(result["weights"], np.linalg.lstsq(g.T, d, rcond=None)[0], rtol=1e-3, atol=1e-6)


def test_defaults():
    assert repr(mtl.MoCo()) == "MoCo(rep_grad=False)"
