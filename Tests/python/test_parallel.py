"""``polyhead.set_num_threads`` / ``get_num_threads`` (OpenBLAS threads)."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph


def test_set_and_get_num_threads_round_trip():
    before = ph.get_num_threads()
    try:
        for n in (1, 2):
            ph.set_num_threads(n)
            assert ph.get_num_threads() == n
            a = np.random.default_rng(0).standard_normal((64, 64)).astype(np.float32)
            np.testing.assert_allclose((ph.tensor(a) @ ph.tensor(a)).numpy(), a @ a, rtol=1e-4, atol=1e-4)
    finally:
        ph.set_num_threads(before)
    assert ph.get_num_threads() == before


@pytest.mark.parametrize("n,error", [(0, ValueError), (-3, ValueError), (1.5, TypeError), ("2", TypeError)])
def test_bad_thread_counts(n, error):
    before = ph.get_num_threads()
    with pytest.raises(error):
        ph.set_num_threads(n)
    assert ph.get_num_threads() == before
