"""Callbacks that call the model back while it trains: ``predict`` and ``evaluate`` work (as in Keras, e.g.
in ``on_epoch_end``) and see the weights of that moment; a nested ``fit`` raises a clear RuntimeError. Each
test runs in a thread with a timeout, so a deadlock fails instead of hanging the suite."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import polyhead as ph
from polyhead import keras


def finishes(body, timeout=60.0):
    """``body()``'s result, or its exception re-raised; fails when it does not finish (a deadlock)."""
    outcome = {}

    def target():
        try:
            outcome["result"] = body()
        except BaseException as error:  # noqa: BLE001 - re-raised below
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), "the call did not finish: deadlock"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def two_output_model():
    ph.manual_seed(0)
    x = keras.Input(shape=(4,))
    h = keras.layers.Dense(8, activation="relu")(x)
    model = keras.Model(x, [keras.layers.Dense(1, name="a")(h), keras.layers.Dense(1, name="b")(h)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    return model


def data(n=64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, [x[:, :1].copy(), x[:, 1:2] * 2]


def test_predict_and_evaluate_in_callbacks_see_the_weights_of_that_moment():
    model = two_output_model()
    x, y = data()
    seen = []

    def on_epoch_end(epoch, logs):
        predicted = model.predict(x, verbose=0)
        w = model.get_weights()  # hidden kernel, bias, then each head's kernel and bias
        hidden = np.maximum(x @ w[0] + w[1], 0)
        expected = [hidden @ w[2 + 2 * k] + w[3 + 2 * k] for k in range(2)]
        for got, want in zip(predicted, expected):
            np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
        seen.append(model.evaluate(x, y, verbose=0, return_dict=True)["loss"])

    history = finishes(lambda: model.fit(x, y, epochs=3, batch_size=16, verbose=0, shuffle=False,
                                         callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=on_epoch_end)]))
    assert len(seen) == 3
    # Evaluated after the epoch's last step: the loss falls from epoch to epoch and matches a later evaluate.
    assert seen[0] > seen[-1]
    assert seen[-1] == pytest.approx(model.evaluate(x, y, verbose=0, return_dict=True)["loss"], rel=1e-5)
    assert len(history.history["loss"]) == 3


def test_evaluate_after_every_batch_and_a_sequential_model():
    model = keras.Sequential([keras.layers.Dense(3, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = data(40)
    losses = []
    callback = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: losses.append(model.evaluate(x, y[0], verbose=0)))
    finishes(lambda: model.fit(x, y[0], epochs=2, batch_size=10, verbose=0, callbacks=[callback]))
    assert len(losses) == 8 and all(np.isfinite(losses))


def test_a_nested_fit_raises_a_runtime_error_and_the_model_still_trains():
    model = two_output_model()
    x, y = data()
    nested = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: model.fit(x, y, verbose=0))
    with pytest.raises(RuntimeError, match="callback of this model's running fit"):
        finishes(lambda: model.fit(x, y, epochs=2, verbose=0, callbacks=[nested]))
    history = finishes(lambda: model.fit(x, y, epochs=1, verbose=0))  # the failed fit left nothing held
    assert np.isfinite(history.history["loss"][0])


def test_another_thread_waits_for_a_running_fit():
    model = two_output_model()
    x, y = data(2048)
    started, predicted = threading.Event(), {}

    def on_train_begin(logs):
        started.set()

    def other():
        assert started.wait(30)
        predicted["value"] = model.predict(x[:2], verbose=0)
        predicted["weights"] = model.get_weights()

    thread = threading.Thread(target=other, daemon=True)
    thread.start()
    finishes(lambda: model.fit(x, y, epochs=3, batch_size=8, verbose=0,
                               callbacks=[keras.callbacks.LambdaCallback(on_train_begin=on_train_begin)]))
    thread.join(60)
    assert not thread.is_alive()
    # The other thread's predict waited for the whole fit: it saw the final weights.
    for got, want in zip(predicted["weights"], model.get_weights()):
        np.testing.assert_array_equal(got, want)
