"""``Model.save`` writes ONE safetensors file: the weights as its tensors (read by the ``safetensors`` package)
and the optimizer's state, the architecture and compile arguments as JSON in its metadata; ``load_model``
reads it (and ``fit`` resumes exactly) and still reads the earlier two-file format (weights, and the config in
``<weights>.json``)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import polyhead as ph
from polyhead import keras

CONFIG_KEY = "polyhead.keras.config"


def two_task_model():
    """A compiled two-output model with a frozen layer, trained one epoch: ``(model, x, y)``."""
    ph.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 5)).astype(np.float32)
    y = [rng.integers(0, 3, 32), rng.standard_normal((32, 1)).astype(np.float32)]
    inputs = keras.Input(shape=(5,), name="x")
    hidden = keras.layers.Dense(8, activation="relu", name="hidden")(inputs)
    frozen = keras.layers.Dense(6, activation="tanh", name="frozen")(hidden)
    model = keras.Model(inputs, [keras.layers.Dense(3, activation="softmax", name="kind")(frozen),
                                 keras.layers.Dense(1, name="size")(frozen)])
    model.get_layer("frozen").trainable = False
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.5), loss=["sparse_categorical_crossentropy", "mse"],
                  loss_weights=[1.0, 0.5], metrics=[["accuracy"], ["mae"]])
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    return model, x, y


def test_save_writes_one_file_the_safetensors_package_reads(tmp_path):
    safetensors = pytest.importorskip("safetensors")
    from safetensors.numpy import load_file
    model, _, _ = two_task_model()
    path = tmp_path / "m.keras"
    model.save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["m.keras"]
    arrays = load_file(str(path))
    assert {name for name in arrays if not name.startswith("optimizer/")} == {name for name, _ in model._named_weights}
    for name, tensor in model._named_weights:
        np.testing.assert_array_equal(arrays[name], tensor.detach().numpy())
    with safetensors.safe_open(str(path), "np") as file:
        metadata = file.metadata()
    config = json.loads(metadata[CONFIG_KEY])
    assert config["frozen"] == ["frozen"] and config["output_kind"] == "list"
    assert config["compile"]["loss_weights"] == [1.0, 0.5]
    assert [item["name"] for item in config["model"]["layers"]] == ["hidden", "frozen", "kind", "size"]


def test_load_model_rebuilds_weights_frozen_layers_and_compile_arguments(tmp_path):
    model, x, y = two_task_model()
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    for ours, theirs in zip(model.predict(x, verbose=0), loaded.predict(x, verbose=0)):
        np.testing.assert_array_equal(ours, theirs)
    assert not loaded.get_layer("frozen").trainable and loaded.get_layer("hidden").trainable
    assert loaded.evaluate(x, y, verbose=0, return_dict=True) == pytest.approx(
        model.evaluate(x, y, verbose=0, return_dict=True))
    assert type(loaded.optimizer).__name__ == "SGD" and loaded.optimizer.momentum == 0.5
    keras.models.save_model(loaded, tmp_path / "again.keras")  # Keras's function spelling, same file
    assert ph.io.load_file(tmp_path / "again.keras", with_metadata=True)[1] == ph.io.load_file(
        tmp_path / "m.keras", with_metadata=True)[1]


def test_the_earlier_two_file_format_still_loads(tmp_path):
    model, x, _ = two_task_model()
    model.save(tmp_path / "one.keras")
    config = ph.io.load_file(tmp_path / "one.keras", with_metadata=True)[1][CONFIG_KEY]
    model.save_weights(tmp_path / "two.keras")  # what the earlier save wrote: weights, config beside them
    (tmp_path / "two.keras.json").write_text(json.dumps(json.loads(config), indent=1))
    loaded = keras.load_model(tmp_path / "two.keras")
    for ours, theirs in zip(model.predict(x, verbose=0), loaded.predict(x, verbose=0)):
        np.testing.assert_array_equal(ours, theirs)
    assert not loaded.get_layer("frozen").trainable and loaded.optimizer.momentum == 0.5


def test_the_metadata_wins_over_a_stale_config_beside_the_file(tmp_path):
    model, x, _ = two_task_model()
    (tmp_path / "m.keras.json").write_text("not json: left over from an earlier save")
    model.save(tmp_path / "m.keras")
    np.testing.assert_array_equal(keras.load_model(tmp_path / "m.keras").predict(x, verbose=0)[1],
                                  model.predict(x, verbose=0)[1])


def test_save_weights_stays_weights_only_and_load_model_says_so(tmp_path):
    model, _, _ = two_task_model()
    path = tmp_path / "w.safetensors"
    model.save_weights(path)
    assert CONFIG_KEY not in ph.io.load_file(path, with_metadata=True)[1]
    with pytest.raises(ValueError, match="not a polyhead.keras model file: no 'polyhead.keras.config' metadata") as error:
        keras.load_model(path)
    assert str(path) in str(error.value) and "load_weights" in str(error.value)
    model.load_weights(path)  # and a full model file loads as weights
    model.save(tmp_path / "m.keras")
    model.load_weights(tmp_path / "m.keras")


@pytest.mark.parametrize("junk", ["", "{", "null", '"model"', "[" * 100_000, "\u00e9" * 100_000])
def test_malformed_metadata_is_a_value_error_naming_the_file(tmp_path, junk):
    model, _, _ = two_task_model()
    path = tmp_path / "m.keras"
    model.save(path)
    weights, metadata = ph.io.load_file(path, with_metadata=True)
    ph.io.save_file(weights, path, metadata=dict(metadata, **{CONFIG_KEY: junk}))
    with pytest.raises(ValueError, match="not a polyhead.keras model file") as error:
        keras.load_model(path)
    assert f"{path} (metadata '{CONFIG_KEY}')" in str(error.value)


def test_save_and_load_reject_what_is_not_a_path(tmp_path):
    model, _, _ = two_task_model()
    with pytest.raises(TypeError, match="file path"):
        model.save(open(tmp_path / "f", "wb"))
    with pytest.raises(FileNotFoundError):
        keras.load_model(tmp_path / "missing.keras")


def resumable_model(optimizer):
    """A seeded two-output model compiled with ``optimizer``."""
    ph.manual_seed(1)
    inputs = keras.Input(shape=(4,))
    hidden = keras.layers.Dense(5, activation="relu", name="h")(inputs)
    frozen = keras.layers.Dense(3, name="frozen")(hidden)
    model = keras.Model(inputs, [keras.layers.Dense(2, name="a")(frozen), keras.layers.Dense(1, name="b")(hidden)])
    model.get_layer("frozen").trainable = False
    model.compile(optimizer, ["mse", "mse"], loss_weights=[1.0, 0.5])
    return model


@pytest.mark.parametrize("make_optimizer", [lambda: keras.optimizers.Adam(0.01), lambda: "adamw",
                                            lambda: keras.optimizers.SGD(0.05, momentum=0.9),
                                            lambda: keras.optimizers.RMSprop(0.01, momentum=0.5)])
def test_fit_resumes_from_a_saved_model_exactly(tmp_path, make_optimizer):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((32, 4)).astype(np.float32)
    y = [rng.standard_normal((32, 2)).astype(np.float32), rng.standard_normal((32, 1)).astype(np.float32)]
    straight = resumable_model(make_optimizer())
    straight.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    first = resumable_model(make_optimizer())
    first.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    first.save(tmp_path / "m.keras")
    resumed = keras.load_model(tmp_path / "m.keras")
    resumed.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    for expected, got in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(got, expected)
    assert resumed.optimizer.iterations == straight.optimizer.iterations == 8
    afresh = keras.load_model(tmp_path / "m.keras", compile=False)  # without the state: another trajectory
    afresh.compile(make_optimizer(), ["mse", "mse"], loss_weights=[1.0, 0.5])
    afresh.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    assert not np.array_equal(afresh.get_weights()[0], straight.get_weights()[0])


def test_the_optimizer_state_is_named_per_weight_and_optional(tmp_path):
    from safetensors.numpy import load_file
    model = resumable_model("adam")
    x = np.ones((8, 4), np.float32)
    model.fit(x, [np.ones((8, 2), np.float32), np.ones((8, 1), np.float32)], epochs=1, batch_size=4, verbose=0)
    model.save(tmp_path / "m.keras")
    arrays = load_file(str(tmp_path / "m.keras"))
    state = {name for name in arrays if name.startswith("optimizer/")}
    assert state == {f"optimizer/{w}/{entry}" for w in ("h/kernel", "h/bias", "a/kernel", "a/bias", "b/kernel",
                                                       "b/bias") for entry in ("0", "1", "step")} | {
        "optimizer/iterations"}  # not the frozen layer's weights
    assert arrays["optimizer/h/kernel/step"].dtype == np.int64 and arrays["optimizer/h/kernel/step"] == 2
    assert arrays["optimizer/h/kernel/0"].shape == arrays["h/kernel"].shape
    model.save(tmp_path / "weights-and-config.keras", include_optimizer=False)
    assert not [n for n in load_file(str(tmp_path / "weights-and-config.keras")) if n.startswith("optimizer/")]
    model.load_weights(tmp_path / "m.keras")  # the extra tensors do not stop loading the weights
    inputs = keras.Input(shape=(4,))  # the same architecture with auto-generated names: loads by order
    hidden = keras.layers.Dense(5, activation="relu")(inputs)
    third = keras.layers.Dense(3)(hidden)
    other = keras.Model(inputs, [keras.layers.Dense(2)(third), keras.layers.Dense(1)(hidden)])
    other.load_weights(tmp_path / "m.keras")
    for expected, got in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(got, expected)
    uncompiled = keras.load_model(tmp_path / "m.keras", compile=False)
    uncompiled.save(tmp_path / "uncompiled.keras")
    assert not [n for n in load_file(str(tmp_path / "uncompiled.keras")) if n.startswith("optimizer/")]


@pytest.mark.parametrize("change, problem", [
    (lambda t: t.pop("optimizer/h/kernel/1"), "does not match the compiled Adam: missing \\['optimizer/h/kernel/1'\\]"),
    (lambda t: t.update({"optimizer/h/kernel/2": t["optimizer/h/kernel/0"]}), "unexpected \\['optimizer/h/kernel/2'\\]"),
    (lambda t: t.update({"optimizer/h/kernel/0": ph.zeros(3)}), "malformed optimizer state .*shape"),
    (lambda t: t.update({"optimizer/h/kernel/step": ph.tensor(-1)}), "malformed optimizer state .*step"),
    (lambda t: t.update({"optimizer/h/kernel/step": ph.tensor(1.5)}), "must be a whole number, got 1.5"),
    (lambda t: t.update({"optimizer/h/kernel/step": ph.tensor(float("inf"))}), "malformed optimizer state"),
    (lambda t: t.update({"optimizer/h/kernel/step": ph.tensor([1, 2])}), "must be a whole number, got \\[1, 2\\]"),
    (lambda t: t.update({"optimizer/iterations": ph.tensor(-3)}), "malformed optimizer state .*step count"),
    (lambda t: t.pop("optimizer/iterations"), "missing \\['optimizer/iterations'\\]"),
])
def test_malformed_optimizer_state_is_a_value_error_naming_the_file(tmp_path, change, problem):
    model = resumable_model("adam")
    path = tmp_path / "m.keras"
    model.save(path)
    tensors, metadata = ph.io.load_file(path, with_metadata=True)
    change(tensors)
    ph.io.save_file(tensors, path, metadata=metadata)
    with pytest.raises(ValueError, match=problem) as error:
        keras.load_model(path)
    assert str(path) in str(error.value)
    keras.load_model(path, compile=False)  # the weights and architecture still load
