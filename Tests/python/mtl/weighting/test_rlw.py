"""RLW (Lin et al. 2022): softmax of seeded standard normals, reproducible under manual_seed."""

from __future__ import annotations

import numpy as np

import polyhead as ph
from polyhead import mtl


def test_weights_are_reproducible_positive_and_sum_to_one(leaves):
    method = mtl.RLW()
    ph.manual_seed(77)
    first = [leaves.step(method, [1.0, 2.0, 3.0, 4.0]) for _ in range(3)]
    ph.manual_seed(77)
    again = [leaves.step(method, [4.0, 0.5, 1.0, 2.0]) for _ in range(3)]
    for (w1, grads), (w2, _) in zip(first, again):
        np.testing.assert_array_equal(w1, w2)
        assert np.all(w1 > 0) and abs(w1.sum() - 1) < 1e-12
        np.testing.assert_allclose(grads, w1, rtol=1e-6)
    assert not np.array_equal(first[0][0], first[1][0])


def test_weights_look_like_a_softmax_of_normals(leaves):
    """Over many steps, log-weight differences log(w0/w1) = ε0 − ε1 ~ N(0, 2)."""
    ph.manual_seed(3)
    method = mtl.RLW(2)
    samples = np.array([np.log(w[0] / w[1]) for w, _ in (leaves.step(method, [1.0, 1.0]) for _ in range(400))])
    assert abs(samples.mean()) < 0.25 and 1.6 < samples.var() < 2.5
