"""Integer dtypes (``int64``/``long``, ``int32``/``int``, ``bool``) over float32 storage: creation and its
checks, PyTorch's classification idioms, promotion, numpy/pickle/save round trips. Expected numbers are
written by hand (checked once against PyTorch 2.x) or computed with numpy."""

from __future__ import annotations

import copy
import os
import pickle

import numpy as np
import pytest

import polyhead as torch
import polyhead.nn as nn
import polyhead.nn.functional as F

LOGITS = [[0.1, 0.2, 3.0], [2.0, 0.1, 0.0], [0.0, 1.0, 0.5], [0.3, 0.2, 0.1]]
LABELS = [2, 0, 2, 0]


# ---------------------------------------------------------------- creation and validation


def test_dtypes_and_aliases():
    assert torch.long is torch.int64 and torch.int is torch.int32 and torch.float is torch.float32
    assert not torch.int64.is_floating_point and not torch.bool.is_floating_point
    assert torch.float32.is_floating_point and torch.int64.itemsize == 8
    assert repr(torch.long) == "polyhead.int64" and pickle.loads(pickle.dumps(torch.long)) is torch.int64


@pytest.mark.parametrize("dtype", [torch.long, torch.int64, "long", "int64", np.int64])
def test_tensor_with_integer_dtype(dtype):
    y = torch.tensor([2, 0, 1], dtype=dtype)
    assert y.dtype is torch.int64 and not y.is_floating_point() and not y.requires_grad
    assert y.tolist() == [2, 0, 1] and all(type(v) is int for v in y.tolist())
    assert type(y[0].item()) is int and repr(y) == "tensor([2, 0, 1])"


def test_numpy_arrays_and_python_ints_give_integer_dtypes():
    labels = np.array([3, 1, 4])
    for t in (torch.tensor(labels), torch.from_numpy(labels), torch.as_tensor(labels)):
        assert t.dtype is torch.int64 and t.tolist() == [3, 1, 4]
    assert torch.tensor(labels.astype(np.int32)).dtype is torch.int32
    assert torch.from_numpy(np.array([True, False])).dtype is torch.bool
    assert torch.tensor([1, 2]).dtype is torch.int64 and torch.tensor([1.0, 2]).dtype is torch.float32


@pytest.mark.parametrize("data, message", [
    ([1.5, 2.0], "non-integer"),
    ([float("nan")], "NaN"),
    ([float("inf")], "NaN or infinity"),
    ([2**24 + 1], "2\\*\\*24"),
    (np.array([-(2**25)], dtype=np.int64), "2\\*\\*24"),
])
def test_integer_creation_refuses_values_it_cannot_hold(data, message):
    with pytest.raises(ValueError, match=message) as info:
        torch.tensor(data, dtype=torch.long)
    assert "data" in str(info.value)


def test_integer_creation_checks_every_path():
    assert torch.tensor([2**24, -(2**24)], dtype=torch.long).tolist() == [2**24, -(2**24)]
    with pytest.raises(ValueError, match="ndarray"):
        torch.from_numpy(np.array([2**24 + 1]))
    with pytest.raises(ValueError, match="fill_value"):
        torch.full((2,), 1.5, dtype=torch.long)
    with pytest.raises(ValueError, match="arange"):
        torch.arange(0, 1, 0.5, dtype=torch.long)
    with pytest.raises(TypeError, match="dtype"):
        torch.tensor([1], dtype=np.float64)
    with pytest.raises(TypeError, match="float32"):
        torch.randn(2, dtype=torch.long)


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        torch.tensor([1], dtype=torch.long, requires_grad=True)
    y = torch.zeros(2, dtype=torch.long)
    with pytest.raises(RuntimeError, match="floating point"):
        y.requires_grad = True
    with pytest.raises(RuntimeError, match="floating point"):
        y.requires_grad_()
    assert torch.zeros(2).requires_grad_().requires_grad


