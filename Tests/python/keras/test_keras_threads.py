"""A running ``fit`` holds its optimizer and multi-task method: other threads' calls on them raise a clear
RuntimeError (never corrupt memory, never deadlock), while the fit's own callbacks may still change them."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest

import polyhead as ph
from polyhead import _core, keras

IN_USE = "in use by"


def compiled_model(weighting=None):
    ph.manual_seed(0)
    x = keras.Input(shape=(16,))
    h = keras.layers.Dense(64, activation="relu")(x)
    model = keras.Model(x, [keras.layers.Dense(1, name="a")(h), keras.layers.Dense(1, name="b")(h)])
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse", weighting=weighting)
    return model


def data(n=2048):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 16)).astype(np.float32)
    return x, [x[:, :1].copy(), x[:, 1:2].copy()]


def run_in_thread(body):
    outcome = {}

    def target():
        try:
            outcome["result"] = body()
        except BaseException as error:  # noqa: BLE001 - handed to the test
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


def test_other_threads_cannot_drive_the_optimizer_or_method_of_a_running_fit():
    weighting = ph.mtl.UncertaintyWeighting(2)
    model = compiled_model(weighting)
    x, y = data()
    core = model.optimizer._core
    started = threading.Event()

    class Signal(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            started.set()

    thread, outcome = run_in_thread(lambda: model.fit(x, y, epochs=12, batch_size=16, verbose=0, callbacks=[Signal()]))
    assert started.wait(30)
    refused, steps = 0, 0
    calls = {"step": lambda: _core.optimizer_step(core), "lr": lambda: _core.optimizer_set_lr(core, 0.5),
             "count": lambda: _core.optimizer_step_count(core), "method": lambda: _core.mtl_end_epoch(weighting._core)}
    while thread.is_alive():
        for name, call in calls.items():
            try:
                call()
                steps += name == "step"
            except RuntimeError as error:
                assert IN_USE in str(error) and "fit()" in str(error), error
                refused += 1
    thread.join()
    assert "error" not in outcome, outcome.get("error")
    assert refused > 0
    history = outcome["result"].history
    assert np.isfinite(history["loss"]).all() and history["loss"][-1] < history["loss"][0]
    # Once fit has ended the optimizer is free again; every step is accounted for (lr 0.5 was only
    # ever set before the fit started or after it ended).
    assert _core.optimizer_step_count(core) == 12 * 2048 // 16 + steps
    _core.optimizer_set_lr(core, 0.01)


def test_two_fits_on_one_optimizer_never_overlap():
    model = compiled_model()
    x, y = data(512)
    spec = json.dumps(model._compiled)
    trainers = [model._trainer, _core.trainer_new(model._core, spec, model.optimizer._core, None)]
    fit_json = json.dumps({"epochs": 20, "batch_size": 8})
    inputs, targets = [ph.tensor(x)], [ph.tensor(t) for t in y]
    runs = [run_in_thread(lambda t=t: _core.trainer_fit(t, inputs, targets, None, None, None, None, fit_json, None))
            for t in trainers]
    for thread, _ in runs:
        thread.join()
    errors = [outcome["error"] for _, outcome in runs if "error" in outcome]
    for error in errors:
        assert isinstance(error, RuntimeError) and "already in use by a running fit()" in str(error)
    finished = [outcome["result"] for _, outcome in runs if "result" in outcome]
    assert finished and all(np.isfinite(json.loads(text)["history"]["loss"]).all() for text in finished)
    assert _core.optimizer_step_count(model.optimizer._core) == len(finished) * 20 * 512 // 8


def test_the_fits_own_callbacks_still_use_the_optimizer():
    model = compiled_model()
    x, y = data(256)
    seen = []

    class Probe(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.optimizer.learning_rate = 0.001 * (epoch + 1)
            seen.append(_core.optimizer_step_count(self.model.optimizer._core))

    model.fit(x, y, epochs=3, batch_size=64, verbose=0, callbacks=[Probe()])
    assert seen == [4, 8, 12] and model.optimizer.learning_rate == pytest.approx(0.003)
