"""Autodiff: every op's gradient against float64 finite differences (one line per op through the shared
``check_op``), backward semantics (accumulation, retain_graph, seeds) and the grad-mode switches."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import polyhead as ph


def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_log_softmax(x, axis=-1):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


# ---------------------------------------------------------------- one line per op


def test_add(check_op): check_op([(3, 4), (3, 4)], lambda a, b: a + b, lambda a, b: a + b)
def test_add_row_broadcast(check_op): check_op([(3, 4), (4,)], lambda a, b: a + b, lambda a, b: a + b)
def test_add_column_broadcast(check_op): check_op([(3, 4), (3, 1)], lambda a, b: a + b, lambda a, b: a + b)
def test_add_scalar_tensor(check_op): check_op([(3, 4), ()], lambda a, b: a + b, lambda a, b: a + b)
def test_add_general_broadcast(check_op): check_op([(3, 1), (1, 4)], lambda a, b: a + b, lambda a, b: a + b)
def test_sub(check_op): check_op([(3, 4), (4,)], lambda a, b: a - b, lambda a, b: a - b)
def test_rsub_number(check_op): check_op([(3, 4)], lambda a: 2.5 - a, lambda a: 2.5 - a)
def test_mul(check_op): check_op([(3, 4), (3, 1)], lambda a, b: a * b, lambda a, b: a * b)
def test_mul_number(check_op): check_op([(3, 4)], lambda a: a * 3.0, lambda a: a * 3.0)
def test_div(check_op): check_op([(3, 4), (4,)], lambda a, b: a / b, lambda a, b: a / b, low=0.5, high=2.0)
def test_rdiv_number(check_op): check_op([(5,)], lambda a: 1.0 / a, lambda a: 1.0 / a, low=0.5, high=2.0)
def test_neg(check_op): check_op([(3, 4)], lambda a: -a, lambda a: -a)
def test_exp(check_op): check_op([(3, 4)], np.exp, lambda a: a.exp())
def test_log(check_op): check_op([(3, 4)], np.log, lambda a: a.log(), low=0.5, high=3.0)
def test_sqrt(check_op): check_op([(3, 4)], np.sqrt, lambda a: a.sqrt(), low=0.5, high=3.0)
def test_pow_square(check_op): check_op([(3, 4)], lambda a: a ** 2, lambda a: a ** 2)
def test_pow_cube(check_op): check_op([(3, 4)], lambda a: a ** 3, lambda a: a.pow(3))
def test_pow_half(check_op): check_op([(3, 4)], lambda a: a ** 0.5, lambda a: a ** 0.5, low=0.5, high=3.0)
def test_pow_negative(check_op): check_op([(3, 4)], lambda a: a ** -1.5, lambda a: ph.pow(a, -1.5), low=0.5, high=3.0)
def test_relu(check_op): check_op([(4, 5)], lambda a: np.maximum(a, 0), lambda a: a.relu())
def test_sigmoid(check_op): check_op([(4, 5)], lambda a: 1 / (1 + np.exp(-a)), lambda a: a.sigmoid())
def test_tanh(check_op): check_op([(4, 5)], np.tanh, lambda a: ph.tanh(a))
def test_softmax(check_op): check_op([(3, 5)], np_softmax, lambda a: a.softmax(-1))
def test_softmax_dim0(check_op): check_op([(3, 5)], lambda a: np_softmax(a, 0), lambda a: ph.softmax(a, dim=0))
def test_softmax_3d(check_op): check_op([(2, 3, 4)], np_softmax, lambda a: a.softmax(2))
def test_log_softmax(check_op): check_op([(3, 5)], np_log_softmax, lambda a: a.log_softmax(1))
def test_matmul(check_op): check_op([(3, 4), (4, 2)], lambda a, b: a @ b, lambda a, b: a @ b)
def test_matmul_transposed(check_op): check_op([(4, 3), (2, 4)], lambda a, b: a.T @ b.T, lambda a, b: a.T @ b.T)
def test_matmul_vector_right(check_op): check_op([(3, 4), (4,)], lambda a, b: a @ b, lambda a, b: ph.matmul(a, b))
def test_matmul_vector_left(check_op): check_op([(4,), (4, 2)], lambda a, b: a @ b, lambda a, b: a @ b)
def test_dot(check_op): check_op([(4,), (4,)], lambda a, b: a @ b, lambda a, b: a @ b)
def test_linear(check_op): check_op([(5, 3), (4, 3), (4,)], lambda x, w, b: x @ w.T + b, ph.nn.functional.linear)
def test_linear_no_bias(check_op): check_op([(5, 3), (4, 3)], lambda x, w: x @ w.T, ph.nn.functional.linear)
def test_linear_3d(check_op): check_op([(2, 5, 3), (4, 3)], lambda x, w: x @ w.T, ph.nn.functional.linear)
def test_sum_all(check_op): check_op([(3, 4)], np.sum, lambda a: a.sum())
def test_sum_axis0(check_op): check_op([(3, 4)], lambda a: a.sum(0), lambda a: a.sum(0))
def test_sum_axis_keepdim(check_op): check_op([(3, 4)], lambda a: a.sum(1, keepdims=True), lambda a: a.sum(dim=1, keepdim=True))
def test_sum_numpy_names(check_op): check_op([(3, 4)], lambda a: a.sum(-1), lambda a: a.sum(axis=-1))
def test_sum_dims_tuple(check_op): check_op([(2, 3, 4)], lambda a: a.sum((0, 2)), lambda a: a.sum(dim=(0, 2)))
def test_mean_all(check_op): check_op([(3, 4)], np.mean, lambda a: a.mean())
def test_mean_axis(check_op): check_op([(3, 4)], lambda a: a.mean(1), lambda a: ph.mean(a, 1))
def test_mean_keepdims(check_op): check_op([(3, 4)], lambda a: a.mean(0, keepdims=True), lambda a: a.mean(axis=0, keepdims=True))
def test_max_axis(check_op): check_op([(3, 4)], lambda a: a.max(1), lambda a: a.max(1).values)
def test_max_axis0_keepdim(check_op): check_op([(3, 4)], lambda a: a.max(0, keepdims=True), lambda a: a.max(0, keepdim=True)[0])
def test_max_all(check_op): check_op([(3, 4)], np.max, lambda a: a.max())
def test_reshape(check_op): check_op([(3, 4)], lambda a: a.reshape(2, 6) * np.arange(12).reshape(2, 6), lambda a: a.reshape(2, 6) * ph.arange(12).reshape((2, 6)))
def test_view(check_op): check_op([(3, 4)], lambda a: a.reshape(-1), lambda a: a.view(-1))
def test_transpose(check_op): check_op([(3, 4)], lambda a: a.T, lambda a: a.transpose(0, 1))
def test_t(check_op): check_op([(3, 4)], lambda a: a.T, lambda a: a.t())
def test_flatten(check_op): check_op([(2, 3, 2)], lambda a: a.reshape(2, 6), lambda a: a.flatten(1))
def test_unsqueeze(check_op): check_op([(3, 4)], lambda a: a[:, None, :], lambda a: a.unsqueeze(1))
def test_cat(check_op): check_op([(2, 3), (4, 3)], lambda a, b: np.concatenate([a, b]), lambda a, b: ph.cat([a, b]))
def test_cat_dim1(check_op): check_op([(2, 3), (2, 1)], lambda a, b: np.concatenate([a, b], 1), lambda a, b: ph.cat((a, b), dim=1))
def test_stack(check_op): check_op([(2, 3), (2, 3)], lambda a, b: np.stack([a, b], 1), lambda a, b: ph.stack([a, b], dim=1))
def test_split(check_op): check_op([(5, 3)], lambda a: a[2:4] * 2 + a[4:], lambda a: ph.split(a, 2)[1] * 2 + ph.split(a, 2)[2])
def test_split_sections(check_op): check_op([(2, 6)], lambda a: a[:, 1:4], lambda a: a.split([1, 3, 2], dim=1)[1])
def test_getitem_int(check_op): check_op([(4, 3)], lambda a: a[2], lambda a: a[2])
def test_getitem_slice(check_op): check_op([(5, 3)], lambda a: a[1:5:2], lambda a: a[1:5:2])
def test_getitem_repeated_rows(check_op): check_op([(4, 3)], lambda a: a[[2, 0, 2]], lambda a: a[[2, 0, 2]])
def test_getitem_column(check_op): check_op([(4, 3)], lambda a: a[:, 1], lambda a: a[:, 1])
def test_clone(check_op): check_op([(3, 4)], lambda a: a * 2, lambda a: a.clone() * 2)
def test_shared_subexpression(check_op): check_op([(3,)], lambda a: a * a + a, lambda a: a * a + a)
def test_composite(check_op): check_op([(4, 3), (3, 2)], lambda a, b: np.tanh(a @ b).sum(1), lambda a, b: (a @ b).tanh().sum(1))


# ---------------------------------------------------------------- backward semantics


def test_gradients_accumulate_across_backward_calls():
    x = ph.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3 + 2, 3 + 4])


def test_retain_graph_allows_a_second_backward():
    x = ph.tensor([1.0, -2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, -8.0])


def test_second_backward_without_retain_graph_raises():
    x = ph.tensor([1.0, -2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_non_scalar_backward_needs_a_gradient():
    x = ph.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="only for one-element outputs"):
        (x * 2).backward()


@pytest.mark.parametrize("seed", [np.full((2, 3), 0.5), [[0.5] * 3] * 2, ph.full((2, 3), 0.5)])
def test_backward_with_a_gradient(seed):
    x = ph.ones(2, 3, requires_grad=True)
    (x * 4).backward(seed)
    np.testing.assert_allclose(x.grad.numpy(), np.full((2, 3), 2.0))


def test_backward_gradient_of_wrong_shape_raises():
    x = ph.ones(2, 3, requires_grad=True)
    with pytest.raises(ValueError):
        (x * 4).backward(ph.ones(3, 2))


def test_grad_is_none_before_backward_and_for_non_requiring_leaves():
    x = ph.ones(2, requires_grad=True)
    c = ph.ones(2)
    assert x.grad is None
    (x * c).sum().backward()
    assert x.grad is not None and c.grad is None


def test_leaf_flags():
    x = ph.ones(2, requires_grad=True)
    y = x * 2
    assert x.is_leaf and x.requires_grad
    assert not y.is_leaf and y.requires_grad
    assert ph.ones(2).is_leaf and not ph.ones(2).requires_grad


def test_requires_grad_of_a_non_leaf_cannot_change():
    y = ph.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad = False


def test_requires_grad_underscore_returns_self():
    x = ph.zeros(3)
    assert x.requires_grad_() is x and x.requires_grad
    assert x.requires_grad_(False) is x and not x.requires_grad


def test_grad_can_be_assigned_and_cleared():
    x = ph.ones(2, 2, requires_grad=True)
    x.grad = ph.full((2, 2), 3.0)
    np.testing.assert_allclose(x.grad.numpy(), 3.0)
    (x.sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), 4.0)
    x.grad = None
    assert x.grad is None


def test_detach_stops_gradients_and_shares_storage():
    x = ph.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf
    assert np.shares_memory(d.numpy(), x.detach().numpy())
    (x * d).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 2.0])  # d is a constant


def test_clone_records_and_copies():
    x = ph.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert c.requires_grad and not c.is_leaf
    assert not np.shares_memory(c.detach().numpy(), x.detach().numpy())


# ---------------------------------------------------------------- grad mode


def test_no_grad_context():
    x = ph.ones(2, requires_grad=True)
    with ph.no_grad():
        assert not ph.is_grad_enabled()
        y = x * 2
    assert ph.is_grad_enabled()
    assert not y.requires_grad


def test_no_grad_decorator_with_and_without_parentheses():
    x = ph.ones(2, requires_grad=True)

    @ph.no_grad()
    def f():
        return x * 2

    @ph.no_grad
    def g():
        return x * 2

    assert not f().requires_grad and not g().requires_grad
    assert ph.is_grad_enabled()
    assert f.__name__ == "f"


def test_no_grad_restores_on_exception():
    with pytest.raises(KeyError):
        with ph.no_grad():
            raise KeyError("boom")
    assert ph.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    x = ph.ones(2, requires_grad=True)
    with ph.no_grad():
        with ph.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and not z.requires_grad


def test_set_grad_enabled_as_function_context_and_decorator():
    ph.set_grad_enabled(False)
    try:
        assert not ph.is_grad_enabled()
    finally:
        ph.set_grad_enabled(True)
    with ph.set_grad_enabled(False):
        assert not ph.is_grad_enabled()
    assert ph.is_grad_enabled()

    @ph.set_grad_enabled(False)
    def f():
        return ph.is_grad_enabled()

    assert ph.is_grad_enabled(), "decorating must not change the mode"
    assert f() is False and ph.is_grad_enabled()


def test_grad_mode_is_per_thread():
    seen = []
    with ph.no_grad():
        thread = threading.Thread(target=lambda: seen.append(ph.is_grad_enabled()))
        thread.start()
        thread.join()
    assert seen == [True]


def test_autograd_module_names():
    assert ph.autograd.no_grad is ph.no_grad
    assert ph.autograd.is_grad_enabled() is True
