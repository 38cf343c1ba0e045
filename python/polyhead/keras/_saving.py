"""``load_model``: rebuilds a :class:`Model` saved by :meth:`Model.save`."""

from __future__ import annotations

import json
from typing import Any

from ._model import Model


def load_model(filepath: Any) -> Model:
    """Rebuilds a model saved by :meth:`Model.save`: the architecture from ``<filepath>.json`` and the
    weights from ``filepath`` (predictions are identical). The model must be compiled again to train.

    Raises:
        OSError: a file cannot be read. ValueError: a file is malformed or does not match the other.
    """
    import os
    from . import layers as L
    from . import regularizers
    path = os.fspath(filepath) + ".json"
    with open(path, "rb") as f:
        try:
            meta = json.loads(f.read().decode("utf-8"))
            config = meta["model"]
            tensors = {(item["name"], 0): L.Input(shape=tuple(item["shape"]), name=item["name"]) for item in config["inputs"]}
            inputs = list(tensors.values())
            pending = []
            for item in config["layers"]:
                options = dict(item.get("config", {}))
                for key in ("kernel_regularizer", "bias_regularizer"):
                    if key in options:
                        options[key] = regularizers.get(options[key])
                if item["class_name"] not in L.__all__ or item["class_name"] in ("Layer", "InputLayer", "Input"):
                    raise KeyError(f"unknown layer class {item['class_name']!r}")
                layer = getattr(L, item["class_name"])(name=item["name"], **options)
                nodes = item["inbound_nodes"] if "inbound_nodes" in item else [item["inbound"]]
                pending += [(layer, [(r, 0) if isinstance(r, str) else (r[0], r[1]) for r in node]) for node in nodes]
            while pending:  # calls in dependency order (a shared layer's later calls may read later layers)
                waiting = []
                for layer, refs in pending:
                    if any(r not in tensors for r in refs):
                        waiting.append((layer, refs))
                        continue
                    inbound = [tensors[r] for r in refs]
                    output = layer(inbound if isinstance(layer, L.Concatenate) else inbound[0])
                    tensors[(layer.name, output._call)] = output
                if len(waiting) == len(pending):
                    raise ValueError(f"unresolved inputs {[refs for _, refs in waiting]}")
                pending = waiting
            outputs: Any = [tensors[(name, 0)] for name in config["outputs"]]
        except (KeyError, TypeError, ValueError, UnicodeDecodeError) as error:
            raise ValueError(f"{path}: not a polyhead.keras model file ({type(error).__name__}: {error})") from None
    kind = meta.get("output_kind", "list")
    if kind == "dict":
        outputs = dict(zip(config["outputs"], outputs))
    elif kind == "single":
        outputs = outputs[0]
    model = Model(inputs[0] if len(inputs) == 1 else inputs, outputs, name=meta.get("name", "functional"))
    model.load_weights(filepath)
    return model
