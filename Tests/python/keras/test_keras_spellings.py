"""Other ways tf.keras scripts spell the same things: activation functions instead of names
(``keras.activations``, ``polyhead.relu``…), loss class names as strings, optimizer ``name``/``weight_decay`` and
Keras's options at their defaults; frozen layers survive save/load."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as tf
from polyhead import keras


def test_activation_functions_are_taken_in_place_of_names_and_compute_like_them():
    x = np.array([[-1.5, 0.0, 2.0]], np.float32)
    inp = keras.Input(shape=(3,))
    for function, name in [(keras.activations.relu, "relu"), (tf.sigmoid, "sigmoid"), (tf.nn.functional.elu, "elu"),
                           (keras.activations.softmax, "softmax"), (tf.tanh, "tanh")]:
        layer = keras.layers.Dense(3, activation=function, kernel_initializer="ones")
        assert layer.activation == name
        model = keras.Model(inp, layer(inp))
        expected = getattr(keras.activations, name)(x @ np.ones((3, 3), np.float32)).numpy()
        np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-6)
    np.testing.assert_allclose(keras.activations.gelu(x).numpy(), tf.nn.functional.gelu(tf.tensor(x)).numpy())

    def swish(v):
        return v

    with pytest.raises(ValueError, match="activation function 'swish' is not supported"):
        keras.layers.Dense(2, activation=swish)


def test_loss_class_names_as_strings():
    inp = keras.Input(shape=(2,))
    model = keras.Model(inp, keras.layers.Dense(1)(inp))
    model.compile("sgd", loss="MeanAbsoluteError")
    assert type(model.loss[0]).__name__ == "MeanAbsoluteError"
    with pytest.raises(ValueError, match="unknown loss 'MeanAbsoluteErrors'"):
        model.compile("sgd", loss="MeanAbsoluteErrors")


def test_optimizer_name_weight_decay_and_keras_options():
    opt = keras.optimizers.Adam(1e-3, name="my_adam", clipnorm=None, amsgrad=False, use_ema=False)
    assert opt.name == "my_adam" and keras.optimizers.SGD().name == "sgd"
    with pytest.raises(NotImplementedError, match="Adam\\(clipnorm=1.0\\) is not supported"):
        keras.optimizers.Adam(clipnorm=1.0)
    with pytest.raises(NotImplementedError, match="SGD\\(weight_decay=0.1\\)"):
        keras.optimizers.SGD(weight_decay=0.1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'lr'"):
        keras.optimizers.Adam(lr=0.1)
    # Adam(weight_decay=w) decays decoupled, as Keras 3: one step from zero gradients shrinks w by lr·w·decay.
    inp = keras.Input(shape=(2,))
    model = keras.Model(inp, keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")(inp))
    model.compile(keras.optimizers.Adam(0.1, weight_decay=0.5), loss="mse")
    x, y = np.zeros((4, 2), np.float32), np.zeros((4, 1), np.float32)
    model.fit(x, y, batch_size=4, verbose=0)
    np.testing.assert_allclose(model.get_weights()[0], np.full((2, 1), 1 - 0.1 * 0.5), rtol=1e-6)


def test_frozen_layers_stay_frozen_after_save_and_load(tmp_path):
    inp = keras.Input(shape=(3,))
    trunk = keras.layers.Dense(4, name="trunk")
    model = keras.Model(inp, keras.layers.Dense(1, name="head")(trunk(inp)))
    trunk.trainable = False
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert not loaded.get_layer("trunk").trainable and loaded.get_layer("head").trainable
    assert len(loaded.trainable_weights) == 2


def test_input_batch_shape_dropout_seed_and_unsupported_input_kinds():
    assert keras.Input(batch_shape=(None, 5)).shape == (None, 5)
    assert keras.Input(shape=(3,), dtype="int32").shape == (None, 3)
    with pytest.raises(ValueError, match="one of shape, batch_shape .*not several"):
        keras.Input(shape=(5,), batch_shape=(None, 5))
    for options in ({"sparse": True}, {"ragged": True}, {"optional": True}):
        with pytest.raises(NotImplementedError, match=f"Input\\({next(iter(options))}=True\\)"):
            keras.Input(shape=(2,), **options)
    with pytest.raises(TypeError, match="unexpected keyword argument 'shapes'"):
        keras.Input(shapes=(2,))
    assert keras.layers.Dropout(0.3, seed=42).rate == 0.3
    with pytest.raises(NotImplementedError, match="noise_shape"):
        keras.layers.Dropout(0.3, noise_shape=(None, 1))
    with pytest.raises(TypeError, match="seed must be an int"):
        keras.layers.Dropout(0.3, seed="x")


def test_keras_layer_options_at_their_defaults_are_taken_and_others_named():
    layers = keras.layers
    conv = layers.Conv2D(4, 3, data_format="channels_last", dilation_rate=[1, 1], kernel_initializer="glorot_uniform")
    inp = keras.Input(shape=(5, 5, 1))
    assert conv(inp).shape == (None, 3, 3, 4)
    assert layers.Embedding(10, 4, input_length=6)(keras.Input(shape=(6,))).shape == (None, 6, 4)
    layers.MaxPooling2D(data_format=None), layers.Flatten(data_format="channels_last"), layers.BatchNormalization(renorm=False)
    for make, message in [(lambda: layers.Conv2D(4, 3, kernel_initializer="he_normal"), "Conv2D\\(kernel_initializer='he_normal'\\)"),
                          (lambda: layers.Conv2D(4, 3, data_format="channels_first"), "data_format='channels_first'"),
                          (lambda: layers.Embedding(10, 4, mask_zero=True), "mask_zero=True"),
                          (lambda: layers.LayerNormalization(center=False), "center=False"),
                          (lambda: layers.Dense(3, kernel_constraint="max_norm"), "kernel_constraint='max_norm'")]:
        with pytest.raises(NotImplementedError, match=message + ".* is not supported"):
            make()


def test_an_input_layer_starts_a_sequential_model():
    x = np.ones((2, 4), np.float32)
    for first in (keras.layers.InputLayer(shape=(4,)), keras.layers.InputLayer(input_shape=(4,)),
                  keras.layers.InputLayer(batch_shape=(None, 4))):
        model = keras.Sequential([first, keras.layers.Dense(3)])
        assert model.predict(x, verbose=0).shape == (2, 3) and model.layers[0] is first
    with pytest.raises(ValueError, match="an Input can only come first"):
        keras.Sequential([keras.layers.Dense(3), keras.layers.InputLayer(shape=(4,))])
    with pytest.raises(ValueError, match="one of shape, batch_shape"):
        keras.layers.InputLayer(shape=(4,), input_shape=(4,))
