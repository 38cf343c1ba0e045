"""``optim.Optimizer`` base: parameter groups, lr changes between steps, zero_grad, closures, validation."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import nn, optim


def params(*values):
    return [nn.Parameter(ph.tensor(v)) for v in values]


def set_grads(ps, value=1.0):
    for p in ps:
        p.grad = ph.full(p.shape, value)


def test_param_groups_with_their_own_lr():
    a, b = params([1.0, 1.0], [1.0])
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["params"] == [b] and opt.param_groups[1]["momentum"] == 0
    set_grads([a, b])
    opt.step()
    np.testing.assert_allclose(a.detach().numpy(), [0.9, 0.9])
    np.testing.assert_allclose(b.detach().numpy(), [0.5])


def test_lr_changed_between_steps_is_used_by_the_next_step():
    (p,) = params([0.0])
    opt = optim.SGD([p], lr=0.1)
    for lr in (0.1, 0.01, 1.0):
        opt.param_groups[0]["lr"] = lr
        set_grads([p])
        opt.step()
    np.testing.assert_allclose(p.detach().numpy(), [-(0.1 + 0.01 + 1.0)], rtol=1e-6)


def test_lr_schedule_on_adam_matches_a_fresh_rule():
    (p,) = params([1.0])
    opt = optim.Adam([p], lr=0.1)
    set_grads([p])
    opt.step()  # Adam's first step moves by lr (m_hat / sqrt(v_hat) == 1)
    opt.param_groups[0]["lr"] = 0.01
    opt.step()
    np.testing.assert_allclose(p.detach().numpy(), [1.0 - 0.1 - 0.01], rtol=1e-5)


def test_changing_an_option_between_steps_takes_effect_and_keeps_the_state():
    (p,) = params([0.0])
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    set_grads([p])
    opt.step()  # b = g = 1, p = -0.1
    opt.param_groups[0]["momentum"] = 0.5
    opt.step()  # b = 0.5 * 1 + 1 = 1.5, p = -0.25
    np.testing.assert_allclose(p.detach().numpy(), [-0.25], rtol=1e-6)
    opt.param_groups[0]["momentum"] = -1.0
    with pytest.raises(ValueError, match="Invalid momentum value"):
        opt.step()


def test_negative_lr_after_construction_is_refused():
    (p,) = params([0.0])
    opt = optim.SGD([p], lr=0.1)
    opt.param_groups[0]["lr"] = -0.1
    with pytest.raises(ValueError, match="Invalid learning rate: -0.1"):
        opt.step()


def test_parameters_without_gradients_are_skipped():
    a, b = params([1.0], [2.0])
    opt = optim.SGD([a, b], lr=0.5, momentum=0.9)
    set_grads([a])
    opt.step()
    np.testing.assert_allclose(a.detach().numpy(), [0.5])
    np.testing.assert_allclose(b.detach().numpy(), [2.0])


def test_zero_grad_modes():
    ps = params([1.0], [2.0, 3.0])
    opt = optim.Adam(ps)
    set_grads(ps, 2.0)
    opt.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in ps)
    opt.zero_grad()
    assert all(p.grad is None for p in ps)


def test_step_with_closure_returns_its_loss_and_records_gradients():
    (p,) = params([3.0])
    opt = optim.SGD([p], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with ph.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 9.0
    np.testing.assert_allclose(p.detach().numpy(), [3.0 - 0.1 * 6.0], rtol=1e-6)


def test_add_param_group():
    a, b = params([1.0], [1.0])
    opt = optim.SGD([a], lr=0.1)
    opt.add_param_group({"params": [b], "lr": 1.0})
    set_grads([a, b])
    opt.step()
    np.testing.assert_allclose(b.detach().numpy(), [0.0])
    with pytest.raises(ValueError, match="more than once"):
        opt.add_param_group({"params": [a]})


@pytest.mark.parametrize("bad,error,message", [
    ([], ValueError, "empty parameter list"),
    (ph.zeros(1), TypeError, "iterable of Tensors"),
    (None, TypeError, "iterable"),
    ({nn.Parameter(ph.zeros(1))}, TypeError, "ordered collections"),
    ([1.0], TypeError, "can only optimize Tensors"),
    ([ph.ones(1, requires_grad=True) * 2], ValueError, "non-leaf"),
])
def test_bad_params(bad, error, message):
    if isinstance(bad, set):
        bad = [{"params": bad}]
    with pytest.raises(error, match=message):
        optim.SGD(bad, lr=0.1)


def test_duplicate_parameters_are_refused():
    (p,) = params([1.0])
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([p, p], lr=0.1)


def test_repr_lists_groups_like_torch():
    opt = optim.SGD(params([1.0]), lr=0.1)
    text = repr(opt)
    assert text.startswith("SGD (\nParameter Group 0\n") and "    lr: 0.1" in text and text.endswith("\n)")


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.AdamW])
def test_zero_learning_rate_is_accepted_like_torch(cls):
    a, b = params([1.0], [2.0])
    opt = cls([a], lr=0.0)
    set_grads([a, b])
    opt.step()
    np.testing.assert_allclose(a.detach().numpy(), [1.0])
    later = cls([b], lr=0.1)
    later.param_groups[0]["lr"] = 0.0  # a schedule reaching 0
    later.step()
    np.testing.assert_allclose(b.detach().numpy(), [2.0])
