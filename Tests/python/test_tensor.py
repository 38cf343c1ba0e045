"""The Tensor object: creation, properties and values out, indexing, in-place updates and copying — values
against numpy (operators, reductions and shape ops: test_tensor_math.py)."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import polyhead as ph

A = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]], dtype=np.float32)
B = np.array([0.5, 2.0, -1.0], dtype=np.float32)


def close(t, expected, **kw):
    np.testing.assert_allclose(np.asarray(t.detach()), np.asarray(expected, dtype=np.float64), rtol=1e-6, atol=1e-6, **kw)


# ---------------------------------------------------------------- creation


@pytest.mark.parametrize("data", [A, A.tolist(), A.astype(np.float64), A.astype(np.int32), np.asfortranarray(A), A[:, ::1]])
def test_tensor_copies_any_numeric_array_like(data):
    t = ph.tensor(data)
    assert isinstance(t, ph.Tensor) and t.shape == (2, 3)
    close(t, np.asarray(data, dtype=np.float32))
    if isinstance(data, np.ndarray):
        assert not np.shares_memory(t.numpy(), data)


def test_tensor_scalars_and_bools():
    assert ph.tensor(3).shape == () and ph.tensor(3).item() == 3.0
    assert ph.tensor(2.5).dim() == 0
    close(ph.tensor([True, False]), [1.0, 0.0])
    close(ph.tensor(np.arange(4, dtype=np.uint8)), [0, 1, 2, 3])


def test_tensor_from_tensor_copies():
    a = ph.tensor([1.0, 2.0])
    b = ph.tensor(a)
    b.copy_([5.0, 5.0])
    close(a, [1.0, 2.0])


def test_tensor_requires_grad_and_dtype():
    t = ph.tensor([1.0], requires_grad=True, dtype=ph.float32)
    assert t.requires_grad and t.is_leaf and t.dtype is ph.float32
    assert ph.tensor([1], dtype=np.float32).dtype == ph.float32
    assert ph.float is ph.float32
    with pytest.raises(TypeError, match="float32"):
        ph.tensor([1], dtype="float64")


def test_non_contiguous_and_strided_inputs_are_made_contiguous():
    base = np.arange(24, dtype=np.float64).reshape(4, 6)
    view = base[::2, 1::2].T
    close(ph.tensor(view), view)
    close(ph.from_numpy(view), view)
    close(ph.ones(3, 2) + view, view + 1)


@pytest.mark.parametrize("make", [lambda f: f(2, 3), lambda f: f((2, 3)), lambda f: f([2, 3])])
@pytest.mark.parametrize("fn,value", [(ph.zeros, 0.0), (ph.ones, 1.0), (ph.empty, 0.0)])
def test_zeros_ones_argument_forms(make, fn, value):
    t = make(fn)
    assert t.shape == (2, 3) and isinstance(t.shape, ph.Size)
    close(t, np.full((2, 3), value))


def test_full_and_like_functions():
    close(ph.full((2, 2), 7.5), np.full((2, 2), 7.5))
    base = ph.ones(3, 2)
    close(ph.zeros_like(base), np.zeros((3, 2)))
    close(ph.ones_like(base), np.ones((3, 2)))
    close(ph.full_like(base, -1.0), np.full((3, 2), -1.0))
    assert ph.randn_like(base).shape == (3, 2) and ph.rand_like(base).shape == (3, 2)
    assert ph.zeros(2, requires_grad=True).requires_grad
    assert ph.zeros(()).shape == () and ph.zeros(0).shape == (0,)


def test_randn_and_rand_forms_and_ranges():
    assert ph.randn(2, 3).shape == ph.randn((2, 3)).shape == ph.randn([2, 3]).shape == (2, 3)
    u = ph.rand(10000).numpy()
    assert u.min() >= 0.0 and u.max() < 1.0 and abs(u.mean() - 0.5) < 0.02
    n = ph.randn(20000).numpy()
    assert abs(n.mean()) < 0.05 and abs(n.std() - 1.0) < 0.05
    assert ph.randn(3, requires_grad=True).requires_grad


@pytest.mark.parametrize("args,expected", [((5,), np.arange(5)), ((2, 5), np.arange(2, 5)),
                                           ((0, 1, 0.25), np.arange(0, 1, 0.25)), ((5, 0, -2), np.arange(5, 0, -2))])
def test_arange(args, expected):
    close(ph.arange(*args), expected)


def test_tensor_class_constructor_forms():
    close(ph.Tensor([1, 2]), [1.0, 2.0])
    assert ph.Tensor(2, 3).shape == (2, 3)
    assert ph.Tensor().shape == (0,)


# ---------------------------------------------------------------- properties and values out


def test_shape_size_dim_numel_len():
    t = ph.tensor(A)
    assert t.shape == (2, 3) and repr(t.shape) == "polyhead.Size([2, 3])"
    assert t.size() == (2, 3) and t.size(1) == 3 and t.size(-2) == 2
    assert t.dim() == t.ndim == 2 and t.numel() == 6 and len(t) == 2
    assert t.shape.numel() == 6 and ph.numel(t) == 6
    with pytest.raises(IndexError):
        t.size(2)
    with pytest.raises(TypeError):
        len(ph.tensor(1.0))


def test_item_tolist_float_bool_format():
    assert ph.tensor([[2.5]]).item() == 2.5
    assert ph.tensor(A).tolist() == A.tolist()
    assert ph.tensor(1.5).tolist() == 1.5
    assert float(ph.tensor(1.5)) == 1.5 and int(ph.tensor(2.7)) == 2
    assert bool(ph.tensor([1.0])) and not bool(ph.tensor(0.0))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(ph.ones(2))
    assert f"{ph.tensor(0.123456):.3f}" == "0.123"


def test_numpy_shares_memory_and_refuses_requires_grad():
    t = ph.tensor(A)
    a = t.numpy()
    assert a.dtype == np.float32 and a.shape == (2, 3)
    a[0, 0] = 42.0
    assert t[0, 0].item() == 42.0
    g = ph.tensor(A, requires_grad=True)
    with pytest.raises(RuntimeError, match="requires grad"):
        g.numpy()
    assert np.shares_memory(g.numpy(force=True), g.detach().numpy())
    assert np.array(g).shape == (2, 3)


def test_device_and_conversion_no_ops():
    t = ph.tensor(A)
    assert t.float() is t and t.cpu() is t and t.contiguous() is t
    assert t.to("cpu") is t and t.to(ph.float32) is t and t.device == "cpu"
    with pytest.raises(ValueError, match="CPU"):
        t.to("cuda")
    with pytest.raises(TypeError):
        t.to(np.float64)


def test_repr_like_torch():
    assert repr(ph.tensor([1.0, -2.5])) == "tensor([ 1.0000, -2.5000])"
    assert repr(ph.tensor(0.5)) == "tensor(0.5000)"
    assert repr(ph.tensor([[1.0], [2.0]], requires_grad=True)) == "tensor([[1.0000],\n        [2.0000]], requires_grad=True)"
    assert repr(ph.zeros(0, 3)) == "tensor([], size=(0, 3))"


# ---------------------------------------------------------------- indexing


def test_getitem_forms_against_numpy():
    X = np.arange(20, dtype=np.float32).reshape(5, 4)
    t = ph.tensor(X)
    for key in [0, -1, 3, slice(1, 4), slice(None, None, 2), slice(None, None, -1), [4, 0, 4], np.array([1, 2]),
                np.array([[0, 1], [2, 3]]), np.array([True, False, True, False, True]), (2,), (1, 2),
                (slice(1, 3), 0), (slice(None), [3, 1]), ([0, 2], slice(1, 3)), (-1, -1)]:
        close(t[key], X[key], err_msg=str(key))
    close(t[ph.tensor([3.0, 1.0])], X[[3, 1]])


@pytest.mark.parametrize("key,error", [(5, IndexError), (-6, IndexError), ([0, 7], IndexError), (1.5, IndexError),
                                       ("a", IndexError), (np.array([True, False]), IndexError),
                                       ((0, 0, 0), IndexError)])
def test_getitem_errors(key, error):
    with pytest.raises(error):
        ph.zeros(5, 4)[key]


# ---------------------------------------------------------------- in place


def test_copy_from_tensors_arrays_lists_and_scalars():
    t = ph.zeros(2, 3)
    assert t.copy_(A) is t
    close(t, A)
    close(t.copy_(ph.tensor(A * 2)), A * 2)
    close(t.copy_([[1, 2, 3], [4, 5, 6]]), [[1, 2, 3], [4, 5, 6]])
    close(t.copy_(B), np.broadcast_to(B, (2, 3)))
    close(t.copy_(7), np.full((2, 3), 7.0))
    close(t.zero_(), np.zeros((2, 3)))
    close(t.fill_(2.0), np.full((2, 3), 2.0))
    with pytest.raises(ValueError):
        t.copy_(ph.zeros(4))


def test_in_place_operators_update_the_same_storage():
    p = ph.nn.Parameter(ph.tensor(B))
    alias = p.data
    p.grad = ph.ones(3)
    with ph.no_grad():
        p -= 0.5 * p.grad
        p += 1.0
        p *= 2.0
        p /= 4.0
        p.add_(ph.ones(3), alpha=2.0).sub_(1.0)
    assert isinstance(p, ph.nn.Parameter)
    close(alias, ((B - 0.5 + 1.0) * 2.0 / 4.0) + 2.0 - 1.0)


def test_in_place_on_a_leaf_requiring_grad_needs_no_grad():
    p = ph.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place"):
        p += 1
    with pytest.raises(RuntimeError):
        p.copy_([1.0, 2.0])


def test_data_property_reads_and_writes_the_storage():
    p = ph.nn.Parameter(ph.zeros(2))
    assert not p.data.requires_grad
    p.data = np.array([1.0, 2.0])
    close(p, [1.0, 2.0])
    p.data -= 1.0  # no no_grad needed: .data does not require grad
    close(p, [0.0, 1.0])
    with pytest.raises(ValueError, match="shape"):
        p.data = np.zeros(3)


# ---------------------------------------------------------------- copying and helpers


def test_pickle_and_deepcopy_roundtrip():
    t = ph.tensor(A, requires_grad=True)
    for clone in (pickle.loads(pickle.dumps(t)), copy.deepcopy(t)):
        assert type(clone) is ph.Tensor and clone.requires_grad
        close(clone, A)
        assert not np.shares_memory(clone.detach().numpy(), t.detach().numpy())
    p = ph.nn.Parameter(ph.tensor(B))
    q = copy.deepcopy(p)
    assert type(q) is ph.nn.Parameter and q.requires_grad
    assert pickle.loads(pickle.dumps(ph.float32)) is ph.float32


def test_is_tensor():
    assert ph.is_tensor(ph.zeros(1)) and ph.is_tensor(ph.nn.Parameter(ph.zeros(1)))
    assert not ph.is_tensor(np.zeros(1)) and not ph.is_tensor([1.0])


def test_results_are_polyhead_tensors():
    t = ph.tensor(A, requires_grad=True)
    for result in (t + 1, t.exp(), t.sum(), t.detach(), t.reshape(6), t[0], ph.cat([t, t])):
        assert type(result) is ph.Tensor


def test_size_of_a_scalar():
    t = ph.tensor(1.0)
    assert t.size() == () and t.shape == () and t.numel() == 1
    with pytest.raises(IndexError):
        t.size(0)