def test_legacy_constructors_and_type_checks():
    y = torch.LongTensor([3, 0, 2])
    assert y.dtype is torch.int64 and y.tolist() == [3, 0, 2] and isinstance(y, torch.Tensor)
    assert isinstance(torch.tensor([1], dtype=torch.long), torch.LongTensor)
    assert not isinstance(torch.zeros(1), torch.LongTensor) and isinstance(torch.zeros(1), torch.FloatTensor)
    assert torch.LongTensor(2, 3).shape == (2, 3) and torch.BoolTensor([0, 2]).tolist() == [False, True]
    assert torch.tensor([1.9]).type(torch.LongTensor).tolist() == [1]
    with pytest.raises(ValueError, match="data"):
        torch.LongTensor([0.5])


def test_filled_and_range_creation():
    assert torch.zeros(2, 3, dtype=torch.long).dtype is torch.int64
    assert torch.ones(2, dtype=torch.int).tolist() == [1, 1]
    assert torch.full((2,), 7, dtype=torch.long).tolist() == [7, 7]
    assert torch.arange(4, dtype=torch.long).tolist() == [0, 1, 2, 3]
    y = torch.tensor([5, 6], dtype=torch.long)
    assert torch.zeros_like(y).dtype is torch.int64 and torch.ones_like(y, dtype=torch.float32).dtype is torch.float32
    assert torch.arange(3).dtype is torch.int64 and torch.arange(3, dtype=torch.float32).dtype is torch.float32


# ---------------------------------------------------------------- conversions


def test_long_truncates_like_torch_and_float_drops_the_tag():
    x = torch.tensor([1.7, -1.7, 2.5, -0.2])
    y = x.long()
    assert y.dtype is torch.int64 and y.tolist() == [1, -1, 2, 0]
    assert x.to(torch.long).tolist() == [1, -1, 2, 0] and x.type(torch.long).dtype is torch.int64
    assert torch.as_tensor(x, dtype=torch.int64).dtype is torch.int64
    assert x.int().dtype is torch.int32 and x.bool().tolist() == [True, True, True, True]
    assert y.long() is y and x.float() is x and x.to(torch.float32) is x
    back = y.float()
    assert back.dtype is torch.float32 and back.tolist() == [1.0, -1.0, 2.0, 0.0] and back.is_floating_point()
    assert y.to("cpu") is y and y.to(torch.zeros(1)).dtype is torch.float32
    assert (y.type(), x.type()) == ("polyhead.LongTensor", "polyhead.FloatTensor")
    with pytest.raises(ValueError, match="NaN"):
        torch.tensor([float("nan")]).long()
    with pytest.raises(ValueError, match="2\\*\\*24"):
        torch.tensor([3e7]).long()


def test_numpy_round_trip_keeps_the_dtype():
    y = torch.tensor([4, -2, 9], dtype=torch.long)
    array = y.numpy()
    assert array.dtype == np.int64 and array.tolist() == [4, -2, 9]
    assert torch.from_numpy(array).dtype is torch.int64
    mask = y > 0
    assert mask.numpy().dtype == np.bool_ and mask.tolist() == [True, False, True]
    assert type(mask[0].item()) is bool
    assert torch.tensor([1.5]).numpy().dtype == np.float32


def test_pickle_deepcopy_and_save_of_an_int64_tensor(tmp_path):
    y = torch.tensor([[3, 1], [0, 2]], dtype=torch.long)
    for copied in (pickle.loads(pickle.dumps(y)), copy.deepcopy(y)):
        assert copied.dtype is torch.int64 and copied.tolist() == [[3, 1], [0, 2]]
    path = os.path.join(tmp_path, "labels.safetensors")
    torch.save({"y": y}, path)
    loaded = torch.load(path)["y"]
    assert loaded.dtype is torch.int64 and loaded.tolist() == [[3, 1], [0, 2]]


# ---------------------------------------------------------------- classification idioms


