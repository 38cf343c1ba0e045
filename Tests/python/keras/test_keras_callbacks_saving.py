"""polyhead.keras: learning-rate callbacks, checkpoints, CSV logs, save/load of models and weights."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import keras


def small_model(seed: int = 0) -> keras.Model:
    ph.manual_seed(seed)
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    h = keras.layers.Concatenate()([a, b])
    h = keras.layers.Dense(8, activation="tanh", kernel_regularizer=keras.regularizers.l2(1e-3))(h)
    h = keras.layers.Dropout(0.2)(h)
    y = keras.layers.Dense(1, name="y")(h)
    z = keras.layers.Dense(3, activation="softmax", name="z")(h)
    return keras.Model([a, b], {"reg": y, "cls": z})


def data(n: int = 64, seed: int = 0):
    rng = np.random.default_rng(seed)
    xa, xb = rng.standard_normal((n, 3)).astype(np.float32), rng.standard_normal((n, 2)).astype(np.float32)
    reg = (xa.sum(1) - xb[:, 0]).astype(np.float32)
    cls = (xa[:, 0] > 0).astype(np.int64) + (xb[:, 1] > 0)
    return {"a": xa, "b": xb}, {"reg": reg, "cls": cls}


def compiled(seed: int = 0, lr: float = 0.01) -> keras.Model:
    model = small_model(seed)
    model.compile(optimizer=keras.optimizers.Adam(lr), loss={"reg": "huber", "cls": "sparse_categorical_crossentropy"},
                  metrics={"reg": ["mae"], "cls": ["accuracy"]})
    return model


def test_save_and_load_model_predict_identically(tmp_path):
    model = compiled()
    x, y = data()
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    path = tmp_path / "model.safetensors"
    model.save(path)
    loaded = keras.models.load_model(path)
    before, after = model.predict(x, verbose=0), loaded.predict(x, verbose=0)
    assert set(after) == {"reg", "cls"}
    for key in before:
        np.testing.assert_array_equal(before[key], after[key])
    assert loaded.weight_names == model.weight_names


def test_save_weights_round_trip_and_mismatch(tmp_path):
    model = compiled()
    path = tmp_path / "w.safetensors"
    model.save_weights(path)
    other = compiled(seed=7)
    other.load_weights(path)
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)
    ph.manual_seed(0)
    i = keras.Input(shape=(3,))
    different = keras.Model(i, keras.layers.Dense(2, name="other")(i))
    with pytest.raises(ValueError, match="missing weights"):
        different.load_weights(path)


def test_learning_rate_scheduler_and_plateau():
    model = compiled(lr=0.1)
    x, y = data()
    seen = []
    scheduler = keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    recorder = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(model.optimizer.learning_rate))
    model.fit(x, y, epochs=3, batch_size=16, callbacks=[scheduler, recorder], verbose=0)
    assert seen == pytest.approx([0.1, 0.05, 0.1 / 3])
    model = compiled(lr=0.0)
    plateau = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=1.0)
    model.optimizer.learning_rate = 0.2
    model.fit(x, y, epochs=3, batch_size=64, shuffle=False, callbacks=[plateau], verbose=0)
    assert model.optimizer.learning_rate < 0.2


def test_checkpoint_and_csv_logger(tmp_path):
    model = compiled()
    x, y = data()
    checkpoint = keras.callbacks.ModelCheckpoint(str(tmp_path / "ckpt-{epoch:02d}.safetensors"), monitor="loss",
                                                 save_weights_only=True)
    log = tmp_path / "log.csv"
    history = model.fit(x, y, epochs=2, batch_size=16, callbacks=[checkpoint, keras.callbacks.CSVLogger(str(log))],
                        verbose=0)
    assert (tmp_path / "ckpt-01.safetensors").exists() and (tmp_path / "ckpt-02.safetensors").exists()
    lines = log.read_text().splitlines()
    assert lines[0].split(",")[:3] == ["epoch", "loss", "reg_loss"] and len(lines) == 3
    assert float(lines[2].split(",")[1]) == pytest.approx(history.history["loss"][1])


def test_validation_data_with_masks_and_evaluate_forms():
    model = compiled()
    x, y = data()
    mask = np.ones(64, np.float32)
    mask[::2] = 0
    history = model.fit(x, y, epochs=1, batch_size=16, validation_data=(x, y, {"reg": mask}), verbose=0)
    assert "val_reg_mae" in history.history and "val_cls_accuracy" in history.history
    values = model.evaluate(x, y, verbose=0)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert values == list(logs.values())
    inputs = keras.Input(shape=(2,))
    single = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    single.compile(optimizer="sgd", loss="mse")
    assert isinstance(single.evaluate(np.ones((4, 2)), np.zeros(4), verbose=0), float)


def test_rmsprop_matches_keras_rule_and_is_the_compile_default():
    ph.manual_seed(0)
    i = keras.Input(shape=(2,))
    model = keras.Model(i, keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")(i))
    model.compile(loss="mse")  # Keras's default optimizer: rmsprop (lr 1e-3, rho 0.9, eps 1e-7 inside the sqrt)
    assert isinstance(model.optimizer, keras.optimizers.RMSprop)
    x, y = np.array([[1.0, 2.0]], np.float32), np.array([[0.0]], np.float32)
    model.fit(x, y, epochs=1, batch_size=1, verbose=0)
    g = 2 * (3.0 - 0.0) * x[0].astype(np.float64)        # d/dk (x·k − y)², k = (1, 1)
    v = 0.1 * g * g
    expected = 1.0 - 1e-3 * g / np.sqrt(v + 1e-7)
    np.testing.assert_allclose(model.get_weights()[0][:, 0], expected, rtol=1e-5)


def test_sequential_three_ways(tmp_path):
    from polyhead.datasets import load_digits_multitask
    d = load_digits_multitask(seed=0)
    ph.manual_seed(0)
    built = [
        keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense(10, activation="softmax")]),
        keras.Sequential([keras.layers.Dense(32, activation="relu", input_shape=(64,)),
                          keras.layers.Dense(10, activation="softmax")]),
    ]
    lazy = keras.Sequential()
    lazy.add(keras.layers.Dense(32, activation="relu"))
    lazy.add(keras.layers.Dense(10, activation="softmax"))
    for model in built + [lazy]:
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(d.x_train, d.y_digit_train, epochs=5, batch_size=32, verbose=0)
        assert list(history.history) == ["loss", "accuracy"]
        assert history.history["accuracy"][-1] > 0.85
        loss, accuracy = model.evaluate(d.x_test, d.y_digit_test, verbose=0)
        assert accuracy > 0.85 and loss < 1
        assert model.predict(d.x_test[:3], verbose=0).shape == (3, 10)
    lines = []
    built[0].summary(print_fn=lines.append)
    assert any("Dense" in line for line in lines)
    with pytest.raises(ValueError, match="not been built"):
        keras.Sequential([keras.layers.Dense(2)]).summary()


def test_flatten_and_layer_normalization_on_images(tmp_path):
    from polyhead.datasets import load_digits_multitask
    d = load_digits_multitask(seed=0)
    ph.manual_seed(0)
    images = keras.Input(shape=(8, 8))
    h = keras.layers.Flatten()(images)
    h = keras.layers.LayerNormalization()(h)
    h = keras.layers.Dense(32, activation="relu")(h)
    model = keras.Model(images, [keras.layers.Dense(10, activation="softmax", name="digit")(h),
                                 keras.layers.Dense(1, activation="sigmoid", name="large")(h)])
    assert model.get_layer("layer_normalization").gamma.shape == (64,) or model.weight_names[0].endswith("/gamma")
    model.compile(optimizer="adam", loss=["sparse_categorical_crossentropy", "binary_crossentropy"], metrics=["accuracy"])
    model.fit(d.x_train.reshape(-1, 8, 8), [d.y_digit_train, d.y_large_train], epochs=6, batch_size=32, verbose=0)
    logs = model.evaluate(d.x_test.reshape(-1, 8, 8), [d.y_digit_test, d.y_large_test], return_dict=True, verbose=0)
    assert logs["digit_accuracy"] > 0.85 and logs["large_accuracy"] > 0.85, logs
    model.save(tmp_path / "m.safetensors")
    loaded = keras.models.load_model(tmp_path / "m.safetensors")
    x = d.x_test[:4].reshape(-1, 8, 8)
    np.testing.assert_array_equal(model.predict(x, verbose=0)[0], loaded.predict(x, verbose=0)[0])


def test_conv2d_multitask_on_digit_images(tmp_path):
    from polyhead.datasets import load_digits_multitask
    d = load_digits_multitask(seed=0)
    ph.manual_seed(0)
    images = keras.Input(shape=(8, 8, 1))
    h = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(images)
    h = keras.layers.MaxPooling2D()(h)
    h = keras.layers.Flatten()(h)
    model = keras.Model(images, [keras.layers.Dense(10, activation="softmax", name="digit")(h),
                                 keras.layers.Dense(1, activation="sigmoid", name="large")(h)])
    assert model.get_layer("digit")._inbound[0].shape == (None, 128)
    assert model.weights[0].shape == (3, 3, 1, 8)
    model.compile(optimizer="adam", loss=["sparse_categorical_crossentropy", "binary_crossentropy"], metrics=["accuracy"],
                  weighting="mgda")
    x = d.x_train.reshape(-1, 8, 8, 1)
    model.fit(x, [d.y_digit_train, d.y_large_train], epochs=15, batch_size=32, verbose=0)
    logs = model.evaluate(d.x_test.reshape(-1, 8, 8, 1), [d.y_digit_test, d.y_large_test], return_dict=True, verbose=0)
    assert logs["digit_accuracy"] > 0.85 and logs["large_accuracy"] > 0.85, logs
    model.save(tmp_path / "conv.safetensors")
    loaded = keras.models.load_model(tmp_path / "conv.safetensors")
    np.testing.assert_array_equal(model.predict(x[:5], verbose=0)[0], loaded.predict(x[:5], verbose=0)[0])


def test_embedding_model_learns_token_tasks():
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 20, size=(512, 4))
    first_even = (tokens[:, 0] % 2 == 0).astype(np.float32)
    has_zero = (tokens == 0).any(1).astype(np.float32)
    ph.manual_seed(0)
    inputs = keras.Input(shape=(4,))
    h = keras.layers.Flatten()(keras.layers.Embedding(20, 8)(inputs))
    h = keras.layers.Dense(32, activation="relu")(h)
    model = keras.Model(inputs, {"even": keras.layers.Dense(1, activation="sigmoid")(h),
                                 "zero": keras.layers.Dense(1, activation="sigmoid")(h)})
    assert model.weights[0].shape == (20, 8)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(tokens, {"even": first_even, "zero": has_zero}, epochs=30, batch_size=64, verbose=0)
    logs = model.evaluate(tokens, {"even": first_even, "zero": has_zero}, return_dict=True, verbose=0)
    assert logs["even_accuracy"] > 0.95, logs
    with pytest.raises(IndexError, match="not an integer in 0..<20"):
        model.predict(np.full((1, 4), 20))


def test_history_plot_draws_per_task_losses_and_weights(tmp_path):
    pytest.importorskip("matplotlib")
    model = small_model()
    model.compile(optimizer="adam", loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
                  metrics={"cls": ["accuracy"]}, weighting="dwa")
    x, y = data()
    history = model.fit(x, y, epochs=4, batch_size=16, validation_split=0.25, verbose=0)
    path = tmp_path / "history.png"
    figure = history.plot(str(path))
    losses, weights = figure.axes
    drawn = {line.get_label(): line.get_ydata() for line in losses.lines}
    assert set(drawn) == {"loss", "reg_loss", "cls_loss", "val_loss", "val_reg_loss", "val_cls_loss"}
    for key, values in drawn.items():
        np.testing.assert_allclose(values, history.history[key])
    task_weights = {line.get_label(): line.get_ydata() for line in weights.lines}
    assert set(task_weights) == {"reg", "cls"}
    np.testing.assert_allclose(task_weights["cls"], history.history["cls_weight"])
    assert path.stat().st_size > 1000 and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
