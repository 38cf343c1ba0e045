"""Comparisons, predicates, clamp/maximum/minimum/masked_fill/abs/sign and min/max (``_compare.py``): values against
numpy float64, gradients against finite differences (inputs kept away from kinks) or PyTorch's tie rules, and
against torch itself when it is importable."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph

try:
    import torch
except ImportError:  # the numpy checks still run; only the cross-check with torch is skipped
    torch = None

RNG = np.random.default_rng(7)
X = np.array([[-1.5, 0.0, 2.0], [np.nan, np.inf, -0.25]], dtype=np.float32)


@pytest.mark.parametrize("name, numpy_fn", [("eq", np.equal), ("ne", np.not_equal), ("lt", np.less),
                                            ("le", np.less_equal), ("gt", np.greater), ("ge", np.greater_equal)])
def test_comparison_methods_and_functions(name, numpy_fn):
    other = np.array([0.0, 0.0, 2.0], dtype=np.float32)
    for out in (getattr(ph.tensor(X), name)(ph.tensor(other)), getattr(ph, name)(ph.tensor(X), 0.0)):
        assert out.dtype is ph.bool
    np.testing.assert_array_equal(getattr(ph.tensor(X), name)(ph.tensor(other)).numpy(), numpy_fn(X, other))
    assert getattr(ph.tensor([1, 2]), name)(2).tolist() == numpy_fn([1, 2], 2).tolist()
    with pytest.raises(TypeError, match="other"):
        getattr(ph, name)(ph.tensor(X), "a")


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite"])
def test_predicates(name):
    out = getattr(ph.tensor(X), name)()
    assert out.dtype is ph.bool
    np.testing.assert_array_equal(out.numpy(), getattr(np, name)(X))
    assert getattr(ph, name)(ph.tensor([1, 2])).tolist() == getattr(np, name)([1, 2]).tolist()


def test_all_any_over_all_and_dims():
    mask = np.array([[True, False, True], [True, True, True]])
    t = ph.tensor(mask)
    assert t.all().item() is False and t.any().item() is True and t.all().dtype is ph.bool
    assert t.all(dim=1).tolist() == [False, True]
    assert ph.any(t, 0, keepdim=True).tolist() == [[True, True, True]]
    assert ph.tensor([1.0, 0.5]).all().item() is True
    with pytest.raises(IndexError):
        t.all(dim=2)


def test_allclose_and_equal():
    a = ph.tensor([1.0, 2.0])
    assert ph.allclose(a, a + 1e-7) and not ph.allclose(a, a + 1e-3) and a.allclose(ph.tensor([[1.0, 2.0]]))
    assert ph.equal(a, ph.tensor([1.0, 2.0])) and not ph.equal(a, ph.tensor([[1.0, 2.0]]))
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        ph.allclose(a, ph.zeros(3))


def test_abs_and_sign_values_and_gradient(check_op):
    check_op([(3, 4)], np.abs, ph.abs, inputs=[np.array([[-2, -1, 0.5, 1.5]] * 3, dtype=np.float32)])
    x = ph.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    abs(x).sum().backward()
    assert x.grad.tolist() == [-1.0, 0.0, 1.0]  # PyTorch: 0 at 0
    assert ph.sign(ph.tensor(X)).numpy().tolist()[0] == [-1.0, 0.0, 1.0]
    assert ph.tensor([-3, 0, 4]).abs().tolist() == [3, 0, 4] and ph.tensor([-3, 4]).sign().dtype is ph.int64


def test_clamp_numbers_and_tensors(check_op):
    values = np.array([[-1.8, -0.3, 0.4, 1.7]], dtype=np.float32)
    check_op([(1, 4)], lambda x: np.clip(x, -0.5, 1.0), lambda x: x.clamp(-0.5, 1.0), inputs=[values])
    check_op([(1, 4)], lambda x: np.maximum(x, 0.0), lambda x: ph.clip(x, min=0), inputs=[values])
    low = np.array([[-1.0], [0.0]], dtype=np.float32)
    check_op(None, lambda x, lo: np.maximum(x, lo), lambda x, lo: x.clamp(min=lo), inputs=[values, low])
    assert ph.tensor([-5, 2, 9]).clamp(0, 4).tolist() == [0, 2, 4] and ph.tensor([1]).clamp(0).dtype is ph.int64
    assert np.isnan(ph.tensor([np.nan]).clamp(0, 1).item())
    with pytest.raises(ValueError, match="min"):
        ph.clamp(ph.zeros(2))


def test_maximum_minimum_and_two_tensor_max_min(check_op):
    check_op([(2, 3), (3,)], np.maximum, ph.maximum)
    check_op([(2, 3), (2, 1)], np.minimum, lambda a, b: ph.min(a, b))
    a = ph.tensor([1.0, 2.0, np.nan], requires_grad=True)
    b = ph.tensor([1.0, 3.0, 0.0], requires_grad=True)
    out = a.maximum(b)
    assert np.isnan(out.tolist()[2]) and out.tolist()[:2] == [1.0, 3.0]
    out.sum().backward()
    assert a.grad.tolist() == [0.5, 0.0, 1.0] and b.grad.tolist() == [0.5, 1.0, 0.0]  # ties split, NaN wins
    assert ph.max(ph.tensor([1, 5]), ph.tensor([3, 2])).tolist() == [3, 5]
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        ph.maximum(ph.zeros(2), ph.zeros(3))


def test_min_over_all_and_along_dim():
    x = RNG.standard_normal((3, 4)).astype(np.float32)
    t = ph.tensor(x, requires_grad=True)
    values, indices = t.min(dim=1, keepdim=True)
    np.testing.assert_array_equal(values.detach().numpy(), x.min(1, keepdims=True))
    assert indices.dtype is ph.int64 and indices.numpy().ravel().tolist() == x.argmin(1).tolist()
    values.sum().backward()
    expected = np.zeros_like(x)
    expected[np.arange(3), x.argmin(1)] = 1
    np.testing.assert_array_equal(t.grad.numpy(), expected)
    assert ph.min(ph.tensor(x)).item() == x.min() and ph.tensor([4, -2]).min().tolist() == -2
    assert ph.tensor([4, -2]).min(0).values.dtype is ph.int64


def test_masked_fill_values_gradient_and_errors():
    x = ph.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    mask = ph.tensor([True, False])
    out = x.masked_fill(mask, -1e9)
    assert out.tolist() == [[-1e9, 2.0], [-1e9, 4.0]]
    out.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0], [0.0, 1.0]]
    assert ph.tensor([1, 2]).masked_fill(ph.tensor([False, True]), 7).tolist() == [1, 7]
    with pytest.raises(TypeError, match="bool"):
        x.masked_fill(ph.tensor([1, 0]), 0.0)
    with pytest.raises(ValueError, match=r"\(3,\)"):
        x.masked_fill(ph.tensor([True, False, True]), 0.0)


def test_in_place_clamp_and_masked_fill():
    x = ph.tensor([[-2.0, 0.5], [3.0, -0.1]])
    assert x.clamp_(0, 1) is x and x.tolist() == [[0.0, 0.5], [1.0, 0.0]]
    assert x.masked_fill_(x > 0.7, -1.0) is x and x.tolist() == [[0.0, 0.5], [-1.0, 0.0]]
    assert ph.tensor([5, -5]).clip_(-1, 1).tolist() == [1, -1]
    leaf = ph.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError):
        leaf.clamp_(0, 1)


@pytest.mark.skipif(torch is None, reason="torch is not installed")
def test_agrees_with_torch():
    x = RNG.standard_normal((3, 4)).astype(np.float32)
    y = RNG.standard_normal((4,)).astype(np.float32)
    x[0, 0] = y[0]  # a tie
    cases = [lambda lib, a, b: lib.maximum(a, b), lambda lib, a, b: lib.minimum(a, b),
             lambda lib, a, b: a.clamp(min=-0.5, max=0.5) * b, lambda lib, a, b: a.abs() * b,
             lambda lib, a, b: a.masked_fill(b > 0, 0.0), lambda lib, a, b: a.min(dim=0).values * b,
             lambda lib, a, b: lib.clamp(a, min=b)]
    for case in cases:
        ours = [ph.tensor(v, requires_grad=True) for v in (x, y)]
        theirs = [torch.tensor(v, requires_grad=True) for v in (x, y)]
        a, b = case(ph, *ours), case(torch, *theirs)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6)
        a.sum().backward()
        b.sum().backward()
        for o, t in zip(ours, theirs):
            expected = np.zeros_like(x if o.ndim == 2 else y) if t.grad is None else t.grad.numpy()
            got = np.zeros_like(expected) if o.grad is None else o.grad.numpy()
            np.testing.assert_allclose(got, expected, rtol=1e-6)
