"""Models over the same layers share their weights, as Keras: a second ``Model`` from an intermediate output
extracts the trained features (and follows further training), and a model called on symbolic tensors (a
``Sequential`` trunk under two heads) puts its layers into the outer graph."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import keras


def relu_features(x, layer):
    kernel, bias = layer.get_weights()
    return np.maximum(x.astype(np.float64) @ kernel + bias, 0)


def test_a_model_from_an_intermediate_output_shares_the_trained_weights():
    ph.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((20, 5)).astype(np.float32)
    y = [rng.standard_normal(20), rng.integers(0, 2, 20)]
    inp = keras.Input(shape=(5,))
    h = keras.layers.Dense(4, activation="relu", name="embedding")(inp)
    model = keras.Model(inp, [keras.layers.Dense(1, name="a")(h), keras.layers.Dense(1, activation="sigmoid", name="b")(h)])
    model.compile(optimizer="adam", loss=["mse", "binary_crossentropy"])
    model.fit(x, y, epochs=1, batch_size=10, verbose=0)
    extractor = keras.Model(inputs=model.input, outputs=model.get_layer("embedding").output)
    np.testing.assert_allclose(extractor.predict(x), relu_features(x, model.get_layer("embedding")), atol=1e-5)
    model.fit(x, y, epochs=1, batch_size=10, verbose=0)  # the extractor follows, as Keras
    np.testing.assert_allclose(extractor.predict(x), relu_features(x, model.get_layer("embedding")), atol=1e-5)
    assert extractor.count_params() == 5 * 4 + 4


def test_a_sequential_trunk_called_on_an_input_is_built_and_shared():
    ph.manual_seed(1)
    trunk = keras.Sequential([keras.layers.Dense(6, activation="relu"), keras.layers.Dense(3, activation="relu")],
                             name="trunk")
    inp = keras.Input(shape=(4,))
    features = trunk(inp)
    assert features.shape == (None, 3) and trunk.input_shape == (None, 4)
    model = keras.Model(inp, {"r": keras.layers.Dense(1)(features), "c": keras.layers.Dense(2, activation="softmax")(features)})
    model.compile(optimizer="adam", loss={"r": "mse", "c": "sparse_categorical_crossentropy"})
    assert len(model.trainable_weights) == 8 and len(trunk.trainable_weights) == 4
    rng = np.random.default_rng(1)
    x = rng.standard_normal((12, 4)).astype(np.float32)
    before = trunk.predict(x)
    model.fit(x, {"r": rng.standard_normal(12), "c": rng.integers(0, 2, 12)}, epochs=2, batch_size=4, verbose=0)
    after = trunk.predict(x)
    assert not np.allclose(before, after)
    first, second = (layer for layer in trunk.layers[1:])
    np.testing.assert_allclose(after, relu_features(relu_features(x, first), second), atol=1e-5)


def test_a_functional_model_called_on_two_inputs_and_output_structure():
    a, b = keras.Input(shape=(2,), name="a"), keras.Input(shape=(3,), name="b")
    joined = keras.layers.concatenate([a, b], name="joined")
    inner = keras.Model([a, b], {"sum": keras.layers.Dense(1, name="s")(joined)})
    outer_a, outer_b = keras.Input(shape=(2,)), keras.Input(shape=(3,))
    out = inner({"a": outer_a, "b": outer_b})
    assert list(out) == ["sum"] and out["sum"].shape == (None, 1)
    outer = keras.Model([outer_a, outer_b], out["sum"])
    x = [np.ones((2, 2), np.float32), np.ones((2, 3), np.float32)]
    np.testing.assert_allclose(outer.predict(x), inner.predict(x)["sum"], atol=1e-6)


def test_calling_a_model_on_tensors_that_do_not_fit_is_a_clear_error():
    inp = keras.Input(shape=(3,))
    inner = keras.Model(inp, keras.layers.Dense(2)(inp), name="inner")
    with pytest.raises(ValueError, match=r"model 'inner' expects input .* of shape \(None, 3\), got \(None, 4\)"):
        inner(keras.Input(shape=(4,)))
    with pytest.raises(ValueError, match="model 'inner' has 1 inputs"):
        inner([keras.Input(shape=(3,)), keras.Input(shape=(3,))])


def test_a_pinned_training_mode_is_refused_for_layers_it_would_change():
    base = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2), keras.layers.Dropout(0.5, name="drop")])
    with pytest.raises(NotImplementedError, match=r"training=False would pin the mode of its layers \['drop'\]"):
        base(keras.Input(shape=(3,)), training=False)
    frozen = keras.Sequential([keras.Input(shape=(3,)), keras.layers.BatchNormalization()])
    frozen.trainable = False
    assert frozen(keras.Input(shape=(3,)), training=False).shape == (None, 3)  # already inference mode


def test_clone_model_has_new_weights_and_the_same_architecture():
    inp = keras.Input(shape=(3,), name="x")
    trunk = keras.layers.Dense(4, activation="relu", name="trunk")
    h = trunk(inp)
    model = keras.Model(inp, {"a": keras.layers.Dense(1, name="a")(h), "b": keras.layers.Dense(2, name="b")(h)})
    trunk.trainable = False
    clone = keras.models.clone_model(model)
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    assert clone.get_config() == model.get_config() and clone.output_names == model.output_names
    assert not clone.get_layer("trunk").trainable
    x = np.ones((2, 3), np.float32)
    assert not np.allclose(clone.predict(x, verbose=0)["b"], model.predict(x, verbose=0)["b"])
    clone.set_weights(model.get_weights())
    np.testing.assert_array_equal(clone.predict(x, verbose=0)["b"], model.predict(x, verbose=0)["b"])
    clone.get_layer("a").set_weights([np.zeros((4, 1), np.float32), np.ones(1, np.float32)])
    assert not np.array_equal(model.get_layer("a").get_weights()[1], np.ones(1))  # nothing shared
    with pytest.raises(NotImplementedError, match="clone_function"):
        keras.models.clone_model(model, clone_function=lambda layer: layer)


def test_a_nested_model_is_one_of_the_layers_as_keras():
    base = keras.Sequential([keras.layers.Dense(5, activation="relu", name="d1"), keras.layers.Dense(3, name="d2")],
                            name="base")
    inp = keras.Input(shape=(4,), name="x")
    features = base(inp)
    model = keras.Model(inp, [keras.layers.Dense(1, name="a")(features), keras.layers.Dense(1, name="b")(features)])
    assert [layer.name for layer in model.layers] == ["x", "base", "a", "b"]
    assert model.layers[1] is base and model.get_layer("base") is base and model.get_layer(index=1) is base
    assert model.get_layer("d2").name == "d2"  # a layer inside the nested model, by name
    model.layers[1].trainable = False  # the transfer-learning idiom: freeze the nested base
    model.compile(optimizer="adam", loss="mse")
    assert len(model.trainable_weights) == 4
    lines = []
    model.summary(print_fn=lines.append)
    assert any(line.split() == ["base", "(Sequential)", "(None,", "3)", "43", "x"] for line in lines), lines
    assert any(line.split()[:2] == ["a", "(Dense)"] and line.split()[-1] == "base" for line in lines), lines
    assert "Non-trainable params: 43" in lines
