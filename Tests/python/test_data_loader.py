"""``polyhead.utils.data`` (``torch.utils.data`` after ``import polyhead as torch``): datasets, ``random_split``
and the ``DataLoader``, checked against PyTorch's documented behaviour (batch order, lengths, collation)."""

from __future__ import annotations

import collections
import doctest
import importlib

import numpy as np
import pytest

import polyhead as torch
from polyhead.utils.data import (DataLoader, Dataset, RandomSampler, SequentialSampler, Subset, SubsetRandomSampler,
                                 TensorDataset, default_collate, random_split)
from polyhead.random import index_permutation


def _data(n=10):
    return np.arange(n * 3, dtype=np.float32).reshape(n, 3), np.arange(n) % 4


class Rows(Dataset):
    """A generic dataset: a tuple of a numpy row, an int label and a string per sample."""

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], int(self.y[i]), f"s{i}"


def test_import_paths():
    import polyhead.utils.data as data

    assert torch.utils.data is data and data.DataLoader is DataLoader
    from polyhead.utils.data import dataloader, dataset  # noqa: F401  (PyTorch's module names)


def test_tensor_dataset_rows_and_checks():
    x, y = _data()
    data = TensorDataset(x, torch.tensor(y))
    assert len(data) == 10 and len(data.tensors) == 2
    row, label = data[3]
    assert row.tolist() == x[3].tolist() and label.item() == y[3]
    x[3, 0] = -1.0  # a float32 array is shared, not copied
    assert data[3][0][0].item() == -1.0
    with pytest.raises(ValueError, match=r"differ: \[10, 9\]"):
        TensorDataset(x, y[:9])
    with pytest.raises(ValueError, match="0-d"):
        TensorDataset(x, torch.tensor(1.0))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    with pytest.raises(TypeError):
        TensorDataset(x, ["a"] * 10)


@pytest.mark.parametrize("batch_size,drop_last,sizes", [(4, False, [4, 4, 2]), (4, True, [4, 4]), (5, True, [5, 5]),
                                                        (1, False, [1] * 10), (32, False, [10]), (32, True, [])])
def test_batches_in_order(batch_size, drop_last, sizes):
    x, y = _data()
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(batches) and [len(b[0]) for b in batches] == sizes
    start = 0
    for inputs, labels in batches:  # PyTorch yields a list [inputs, labels]
        stop = start + len(inputs)
        np.testing.assert_array_equal(inputs.numpy(), x[start:stop])
        np.testing.assert_array_equal(labels.numpy(), y[start:stop])
        start = stop


def test_shuffle_draws_a_new_permutation_each_epoch_from_the_global_generator():
    x, y = _data(50)
    loader = DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True)
    torch.manual_seed(4)
    epochs = [np.concatenate([labels.numpy() for _, labels in loader]) for _ in range(2)]
    torch.manual_seed(4)
    expected = [y[index_permutation(50)] for _ in range(2)]
    for got, want in zip(epochs, expected):
        np.testing.assert_array_equal(got, want)
        assert sorted(got.tolist()) == sorted(y.tolist())  # every sample once
    assert not np.array_equal(epochs[0], epochs[1])
    torch.manual_seed(4)
    inputs, labels = next(iter(loader))
    np.testing.assert_array_equal(inputs.numpy()[:, 0] / 3, labels.numpy() + 4 * np.floor(inputs.numpy()[:, 0] / 12))


def test_shuffle_and_split_with_a_generator_leave_the_global_stream_alone():
    x, y = _data(30)
    torch.manual_seed(0)
    expected_global = torch.rand(2).tolist()
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(x, y), batch_size=7, shuffle=True, generator=torch.Generator().manual_seed(5))
    got = np.concatenate([labels.numpy() for _, labels in loader])
    parts = random_split(range(30), [10, 20], generator=torch.Generator().manual_seed(6))
    assert torch.rand(2).tolist() == expected_global
    np.testing.assert_array_equal(got, y[index_permutation(30, torch.Generator().manual_seed(5))])
    assert list(parts[0]) == index_permutation(30, torch.Generator().manual_seed(6))[:10].tolist()
    again = random_split(range(30), [10, 20], generator=torch.Generator().manual_seed(6))
    assert list(again[1]) == list(parts[1])


