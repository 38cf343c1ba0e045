"""ExcessMTL through the Python API against a numpy float64 reference over three steps: AdaGrad excess-risk
estimates relative to the first step and multiplicative weights renormalised to T (in the representation mode
on the batch sums of the representation gradients, as LibMTL)."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import mtl


class Reference:
    def __init__(self, num_tasks, width, eta):
        self.sums = np.zeros((num_tasks, width))
        self.weights = np.ones(num_tasks)
        self.initial = None
        self.eta = eta

    def step(self, g):
        self.sums += g ** 2
        w = (g ** 2 / np.sqrt(self.sums + 1e-7)).sum(1)
        if self.initial is None:
            self.initial = w
        else:
            self.weights = self.weights * np.exp(self.eta * w / self.initial)
            self.weights = self.weights / self.weights.sum() * len(g)
        return self.weights


@pytest.mark.parametrize("rep_grad", [False, True])
def test_three_steps_of_multiplicative_weights(problem, check_heads, rep_grad):
    p = problem(3, seed=16)
    method = mtl.ExcessMTL(robust_step_size=0.5, rep_grad=rep_grad)
    reference = Reference(3, 4 if rep_grad else 16, 0.5)
    for step in range(3):
        ref = p.reference(step)
        g = ref["representation"] if rep_grad else ref["jacobian"]
        weights = reference.step(g.reshape(3, 5, 4).sum(1) if rep_grad else g)
        result = p.run(method, step)
        np.testing.assert_allclose(result["weights"], weights, rtol=1e-5)
        want = p.representation_backprop(step, weights @ g) if rep_grad else weights @ g
        np.testing.assert_allclose(result["trunk"], want, rtol=1e-4, atol=1e-6)
        check_heads(p, result, ref)
    assert not np.allclose(reference.weights, 1)


def test_representation_mode_takes_batches_of_any_size(problem):
    p = problem(2, seed=5)
    method = mtl.ExcessMTL(robust_step_size=0.5, rep_grad=True)
    for rows in (5, 3, 4):
        h = p.trunk(ph.from_numpy(p.batch(rows)[:rows]))
        record = method.backward([(head(h) ** 2).mean() for head in p.heads], representation=h)
    assert np.all(np.isfinite(record.weights)) and not np.allclose(record.weights, 1)


def test_defaults():
    assert repr(mtl.ExcessMTL()) == "ExcessMTL(rep_grad=False)"
    with pytest.raises(ValueError, match="robust_step_size"):
        mtl.ExcessMTL(2, robust_step_size=-1)
