"""FairGrad through the Python API against its α-fair system in numpy float64: (G w)ᵢ = wᵢ^(−1/α), w > 0."""

from __future__ import annotations

import numpy as np
import pytest

from polyhead import mtl


def solve_two_tasks(gram, alpha):
    """The α-fair weights of two tasks by bisection: w₂ from the first equation, then the second one's root."""
    def second_weight(w1):
        return (w1 ** (-1 / alpha) - gram[0, 0] * w1) / gram[0, 1]

    def mismatch(w1):
        w2 = second_weight(w1)
        return gram[1, 0] * w1 + gram[1, 1] * w2 - w2 ** (-1 / alpha)

    # w₂ > 0 needs w1^(−1/α) − G₁₁ w₁ of the sign of G₁₂; scan for a bracket of the root.
    grid = np.geomspace(1e-6, 1e6, 4001)
    values = []
    for w1 in grid:
        w2 = second_weight(w1)
        values.append(mismatch(w1) if w2 > 0 else np.nan)
    values = np.array(values)
    for k in range(len(grid) - 1):
        if np.isfinite(values[k]) and np.isfinite(values[k + 1]) and values[k] * values[k + 1] <= 0:
            low, high = grid[k], grid[k + 1]
            for _ in range(200):
                mid = (low + high) / 2
                if mismatch(low) * mismatch(mid) <= 0:
                    high = mid
                else:
                    low = mid
            w1 = (low + high) / 2
            return np.array([w1, second_weight(w1)])
    raise AssertionError("no root bracketed")


@pytest.mark.parametrize("alpha", [0.5, 1.0, 3.0])
def test_two_tasks_match_an_independent_bisection(problem, check_heads, alpha):
    p = problem(2, seed=8)
    method = mtl.FairGrad(alpha=alpha)
    for step in range(2):
        ref = p.reference(step)
        g = ref["jacobian"]
        weights = solve_two_tasks(g @ g.T, alpha)
        result = p.run(method, step)
        np.testing.assert_allclose(result["weights"], weights, rtol=1e-4)
        np.testing.assert_allclose(result["trunk"], weights @ g, rtol=1e-4, atol=1e-6)
        check_heads(p, result, ref)


@pytest.mark.parametrize("rep_grad", [False, True])
def test_three_tasks_solve_the_system(problem, rep_grad):
    p = problem(3, seed=9)
    ref = p.reference(0)
    g = ref["representation"] if rep_grad else ref["jacobian"]
    result = p.run(mtl.FairGrad(alpha=2.0, rep_grad=rep_grad), 0)
    w = result["weights"]
    assert np.all(w > 0)
    np.testing.assert_allclose((g @ g.T) @ w, w ** (-1 / 2.0), rtol=1e-4)


def test_options():
    assert repr(mtl.FairGrad(alpha=2)) == "FairGrad(rep_grad=False, alpha=2)"
    with pytest.raises(ValueError, match="alpha"):
        mtl.FairGrad(2, alpha=0)
