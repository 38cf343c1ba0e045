"""``load_model`` on malformed configs (found by the checkpoint fuzzer), in the one-file format and the earlier
two-file one: every one raises a ValueError that names the file holding the config and the problem, never a
bare IndexError or a message without the file."""

from __future__ import annotations

import json

import numpy as np
import pytest

import polyhead as ph
from polyhead import keras


CONFIG_KEY = "polyhead.keras.config"


@pytest.fixture(params=["one file", "two files"])
def saved(tmp_path, request):
    """A saved two-layer model, in the one-file format (the config in the metadata) or the earlier two-file one
    (the config in ``<weights>.json``): ``(weights path, its config, where the config lives)``."""
    ph.manual_seed(0)
    inputs = keras.Input(shape=(3,))
    hidden = keras.layers.Dense(4, activation="relu", name="hidden")(inputs)
    path = tmp_path / "m.safetensors"
    keras.Model(inputs, keras.layers.Dense(2, name="out")(hidden)).save(path)
    tensors, metadata = ph.io.load_file(path, with_metadata=True)
    config = json.loads(metadata[CONFIG_KEY])
    if request.param == "one file":
        return path, config, f"{path} (metadata {CONFIG_KEY!r})"
    ph.io.save_file(tensors, path)  # weights only, the config beside them
    write_config(path, json.dumps(config))
    return path, config, f"{path}.json"


def write_config(path, text):
    """Replaces the config of the model saved at ``path`` (in whichever format it was saved) by ``text``."""
    tensors, metadata = ph.io.load_file(path, with_metadata=True)
    if CONFIG_KEY in metadata:
        ph.io.save_file(tensors, path, metadata=dict(metadata, **{CONFIG_KEY: text}))
    else:
        (path.parent / (path.name + ".json")).write_text(text)


def rewrite(path, document, layer, **changes):
    """Writes ``document`` with the layer called ``layer`` changed by ``changes`` (None deletes a key)."""
    for item in document["model"]["layers"]:
        if item["name"] == layer:
            for key, value in changes.items():
                if value is None:
                    item.pop(key, None)
                else:
                    item[key] = value
    write_config(path, json.dumps(document))


@pytest.mark.parametrize("inbound, problem", [
    ([], "inbound must be a non-empty list"),
    ("", "inbound must be a non-empty list"),
    ({}, "inbound must be a non-empty list"),
    ("input_1", "inbound must be a non-empty list"),
    ([3], "an inbound entry must be a layer name"),
    ([["hidden", -1]], "an inbound entry must be a layer name"),
    (["nowhere"], "unresolved inputs"),
    (["hidden", "hidden"], "takes one input, got 2"),
])
def test_malformed_inbound_names_the_file_and_the_problem(saved, inbound, problem):
    path, config, where = saved
    rewrite(path, config, "out", inbound=inbound)
    with pytest.raises(ValueError, match=problem) as error:
        keras.load_model(path)
    assert where in str(error.value)


@pytest.mark.parametrize("nodes", [[], [[]], "x", [{}]])
def test_malformed_inbound_nodes_name_the_file(saved, nodes):
    path, config, where = saved
    rewrite(path, config, "out", inbound=None, inbound_nodes=nodes)
    with pytest.raises(ValueError, match="layer 'out': inbound") as error:
        keras.load_model(path)
    assert where in str(error.value)


@pytest.mark.parametrize("units", [2**63, 2**64, 0, -1, "4", 1.5])
def test_dense_units_out_of_range_name_the_file(saved, units):
    path, config, where = saved
    rewrite(path, config, "out", config={"units": units})
    with pytest.raises(ValueError) as error:
        keras.load_model(path)
    assert where in str(error.value) and "units" in str(error.value)


def test_a_layer_larger_than_memory_is_a_memory_error_before_allocating(saved):
    path, config, _ = saved
    rewrite(path, config, "out", config={"units": 2**62})
    with pytest.raises(MemoryError, match="too many elements"):
        keras.load_model(path)


@pytest.mark.parametrize("text", ["[]", "3", '{"model": []}', '{"model": {"inputs": 5}}', '{"model": {"inputs": [],'
                                  ' "layers": [], "outputs": []}, "output_kind": "single"}', "[" * 100_000, "", "\u00e9t\u00e9", "x" * 1_000_000])
def test_malformed_documents_name_the_file(saved, text):
    path, _, where = saved
    write_config(path, text)
    with pytest.raises(ValueError, match="not a polyhead.keras model file") as error:
        keras.load_model(path)
    assert where in str(error.value)


def test_the_valid_config_still_loads(saved):
    path, config, _ = saved
    rewrite(path, config, "out", inbound=[["hidden", 0]])  # the [name, call index] form of the same input
    model = keras.load_model(path)
    x = np.ones((2, 3), np.float32)
    assert model.predict(x, verbose=0).shape == (2, 2)
