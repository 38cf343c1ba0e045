"""``optim.SGD``: the first steps against torch's update rule written out in float64 numpy."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import nn, optim

P0 = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
C = np.array([[1.0, 0.5, 0.3], [0.8, 1.2, 0.6]])


def grad_of(p):
    """Gradient of the test loss sum((c * p)**2) at p."""
    return 2 * C * C * p


def reference_sgd(steps, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    """torch.optim.SGD, one parameter, float64."""
    p, buf, history = P0.copy(), None, []
    for _ in range(steps):
        g = grad_of(p) + weight_decay * p
        if momentum != 0:
            buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
        history.append(p.copy())
    return history


@pytest.mark.parametrize("options", [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.1, weight_decay=0.2),
    dict(lr=0.05, momentum=0.8, weight_decay=0.1, nesterov=True),
])
def test_first_three_steps_match_torch_rule(options, run_optimizer):
    for got, want in zip(run_optimizer(optim.SGD, 3, P0, C, **options), reference_sgd(3, **options)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_default_learning_rate_is_torch_default():
    opt = optim.SGD([nn.Parameter(ph.zeros(1))])
    assert opt.param_groups[0]["lr"] == 1e-3 and opt.defaults["momentum"] == 0


@pytest.mark.parametrize("options,message", [
    (dict(lr=-0.1), "Invalid learning rate: -0.1"),
    (dict(lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    (dict(lr=0.1, weight_decay=-1.0), "Invalid weight_decay value: -1.0"),
    (dict(lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    (dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
])
def test_validation_messages_match_torch(options, message):
    with pytest.raises(ValueError, match=message):
        optim.SGD([nn.Parameter(ph.zeros(1))], **options)


def test_trains_a_linear_model_with_model_parameters():
    ph.manual_seed(0)
    model = nn.Linear(2, 1)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
    x = ph.tensor([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [2.0, 1.0]])
    y = x @ ph.tensor([[2.0], [-1.0]]) + 0.5
    losses = []
    for _ in range(300):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 1e-6 < losses[0]
    np.testing.assert_allclose(model.weight.detach().numpy(), [[2.0, -1.0]], atol=1e-3)
