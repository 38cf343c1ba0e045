"""``nn.utils.parameters_to_vector`` / ``vector_to_parameters`` (the flat view of per-task gradients that
hand-written MTL methods use) and ``Module.cuda`` refusing clearly."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import nn
from polyhead.nn.utils import parameters_to_vector, vector_to_parameters


def test_round_trip_and_order():
    net = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    params = list(net.parameters())
    vec = parameters_to_vector(params)
    want = np.concatenate([p.detach().numpy().ravel() for p in params])
    np.testing.assert_array_equal(vec.detach().numpy(), want)
    vector_to_parameters(ph.arange(vec.numel()).float(), params)
    assert params[0].tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]] and params[3].tolist() == [10.0]
    assert all(p.requires_grad and p.is_leaf for p in params)


def test_flat_gradients_projected_by_hand():
    """PCGrad's projection on flattened gradients, written as users do, written back into .grad."""
    w = nn.Parameter(ph.tensor([[1.0, 2.0]]))
    b = nn.Parameter(ph.tensor([0.5]))
    x = ph.tensor([[1.0, -1.0]])
    grads = []
    for target in (1.0, -1.0):
        w.grad = b.grad = None
        (((x @ w.t() + b) - target) ** 2).sum().backward()
        grads.append(parameters_to_vector([w.grad, b.grad]))
    g1, g2 = grads
    dot = (g1 * g2).sum()
    projected = g1 - dot / (g2 * g2).sum() * g2 if dot.item() < 0 else g1
    a, c = g1.numpy(), g2.numpy()
    want = a - (a @ c) / (c @ c) * c if a @ c < 0 else a
    np.testing.assert_allclose(projected.numpy(), want, rtol=1e-6)
    vector_to_parameters(projected, [w.grad, b.grad])
    np.testing.assert_allclose(np.concatenate([w.grad.numpy().ravel(), b.grad.numpy()]), want, rtol=1e-6)


def test_errors():
    params = list(nn.Linear(2, 2).parameters())
    with pytest.raises(ValueError, match="1-D with 6 elements"):
        vector_to_parameters(ph.zeros(5), params)
    with pytest.raises(TypeError, match="expected vec to be a Tensor"):
        vector_to_parameters([0.0] * 6, params)
    with pytest.raises(ValueError, match="CPU only"):
        nn.Linear(2, 2).cuda()
