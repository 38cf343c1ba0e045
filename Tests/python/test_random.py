"""``polyhead.manual_seed``: reproducible randn/rand/Linear init."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph


def draw():
    return ph.randn(3, 4).numpy().copy(), ph.rand(5).numpy().copy(), ph.nn.Linear(4, 2).weight.detach().numpy().copy()


def test_same_seed_same_numbers():
    ph.manual_seed(123)
    first = draw()
    ph.manual_seed(123)
    second = draw()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_different_seeds_differ_and_the_stream_advances():
    ph.manual_seed(1)
    a = ph.randn(8).numpy().copy()
    b = ph.randn(8).numpy().copy()
    ph.manual_seed(2)
    c = ph.randn(8).numpy().copy()
    assert not np.array_equal(a, b) and not np.array_equal(a, c)


def test_seed_accepts_numpy_ints_and_large_values():
    ph.manual_seed(np.int64(7))
    a = ph.rand(3).numpy().copy()
    ph.manual_seed(7)
    np.testing.assert_array_equal(a, ph.rand(3).numpy())
    ph.manual_seed(2**64 - 1)
    ph.manual_seed(-1)
    b = ph.rand(3).numpy().copy()
    ph.manual_seed(2**64 - 1)
    np.testing.assert_array_equal(b, ph.rand(3).numpy())


@pytest.mark.parametrize("seed,error", [(1.5, TypeError), ("1", TypeError), (2**64, ValueError), (-(2**63) - 1, ValueError)])
def test_bad_seeds(seed, error):
    with pytest.raises(error):
        ph.manual_seed(seed)
