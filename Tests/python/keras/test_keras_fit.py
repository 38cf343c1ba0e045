"""The Keras-style API (polyhead.keras): the DESIGN sketch on the bundled digits, History keys, masks, loss
weights, multi-task methods, callbacks, errors and the GIL being released during fit."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import polyhead as ph
import polyhead as tf
from polyhead import keras
from polyhead.datasets import load_digits_multitask


def two_head_model(hidden: int = 64, seed: int = 0, dropout: float = 0.0) -> keras.Model:
    ph.manual_seed(seed)
    inputs = ph.Input(shape=(64,))
    h = ph.layers.Dense(hidden, activation="relu")(inputs)
    if dropout:
        h = ph.layers.Dropout(dropout)(h)
    digit = ph.layers.Dense(10, activation="softmax", name="digit")(h)
    large = ph.layers.Dense(1, activation="sigmoid", name="large")(h)
    return ph.Model(inputs=inputs, outputs=[digit, large])


@pytest.fixture(scope="module")
def digits():
    return load_digits_multitask(seed=0)


def one_hot(labels: np.ndarray) -> np.ndarray:
    return np.eye(10, dtype=np.float32)[labels]


def test_design_sketch_reaches_090_on_both_tasks(digits):
    model = two_head_model()
    model.compile(optimizer="adam", loss=["categorical_crossentropy", "binary_crossentropy"],
                  loss_weights=[1.0, 0.5], metrics=[["accuracy"], ["accuracy"]])
    history = model.fit(digits.x_train, [one_hot(digits.y_digit_train), digits.y_large_train], epochs=15,
                        batch_size=32, validation_split=0.1, verbose=0)
    assert list(history.history) == ["loss", "digit_loss", "large_loss", "digit_accuracy", "large_accuracy",
                                     "digit_weight", "large_weight", "val_loss", "val_digit_loss", "val_large_loss",
                                     "val_digit_accuracy", "val_large_accuracy"]
    assert all(len(v) == 15 for v in history.history.values())
    assert history.history["loss"][-1] < history.history["loss"][0]
    logs = model.evaluate(digits.x_test, [one_hot(digits.y_digit_test), digits.y_large_test], return_dict=True,
                          verbose=0)
    assert logs["digit_accuracy"] >= 0.9 and logs["large_accuracy"] >= 0.9, logs
    digit, large = model.predict(digits.x_test, verbose=0)
    assert digit.shape == (len(digits.x_test), 10) and large.shape == (len(digits.x_test), 1)
    assert np.mean(digit.argmax(1) == digits.y_digit_test) == pytest.approx(logs["digit_accuracy"], abs=1e-6)
    np.testing.assert_allclose(digit.sum(1), 1, atol=1e-5)


def test_tf_style_import_sparse_loss_objects_and_dict_outputs(digits):
    ph.manual_seed(1)
    inputs = tf.keras.Input(shape=(64,), name="pixels")
    h = tf.keras.layers.Dense(32, activation="relu", kernel_regularizer=tf.keras.regularizers.l2(1e-4))(inputs)
    outputs = {"digit": tf.keras.layers.Dense(10, name="digit_logits")(h),
               "large": tf.keras.layers.Dense(1, activation="sigmoid")(h)}
    model = tf.keras.Model(inputs, outputs)
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=3e-3),
                  loss={"digit": tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                        "large": tf.keras.losses.BinaryCrossentropy()},
                  metrics={"digit": ["accuracy"], "large": ["accuracy", "mse"]})
    history = model.fit({"pixels": digits.x_train}, {"digit": digits.y_digit_train, "large": digits.y_large_train},
                        epochs=8, batch_size=64, validation_data=(digits.x_test, {"digit": digits.y_digit_test,
                                                                                   "large": digits.y_large_test}),
                        verbose=0)
    assert "val_large_mse" in history.history and "digit_accuracy" in history.history
    assert history.history["val_digit_accuracy"][-1] > 0.85
    predictions = model.predict(digits.x_test[:5], verbose=0)
    assert set(predictions) == {"digit", "large"}
    assert [n for n in model.weight_names][:2] == ["dense/kernel", "dense/bias"] or model.weight_names[0].endswith("/kernel")
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "Dense" in text and "Total params" in text and f"{model.count_params():,}" in text


def test_masks_drop_missing_labels_from_loss_and_metrics(digits):
    x, yd, yl = digits.x_train[:200], one_hot(digits.y_digit_train[:200]), digits.y_large_train[:200].copy()
    mask = np.ones(200, np.float32)
    mask[100:] = 0
    yl_garbage = yl.copy()
    yl_garbage[100:] = 1 - yl_garbage[100:]   # wrong labels where missing: must not matter
    model = two_head_model(seed=3)
    weights = model.get_weights()
    model.compile(optimizer="sgd", loss=["categorical_crossentropy", "binary_crossentropy"], metrics=["accuracy"])
    a = model.evaluate(x, [yd, yl], masks=[None, mask], return_dict=True, verbose=0)
    b = model.evaluate(x, [yd, yl_garbage], masks=[None, mask], return_dict=True, verbose=0)
    assert a == b
    c = model.evaluate(x[:100], [yd[:100], yl[:100]], return_dict=True, verbose=0, batch_size=100)
    assert a["large_accuracy"] == pytest.approx(c["large_accuracy"])
    h1 = model.fit(x, [yd, yl], masks={"large": mask}, epochs=1, batch_size=50, shuffle=False, verbose=0).history
    model.set_weights(weights)
    model.compile(optimizer="sgd", loss=["categorical_crossentropy", "binary_crossentropy"], metrics=["accuracy"])
    h2 = model.fit(x, [yd, yl_garbage], sample_weight=[None, mask], epochs=1, batch_size=50, shuffle=False,
                   verbose=0).history
    assert h1 == h2


def test_loss_weights_scale_the_total_and_the_update(digits):
    x, yd, yl = digits.x_train[:128], one_hot(digits.y_digit_train[:128]), digits.y_large_train[:128]
    results = {}
    for w in (0.0, 1.0):
        model = two_head_model(seed=5)
        model.compile(optimizer="sgd", loss=["categorical_crossentropy", "binary_crossentropy"], loss_weights=[1.0, w])
        logs = model.evaluate(x, [yd, yl], return_dict=True, verbose=0)
        assert logs["loss"] == pytest.approx(logs["digit_loss"] + w * logs["large_loss"], rel=1e-5)
        h = model.fit(x, [yd, yl], epochs=1, batch_size=128, shuffle=False, verbose=0).history
        assert h["large_weight"] == [w]
        results[w] = model.get_weights()
    # with weight 0 the "large" head gets no gradient: its kernel does not move
    start = two_head_model(seed=5).get_weights()
    np.testing.assert_array_equal(results[0.0][4], start[4])
    assert not np.array_equal(results[1.0][4], start[4])


@pytest.mark.parametrize("weighting", ["uncertainty", "pcgrad"])
def test_weighting_methods_train(digits, weighting):
    model = two_head_model(seed=2)
    model.compile(optimizer="adam", loss=["categorical_crossentropy", "binary_crossentropy"],
                  metrics=[["accuracy"], ["accuracy"]], weighting=weighting)
    history = model.fit(digits.x_train, [one_hot(digits.y_digit_train), digits.y_large_train], epochs=10,
                        batch_size=32, verbose=0)
    logs = model.evaluate(digits.x_test, [one_hot(digits.y_digit_test), digits.y_large_test], return_dict=True, verbose=0)
    assert logs["digit_accuracy"] >= 0.88 and logs["large_accuracy"] >= 0.88, logs
    assert len(history.history["digit_weight"]) == 10
    if weighting == "uncertainty":
        assert history.history["digit_weight"][0] != history.history["digit_weight"][-1]


def test_mtl_method_object(digits):
    model = two_head_model(seed=2)
    model.compile(optimizer="adam", loss=["categorical_crossentropy", "binary_crossentropy"],
                  weighting=ph.mtl.UncertaintyWeighting(2))
    model.fit(digits.x_train[:256], [one_hot(digits.y_digit_train[:256]), digits.y_large_train[:256]], epochs=1, verbose=0)


def test_early_stopping_restores_best_weights(digits):
    model = two_head_model(seed=4)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss=["categorical_crossentropy", "binary_crossentropy"])
    stopper = keras.callbacks.EarlyStopping(monitor="loss", patience=2, min_delta=1e-4,
                                            restore_best_weights=True)
    history = model.fit(digits.x_train[:64], [one_hot(digits.y_digit_train[:64]), digits.y_large_train[:64]],
                        epochs=20, batch_size=32, callbacks=[stopper], verbose=0)
    assert len(history.history["loss"]) == 3  # no improvement with lr 0: stops after patience epochs
    assert stopper.stopped_epoch == 2


def test_terminate_on_nan_and_callback_hooks(digits):
    events = []

    class Recorder(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            events.append(("epoch", epoch, sorted(logs)))

        def on_train_batch_end(self, batch, logs=None):
            events.append(("batch", batch))

    model = two_head_model(seed=4)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e30), loss=["mse", "mse"])
    y = [one_hot(digits.y_digit_train[:64]) * 1e20, digits.y_large_train[:64]]
    history = model.fit(digits.x_train[:64], y, epochs=5, batch_size=8,
                        callbacks=[Recorder(), keras.callbacks.TerminateOnNaN()], verbose=0)
    assert len(history.history["loss"]) == 1
    assert any(e[0] == "batch" for e in events)


def test_callback_exception_stops_and_reraises(digits):
    class Boom(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                raise KeyError("boom")

    model = two_head_model()
    model.compile(optimizer="adam", loss=["categorical_crossentropy", "binary_crossentropy"])
    with pytest.raises(KeyError, match="boom"):
        model.fit(digits.x_train[:64], [one_hot(digits.y_digit_train[:64]), digits.y_large_train[:64]], epochs=3,
                  batch_size=8, callbacks=[Boom()], verbose=0)


def test_mismatched_lengths_name_the_shapes(digits):
    model = two_head_model()
    model.compile(optimizer="adam", loss=["categorical_crossentropy", "binary_crossentropy"])
    with pytest.raises(ValueError, match=r"\(100, 64\).*\(90, 10\)"):
        model.fit(digits.x_train[:100], [one_hot(digits.y_digit_train[:90]), digits.y_large_train[:100]], verbose=0)
    with pytest.raises(ValueError, match="2 outputs"):
        model.fit(digits.x_train[:100], [one_hot(digits.y_digit_train[:100])], verbose=0)
    with pytest.raises(ValueError, match=r"expects \(batch, 64\), got \(100, 10\)"):
        model.fit(digits.x_train[:100, :10], [one_hot(digits.y_digit_train[:100]), digits.y_large_train[:100]], verbose=0)
    with pytest.raises(ValueError, match="unknown loss"):
        model.compile(optimizer="adam", loss="hinge")
    with pytest.raises(RuntimeError, match="compile"):
        two_head_model().fit(digits.x_train[:10], [one_hot(digits.y_digit_train[:10]), digits.y_large_train[:10]])


def test_fit_releases_the_gil(digits):
    model = two_head_model(hidden=256)
    model.compile(optimizer="adam", loss=["categorical_crossentropy", "binary_crossentropy"])
    x = np.repeat(digits.x_train, 4, axis=0)
    y = [one_hot(np.repeat(digits.y_digit_train, 4)), np.repeat(digits.y_large_train, 4, axis=0)]
    done = threading.Event()
    ticks = 0

    def train():
        model.fit(x, y, epochs=8, batch_size=64, verbose=0)
        done.set()

    thread = threading.Thread(target=train)
    start = time.perf_counter()
    thread.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    thread.join()
    elapsed = time.perf_counter() - start
    # the main thread kept running: with the GIL held for the whole fit it would tick ~once
    assert ticks > 5, (elapsed, ticks)


def test_verbose_progress_prints_epoch_lines(digits, capsys):
    model = two_head_model()
    model.compile(optimizer="adam", loss=["categorical_crossentropy", "binary_crossentropy"], metrics=["accuracy"])
    model.fit(digits.x_train[:64], [one_hot(digits.y_digit_train[:64]), digits.y_large_train[:64]], epochs=2,
              batch_size=16, verbose=2)
    out = capsys.readouterr().out
    assert "Epoch 2/2" in out and "digit_accuracy" in out


def test_f1_and_auc_metrics(digits):
    model = two_head_model(seed=6)
    model.compile(optimizer="adam", loss=["sparse_categorical_crossentropy", "binary_crossentropy"],
                  metrics=[["accuracy", "f1"], ["auc", "f1", "accuracy"]])
    history = model.fit(digits.x_train, [digits.y_digit_train, digits.y_large_train], epochs=8, batch_size=32,
                        verbose=0)
    logs = model.evaluate(digits.x_test, [digits.y_digit_test, digits.y_large_test], return_dict=True, verbose=0)
    assert logs["large_auc"] > 0.95 and logs["digit_f1"] > 0.85 and logs["large_f1"] > 0.85, logs
    assert "digit_f1" in history.history and "large_auc" in history.history
    large = model.predict(digits.x_test, verbose=0)[1][:, 0]
    y = digits.y_large_test[:, 0] > 0.5
    # exact ROC AUC by ranking (the 200-threshold approximation is within a percent)
    order = np.argsort(large)
    ranks = np.empty(len(large)); ranks[order] = np.arange(1, len(large) + 1)
    exact = (ranks[y].sum() - y.sum() * (y.sum() + 1) / 2) / (y.sum() * (~y).sum())
    assert logs["large_auc"] == pytest.approx(exact, abs=0.01)