def test_samplers_set_the_order():
    x, y = _data(10)
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3] and len(SequentialSampler(range(4))) == 4
    # without replacement, num_samples beyond the length continues with a new permutation (PyTorch's rule)
    order = list(RandomSampler(range(5), num_samples=7, generator=torch.Generator().manual_seed(0)))
    generator = torch.Generator().manual_seed(0)
    first, second = index_permutation(5, generator), index_permutation(5, generator)
    assert order == first.tolist() + second[:2].tolist() and len(RandomSampler(range(5), num_samples=7)) == 7
    held_out = [1, 2, 3, 4, 5]
    loader = DataLoader(TensorDataset(x, y), batch_size=4, sampler=SubsetRandomSampler(held_out))
    assert len(loader) == 2
    torch.manual_seed(3)
    seen = np.concatenate([labels.numpy() for _, labels in loader])
    torch.manual_seed(3)
    np.testing.assert_array_equal(seen, y[np.array(held_out)[index_permutation(5)]])

    class Reversed:  # any iterable of indices with a length is a sampler
        def __iter__(self):
            return iter(range(9, -1, -1))

        def __len__(self):
            return 10

    batches = list(DataLoader(TensorDataset(x, y), batch_size=3, sampler=Reversed(), drop_last=True))
    assert [b[1].tolist() for b in batches] == [y[[9, 8, 7]].tolist(), y[[6, 5, 4]].tolist(), y[[3, 2, 1]].tolist()]
    with pytest.raises(ValueError, match="exclude"):
        DataLoader(range(4), shuffle=True, sampler=SequentialSampler(range(4)))
    with pytest.raises(TypeError, match="replacement should be a boolean"):
        RandomSampler(range(4), replacement="yes")
    with pytest.raises(ValueError, match="num_samples"):
        RandomSampler(range(4), num_samples=0)
    with pytest.raises(TypeError, match="SubsetRandomSampler: generator"):
        SubsetRandomSampler([1], generator=3)


