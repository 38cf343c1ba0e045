"""SDMGrad through the Python API against a numpy float64 reference of LibMTL's inner loop (SGD lr 5,
momentum 0.5, simplex projection) with warm-started weights, over two steps."""

from __future__ import annotations

import numpy as np
import pytest

from polyhead import mtl


def project_simplex(v):
    """Euclidean projection onto the probability simplex (sort and threshold)."""
    u = np.sort(v)[::-1]
    css = np.cumsum(u)
    rho = np.nonzero(u * np.arange(1, len(v) + 1) > css - 1)[0][-1]
    return np.maximum(v - (css[rho] - 1) / (rho + 1), 0)


class Reference:
    def __init__(self, num_tasks, lam, niter):
        self.w = np.full(num_tasks, 1 / num_tasks)
        self.lam, self.niter = lam, niter

    def step(self, g):
        gram = g @ g.T
        scale = np.mean(np.sqrt(np.maximum(np.diag(gram), 0)))
        gram = gram / (scale ** 2 + 1e-8)
        mean = gram.mean(1)
        buffer = None
        for _ in range(self.niter):
            grad = gram @ self.w + self.lam * mean
            buffer = grad if buffer is None else 0.5 * buffer + grad
            self.w = project_simplex(self.w - 5 * buffer)
        return (self.w + self.lam / len(g)) / (1 + self.lam)


@pytest.mark.parametrize("options", [{}, {"lambda_": 0.8, "niter": 3}])
def test_two_steps_warm_start_the_simplex_weights(problem, check_heads, options):
    p = problem(3, seed=18)
    method = mtl.SDMGrad(**options)
    reference = Reference(3, options.get("lambda_", 0.3), options.get("niter", 20))
    for step in range(2):
        ref = p.reference(step)
        weights = reference.step(ref["jacobian"])
        result = p.run(method, step)
        np.testing.assert_allclose(result["weights"], weights, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(result["trunk"], weights @ ref["jacobian"], rtol=1e-4, atol=1e-6)
        check_heads(p, result, ref)


def test_representation_mode_and_arguments(problem):
    p = problem(2, seed=19)
    reference = Reference(2, 0.3, 20)
    ref = p.reference(0)
    weights = reference.step(ref["representation"])
    result = p.run(mtl.SDMGrad(rep_grad=True), 0)
    np.testing.assert_allclose(result["trunk"], p.representation_backprop(0, weights @ ref["representation"]),
                               rtol=1e-4, atol=1e-6)
    with pytest.raises(TypeError, match="niter"):
        mtl.SDMGrad(niter=2.5)
    with pytest.raises(ValueError, match="lambda"):
        mtl.SDMGrad(2, lambda_=-1)
    assert repr(mtl.SDMGrad(niter=np.int64(5))) == "SDMGrad(rep_grad=False, niter=5)"
