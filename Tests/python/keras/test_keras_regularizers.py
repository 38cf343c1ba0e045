"""polyhead.keras.regularizers: l1, l2 and l1_l2 on Dense and Conv2D kernels and biases — the loss value
and one SGD step against numpy float64, the configs, save/load, and bad factors."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import keras


def penalty(w: np.ndarray, l1: float = 0.0, l2: float = 0.0) -> float:
    w = w.astype(np.float64)
    return l1 * np.abs(w).sum() + l2 * np.square(w).sum()


def dense_model() -> keras.Model:
    inp = keras.Input(shape=(3,))
    out = keras.layers.Dense(2, name="d", kernel_regularizer=keras.regularizers.l1_l2(l1=0.03, l2=0.02),
                             bias_regularizer=keras.regularizers.l2(0.05))(inp)
    return keras.Model(inp, out)


def test_dense_loss_and_one_sgd_step_match_numpy():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((5, 3)).astype(np.float32), rng.standard_normal((5, 2)).astype(np.float32)
    kernel = np.array([[0.5, -0.2], [0.0, 0.3], [-0.7, 0.1]], np.float32)  # a zero entry: d|w|/dw = 0 there
    bias = np.array([0.4, -0.6], np.float32)
    model = dense_model()
    model.set_weights([kernel, bias])
    lr = 0.1
    model.compile(optimizer=keras.optimizers.SGD(lr), loss="mse")
    w, b = kernel.astype(np.float64), bias.astype(np.float64)
    pred = x.astype(np.float64) @ w + b
    reg = penalty(w, 0.03, 0.02) + penalty(b, l2=0.05)
    expected_loss = np.mean((pred - y) ** 2) + reg
    assert model.evaluate(x, y, verbose=0, batch_size=5) == pytest.approx(expected_loss, rel=1e-5)

    history = model.fit(x, y, batch_size=5, epochs=1, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(expected_loss, rel=1e-5)
    grad_pred = 2 * (pred - y) / pred.size
    grad_w = x.T.astype(np.float64) @ grad_pred + 0.03 * np.sign(w) + 2 * 0.02 * w
    grad_b = grad_pred.sum(0) + 2 * 0.05 * b
    new_w, new_b = model.get_weights()
    np.testing.assert_allclose(new_w, w - lr * grad_w, atol=1e-6)
    np.testing.assert_allclose(new_b, b - lr * grad_b, atol=1e-6)


def test_conv2d_kernel_and_bias_penalties_enter_the_loss():
    ph.manual_seed(3)
    inp = keras.Input(shape=(4, 4, 2))
    h = keras.layers.Conv2D(3, 2, name="c", kernel_regularizer=keras.regularizers.l1(0.01),
                            bias_regularizer=keras.regularizers.L1L2(l1=0.2, l2=0.1))(inp)
    out = keras.layers.GlobalAveragePooling2D()(h)
    model = keras.Model(inp, out)
    kernel = model.get_layer("c").get_weights()[0]
    bias = np.array([0.5, -1.0, 0.0], np.float32)
    model.set_weights([kernel, bias])
    model.compile(optimizer="sgd", loss="mae")
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((4, 4, 4, 2)).astype(np.float32), rng.standard_normal((4, 3)).astype(np.float32)
    pred = model.predict(x, verbose=0).astype(np.float64)
    expected = np.mean(np.abs(pred - y)) + penalty(kernel, l1=0.01) + penalty(bias, 0.2, 0.1)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)


def test_configs_get_and_save_load_keep_the_regularizers(tmp_path):
    r = keras.regularizers
    assert r.l1(0.5).get_config() == {"l1": 0.5} and r.l2().get_config() == {"l2": 0.01}
    assert r.l1_l2().get_config() == {"l1": 0.01, "l2": 0.01} and r.L1L2().get_config() == {"l1": 0.0, "l2": 0.0}
    assert isinstance(r.get("l1"), r.L1) and isinstance(r.get({"l1": 1.0, "l2": 2.0}), r.L1L2)
    model = dense_model()
    config = [layer for layer in model.get_config()["layers"] if layer["name"] == "d"][0]["config"]
    assert config["kernel_regularizer"] == {"l1": 0.03, "l2": 0.02} and config["bias_regularizer"] == {"l2": 0.05}
    model.save(tmp_path / "m.safetensors")
    loaded = keras.models.load_model(tmp_path / "m.safetensors")
    layer = loaded.get_layer("d")
    assert (type(layer.kernel_regularizer), layer.kernel_regularizer.get_config()) == (r.L1L2, {"l1": 0.03, "l2": 0.02})
    assert (type(layer.bias_regularizer), layer.bias_regularizer.get_config()) == (r.L2, {"l2": 0.05})
    loaded.compile(optimizer="sgd", loss="mse")
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((2, 3), np.float32), np.zeros((2, 2), np.float32)
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-6)


def test_bad_regularizers_raise():
    with pytest.raises(ValueError, match="l1 must be finite"):
        keras.regularizers.l1(-1.0)
    with pytest.raises(ValueError, match="l2 must be finite"):
        keras.regularizers.L1L2(l2=float("nan"))
    with pytest.raises(ValueError, match="unknown regularizer"):
        keras.layers.Dense(2, bias_regularizer="l3")
    with pytest.raises(ValueError, match="unknown regularizer"):
        keras.regularizers.get({"l2": 0.1, "l3": 0.1})
