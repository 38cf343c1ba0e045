"""permute, expand/expand_as, repeat, gather, topk, cumsum and numpy-style indexing (``...``, ``None``, three axes)
from ``_layout_ops.py``: values against numpy float64, gradients against finite differences, and against torch
when it is importable."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph

try:
    import torch
except ImportError:  # the numpy checks still run; only the cross-check with torch is skipped
    torch = None


def test_permute_values_and_gradient(check_op):
    check_op([(2, 3, 4)], lambda x: x.transpose(2, 0, 1), lambda x: x.permute(2, 0, 1))
    check_op([(2, 3)], lambda x: x.T, lambda x: ph.permute(x, (1, 0)))
    assert ph.arange(6).reshape(1, 2, 3).permute(0, 2, 1).tolist() == [[[0, 3], [1, 4], [2, 5]]]
    with pytest.raises(ValueError, match="permutation"):
        ph.zeros(2, 3, 4).permute(0, 1, 1)


def test_expand_and_expand_as(check_op):
    check_op([(3, 1)], lambda x: np.broadcast_to(x, (2, 3, 4)), lambda x: x.expand(2, -1, 4))
    check_op([(3,)], lambda x: np.broadcast_to(x, (2, 3)), lambda x: x.expand_as(ph.zeros(2, 3)))
    assert ph.tensor([1, 2]).expand(2, 2).dtype is ph.int64
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        ph.zeros(2).expand(3)


def test_repeat(check_op):
    check_op([(2, 3)], lambda x: np.tile(x, (2, 1, 2)), lambda x: x.repeat(2, 1, 2))
    with pytest.raises(ValueError, match="repeats"):
        ph.zeros(2, 3).repeat(2)


def test_gather(check_op):
    index = np.array([[2, 0], [1, 1], [0, 2]])
    check_op([(3, 4)], lambda x: np.take_along_axis(x, index, axis=1),
             lambda x: x.gather(1, ph.tensor(index)))
    check_op([(3, 2)], lambda x: x[index[:2], np.arange(2)], lambda x: ph.gather(x, 0, ph.tensor(index[:2])))
    with pytest.raises(IndexError, match="range"):
        ph.zeros(2, 2).gather(1, ph.tensor([[2, 0], [0, 0]]))
    with pytest.raises(ValueError, match="shape"):
        ph.zeros(2, 2).gather(1, ph.tensor([0, 1]))


def test_topk_values_indices_and_gradient():
    x = np.array([[1.0, 5.0, 3.0, 4.0], [9.0, 2.0, 8.0, 7.0]], dtype=np.float32)
    t = ph.tensor(x, requires_grad=True)
    values, indices = t.topk(2)
    assert values.tolist() == [[5.0, 4.0], [9.0, 8.0]] and indices.tolist() == [[1, 3], [0, 2]]
    assert indices.dtype is ph.int64
    values.sum().backward()
    assert t.grad.tolist() == [[0, 1, 0, 1], [1, 0, 1, 0]]
    assert ph.topk(ph.tensor(x), 1, dim=0, largest=False).indices.tolist() == [[0, 1, 0, 0]]
    with pytest.raises(ValueError, match="k=5"):
        t.topk(5)


def test_cumsum(check_op):
    check_op([(2, 3, 4)], lambda x: np.cumsum(x, axis=1), lambda x: x.cumsum(1))
    check_op([(5,)], lambda x: np.cumsum(x), lambda x: ph.cumsum(x, dim=0))
    out = ph.tensor([[1, 2], [3, 4]]).cumsum(0)
    assert out.tolist() == [[1, 2], [4, 6]] and out.dtype is ph.int64


@pytest.mark.parametrize("key", [(Ellipsis, 1), (slice(None), None, 0), (0, slice(1, 3), [2, 0]),
                                 (Ellipsis, slice(None, None, 2)), ([0, 1], [1, 2], 0), (slice(None), 1, 1)])
def test_numpy_indexing_of_a_3d_tensor(check_op, key):
    check_op([(2, 3, 4)], lambda x: x[key], lambda x: x[key])


def test_two_index_arrays_pair_up_on_a_2d_tensor():
    t = ph.arange(6).reshape(2, 3)
    assert t[[0, 1], [2, 0]].tolist() == [2, 3] and t[..., 1].tolist() == [1, 4] and t[None].shape == (1, 2, 3)


@pytest.mark.skipif(torch is None, reason="torch is not installed")
def test_agrees_with_torch():
    x = np.random.default_rng(3).standard_normal((2, 3, 4)).astype(np.float32)
    index = np.array([[[2, 0, 1, 1]], [[0, 0, 2, 1]]])
    cases = [lambda lib, a: a.permute(1, 2, 0), lambda lib, a: a[:, :1].expand(2, 3, 4),
             lambda lib, a: a.repeat(1, 2, 1), lambda lib, a: a.gather(1, lib.tensor(index)),
             lambda lib, a: a.topk(2, dim=1).values, lambda lib, a: a.cumsum(2), lambda lib, a: a[..., 1:3, None]]
    for case in cases:
        ours, theirs = ph.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        a, b = case(ph, ours), case(torch, theirs)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6)
        weights = np.linspace(0.5, 1.5, b.numel(), dtype=np.float32).reshape(tuple(b.shape))
        (a * ph.tensor(weights)).sum().backward()
        (b * torch.tensor(weights)).sum().backward()
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-5, atol=1e-6)
