"""Tensor math and shapes: operators, elementwise functions, reductions and shape ops — values against numpy
(the Tensor object itself: test_tensor.py)."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph

A = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]], dtype=np.float32)


def close(t, expected, **kw):
    np.testing.assert_allclose(np.asarray(t.detach()), np.asarray(expected, dtype=np.float64), rtol=1e-6, atol=1e-6, **kw)


# ---------------------------------------------------------------- operators


B = np.array([0.5, 2.0, -1.0], dtype=np.float32)


@pytest.mark.parametrize("op", [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b])
def test_binary_operators_with_tensors_numbers_and_arrays(op):
    t, u = ph.tensor(A), ph.tensor(B)
    close(op(t, u), op(A, B))
    close(op(t, 2.0), op(A, 2.0))
    close(op(2, t), op(2, A))
    close(op(t, B), op(A, B))
    close(op(B, t), op(B, A))  # numpy on the left defers to the tensor
    close(op(t, np.float64(3.0)), op(A, 3.0))
    assert isinstance(op(B, t), ph.Tensor)


def test_matmul_operator_and_vectors():
    W = np.arange(6, dtype=np.float32).reshape(3, 2)
    close(ph.tensor(A) @ ph.tensor(W), A @ W)
    close(ph.tensor(A) @ W, A @ W)
    close(A @ ph.tensor(W), A @ W)
    close(ph.tensor(A) @ B, A @ B)
    close(ph.tensor(B) @ ph.tensor(B), B @ B)
    assert (ph.tensor(B) @ ph.tensor(B)).shape == ()
    close(ph.matmul(A, W), A @ W)


def test_unary_operators_and_pow():
    t = ph.tensor(A)
    close(-t, -A)
    assert +t is t
    close(t ** 2, A ** 2)
    close(t.pow(3), A ** 3)
    close(ph.tensor(np.abs(A)) ** 0.5, np.sqrt(np.abs(A)))
    close(t ** np.int64(2), A ** 2)
    with pytest.raises(TypeError):
        t ** t
    with pytest.raises(TypeError):
        t + "a"
    with pytest.raises(TypeError):
        t * [1, 2, 3]  # lists are not operands (like torch)


@pytest.mark.parametrize("name,ref", [("exp", np.exp), ("relu", lambda a: np.maximum(a, 0)),
                                      ("sigmoid", lambda a: 1 / (1 + np.exp(-a))), ("tanh", np.tanh)])
def test_elementwise_methods_and_functions(name, ref):
    close(getattr(ph.tensor(A), name)(), ref(A.astype(np.float64)))
    close(getattr(ph, name)(ph.tensor(A)), ref(A.astype(np.float64)))


def test_log_and_sqrt():
    P = np.abs(A) + 0.5
    close(ph.tensor(P).log(), np.log(P))
    close(ph.sqrt(ph.tensor(P)), np.sqrt(P))


def test_softmax_and_log_softmax_sum_to_one():
    s = ph.tensor(A).softmax(-1)
    close(s.sum(1), np.ones(2))
    close(ph.tensor(A).log_softmax(dim=1).exp(), s.detach().numpy())
    close(ph.softmax(ph.tensor(A), 0).sum(0), np.ones(3))


# ---------------------------------------------------------------- reductions


def test_sum_and_mean_forms():
    t = ph.tensor(A)
    for fn, ref in [(ph.Tensor.sum, np.sum), (ph.Tensor.mean, np.mean)]:
        close(fn(t), ref(A))
        close(fn(t, 0), ref(A, 0))
        close(fn(t, dim=-1), ref(A, -1))
        close(fn(t, axis=1, keepdims=True), ref(A, 1, keepdims=True))
        close(fn(t, 1, keepdim=True), ref(A, 1, keepdims=True))
        close(fn(t, dim=(0, 1)), ref(A, (0, 1)))
        close(fn(t, keepdim=True), ref(A, keepdims=True))
    close(ph.sum(t, 1), A.sum(1))
    with pytest.raises(TypeError):
        t.sum(dim=0, axis=0)
    with pytest.raises(IndexError):
        t.sum(2)


def test_max_forms():
    t = ph.tensor(A)
    assert t.max().item() == 5.0 and t.max().shape == ()
    values, indices = t.max(1)
    close(values, A.max(1))
    close(indices, A.argmax(1))
    assert not indices.requires_grad
    result = ph.max(t, dim=0, keepdim=True)
    close(result.values, A.max(0, keepdims=True))
    close(result.indices, A.argmax(0)[None])
    close(t.argmax(), [A.argmax()])
    close(t.argmax(dim=1), A.argmax(1))


# ---------------------------------------------------------------- shapes


def test_reshape_and_view_forms():
    t = ph.arange(6)
    for shaped in (t.reshape(2, 3), t.reshape((2, 3)), t.view([2, 3]), t.view(-1, 3), ph.reshape(t, (2, 3))):
        close(shaped, np.arange(6).reshape(2, 3))
    with pytest.raises(ValueError, match="invalid"):
        t.reshape(4, 2)
    with pytest.raises(TypeError):
        t.reshape("a")


def test_reshape_shares_storage():
    t = ph.zeros(2, 3)
    r = t.reshape(6)
    r.numpy()[0] = 9.0
    assert t[0, 0].item() == 9.0


def test_transposes():
    t = ph.tensor(A)
    close(t.T, A.T)
    close(t.t(), A.T)
    close(t.transpose(0, 1), A.T)
    close(t.transpose(1, 0), A.T)
    close(ph.transpose(t, -1, -2), A.T)
    assert t.transpose(1, 1) is t
    v = ph.tensor(B)
    assert v.T is v and v.t() is v
    with pytest.raises(ValueError):
        ph.zeros(2, 2, 2).t()


def test_flatten_squeeze_unsqueeze():
    t = ph.zeros(2, 1, 3)
    assert t.flatten().shape == (6,) and t.flatten(1).shape == (2, 3) and ph.flatten(t, 0, 1).shape == (2, 3)
    assert t.squeeze().shape == (2, 3) and t.squeeze(1).shape == (2, 3) and t.squeeze(0).shape == (2, 1, 3)
    assert t.unsqueeze(0).shape == (1, 2, 1, 3) and t.unsqueeze(-1).shape == (2, 1, 3, 1)


def test_cat_stack_split_chunk_unbind():
    a, b = ph.tensor(A), ph.tensor(A * 2)
    close(ph.cat([a, b]), np.concatenate([A, A * 2]))
    close(ph.cat((a, b), dim=1), np.concatenate([A, A * 2], 1))
    close(ph.concat([a, b], -1), np.concatenate([A, A * 2], -1))
    close(ph.stack([a, b]), np.stack([A, A * 2]))
    close(ph.stack([a, b], dim=2), np.stack([A, A * 2], 2))
    t = ph.arange(10).reshape(5, 2)
    pieces = ph.split(t, 2)
    assert [p.shape[0] for p in pieces] == [2, 2, 1] and isinstance(pieces, tuple)
    close(pieces[2], [[8, 9]])
    assert [p.shape[1] for p in ph.tensor(A).split([2, 1], dim=1)] == [2, 1]
    assert [p.shape[0] for p in t.chunk(2)] == [3, 2]
    rows = t.unbind()
    assert len(rows) == 5 and rows[1].tolist() == [2.0, 3.0]
    assert [r.tolist() for r in t] == np.arange(10).reshape(5, 2).tolist()
    with pytest.raises(TypeError):
        ph.cat(a)
    with pytest.raises(ValueError, match="differ"):
        ph.cat([ph.zeros(2, 3), ph.zeros(2, 4)])
    with pytest.raises(ValueError):
        ph.split(t, [1, 2])
    with pytest.raises(ValueError):
        ph.split(t, 0)