def test_cross_entropy_and_nll_with_long_targets_equal_float_targets():
    logits = torch.tensor(LOGITS, requires_grad=True)
    as_long = torch.tensor(LABELS, dtype=torch.long)
    as_float = torch.tensor([float(v) for v in LABELS])
    a, b = F.cross_entropy(logits, as_long), F.cross_entropy(logits, as_float)
    z = np.array(LOGITS, dtype=np.float64)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    expected = -log_p[np.arange(4), LABELS].mean()
    assert a.item() == b.item() and abs(a.item() - expected) < 1e-6
    a.backward()
    grad = np.exp(log_p)
    grad[np.arange(4), LABELS] -= 1
    np.testing.assert_allclose(logits.grad.numpy(), grad / 4, atol=1e-6)
    assert F.nll_loss(F.log_softmax(logits, 1), as_long).item() == pytest.approx(expected, abs=1e-6)
    assert nn.CrossEntropyLoss()(logits, torch.as_tensor(np.array(LABELS), dtype=torch.int64)).item() == a.item()


def test_accuracy_idiom():
    logits = torch.tensor(LOGITS)
    y = torch.tensor(LABELS, dtype=torch.long)
    pred = logits.argmax(1)
    assert pred.dtype is torch.int64 and pred.tolist() == [2, 0, 1, 0]
    correct = (pred == y).sum().item()
    assert correct == 3 and type(correct) is int
    assert (pred == y).float().mean().item() == 0.75
    values, indices = logits.max(dim=1)
    assert indices.dtype is torch.int64 and values.dtype is torch.float32
    assert logits.argmin(1).tolist() == [0, 2, 0, 2] and torch.argmin(logits).item() == 5


def test_indices_from_integer_tensors():
    table = torch.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    index = torch.tensor([2, 0], dtype=torch.long)
    assert table[index].tolist() == [[4.0, 5.0], [0.0, 1.0]] and table[index].dtype is torch.float32
    assert table[torch.arange(3, dtype=torch.long) == 2].tolist() == [[4.0, 5.0]]
    mask = torch.tensor([True, False, True], dtype=torch.bool)
    assert table[mask].tolist() == [[0.0, 1.0], [4.0, 5.0]]
    embedding = nn.Embedding(3, 2)
    np.testing.assert_array_equal(embedding(index).detach().numpy(),
                                  embedding(torch.tensor([2.0, 0.0])).detach().numpy())
    labels = torch.randperm(6)
    assert labels.dtype is torch.int64 and sorted(labels.tolist()) == list(range(6))
    picked = labels[torch.tensor([0, 1], dtype=torch.long)]
    assert picked.dtype is torch.int64 and [int(v) for v in labels][:2] == picked.tolist()
    assert [v.dtype for v in labels.reshape(2, 3)] == [torch.int64, torch.int64]
    assert labels.unsqueeze(0).flatten().clone().detach().dtype is torch.int64


def test_data_loader_batches_keep_integer_labels():
    from polyhead.utils.data import DataLoader, TensorDataset

    x, y = torch.randn(10, 3), torch.tensor(np.arange(10) % 3)
    batches = list(DataLoader(TensorDataset(x, y), batch_size=4, shuffle=True))
    assert [yb.dtype for _, yb in batches] == [torch.int64] * 3 and batches[0][0].dtype is torch.float32
    assert sorted(v for _, yb in batches for v in yb.tolist()) == sorted((np.arange(10) % 3).tolist())
    assert TensorDataset(x, y)[3][1].item() == 0


def test_randint():
    torch.manual_seed(3)
    first = torch.randint(2, 5, (200,))
    torch.manual_seed(3)
    assert torch.randint(2, 5, size=(200,)).tolist() == first.tolist()
    assert first.dtype is torch.int64 and set(first.tolist()) == {2, 3, 4}
    assert set(torch.randint(3, (50,)).tolist()) <= {0, 1, 2}
    with pytest.raises(ValueError, match="low"):
        torch.randint(5, 5, (2,))
    with pytest.raises(TypeError, match="randint"):
        torch.randint(5)


