"""GradVac through the Python API against a numpy float64 reference of its update over several steps (two
tasks, so the random visiting order cannot matter; the EMA targets carry over)."""

from __future__ import annotations

import numpy as np
import pytest

from polyhead import mtl


class Reference:
    def __init__(self, num_tasks, beta):
        self.targets = np.zeros((num_tasks, num_tasks))
        self.beta = beta

    def step(self, g):
        modified = g.copy()
        for i in range(len(g)):
            for j in range(len(g)):
                if j == i:
                    continue
                norm_i, norm_j = np.linalg.norm(modified[i]), np.linalg.norm(g[j])
                rho = modified[i] @ g[j] / (norm_i * norm_j + 1e-8)
                phi = self.targets[i, j]
                if rho < phi:
                    w = norm_i * (phi * np.sqrt(1 - rho ** 2) - rho * np.sqrt(1 - phi ** 2)) / (
                        norm_j * np.sqrt(1 - phi ** 2) + 1e-8)
                    modified[i] = modified[i] + w * g[j]
                self.targets[i, j] = (1 - self.beta) * phi + self.beta * rho
        return modified.sum(0)


@pytest.mark.parametrize("rep_grad", [False, True])
def test_three_steps_follow_the_moving_targets(problem, check_heads, rep_grad):
    p = problem(2, seed=3)
    method = mtl.GradVac(beta=0.7, rep_grad=rep_grad)
    reference = Reference(2, 0.7)
    for step in range(3):
        ref = p.reference(step)
        result = p.run(method, step)
        if rep_grad:
            want = p.representation_backprop(step, reference.step(ref["representation"]))
        else:
            want = reference.step(ref["jacobian"])
        np.testing.assert_allclose(result["trunk"], want, rtol=1e-4, atol=1e-6)
        check_heads(p, result, ref)
    # The targets moved away from their start (the test would not notice a stateless method otherwise).
    assert np.all(reference.targets[~np.eye(2, dtype=bool)] != 0)


def test_exact_weights_and_options():
    assert repr(mtl.GradVac(2)) == "GradVac(num_tasks=2, rep_grad=False)"
    with pytest.raises(ValueError, match="beta"):
        mtl.GradVac(2, beta=1.5)
