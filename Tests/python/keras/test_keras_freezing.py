"""``trainable = False`` in polyhead.keras, as Keras: a frozen layer's weights keep their values through ``fit``
(read at ``compile``, so freezing then compiling again fine-tunes the rest), they move to
``non_trainable_weights``, their regularizers leave the loss, and a frozen BatchNormalization runs in inference
mode."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import keras


def two_heads(**shared_options):
    inp = keras.Input(shape=(4,))
    shared = keras.layers.Dense(5, activation="relu", name="shared", **shared_options)
    h = shared(inp)
    a = keras.layers.Dense(1, name="a")(h)
    b = keras.layers.Dense(1, activation="sigmoid", name="b")(h)
    return keras.Model(inp, [a, b]), shared


def data(n=16, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 4)).astype(np.float32), [rng.standard_normal(n), rng.integers(0, 2, n)]


def test_freezing_then_compiling_again_trains_only_the_heads():
    ph.manual_seed(0)
    model, shared = two_heads()
    x, y = data()
    model.compile(optimizer="adam", loss=["mse", "binary_crossentropy"])
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert len(model.trainable_weights) == 6
    shared.trainable = False
    assert len(model.trainable_weights) == 4 and len(model.non_trainable_weights) == 2
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=["mse", "binary_crossentropy"])
    frozen, head = shared.get_weights(), model.get_layer("a").get_weights()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    for before, after in zip(frozen, shared.get_weights()):
        np.testing.assert_array_equal(before, after)
    assert not np.array_equal(head[0], model.get_layer("a").get_weights()[0])
    assert shared.trainable_weights == [] and len(shared.non_trainable_weights) == 2
    lines = []
    model.summary(print_fn=lines.append)
    assert "Non-trainable params: 25" in lines  # 4·5 kernel + 5 bias


def test_freezing_takes_effect_at_compile_as_keras():
    model, shared = two_heads()
    x, y = data()
    model.compile(optimizer="sgd", loss=["mse", "binary_crossentropy"])
    shared.trainable = False  # after compile: the compiled step still trains it
    before = shared.get_weights()[0]
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert not np.array_equal(before, shared.get_weights()[0])


def test_the_trainable_argument_and_a_frozen_weight_penalty():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((6, 4)).astype(np.float32), rng.standard_normal((6, 1)).astype(np.float32)
    inp = keras.Input(shape=(4,))
    h = keras.layers.Dense(3, name="h", trainable=False, kernel_regularizer=keras.regularizers.l2(10.0))(inp)
    out = keras.layers.Dense(1, name="o")(h)
    model = keras.Model(inp, out)
    lr = 0.1
    model.compile(optimizer=keras.optimizers.SGD(lr), loss="mse")
    (k1, b1), (k2, b2) = (model.get_layer(n).get_weights() for n in ("h", "o"))
    hidden = x.astype(np.float64) @ k1 + b1
    pred = hidden @ k2 + b2
    # A frozen weight has no penalty (Keras collects the regularizers of trainable weights).
    assert model.evaluate(x, y, batch_size=6, verbose=0) == pytest.approx(np.mean((pred - y) ** 2), rel=1e-5)
    model.fit(x, y, batch_size=6, shuffle=False, verbose=0)
    grad_pred = 2 * (pred - y) / pred.size
    np.testing.assert_allclose(model.get_layer("o").get_weights()[0], k2 - lr * hidden.T @ grad_pred, atol=1e-6)
    np.testing.assert_array_equal(model.get_layer("h").get_weights()[0], k1)


def test_model_trainable_freezes_a_nested_trunk_and_its_batch_normalization_runs_in_inference():
    ph.manual_seed(1)
    base = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(6, activation="relu"),
                             keras.layers.BatchNormalization(name="bn")], name="base")
    base.trainable = False
    inp = keras.Input(shape=(4,))
    features = base(inp)
    model = keras.Model(inp, [keras.layers.Dense(1, name="a")(features), keras.layers.Dense(1, name="b")(features)])
    model.compile(optimizer="adam", loss="mse")
    assert len(model.trainable_weights) == 4
    bn = base.get_layer("bn")
    moving = [w.numpy().copy() for w in bn.non_trainable_weights[2:]]
    x, y = data()
    model.fit(x, [y[0], y[0]], epochs=1, batch_size=8, verbose=0)
    for before, w in zip(moving, bn.non_trainable_weights[2:]):
        np.testing.assert_array_equal(before, w.numpy())  # inference mode: the moving statistics stay
    base.trainable = True
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, [y[0], y[0]], epochs=1, batch_size=8, verbose=0)
    assert not np.array_equal(moving[0], bn.moving_mean.numpy())


def test_trainable_must_be_a_bool():
    model, shared = two_heads()
    with pytest.raises(TypeError, match="trainable must be a bool"):
        shared.trainable = 0
    with pytest.raises(TypeError, match="trainable must be a bool"):
        model.trainable = "no"
    with pytest.raises(TypeError, match="trainable must be a bool"):
        keras.layers.Dense(2, trainable=None)


def test_a_fully_frozen_model_compiles_evaluates_and_fits_without_changing():
    model, _ = two_heads()
    model.trainable = False
    with pytest.warns(UserWarning, match="no trainable weights"):
        model.compile(optimizer="adam", loss=["mse", "binary_crossentropy"])
    x, y = data()
    before = model.get_weights()
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert history.history["loss"][-1] == pytest.approx(logs["loss"], rel=1e-5)
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)


def test_a_gradient_method_without_trained_shared_layers_is_refused_at_compile():
    model, shared = two_heads()
    shared.trainable = False
    with pytest.raises(ValueError, match="gradient method has no shared weights .* use rep_grad=True"):
        model.compile(optimizer="adam", loss=["mse", "binary_crossentropy"], weighting="pcgrad")
    model.compile(optimizer="adam", loss=["mse", "binary_crossentropy"], weighting="pcgrad", rep_grad=True)
    model.compile(optimizer="adam", loss=["mse", "binary_crossentropy"], weighting="uncertainty")


def test_calling_a_model_in_training_mode_keeps_a_frozen_batch_normalization_in_inference():
    inp = keras.Input(shape=(3,))
    bn = keras.layers.BatchNormalization(name="bn")
    model = keras.Model(inp, bn(inp))
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    bn.trainable = False
    out = model(x, training=True).detach().numpy()
    np.testing.assert_allclose(out, x / np.sqrt(1 + 1e-3), rtol=1e-6)  # moving statistics 0 and 1
    np.testing.assert_array_equal(bn.moving_mean.numpy(), np.zeros(3))
    bn.trainable = True
    batch = model(x, training=True).detach().numpy()
    np.testing.assert_allclose(batch, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3), rtol=1e-5)
    assert not np.array_equal(bn.moving_mean.numpy(), np.zeros(3))
