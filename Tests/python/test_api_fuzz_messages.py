"""What the API fuzzer's exception samples showed to be off: integer values beyond float32's exact range
(2**24) named the dtype twice ("which polyhead polyhead.int64 tensors"); ``randperm`` with a generator of the
wrong type named the internal ``index_permutation``; ``pickle``/``copy.deepcopy`` of a ``Generator`` failed on its
lock ("cannot pickle '_thread.lock' object")."""

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


def test_a_generator_pickles_and_deep_copies_at_its_position_in_the_stream():
    import copy
    import pickle
    g = ph.Generator().manual_seed(7)
    ph.randperm(5, generator=g)  # move along the stream
    for twin in (copy.deepcopy(g), pickle.loads(pickle.dumps(g))):
        assert twin.initial_seed() == 7
        assert ph.randperm(9, generator=twin).tolist() == ph.randperm(9, generator=copy.deepcopy(g)).tolist()
    expected = ph.randperm(9, generator=copy.deepcopy(g)).tolist()
    assert ph.randperm(9, generator=g).tolist() == expected  # the copies left the original alone
