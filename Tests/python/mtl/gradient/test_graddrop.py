"""GradDrop through the Python API: the sign-purity rule's deterministic consequences in float64 (pure signs
keep everything, a full leak is the sum, each entry keeps only one sign of its task gradients, draws follow
the seed) in both modes."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import mtl


def test_parameter_mode_keeps_one_sign_per_entry(problem, check_heads):
    p = problem(3, seed=2)
    ref = p.reference(0)
    g = ref["jacobian"]
    positive, negative = np.where(g > 0, g, 0).sum(0), np.where(g < 0, g, 0).sum(0)
    ph.manual_seed(11)
    result = p.run(mtl.GradDrop(), 0)
    d = result["trunk"]
    kept_positive = np.isclose(d, positive, rtol=1e-4, atol=1e-7)
    kept_negative = np.isclose(d, negative, rtol=1e-4, atol=1e-7)
    assert np.all(kept_positive | kept_negative), d
    # Where every task agrees in sign the entry is the plain sum.
    pure = np.all(g >= 0, axis=0) | np.all(g <= 0, axis=0)
    np.testing.assert_allclose(d[pure], g.sum(0)[pure], rtol=1e-4, atol=1e-7)
    # Mixed entries go both ways over the 16 entries (the draw is not always the same).
    mixed = ~pure
    assert mixed.sum() >= 4 and kept_positive[mixed & ~kept_negative].any() and kept_negative[mixed & ~kept_positive].any()
    check_heads(p, result, ref)
    # The same seed gives the same update.
    ph.manual_seed(11)
    np.testing.assert_array_equal(p.run(mtl.GradDrop(), 0)["trunk"], d)


@pytest.mark.parametrize("rep_grad", [False, True])
def test_full_leak_is_the_summed_gradient(problem, rep_grad):
    p = problem(2, seed=5)
    ref = p.reference(1)
    result = p.run(mtl.GradDrop(leak=1.0, rep_grad=rep_grad), 1)
    np.testing.assert_allclose(result["trunk"], ref["jacobian"].sum(0), rtol=1e-4, atol=1e-6)


def test_representation_mode_drops_per_feature_with_the_input_signs(problem):
    # Per feature the batch-separated signals Σ_b sign(h)·∂Lᵢ/∂h decide; every sample of a feature keeps
    # the same tasks. Check it against the float64 reference for every possible mask choice the draws allow.
    p = problem(2, seed=6)
    ref = p.reference(0)
    rep = ref["representation"].reshape(2, 5, 4)
    signal = (rep * np.sign(ref["h"])).sum(1)                      # (T, features)
    ph.manual_seed(3)
    result = p.run(mtl.GradDrop(rep_grad=True), 0)
    # Each feature keeps the positive-signal tasks or the negative-signal ones: find the one that matches.
    choices = []
    for keep_positive in np.ndindex(*(2,) * 4):
        mask = np.where(np.array(keep_positive, dtype=bool), signal > 0, signal < 0)   # (T, features)
        direction = (rep * mask[:, None, :]).sum(0).ravel()
        choices.append(p.representation_backprop(0, direction))
    assert any(np.allclose(result["trunk"], c, rtol=1e-4, atol=1e-6) for c in choices)


def test_options():
    assert repr(mtl.GradDrop(leak=0.5)) == "GradDrop(rep_grad=False, leak=0.5)"
    with pytest.raises(ValueError, match="leak"):
        mtl.GradDrop(2, leak=2)
