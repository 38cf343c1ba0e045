"""``WeightedRandomSampler``, ``RandomSampler(replacement=True)``, ``BatchSampler`` with ``DataLoader(batch_sampler=)``
and ``ConcatDataset``: frequencies against the weights, seeded repeats, torch's rules for lengths and errors."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead.utils.data import (BatchSampler, ConcatDataset, DataLoader, Dataset, RandomSampler, SequentialSampler,
                                 TensorDataset, WeightedRandomSampler)


def test_weighted_sampler_frequencies_follow_the_weights():
    ph.manual_seed(0)
    weights = np.array([1.0, 0.0, 3.0, 6.0])
    draws = np.array(list(WeightedRandomSampler(ph.tensor(weights), num_samples=20000)))
    frequencies = np.bincount(draws, minlength=4) / len(draws)
    np.testing.assert_allclose(frequencies, weights / weights.sum(), atol=0.015)


def test_weighted_sampler_without_replacement_draws_distinct_heavy_indices_first():
    ph.manual_seed(1)
    weights = [1e-6] * 8 + [1.0, 1.0]
    firsts = [list(WeightedRandomSampler(weights, num_samples=10, replacement=False)) for _ in range(20)]
    for order in firsts:
        assert sorted(order) == list(range(10))
        assert set(order[:2]) == {8, 9}
    with pytest.raises(ValueError, match="cannot draw 3 samples without replacement from 2 positive"):
        WeightedRandomSampler([0.0, 1.0, 1.0], num_samples=3, replacement=False)


def test_samplers_repeat_under_a_seed_and_a_generator():
    def draw(**kwargs):
        return list(WeightedRandomSampler([0.2, 0.5, 0.3], 12, **kwargs)) + list(
            RandomSampler(range(7), replacement=True, num_samples=9, **kwargs))

    ph.manual_seed(5)
    first = draw()
    ph.manual_seed(5)
    assert draw() == first and draw() != first
    assert draw(generator=ph.Generator().manual_seed(2)) == draw(generator=ph.Generator().manual_seed(2))


def test_random_sampler_with_replacement():
    ph.manual_seed(0)
    draws = list(RandomSampler(range(3), replacement=True, num_samples=3000))
    assert len(draws) == 3000 and set(draws) == {0, 1, 2}
    assert max(np.bincount(draws)) < 1150  # uniform: about 1000 each
    assert len(RandomSampler(range(3), replacement=True)) == 3


def test_weighted_sampler_balances_classes_in_a_loader():
    labels = np.array([0] * 90 + [1] * 10)
    weights = 1.0 / np.bincount(labels)[labels]
    ph.manual_seed(0)
    loader = DataLoader(TensorDataset(ph.tensor(labels)), batch_size=50,
                        sampler=WeightedRandomSampler(weights, num_samples=2000))
    share = np.mean([batch[0].float().mean().item() for batch in loader])
    assert len(loader) == 40 and 0.45 < share < 0.55


def test_batch_sampler_and_loader():
    assert list(BatchSampler(SequentialSampler(range(7)), 3, drop_last=True)) == [[0, 1, 2], [3, 4, 5]]
    assert len(BatchSampler(range(7), 3, drop_last=False)) == 3
    x = ph.arange(10).float()
    loader = DataLoader(TensorDataset(x), batch_sampler=[[3, 1], [0, 2, 4]])
    assert [b[0].tolist() for b in loader] == [[3.0, 1.0], [0.0, 2.0, 4.0]] and len(loader) == 2
    ph.manual_seed(0)
    shuffled = DataLoader(list(range(10)), batch_sampler=BatchSampler(RandomSampler(range(10)), 4, False))
    batches = [b.tolist() for b in shuffled]
    assert [len(b) for b in batches] == [4, 4, 2] and sorted(sum(batches, [])) == list(range(10))


@pytest.mark.parametrize("options", [dict(batch_size=2), dict(shuffle=True), dict(drop_last=True),
                                     dict(sampler=SequentialSampler(range(4)))])
def test_batch_sampler_excludes_the_batching_options(options):
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(range(4), batch_sampler=[[0, 1]], **options)


def test_concat_dataset():
    class Squares(Dataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return {"x": float(i * i), "task": "squares"}

    class Cubes(Squares):
        def __getitem__(self, i):
            return {"x": float(i ** 3), "task": "cubes"}

    both = Squares() + Cubes()
    assert isinstance(both, ConcatDataset) and len(both) == 6 and both.cumulative_sizes == [3, 6]
    assert [both[i]["x"] for i in range(-6, 6)] == [0, 1, 4, 0, 1, 8] * 2
    batch = next(iter(DataLoader(both, batch_size=6)))
    assert batch["x"].tolist() == [0, 1, 4, 0, 1, 8] and batch["task"][3] == "cubes"
    with pytest.raises(IndexError, match="out of range"):
        both[6]
    with pytest.raises(ValueError, match="empty iterable"):
        ConcatDataset([])
    with pytest.raises(TypeError, match=r"datasets\[1\] must be a map-style dataset"):
        ConcatDataset([Squares(), 3])


@pytest.mark.parametrize("make,error,message", [
    (lambda: WeightedRandomSampler([1.0, -1.0], 2), ValueError, "non-negative"),
    (lambda: WeightedRandomSampler([0.0, 0.0], 2), ValueError, "not all zero"),
    (lambda: WeightedRandomSampler([1.0, np.nan], 2), ValueError, "finite"),
    (lambda: WeightedRandomSampler([1.0], 0), ValueError, "num_samples"),
    (lambda: WeightedRandomSampler([1.0], 2, replacement=1), TypeError, "replacement should be a boolean"),
    (lambda: BatchSampler(range(3), 0, False), ValueError, "batch_size"),
    (lambda: BatchSampler(range(3), 2, drop_last=None), TypeError, "drop_last should be a boolean"),
])
def test_sampler_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()
