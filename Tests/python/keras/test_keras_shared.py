"""Shared layers: one layer object called on several tensors uses one set of weights (Keras's
``inbound_nodes`` in the config), gradients of all calls add up, and the model saves and loads as such."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import keras

L = keras.layers


def siamese(seed: int = 0):
    ph.manual_seed(seed)
    left, right = keras.Input(shape=(4,), name="left"), keras.Input(shape=(4,), name="right")
    encoder = L.Dense(3, activation="tanh", name="encoder")
    joined = L.Concatenate(name="joined")([encoder(left), encoder(right)])
    return keras.Model([left, right], L.Dense(1, name="similarity")(joined)), encoder


def data(n: int = 16):
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(n, 4)), rng.normal(size=(n, 4))
    return a.astype(np.float32), b.astype(np.float32), (a[:, :1] - b[:, :1]).astype(np.float32)


def test_siamese_dense_shares_weights_and_sums_the_gradients_of_both_calls():
    model, encoder = siamese()
    assert model.weight_names == ["encoder/kernel", "encoder/bias", "similarity/kernel", "similarity/bias"]
    config = {layer["name"]: layer for layer in model.get_config()["layers"]}
    assert config["encoder"]["inbound_nodes"] == [["left"], ["right"]]
    assert config["joined"]["inbound_nodes"] == [["encoder", ["encoder", 1]]]
    a, b, t = data()
    W, c, V, d = (w.astype(np.float64) for w in model.get_weights())
    ea, eb = np.tanh(a @ W + c), np.tanh(b @ W + c)
    out = np.concatenate([ea, eb], 1) @ V + d
    np.testing.assert_allclose(model.predict([a, b], verbose=0), out, rtol=1e-5, atol=1e-6)
    # mse gradient by hand (float64), both calls of the encoder contributing
    dout = 2 * (out - t) / len(t)
    dza, dzb = (dout @ V[:3].T) * (1 - ea ** 2), (dout @ V[3:].T) * (1 - eb ** 2)
    grads = [a.T @ dza + b.T @ dzb, (dza + dzb).sum(0), np.concatenate([ea, eb], 1).T @ dout, dout.sum(0)]
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    model.fit([a, b], t, epochs=1, batch_size=len(t), shuffle=False, verbose=0)
    for before, grad, after in zip((W, c, V, d), grads, model.get_weights()):
        np.testing.assert_allclose(after, before - 0.5 * grad, rtol=1e-4, atol=1e-6)
    assert encoder.kernel is model.weights[0]


def test_shared_layers_summary_save_load_and_outputs_of_later_calls(tmp_path):
    model, _ = siamese(2)
    lines = []
    model.summary(print_fn=lines.append)
    row = next(line for line in lines if line.startswith("encoder (Dense)"))
    assert "left; right" in row and " 15 " in f" {row} "
    assert model.count_params() == 4 * 3 + 3 + 6 + 1
    path = tmp_path / "siamese.safetensors"
    model.save(path)
    loaded = keras.models.load_model(path)
    a, b, _ = data()
    np.testing.assert_array_equal(loaded.predict([a, b], verbose=0), model.predict([a, b], verbose=0))
    assert loaded.weight_names == model.weight_names
    # a later call of a shared layer as an output gets its own name; a call may read a layer made after
    # the shared layer's first call (the core orders calls by their inputs)
    ph.manual_seed(0)
    x = keras.Input(shape=(4,))
    shared = L.Dense(4, activation="relu", name="shared")
    first = shared(x)
    middle = L.Dense(4, name="middle")(first)
    twice = keras.Model(x, [first, shared(middle)])
    assert twice.output_names == ["shared", "shared_1"]
    W, c, M, m = twice.get_weights()
    h = np.maximum(a @ W + c, 0)
    want = [h, np.maximum((h @ M + m) @ W + c, 0)]
    for got, expected in zip(twice.predict(a, verbose=0), want):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    twice.save(tmp_path / "twice.safetensors")
    again = keras.models.load_model(tmp_path / "twice.safetensors")
    for got, expected in zip(again.predict(a, verbose=0), want):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_a_shared_layer_needs_the_same_input_shapes():
    layer = L.Dense(2)
    layer(keras.Input(shape=(4,)))
    with pytest.raises(ValueError, match="same input shapes"):
        layer(keras.Input(shape=(5,)))
