"""``nn.Embedding``/``F.embedding``: lookups, scatter-add gradients, padding_idx, index validation."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
import polyhead.nn.functional as F
from polyhead import nn


def test_lookup_and_gradient_against_numpy():
    rng = np.random.default_rng(0)
    table = rng.standard_normal((6, 3)).astype(np.float32)
    indices = np.array([[5, 0, 2], [2, 2, 1]])
    weight = ph.tensor(table, requires_grad=True)
    out = F.embedding(indices, weight)
    np.testing.assert_array_equal(out.detach().numpy(), table[indices])
    upstream = rng.standard_normal((2, 3, 3))
    out.backward(ph.tensor(upstream))
    expected = np.zeros((6, 3))
    np.add.at(expected, indices.reshape(-1), upstream.reshape(-1, 3))
    np.testing.assert_allclose(weight.grad.numpy(), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("indices", [[1, 3], np.array([1, 3], dtype=np.int32), ph.tensor([1.0, 3.0]), (1, 3)])
def test_index_forms(indices):
    weight = ph.arange(8.0).reshape(4, 2)
    assert F.embedding(indices, weight).tolist() == [[2.0, 3.0], [6.0, 7.0]]


def test_scalar_index_and_empty_indices():
    weight = ph.arange(8.0).reshape(4, 2)
    assert F.embedding(2, weight).tolist() == [4.0, 5.0]
    assert F.embedding(np.zeros((0, 3), dtype=np.int64), weight).shape == (0, 3, 2)


def test_module_init_padding_idx_and_repr():
    ph.manual_seed(1)
    m = nn.Embedding(5, 3, padding_idx=-2)
    assert m.padding_idx == 3
    weight = m.weight.detach().numpy()
    np.testing.assert_array_equal(weight[3], np.zeros(3))
    ph.manual_seed(1)
    expected = ph.randn(5, 3).numpy()
    expected[3] = 0
    np.testing.assert_array_equal(weight, expected)
    out = m([[3, 1], [3, 3]])
    out.sum().backward()
    grad = m.weight.grad.numpy()
    np.testing.assert_array_equal(grad[3], np.zeros(3))
    np.testing.assert_array_equal(grad[1], np.ones(3))
    assert repr(m) == "Embedding(5, 3, padding_idx=3)" and repr(nn.Embedding(4, 2)) == "Embedding(4, 2)"
    assert [name for name, _ in m.named_parameters()] == ["weight"]


def test_from_pretrained():
    table = np.arange(6, dtype=np.float32).reshape(3, 2)
    m = nn.Embedding.from_pretrained(table)
    assert not m.weight.requires_grad
    assert m([2]).tolist() == [[4.0, 5.0]]
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad


def test_index_validation():
    weight = ph.zeros(4, 2)
    with pytest.raises(IndexError, match=r"index 4 is out of range for 4 embeddings"):
        F.embedding([0, 4], weight)
    with pytest.raises(IndexError, match=r"index -1"):
        F.embedding([-1], weight)
    with pytest.raises(ValueError, match="integers"):
        F.embedding(ph.tensor([1.5]), weight)
    with pytest.raises(TypeError, match="integers"):
        F.embedding(np.array(["a"]), weight)
    with pytest.raises(TypeError, match="input"):
        F.embedding("12", weight)
    with pytest.raises(ValueError, match="Padding_idx"):
        nn.Embedding(3, 2, padding_idx=3)
    with pytest.raises(ValueError, match=r"\[Embedding\]"):
        nn.Embedding(0, 2)
    with pytest.raises(NotImplementedError, match="max_norm"):
        nn.Embedding(3, 2, max_norm=1.0)
