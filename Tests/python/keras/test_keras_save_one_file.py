"""``Model.save`` writes ONE safetensors file: the weights as its tensors (read by the ``safetensors`` package)
and the architecture and compile arguments as JSON in its metadata; ``load_model`` reads it and still reads the
earlier two-file format (weights, and the config in ``<weights>.json``)."""

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
    assert set(arrays) == {name for name, _ in model._named_weights}
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