def test_generic_dataset_default_collate_matches_tensor_dataset():
    x, y = _data()
    fast = list(DataLoader(TensorDataset(x, y), batch_size=4, shuffle=False))
    generic = list(DataLoader(Rows(x, y), batch_size=4))
    assert len(fast) == len(generic) == 3
    for (fx, fy), (gx, gy, names) in zip(fast, generic):
        assert isinstance(gx, torch.Tensor) and isinstance(gy, torch.Tensor)
        np.testing.assert_array_equal(fx.numpy(), gx.numpy())
        np.testing.assert_array_equal(fy.numpy(), gy.numpy())
        assert names == tuple(f"s{i}" for i in range(int(gy.numel()) and int(fx[0, 0].item()) // 3,
                                                    int(fx[-1, 0].item()) // 3 + 1))


def test_default_collate_structures():
    Point = collections.namedtuple("Point", "a b")
    batch = default_collate([{"x": 1.5, "y": [1, 2], "p": Point(torch.zeros(2), 0)},
                             {"x": 2.5, "y": [3, 4], "p": Point(torch.ones(2), 1)}])
    assert batch["x"].tolist() == [1.5, 2.5]
    assert [t.tolist() for t in batch["y"]] == [[1.0, 3.0], [2.0, 4.0]]
    assert isinstance(batch["p"], Point) and batch["p"].a.tolist() == [[0, 0], [1, 1]] and batch["p"].b.tolist() == [0, 1]
    assert default_collate([np.float64(1), np.float64(2)]).tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match="same length"):
        default_collate([(1, 2), (1, 2, 3)])
    with pytest.raises(TypeError, match="NoneType"):
        default_collate([None, None])
    with pytest.raises(TypeError, match="dtype"):
        default_collate([np.array(["a"]), np.array(["b"])])


def test_custom_collate_getitems_and_unbatched_loading():
    x, y = _data(6)
    seen = []
    loader = DataLoader(TensorDataset(x, y), batch_size=4, collate_fn=lambda samples: seen.append(samples) or len(samples))
    assert list(loader) == [4, 2] and len(seen[0][0]) == 2 and seen[0][0][1].item() == y[0]

    class Batched(Rows):
        def __getitems__(self, indices):
            seen.append(indices)
            return [self[i] for i in indices]

    seen.clear()
    assert len(list(DataLoader(Batched(x, y), batch_size=4))) == 2 and seen == [[0, 1, 2, 3], [4, 5]]
    single = list(DataLoader(Rows(x, y), batch_size=None))
    assert len(single) == 6 and isinstance(single[2][0], torch.Tensor) and single[2][0].tolist() == x[2].tolist()
    assert single[2][1:] == (2, "s2")  # numbers and strings unchanged, like torch's default_convert


@pytest.mark.parametrize("make", [lambda x: x, torch.tensor])
def test_arrays_and_tensors_as_datasets(make):
    x, _ = _data(5)
    batches = list(DataLoader(make(x), batch_size=2))
    assert [b.shape for b in batches] == [(2, 3), (2, 3), (1, 3)]
    np.testing.assert_array_equal(np.concatenate([b.numpy() for b in batches]), x)


def test_random_split_and_subsets():
    torch.manual_seed(9)
    parts = random_split(range(10), [3, 7])
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(list(parts[0]) + list(parts[1])) == list(range(10))
    torch.manual_seed(9)
    order = index_permutation(10)
    assert list(parts[0]) == order[:3].tolist() and list(parts[1]) == order[3:].tolist()
    # fractions: floor each, then the remainder one by one from the first part (PyTorch's rule)
    assert [len(p) for p in random_split(range(10), [0.33, 0.33, 0.34])] == [4, 3, 3]
    assert [len(p) for p in random_split(range(11), [0.5, 0.5])] == [6, 5]
    assert [len(p) for p in random_split(range(5), [1])] == [5]
    for lengths, error in [([3, 6], ValueError), ([0.5, 0.7, -0.2], ValueError), ([-1, 11], ValueError),
                           ("ab", TypeError), ([], TypeError)]:
        with pytest.raises(error):
            random_split(range(10), lengths)
    with pytest.raises(TypeError, match="generator"):
        random_split(range(10), [5, 5], generator=object())


def test_loader_over_a_subset_of_a_tensor_dataset():
    x, y = _data(20)
    torch.manual_seed(1)
    train, test = random_split(TensorDataset(x, y), [0.75, 0.25])
    assert isinstance(train, Subset) and len(train) == 15
    batches = list(DataLoader(test, batch_size=3))
    rows = np.concatenate([inputs.numpy() for inputs, _ in batches])
    np.testing.assert_array_equal(rows, x[test.indices])
    np.testing.assert_array_equal(np.concatenate([labels.numpy() for _, labels in batches]), y[test.indices])
    assert train[0][1].item() == y[train.indices[0]]


def test_training_loop_learns_through_the_loader():
    torch.manual_seed(0)
    x = np.random.RandomState(0).randn(256, 4).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5], [3.0]], dtype=np.float32)
    model = torch.nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    for _ in range(20):
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(inputs), targets)
            loss.backward()
            optimizer.step()
    np.testing.assert_allclose(model.weight.detach().numpy(), [[1.0, -2.0, 0.5, 3.0]], atol=1e-2)


@pytest.mark.parametrize("kwargs,error,message", [
    ({"batch_size": 0}, ValueError, "batch_size must be >= 1"), ({"batch_size": 1.5}, TypeError, "batch_size"),
    ({"batch_size": True}, TypeError, "batch_size"), ({"batch_size": None, "drop_last": True}, ValueError, "drop_last"),
    ({"num_workers": -1}, ValueError, "num_workers"), ({"generator": object()}, TypeError, "generator"),
])
def test_loader_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        DataLoader(range(4), **kwargs)


def test_loader_rejects_non_datasets():
    with pytest.raises(TypeError, match="map-style"):
        DataLoader(iter(range(4)))


@pytest.mark.parametrize("name", ["polyhead.utils.data.dataset", "polyhead.utils.data.dataloader",
                                  "polyhead.utils.data.sampler", "polyhead.keras.utils", "polyhead.random"])
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
