"""``silu``, ``softplus``, ``normalize``, ``cosine_similarity``, ``one_hot`` (functional and modules) and
``ParameterList``/``ParameterDict``: values and gradients against float64 numpy, torch where installed."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
import polyhead.nn.functional as F
from polyhead import nn

rng = np.random.default_rng(0)
X = (rng.standard_normal((4, 5)) * 4).astype(np.float32)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def value_and_grad(function, x_np):
    x = ph.tensor(x_np, requires_grad=True)
    out = function(x)
    out.sum().backward()
    return out.detach().numpy(), x.grad.numpy()


def test_silu_and_softplus_against_numpy():
    x = X.astype(np.float64)
    out, grad = value_and_grad(nn.SiLU(), X)
    np.testing.assert_allclose(out, x * sigmoid(x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad, sigmoid(x) * (1 + x * (1 - sigmoid(x))), rtol=1e-5, atol=1e-6)
    for beta in (1.0, 2.5):
        out, grad = value_and_grad(nn.Softplus(beta=beta), X)
        np.testing.assert_allclose(out, np.logaddexp(0, beta * x) / beta, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(grad, sigmoid(beta * x), rtol=1e-5, atol=1e-6)
    big, _ = value_and_grad(F.softplus, np.array([100.0, -100.0], np.float32))
    assert big.tolist() == [100.0, 0.0]
    with pytest.raises(ValueError, match="beta must be a number > 0"):
        F.softplus(ph.zeros(1), beta=0)


def test_normalize_and_cosine_similarity_against_numpy():
    x = X.astype(np.float64)
    out, grad = value_and_grad(lambda t: F.normalize(t, dim=1) * ph.tensor(np.arange(5.0, dtype=np.float32)), X)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    np.testing.assert_allclose(out, x / norms * np.arange(5.0), rtol=1e-5, atol=1e-6)
    c = np.arange(5.0)
    want = c / norms - x * (x * c).sum(1, keepdims=True) / norms ** 3
    np.testing.assert_allclose(grad, want, rtol=1e-4, atol=1e-6)
    zero, zero_grad = value_and_grad(F.normalize, np.zeros((1, 3), np.float32))
    assert zero.tolist() == [[0.0, 0.0, 0.0]] and np.isfinite(zero_grad).all()

    y = rng.standard_normal((4, 5))
    a = ph.tensor(X, requires_grad=True)
    similarity = F.cosine_similarity(a, ph.tensor(y.astype(np.float32)), dim=1)
    want = (x * y).sum(1) / (np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1))
    np.testing.assert_allclose(similarity.detach().numpy(), want, rtol=1e-5)
    similarity.sum().backward()
    nx, ny = np.linalg.norm(x, axis=1, keepdims=True), np.linalg.norm(y, axis=1, keepdims=True)
    want_grad = y / (nx * ny) - x * want[:, None] / nx ** 2
    np.testing.assert_allclose(a.grad.numpy(), want_grad, rtol=1e-4, atol=1e-6)
    with pytest.raises(NotImplementedError, match="p=1"):
        F.normalize(ph.ones(2, 2), p=1)
    with pytest.raises(ValueError, match="same shape"):
        F.cosine_similarity(ph.ones(2, 2), ph.ones(2, 3))


def test_one_hot():
    out = F.one_hot(ph.tensor([[0, 2], [1, 1]]))
    assert out.dtype == ph.int64 and out.shape == (2, 2, 3)
    assert out.tolist() == [[[1, 0, 0], [0, 0, 1]], [[0, 1, 0], [0, 1, 0]]]
    assert F.one_hot(ph.tensor([1]), num_classes=4).tolist() == [[0, 1, 0, 0]]
    with pytest.raises(ValueError, match="non-negative"):
        F.one_hot(ph.tensor([-1, 0]))
    with pytest.raises(ValueError, match="smaller than num_classes"):
        F.one_hot(ph.tensor([3]), 3)


class PerTaskWeights(nn.Module):
    def __init__(self):
        super().__init__()
        self.log_vars = nn.ParameterList([nn.Parameter(ph.zeros(1)) for _ in range(2)])
        self.scales = nn.ParameterDict({"digit": ph.ones(1), "parity": nn.Parameter(ph.full((1,), 2.0))})

    def forward(self, losses):
        return sum(ph.exp(-lv) * loss + lv for lv, loss in zip(self.log_vars, losses)) * self.scales["parity"]


def test_parameter_containers_register_and_train():
    module = PerTaskWeights()
    assert list(module.state_dict()) == ["log_vars.0", "log_vars.1", "scales.digit", "scales.parity"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in module.parameters())
    opt = ph.optim.SGD(module.parameters(), lr=0.1)
    loss = module([ph.tensor([2.0]), ph.tensor([0.5])]).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
    assert module.log_vars[0].item() == pytest.approx(0.1 * 2 * (2.0 - 1))  # d/dlv = scale·(1 - L·e^-lv)
    params = module.log_vars
    params.append(ph.zeros(2))
    params[0] = ph.ones(1)
    assert len(params) == 3 and params[-1].shape == (2,) and params[0].item() == 1.0
    assert len(params[1:]) == 2 and isinstance(params[1:], nn.ParameterList)
    scales = module.scales
    assert "digit" in scales and list(scales) == ["digit", "parity"] and len(scales) == 2
    assert scales.pop("digit").item() == 1.0 and list(scales.keys()) == ["parity"]
    with pytest.raises(TypeError, match="must be tensors"):
        params.append("weight")
    with pytest.raises(IndexError):
        params[5]


def test_match_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    t = torch.tensor(X)
    for ours, theirs in ((F.silu(ph.tensor(X)), tf.silu(t)), (F.softplus(ph.tensor(X), 2.0), tf.softplus(t, 2.0)),
                         (F.normalize(ph.tensor(X), dim=0), tf.normalize(t, dim=0)),
                         (F.cosine_similarity(ph.tensor(X), ph.tensor(X[::-1].copy())),
                          tf.cosine_similarity(t, torch.tensor(X[::-1].copy())))):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)
    assert F.one_hot(ph.tensor([2, 0])).tolist() == tf.one_hot(torch.tensor([2, 0])).tolist()
