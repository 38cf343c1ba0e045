"""Messages the API fuzzer's exception samples showed to be off: integer values beyond float32's exact range
(2**24) named the dtype twice ("which polyhead polyhead.int64 tensors"); ``randperm`` with a generator of the
wrong type named the internal ``index_permutation``."""

from __future__ import annotations

import pytest

import polyhead as ph


def test_integers_beyond_2_24_name_the_dtype_once():
    with pytest.raises(ValueError, match=r"above 2\*\*24 = 16777216, which polyhead\.int64 tensors \(float32"):
        ph.tensor([2**24 + 1], dtype=ph.long)
    with pytest.raises(ValueError, match=r"exceeds 2\*\*24 = 16777216 in magnitude, which polyhead\.int64 tensors"):
        ph.tensor([2**24], dtype=ph.long) * 2


def test_randperm_names_itself_for_a_generator_of_the_wrong_type():
    import numpy as np
    with pytest.raises(TypeError, match=r"^randperm: generator must be a polyhead.Generator or None, got Generator"):
        ph.randperm(3, generator=np.random.default_rng(0))
