"""Activation modules call their functional forms and print like torch's."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import nn

X = np.array([[-1.5, 0.0, 2.0], [3.0, -0.5, 1.0]], dtype=np.float32)


@pytest.mark.parametrize("module,reference", [
    (nn.ReLU(), lambda x: np.maximum(x, 0)),
    (nn.ReLU(inplace=True), lambda x: np.maximum(x, 0)),
    (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    (nn.Tanh(), np.tanh),
    (nn.Softmax(dim=1), lambda x: np.exp(x) / np.exp(x).sum(1, keepdims=True)),
    (nn.Softmax(dim=0), lambda x: np.exp(x) / np.exp(x).sum(0, keepdims=True)),
    (nn.LogSoftmax(dim=-1), lambda x: x - np.log(np.exp(x).sum(1, keepdims=True))),
    (nn.Flatten(0), lambda x: x.reshape(-1)),
    (nn.Identity(), lambda x: x),
])
def test_module_values(module, reference):
    out = module(ph.tensor(X))
    np.testing.assert_allclose(out.numpy(), reference(X.astype(np.float64)), rtol=1e-5, atol=1e-6)


def test_reprs():
    assert repr(nn.ReLU()) == "ReLU()"
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(nn.Sigmoid()) == "Sigmoid()" and repr(nn.Tanh()) == "Tanh()"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)" and repr(nn.LogSoftmax(0)) == "LogSoftmax(dim=0)"
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"


def test_activations_have_no_parameters():
    for module in (nn.ReLU(), nn.Sigmoid(), nn.Tanh(), nn.Softmax(1), nn.LogSoftmax(1)):
        assert list(module.parameters()) == []
