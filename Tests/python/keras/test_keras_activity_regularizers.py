"""polyhead.keras regularizers beyond kernels and biases: ``activity_regularizer`` (a penalty of a layer's
output, each call over the whole batch, as Keras 3), ``embeddings_regularizer`` and the normalization layers'
``gamma_regularizer`` / ``beta_regularizer`` — loss values and one SGD step against numpy float64, configs,
save/load."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import keras

L1, L2 = 0.03, 0.02


def test_activity_penalty_loss_and_one_sgd_step_match_numpy():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((6, 3)).astype(np.float32), rng.standard_normal((6, 2)).astype(np.float32)
    inp = keras.Input(shape=(3,))
    out = keras.layers.Dense(2, name="d", activity_regularizer=keras.regularizers.l1_l2(l1=L1, l2=L2))(inp)
    model = keras.Model(inp, out)
    kernel = rng.standard_normal((3, 2)).astype(np.float32)
    bias = np.array([0.1, -0.2], np.float32)
    model.set_weights([kernel, bias])
    lr = 0.05
    model.compile(optimizer=keras.optimizers.SGD(lr), loss="mse")
    w, b = kernel.astype(np.float64), bias.astype(np.float64)
    pred = x.astype(np.float64) @ w + b
    expected = np.mean((pred - y) ** 2) + L1 * np.abs(pred).sum() + L2 * np.square(pred).sum()
    assert model.evaluate(x, y, batch_size=6, verbose=0) == pytest.approx(expected, rel=1e-5)
    history = model.fit(x, y, batch_size=6, epochs=1, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-5)
    grad_pred = 2 * (pred - y) / pred.size + L1 * np.sign(pred) + 2 * L2 * pred
    new_w, new_b = model.get_weights()
    np.testing.assert_allclose(new_w, w - lr * x.T.astype(np.float64) @ grad_pred, atol=1e-6)
    np.testing.assert_allclose(new_b, b - lr * grad_pred.sum(0), atol=1e-6)


def test_activity_penalty_counts_every_call_of_a_shared_layer():
    rng = np.random.default_rng(1)
    a, b = (rng.standard_normal((4, 2)).astype(np.float32) for _ in range(2))
    shared = keras.layers.Dense(3, name="s", activity_regularizer=keras.regularizers.l2(0.1))
    in_a, in_b = keras.Input(shape=(2,), name="a"), keras.Input(shape=(2,), name="b")
    out = keras.layers.Dense(1, name="o", kernel_initializer="zeros")(keras.layers.concatenate([shared(in_a), shared(in_b)]))
    model = keras.Model([in_a, in_b], out)
    model.compile(optimizer="sgd", loss="mse")
    kernel, bias = model.get_layer("s").get_weights()
    penalty = sum(0.1 * np.square(v.astype(np.float64) @ kernel + bias).sum() for v in (a, b))
    y = np.zeros((4, 1), np.float32)
    assert model.evaluate([a, b], y, batch_size=4, verbose=0) == pytest.approx(penalty, rel=1e-5)


def test_conv_activity_and_normalization_gamma_beta_penalties_enter_the_loss():
    ph.manual_seed(4)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 4, 4, 1)).astype(np.float32)
    inp = keras.Input(shape=(4, 4, 1))
    c = keras.layers.Conv2D(2, 3, name="c", activity_regularizer=keras.regularizers.l1(0.01))(inp)
    n = keras.layers.LayerNormalization(name="ln", gamma_regularizer=keras.regularizers.l2(0.2),
                                        beta_regularizer=keras.regularizers.l1(0.3))(keras.layers.Flatten()(c))
    bn = keras.layers.BatchNormalization(name="bn", gamma_regularizer="l2", beta_regularizer=keras.regularizers.l1(0.5))(n)
    model = keras.Model(inp, bn)
    gamma, beta = np.linspace(0.5, 1.5, 8, dtype=np.float32), np.linspace(-1, 1, 8, dtype=np.float32)
    model.get_layer("ln").set_weights([gamma, beta])
    model.get_layer("bn").set_weights([gamma * 2, beta * 3, np.zeros(8, np.float32), np.ones(8, np.float32)])
    model.compile(optimizer="sgd", loss="mse")
    conv_out = keras.Model(inp, c).predict(x).astype(np.float64)
    out = model.predict(x).astype(np.float64)
    g, bt = gamma.astype(np.float64), beta.astype(np.float64)
    penalty = (0.01 * np.abs(conv_out).sum() + 0.2 * np.square(g).sum() + 0.3 * np.abs(bt).sum()
               + 0.01 * np.square(2 * g).sum() + 0.5 * np.abs(3 * bt).sum())
    assert model.evaluate(x, np.zeros_like(out), batch_size=3, verbose=0) == pytest.approx(
        np.mean(out ** 2) + penalty, rel=1e-5)


def test_embeddings_regularizer_penalises_the_table():
    inp = keras.Input(shape=(2,))
    e = keras.layers.Embedding(5, 3, name="e", embeddings_regularizer=keras.regularizers.l2(0.05))(inp)
    model = keras.Model(inp, keras.layers.Flatten()(e))
    table = np.arange(15, dtype=np.float32).reshape(5, 3) / 10
    model.set_weights([table])
    model.compile(optimizer="sgd", loss="mae")
    x = np.array([[0, 4], [2, 2]], np.float32)
    out = table[x.astype(int)].reshape(2, 6).astype(np.float64)
    expected = np.abs(out).mean() + 0.05 * np.square(table.astype(np.float64)).sum()
    assert model.evaluate(x, np.zeros((2, 6), np.float32), batch_size=2, verbose=0) == pytest.approx(expected, rel=1e-5)


def test_regularizers_are_in_the_config_and_survive_save_and_load(tmp_path):
    inp = keras.Input(shape=(2,))
    e = keras.layers.Embedding(4, 2, name="e", embeddings_regularizer="l1")(inp)
    h = keras.layers.Dense(3, name="d", activity_regularizer=keras.regularizers.l2(0.5))(keras.layers.Flatten()(e))
    out = keras.layers.LayerNormalization(name="ln", gamma_regularizer=keras.regularizers.L1L2(0.1, 0.2))(h)
    model = keras.Model(inp, out)
    assert model.get_layer("d").get_config()["activity_regularizer"] == {"l2": 0.5}
    assert model.get_layer("e").get_config()["embeddings_regularizer"] == {"l1": 0.01}
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.array([[0, 3], [1, 2]], np.float32), np.ones((2, 3), np.float32)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.get_layer("ln").gamma_regularizer.get_config() == {"l1": 0.1, "l2": 0.2}
    loaded.compile(optimizer="sgd", loss="mse")
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-6)


@pytest.mark.parametrize("layer", [lambda: keras.layers.Dense(2, embeddings_regularizer="l2"),
                                   lambda: keras.layers.Embedding(3, 2, kernel_regularizer="l2"),
                                   lambda: keras.layers.Dropout(0.5, gamma_regularizer="l2")])
def test_a_regularizer_for_a_weight_the_layer_lacks_is_a_type_error(layer):
    with pytest.raises(TypeError, match="unexpected keyword arguments"):
        layer()


def test_bad_activity_regularizer_is_a_value_error():
    with pytest.raises(ValueError, match="unknown regularizer"):
        keras.layers.Dense(2, activity_regularizer="l3")


def regularized_two_heads():
    inp = keras.Input(shape=(4,))
    h = keras.layers.Dense(5, activation="relu", name="trunk", activity_regularizer=keras.regularizers.l2(0.05))(inp)
    a = keras.layers.Dense(1, name="a", activity_regularizer=keras.regularizers.l1(0.1))(h)
    b = keras.layers.Dense(1, activation="sigmoid", name="b")(h)
    return keras.Model(inp, [a, b])


def test_activity_penalties_add_their_gradient_to_a_multi_task_methods():
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((8, 4)).astype(np.float32), [rng.standard_normal(8), rng.integers(0, 2, 8)]
    plain, linear = regularized_two_heads(), regularized_two_heads()
    linear.set_weights(plain.get_weights())
    plain.compile(optimizer=keras.optimizers.SGD(0.1), loss=["mse", "binary_crossentropy"])
    linear.compile(optimizer=keras.optimizers.SGD(0.1), loss=["mse", "binary_crossentropy"], weighting="linear")
    for model in (plain, linear):
        model.fit(x, y, batch_size=8, shuffle=False, verbose=0)
    for got, want in zip(linear.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(got, want, atol=1e-6)  # equal weights: the same step as no method
    for weighting, rep_grad in (("pcgrad", False), ("mgda", True), ("uncertainty", False)):
        model = regularized_two_heads()
        model.compile(optimizer="adam", loss=["mse", "binary_crossentropy"], weighting=weighting, rep_grad=rep_grad)
        history = model.fit(x, y, batch_size=4, epochs=2, verbose=0)
        assert np.isfinite(history.history["loss"]).all()
