"""torch's loss options: ``weight``/``label_smoothing`` of cross-entropy and NLL, ``weight``/``pos_weight`` of the
binary cross-entropies — values and gradients against float64 numpy, with masks and ``ignore_index``, and
against torch where it is installed."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
import polyhead.nn.functional as F
from polyhead import nn

rng = np.random.default_rng(0)
LOGITS = rng.standard_normal((6, 4)).astype(np.float32)
LABELS = np.array([0, 3, 1, 1, -100, 2])
CLASS_WEIGHT = np.array([1.0, 2.0, 0.5, 3.0])
BIN_LOGITS = rng.standard_normal((6, 3)).astype(np.float32)
BIN_TARGET = (rng.random((6, 3)) > 0.5).astype(np.float32)
POS_WEIGHT = np.array([1.0, 3.0, 0.5])
ELEMENT_WEIGHT = np.array([0.5, 1.0, 2.0])


def log_softmax(x):
    x = x.astype(np.float64)
    return x - x.max(1, keepdims=True) - np.log(np.exp(x - x.max(1, keepdims=True)).sum(1, keepdims=True))


def reference_ce(weight=None, smoothing=0.0, reduction="mean", logits=LOGITS):
    logp, keep = log_softmax(logits), LABELS != -100
    labels = np.where(keep, LABELS, 0)
    w = (CLASS_WEIGHT[labels] if weight is not None else np.ones(len(labels))) * keep
    per = -(1 - smoothing) * logp[np.arange(6), labels] - smoothing * logp.mean(1)
    per = per * w
    return {"none": per, "sum": per.sum(), "mean": per.sum() / w.sum()}[reduction]


def numeric_grad(f, x, eps=1e-3):
    grad = np.zeros_like(x, dtype=np.float64)
    for index in np.ndindex(x.shape):
        up, down = x.astype(np.float64).copy(), x.astype(np.float64).copy()
        up[index] += eps
        down[index] -= eps
        grad[index] = (f(up) - f(down)) / (2 * eps)
    return grad


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weight,smoothing", [(CLASS_WEIGHT, 0.0), (None, 0.1), (None, 1.0)])
def test_cross_entropy_options_against_numpy(weight, smoothing, reduction):
    x = ph.tensor(LOGITS, requires_grad=True)
    module = nn.CrossEntropyLoss(weight=None if weight is None else ph.tensor(weight.astype(np.float32)),
                                 reduction=reduction, label_smoothing=smoothing)
    loss = module(x, ph.tensor(LABELS))
    np.testing.assert_allclose(np.asarray(loss.detach().numpy()), reference_ce(weight, smoothing, reduction),
                               rtol=1e-5, atol=1e-6)
    loss.sum().backward()

    def total(values):
        return np.sum(reference_ce(weight, smoothing, reduction, values))

    np.testing.assert_allclose(x.grad.numpy(), numeric_grad(total, LOGITS), rtol=1e-3, atol=1e-4)


def test_nll_loss_class_weight_matches_cross_entropy():
    logp = F.log_softmax(ph.tensor(LOGITS), dim=1)
    weight = ph.tensor(CLASS_WEIGHT.astype(np.float32))
    assert nn.NLLLoss(weight)(logp, ph.tensor(LABELS)).item() == pytest.approx(
        F.cross_entropy(ph.tensor(LOGITS), ph.tensor(LABELS), weight).item(), rel=1e-6)


def reference_bce_logits(pos_weight=None, weight=None, reduction="mean", mask=None):
    x, y = BIN_LOGITS.astype(np.float64), BIN_TARGET.astype(np.float64)
    log_sig, log_one_minus = -np.logaddexp(0, -x), -np.logaddexp(0, x)
    pw = np.ones(3) if pos_weight is None else pos_weight
    per = -(pw * y * log_sig + (1 - y) * log_one_minus)
    per = per * (1 if weight is None else weight)
    rows = np.ones(6) if mask is None else mask
    per = per * rows[:, None]
    return {"none": per, "sum": per.sum(), "mean": per.sum() / (rows.sum() * 3)}[reduction]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("pos_weight,weight,mask", [
    (POS_WEIGHT, None, None), (None, ELEMENT_WEIGHT, None), (POS_WEIGHT, ELEMENT_WEIGHT, None),
    (POS_WEIGHT, None, np.array([1, 0, 1, 1, 0, 1.0])),
])
def test_bce_with_logits_options_against_numpy(pos_weight, weight, mask, reduction):
    x = ph.tensor(BIN_LOGITS, requires_grad=True)
    target = BIN_TARGET.copy()
    if mask is not None:
        target[mask == 0] = np.nan  # missing labels may be NaN
    as_ph = (lambda a: None if a is None else ph.tensor(a.astype(np.float32)))
    loss = F.binary_cross_entropy_with_logits(x, ph.tensor(target), as_ph(weight), reduction=reduction,
                                              pos_weight=as_ph(pos_weight), mask=mask)
    want = reference_bce_logits(pos_weight, weight, reduction, mask)
    np.testing.assert_allclose(np.asarray(loss.detach().numpy()), want, rtol=1e-5, atol=1e-6)
    loss.sum().backward()
    assert np.isfinite(x.grad.numpy()).all()
    if reduction == "sum":
        sig = 1 / (1 + np.exp(-BIN_LOGITS.astype(np.float64)))
        pw = np.ones(3) if pos_weight is None else pos_weight
        grad = (pw * BIN_TARGET * (sig - 1) + (1 - BIN_TARGET) * sig) * (1 if weight is None else weight)
        grad = grad * (np.ones(6) if mask is None else mask)[:, None]
        np.testing.assert_allclose(x.grad.numpy(), grad, rtol=1e-5, atol=1e-6)


def test_bce_weight_and_modules():
    p = ph.tensor([[0.2, 0.9], [0.6, 0.4]])
    y = ph.tensor([[0.0, 1.0], [1.0, 1.0]])
    w = ph.tensor([2.0, 0.5])
    want = -(np.array([[np.log(0.8), np.log(0.9)], [np.log(0.6), np.log(0.4)]]) * np.array([2.0, 0.5])).mean()
    assert nn.BCELoss(w)(p, y).item() == pytest.approx(want, rel=1e-5)
    module = nn.BCEWithLogitsLoss(pos_weight=ph.tensor(POS_WEIGHT.astype(np.float32)), reduction="sum")
    assert module(ph.tensor(BIN_LOGITS), ph.tensor(BIN_TARGET)).item() == pytest.approx(
        reference_bce_logits(POS_WEIGHT, reduction="sum"), rel=1e-5)


def test_option_errors():
    with pytest.raises(ValueError, match="one value per class \\(4\\), got 3"):
        F.cross_entropy(ph.tensor(LOGITS), ph.tensor(LABELS), ph.ones(3))
    with pytest.raises(ValueError, match="label_smoothing must be between 0.0 and 1.0"):
        nn.CrossEntropyLoss(label_smoothing=1.5)(ph.tensor(LOGITS), ph.tensor(LABELS))
    with pytest.raises(NotImplementedError, match="weight together with label_smoothing"):
        F.cross_entropy(ph.tensor(LOGITS), ph.tensor(LABELS), ph.ones(4), label_smoothing=0.1)
    with pytest.raises(ValueError, match="size_average and reduce are deprecated"):
        nn.CrossEntropyLoss(size_average=True)


def test_match_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    ours = F.cross_entropy(ph.tensor(LOGITS), ph.tensor(LABELS), label_smoothing=0.3).item()
    theirs = tf.cross_entropy(torch.tensor(LOGITS), torch.tensor(LABELS), label_smoothing=0.3).item()
    assert ours == pytest.approx(theirs, rel=1e-5)
    ours = F.cross_entropy(ph.tensor(LOGITS), ph.tensor(LABELS), ph.tensor(CLASS_WEIGHT.astype(np.float32))).item()
    theirs = tf.cross_entropy(torch.tensor(LOGITS), torch.tensor(LABELS),
                              torch.tensor(CLASS_WEIGHT, dtype=torch.float32)).item()
    assert ours == pytest.approx(theirs, rel=1e-5)
    ours = F.binary_cross_entropy_with_logits(ph.tensor(BIN_LOGITS), ph.tensor(BIN_TARGET),
                                              pos_weight=ph.tensor(POS_WEIGHT.astype(np.float32))).item()
    theirs = tf.binary_cross_entropy_with_logits(torch.tensor(BIN_LOGITS), torch.tensor(BIN_TARGET),
                                                 pos_weight=torch.tensor(POS_WEIGHT, dtype=torch.float32)).item()
    assert ours == pytest.approx(theirs, rel=1e-5)
