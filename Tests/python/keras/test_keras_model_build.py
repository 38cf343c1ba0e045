"""Keras's ``Model.build(input_shape)`` (a no-op for a functional model, which is built when it is made) and
``model.optimizer`` (None until ``compile``, then the optimizer object)."""

from __future__ import annotations

import numpy as np

import polyhead as ph
from polyhead import keras


def mlp():
    ph.manual_seed(0)
    x = keras.Input(shape=(3,))
    return keras.Model(x, keras.layers.Dense(2)(keras.layers.Dense(4, activation="relu")(x)))


def test_build_of_a_functional_model_changes_nothing():
    model = mlp()
    before = model.get_weights()
    data = np.arange(6, dtype=np.float32).reshape(2, 3)
    predicted = model.predict(data, verbose=0)
    model.build((None, 3))
    model.build(None)
    model.build()
    assert len(model.weights) == 4
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(model.predict(data, verbose=0), predicted)


def test_build_of_a_sequential_model_still_builds_it():
    model = keras.Sequential([keras.layers.Dense(2)])
    model.build((None, 5))
    assert [tuple(w.shape) for w in model.weights] == [(5, 2), (2,)]
    model.build((None, 7))  # already built: as in Keras, nothing changes
    assert [tuple(w.shape) for w in model.weights] == [(5, 2), (2,)]


def test_optimizer_is_none_before_compile_and_the_optimizer_after():
    model = mlp()
    assert model.optimizer is None
    assert keras.Sequential([keras.layers.Dense(1)]).optimizer is None  # unbuilt: None too, not an error
    model.compile(optimizer="adam", loss="mse")
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    sgd = keras.optimizers.SGD(learning_rate=0.1)
    model.compile(optimizer=sgd, loss="mse")
    assert model.optimizer is sgd
    assert mlp().optimizer is None  # a class default, not shared state
