"""Batched matmul, bmm and einsum (``_linalg.py``), var/std/norm (``_stats.py``), sin/cos, eye/linspace and
``device=`` on creation functions: values against numpy float64, gradients against finite differences, and against torch when
it is importable."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph

try:
    import torch
except ImportError:  # the numpy checks still run; only the cross-check with torch is skipped
    torch = None


@pytest.mark.parametrize("shapes", [[(3, 2, 4), (3, 4, 5)], [(3, 2, 4), (4, 5)], [(2, 4), (3, 4, 5)],
                                    [(2, 1, 2, 3), (4, 3, 2)], [(4,), (3, 4, 2)], [(3, 2, 4), (4,)]])
def test_matmul_of_batched_operands(check_op, shapes):
    check_op(shapes, np.matmul, lambda a, b: a @ b)


def test_bmm(check_op):
    check_op([(3, 2, 4), (3, 4, 5)], np.matmul, ph.bmm)
    check_op([(1, 2, 4), (1, 4, 3)], np.matmul, lambda a, b: a.bmm(b))
    with pytest.raises(ValueError, match=r"\(3, 2, 4\).*\(2, 4, 5\)"):
        ph.bmm(ph.zeros(3, 2, 4), ph.zeros(2, 4, 5))
    with pytest.raises(ValueError, match="batch"):
        ph.zeros(3, 2, 4) @ ph.zeros(2, 4, 5)


@pytest.mark.parametrize("equation, shapes", [("bij,bjk->bik", [(3, 2, 4), (3, 4, 5)]), ("bi,bi->b", [(4, 3), (4, 3)]),
                                              ("be,bed->bd", [(4, 3), (4, 3, 2)]), ("ij->ji", [(2, 3)]),
                                              ("ij,jk", [(2, 3), (3, 4)]), ("bij->b", [(2, 3, 4)]),
                                              ("ij,kl->ikjl", [(2, 3), (1, 2)]), ("abc,cd->dba", [(2, 3, 4), (4, 2)])])
def test_einsum(check_op, equation, shapes):
    check_op(shapes, lambda *xs: np.einsum(equation, *xs), lambda *xs: ph.einsum(equation, *xs))


def test_einsum_errors():
    with pytest.raises(ValueError, match="letter 'j'"):
        ph.einsum("ij,jk->ik", ph.zeros(2, 3), ph.zeros(4, 5))
    with pytest.raises(ValueError, match="repeated"):
        ph.einsum("ii->i", ph.zeros(2, 2))
    with pytest.raises(ValueError, match="one term"):
        ph.einsum("ij->j", ph.zeros(2, 2), ph.zeros(2, 2))


@pytest.mark.parametrize("dim, keepdim", [(None, False), (1, True), ((0, 2), False), (-1, False)])
def test_var_std_norm(check_op, dim, keepdim):
    axis = tuple(dim) if isinstance(dim, tuple) else dim
    check_op([(2, 3, 4)], lambda x: np.var(x, axis=axis, ddof=1, keepdims=keepdim), lambda x: x.var(dim, keepdim=keepdim))
    check_op([(2, 3, 4)], lambda x: np.std(x, axis=axis, keepdims=keepdim), lambda x: ph.std(x, dim, False, keepdim))
    check_op([(2, 3, 4)], lambda x: np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdim)), lambda x: x.norm(dim=dim, keepdim=keepdim))
    check_op([(2, 3, 4)], lambda x: np.sum(np.abs(x), axis=axis, keepdims=keepdim), lambda x: x.norm(1, dim, keepdim))
    check_op([(2, 3, 4)], lambda x: np.max(np.abs(x), axis=axis, keepdims=keepdim),
             lambda x: ph.norm(x, float("inf"), dim, keepdim))


def test_var_correction_and_errors():
    x = ph.tensor([1.0, 2.0, 4.0])
    assert x.var(correction=0).item() == pytest.approx(np.var([1, 2, 4]))
    assert x.var(unbiased=False).item() == pytest.approx(np.var([1, 2, 4]))
    assert x.var(correction=2).item() == pytest.approx(np.sum((np.array([1, 2, 4]) - 7 / 3) ** 2))
    with pytest.raises(TypeError, match="float"):
        ph.tensor([1, 2]).std()
    with pytest.raises(ValueError, match="p must be"):
        x.norm(p=3)


def test_norm_of_zero_vectors_has_zero_gradient():
    """sqrt's slope is infinite at 0: the 2-norm of an all-zero row must give 0 and a zero gradient (PyTorch's),
    not NaN, while the other rows keep x / norm; NaN and inf inputs still propagate."""
    x = ph.tensor([[0.0, 0.0, 0.0], [3.0, 4.0, 0.0]], requires_grad=True)
    out = x.norm(dim=1)
    out.sum().backward()
    assert out.tolist() == [0.0, 5.0]
    np.testing.assert_allclose(x.grad.numpy(), [[0, 0, 0], [0.6, 0.8, 0]], rtol=1e-6)
    z = ph.zeros(4, requires_grad=True)
    z.norm().backward()
    assert z.grad.tolist() == [0.0] * 4
    assert np.isnan(ph.tensor([float("nan"), 1.0]).norm().item())
    assert ph.tensor([float("inf"), 1.0]).norm().item() == float("inf")


def test_eye_linspace_and_device():
    assert ph.eye(2, 3).tolist() == np.eye(2, 3).tolist() and ph.eye(2, dtype=ph.long).dtype is ph.int64
    np.testing.assert_allclose(ph.linspace(-1, 2, 7).numpy(), np.linspace(-1, 2, 7), rtol=1e-6)
    assert ph.zeros(2, device="cpu").tolist() == [0.0, 0.0] and ph.eye(1, device=ph.device("cpu")).tolist() == [[1.0]]
    assert ph.randn(2, 2, device="cpu:0").shape == (2, 2) and ph.tensor([1], device="cpu").tolist() == [1]
    with pytest.raises(ValueError, match="cuda"):
        ph.ones(2, device="cuda")
    with pytest.raises(ValueError, match="steps"):
        ph.linspace(0, 1, -1)


def test_sin_and_cos(check_op):
    check_op([(3, 4)], np.sin, ph.sin, low=-4, high=4)
    check_op([(5,)], np.cos, lambda x: x.cos(), low=-4, high=4)


@pytest.mark.skipif(torch is None, reason="torch is not installed")
def test_agrees_with_torch():
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((4, 3, 5)).astype(np.float32), rng.standard_normal((4, 5, 2)).astype(np.float32)
    cases = [lambda lib, a, b: lib.bmm(a, b), lambda lib, a, b: a @ b[0], lambda lib, a, b: lib.einsum("bij,bjk->bik", a, b),
             lambda lib, a, b: lib.einsum("bj,bjk->bk", a[:, 0], b), lambda lib, a, b: a.std(1) * b.var(),
             lambda lib, a, b: a.norm(dim=2) + b.norm(p=1), lambda lib, a, b: a.var(dim=(0, 2), correction=0) * b.std()]
    for case in cases:
        ours = [ph.tensor(v, requires_grad=True) for v in (x, y)]
        theirs = [torch.tensor(v, requires_grad=True) for v in (x, y)]
        a, b = case(ph, *ours), case(torch, *theirs)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)
        a.sum().backward()
        b.sum().backward()
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-5)
    assert torch.linspace(0, 1, 5).tolist() == ph.linspace(0, 1, 5).tolist()
