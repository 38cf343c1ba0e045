"""Arguments of the wrong type found by the Keras fuzzer: they raise a TypeError naming the argument instead of
a bare conversion error (``float('x')``, ``int([1, 2])``) or a silent truncation (``axis=1.5`` read as 1)."""

from __future__ import annotations

import numpy as np
import pytest

from polyhead import keras

L = keras.layers


def two_outputs():
    x = keras.Input(shape=(3,))
    h = L.Dense(4)(x)
    return keras.Model(x, {"a": L.Dense(1)(h), "b": L.Dense(2)(h)})


@pytest.mark.parametrize("weights", ["x", ["x", 1.0], {"b": None}, [True, 1.0], [[1.0], 1.0]])
def test_loss_weights_that_are_not_numbers_name_the_argument_and_the_output(weights):
    model = two_outputs()
    with pytest.raises(TypeError, match=r"loss_weights for output '(a|b)' must be a number"):
        model.compile(optimizer="sgd", loss="mse", loss_weights=weights)
    assert model.optimizer is None  # nothing was compiled


def test_numeric_loss_weights_of_any_numeric_type_are_accepted():
    model = two_outputs()
    model.compile(optimizer="sgd", loss="mse", loss_weights=[np.float32(0.5), 2])
    model.compile(optimizer="sgd", loss="mse", loss_weights={"a": np.int64(3)})


@pytest.mark.parametrize("layer", [L.BatchNormalization, L.LayerNormalization])
@pytest.mark.parametrize("axis", [[1, 2], None, 1.5, "1", True])
def test_normalization_axis_must_be_one_int(layer, axis):
    with pytest.raises(TypeError, match=f"{layer.__name__} axis must be an int"):
        layer(axis=axis)


def test_normalization_axis_accepts_numpy_ints():
    assert L.BatchNormalization(axis=np.int64(1)).axis == 1
