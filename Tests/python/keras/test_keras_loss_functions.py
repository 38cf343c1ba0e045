"""Keras's loss functions and callable loss objects: ``keras.losses.<name>(y_true, y_pred)`` gives the per-sample
losses and ``Loss()(y_true, y_pred, sample_weight)`` their (weighted) mean, computed by the core's Keras losses
and compared with numpy float64 formulas (ε = 1e-7 clamping as Keras); the functions also work in ``compile``."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as tf
from polyhead.keras import losses

EPS = 1e-7
HIGH = float(np.float32(1) - np.float32(EPS))  # Keras clamps float32 tensors: 1 − ε rounds to 1 − 1.19e-7
RNG = np.random.default_rng(0)


def numpy_losses():
    """(function, keras options, y_true, y_pred, numpy float64 per-sample values)."""
    t, p = RNG.standard_normal((5, 3)), RNG.standard_normal((5, 3))
    prob = np.array([[0.0, 0.3, 1.0], [0.2, 0.5, 0.9], [0.6, 0.1, 0.4], [1.0, 1.0, 0.0], [0.05, 0.7, 0.35]])
    bits = RNG.integers(0, 2, (5, 3)).astype(np.float64)
    one_hot = np.eye(3)[RNG.integers(0, 3, 5)]
    labels = one_hot.argmax(1).astype(np.float64)
    rows = prob + 0.1
    clipped_rows = np.clip(rows / rows.sum(1, keepdims=True), EPS, HIGH)
    clipped = np.clip(prob, EPS, HIGH)
    log_softmax = p - np.log(np.exp(p).sum(1, keepdims=True))
    r = np.abs(p - t)
    return [
        (losses.mean_squared_error, {}, t, p, ((p - t) ** 2).mean(-1)),
        (losses.mae, {}, t, p, r.mean(-1)),
        (losses.huber, {"delta": 1.5}, t, p, np.where(r <= 1.5, 0.5 * r ** 2, 1.5 * (r - 0.75)).mean(-1)),
        (losses.binary_crossentropy, {}, bits, prob, -(bits * np.log(clipped) + (1 - bits) * np.log(1 - clipped)).mean(-1)),
        (losses.binary_crossentropy, {"from_logits": True}, bits, p,
         (np.maximum(p, 0) - p * bits + np.log1p(np.exp(-np.abs(p)))).mean(-1)),
        (losses.categorical_crossentropy, {}, one_hot, rows, -(one_hot * np.log(clipped_rows)).sum(-1)),
        (losses.categorical_crossentropy, {"from_logits": True}, one_hot, p, -(one_hot * log_softmax).sum(-1)),
        (losses.sparse_categorical_crossentropy, {"from_logits": True}, labels, p, -log_softmax[np.arange(5), labels.astype(int)]),
    ]


@pytest.mark.parametrize("case", range(8))
def test_loss_functions_give_keras_per_sample_values(case):
    function, options, y_true, y_pred, expected = numpy_losses()[case]
    got = function(y_true.astype(np.float32), y_pred.astype(np.float32), **options)
    np.testing.assert_allclose(got.numpy(), expected, rtol=2e-5, atol=1e-6)


def test_per_sample_keeps_all_but_the_last_axis_and_objects_take_the_weighted_mean():
    t, p = RNG.standard_normal((4, 2, 3)), RNG.standard_normal((4, 2, 3))
    per_sample = ((p - t) ** 2).mean(-1)
    got = losses.mse(tf.tensor(t.astype(np.float32)), p.astype(np.float32))
    assert tuple(got.shape) == (4, 2)
    np.testing.assert_allclose(got.numpy(), per_sample, rtol=1e-5)
    w = np.array([[1.0, 0.0], [2.0, 1.0], [0.5, 0.5], [0.0, 3.0]])
    loss = losses.MeanSquaredError()
    assert loss(t, p).item() == pytest.approx(per_sample.mean(), rel=1e-5)
    assert loss(t, p, sample_weight=w).item() == pytest.approx((w * per_sample).mean(), rel=1e-5)  # Σ w·l / N
    with pytest.raises(ValueError, match="sample_weight has shape \\(4,\\); the per-sample losses have shape \\(4, 2\\)"):
        loss(t, p, sample_weight=np.ones(4))
    with pytest.raises(ValueError, match="mse|shape"):
        losses.mse(t[:, :, :2], p)


def test_functions_in_compile_and_unsupported_options():
    inp = tf.keras.Input(shape=(3,))
    model = tf.keras.Model(inp, [tf.keras.layers.Dense(2, name="a")(inp), tf.keras.layers.Dense(1, name="b")(inp)])
    model.compile("sgd", loss=[losses.sparse_categorical_crossentropy, tf.keras.losses.mse])
    assert [type(loss).__name__ for loss in model.loss] == ["SparseCategoricalCrossentropy", "MeanSquaredError"]
    with pytest.raises(NotImplementedError, match="BinaryCrossentropy\\(label_smoothing=0.1\\) is not supported"):
        losses.BinaryCrossentropy(label_smoothing=0.1)
    with pytest.raises(NotImplementedError, match="reduction='sum'"):
        losses.MeanSquaredError(reduction="sum")
    assert losses.get("Huber").delta == 1.0