# ---------------------------------------------------------------- promotion


def test_integer_arithmetic_keeps_int64_like_torch():
    a = torch.tensor([7, -7, 5, -5], dtype=torch.long)
    b = torch.tensor([2, 2, -3, -3], dtype=torch.long)
    assert (a // b).tolist() == [3, -4, -2, 1] and (a % b).tolist() == [1, 1, -1, -2]
    for result, values in ((a + b, [9, -5, 2, -8]), (a - b, [5, -9, 8, -2]), (a * b, [14, -14, -15, 15]),
                           (a + 1, [8, -6, 6, -4]), (1 - a, [-6, 8, -4, 6]), (-a, [-7, 7, -5, 5]),
                           (a ** 2, [49, 49, 25, 25]), (a // 2, [3, -4, 2, -3]), (a.sum(), 0)):
        assert result.dtype is torch.int64 and result.tolist() == values
    small = torch.tensor([1, 2], dtype=torch.int32)
    assert (small + 1).dtype is torch.int32 and (small + torch.tensor([1, 1], dtype=torch.long)).dtype is torch.int64


def test_int_with_float_promotes_to_float32():
    a = torch.tensor([1, 2], dtype=torch.long)
    x = torch.tensor([0.5, 0.25])
    for result in (a * 2.5, a / 2, a / a, a + x, x + a, x * a, a ** 0.5, a - np.float32(0.5)):
        assert result.dtype is torch.float32
    assert (a / 2).tolist() == [0.5, 1.0] and (x + a).tolist() == [1.5, 2.25]
    mask = torch.tensor([1.0, 2.0]) > 1.5
    assert (mask + mask).dtype is torch.bool and (mask + mask).tolist() == [False, True]


def test_integer_results_stay_exact_or_raise():
    big = torch.tensor([2**23], dtype=torch.long)
    assert (big + big).tolist() == [2**24]
    with pytest.raises(ValueError, match="2\\*\\*24"):
        big * 4
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        big // torch.tensor([0], dtype=torch.long)
    with pytest.raises(RuntimeError, match="gradient"):
        torch.ones(2, requires_grad=True) // 2
    with pytest.raises(NotImplementedError, match="bool"):
        -(big > 0)


# ---------------------------------------------------------------- float tensors keep their behaviour


def test_float_tensors_are_unchanged_and_compare_elementwise():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert x.dtype is torch.float32 and type(x) is torch.Tensor and x.float() is x
    assert (x * 2).dtype is torch.float32 and (x * 2).requires_grad
    assert (x > 1.5).tolist() == [False, True, True] and (x == x).dtype is torch.bool
    assert (x != 2).tolist() == [True, False, True] and (x <= 2).sum().item() == 2
    assert (7.5 // torch.tensor([2.0])).tolist() == [3.0] and (torch.tensor([7.5]) % 2).tolist() == [1.5]
    assert (x == None) is False and len({x, x.detach()}) == 2
    assert type(x.sum().item()) is float


def test_pytorch_classification_loop_runs_unchanged():
    from polyhead.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0)
    labels = np.arange(90) % 3
    points = np.array([[2.0, 0.0], [-2.0, 0.0], [0.0, 2.5]])[labels]
    X = torch.tensor(points + np.random.default_rng(0).normal(0, 0.3, (90, 2)), dtype=torch.float32)
    y = torch.as_tensor(labels, dtype=torch.int64)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    criterion = nn.CrossEntropyLoss()
    for _ in range(10):
        correct, total = 0, 0
        for xb, yb in DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True):
            out = model(xb)
            loss = criterion(out, yb.long())
            opt.zero_grad()
            loss.backward()
            opt.step()
            _, predicted = torch.max(out.data, 1)
            correct += (predicted == yb).sum().item()
            total += yb.size(0)
    with torch.no_grad():
        accuracy = (model(X).argmax(dim=1) == y).float().mean().item()
    assert type(correct) is int and total == 90 and accuracy > 0.9
