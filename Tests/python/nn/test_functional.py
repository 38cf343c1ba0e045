"""``nn.functional``: activations and losses against float64 numpy references (values for every reduction,
gradients through the shared ``check_op``), and target conversions."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
import polyhead.nn.functional as F

REDUCE = {"mean": np.mean, "sum": np.sum, "none": lambda v: v}
LABELS = np.array([2, 0, 3, 3, 1])


def np_log_softmax(x):
    shifted = x - x.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def np_softplus(x):
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def ref_mse(x, t, r): return REDUCE[r]((x - t) ** 2)
def ref_l1(x, t, r): return REDUCE[r](np.abs(x - t))
def ref_bce(p, t, r): return REDUCE[r](-(t * np.maximum(np.log(p), -100) + (1 - t) * np.maximum(np.log(1 - p), -100)))
def ref_bce_logits(z, t, r): return REDUCE[r](np_softplus(z) - t * z)
def ref_nll(lp, r): return REDUCE[r](-lp[np.arange(len(LABELS)), LABELS])
def ref_ce(z, r): return ref_nll(np_log_softmax(z), r)


# ---------------------------------------------------------------- losses: values and gradients, one line each


@pytest.mark.parametrize("r", ["mean", "sum", "none"])
class TestLossGradients:
    def test_mse(self, check_op, r): check_op([(4, 3), (4, 3)], lambda x, t: ref_mse(x, t, r), lambda x, t: F.mse_loss(x, t, reduction=r))
    def test_l1(self, check_op, r): check_op([(4, 3), (4, 3)], lambda x, t: ref_l1(x, t, r), lambda x, t: F.l1_loss(x, t, reduction=r))
    def test_bce(self, check_op, r): check_op([(6, 1), (6, 1)], lambda p, t: ref_bce(p, t, r), lambda p, t: F.binary_cross_entropy(p, t, reduction=r), low=0.05, high=0.95, grad_inputs=[0])
    def test_bce_with_logits(self, check_op, r): check_op([(5, 2), (5, 2)], lambda z, t: ref_bce_logits(z, t, r), lambda z, t: F.binary_cross_entropy_with_logits(z, t, reduction=r), low=-3, high=3, grad_inputs=[0])
    def test_cross_entropy(self, check_op, r): check_op([(5, 4)], lambda z: ref_ce(z, r), lambda z: F.cross_entropy(z, LABELS, reduction=r))
    def test_nll(self, check_op, r): check_op([(5, 4)], lambda lp: ref_nll(lp, r), lambda lp: F.nll_loss(lp, LABELS, reduction=r))


def test_activation_gradients(check_op):
    check_op([(3, 4)], lambda a: np.maximum(a, 0), F.relu)
    check_op([(3, 4)], lambda a: 1 / (1 + np.exp(-a)), F.sigmoid)
    check_op([(3, 4)], np.tanh, F.tanh)
    check_op([(3, 4)], lambda a: np.exp(np_log_softmax(a)), lambda a: F.softmax(a, dim=1))
    check_op([(3, 4)], np_log_softmax, lambda a: F.log_softmax(a, dim=-1))


# ---------------------------------------------------------------- values in special regimes


def test_bce_with_logits_is_stable_for_large_logits():
    z = ph.tensor([[100.0], [-100.0]])
    loss = F.binary_cross_entropy_with_logits(z, ph.tensor([[0.0], [1.0]]), reduction="none")
    np.testing.assert_allclose(loss.numpy(), [[100.0], [100.0]], rtol=1e-5)


def test_bce_clamps_log_at_minus_100_like_torch():
    loss = F.binary_cross_entropy(ph.tensor([0.0, 1.0]), ph.tensor([1.0, 0.0]), reduction="none")
    np.testing.assert_allclose(loss.numpy(), [100.0, 100.0])


def test_cross_entropy_is_stable_for_large_logits():
    z = np.array([[1000.0, 0.0], [0.0, -1000.0]], dtype=np.float32)
    loss = F.cross_entropy(ph.tensor(z), [1, 0], reduction="none")
    np.testing.assert_allclose(loss.numpy(), [1000.0, 0.0], atol=1e-3)


def test_softmax_default_dim_warns_like_torch():
    with pytest.warns(UserWarning, match="dim"):
        s = F.softmax(ph.zeros(2, 4))
    np.testing.assert_allclose(s.numpy(), 0.25)


# ---------------------------------------------------------------- targets


@pytest.mark.parametrize("labels", [LABELS, LABELS.astype(np.int32), LABELS.astype(np.uint8), LABELS.tolist(),
                                    ph.tensor(LABELS), LABELS.astype(np.float64), LABELS[::-1][::-1],
                                    np.array([9, 2, 9, 0, 9, 3, 9, 3, 9, 1])[1::2]])
def test_class_targets_in_every_form(labels):
    z = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    expected = ref_ce(z.astype(np.float64), "mean")
    np.testing.assert_allclose(F.cross_entropy(ph.tensor(z), labels).item(), expected, rtol=1e-5)


def test_regression_targets_accept_numpy_lists_and_numbers():
    x = ph.tensor([1.0, 2.0])
    assert F.mse_loss(x, np.array([1.0, 0.0])).item() == pytest.approx(2.0)
    assert F.mse_loss(x, [0.0, 0.0], reduction="sum").item() == pytest.approx(5.0)
    assert F.l1_loss(x, [1, 1]).item() == pytest.approx(0.5)


def test_targets_get_no_gradient_but_inputs_do():
    x = ph.tensor([0.2, 0.7], requires_grad=True)
    t = ph.tensor([0.0, 1.0])
    F.binary_cross_entropy(x, t).backward()
    assert x.grad is not None and t.grad is None


def test_linear_function_matches_module():
    layer = ph.nn.Linear(3, 2)
    x = ph.randn(4, 3)
    np.testing.assert_array_equal(F.linear(x, layer.weight, layer.bias).detach().numpy(), layer(x).detach().numpy())


def test_bce_with_logits_target_gradient(check_op):
    check_op([(5, 2), (5, 2)], lambda z, t: ref_bce_logits(z, t, "mean"),
             lambda z, t: F.binary_cross_entropy_with_logits(z, t), low=0.05, high=0.95)


def test_bce_target_gradient(check_op):
    check_op([(6, 1), (6, 1)], lambda p, t: ref_bce(p, t, "sum"),
             lambda p, t: F.binary_cross_entropy(p, t, reduction="sum"), low=0.05, high=0.95)
