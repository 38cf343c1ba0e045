"""``save_model`` / ``load_model``: a :class:`Model` as one safetensors file (weights as tensors, architecture
and compile arguments as JSON in the metadata), and rebuilding it."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Tuple

from ._model import Model
from ._optimizer_state import optimizer_tensors, restore_optimizer


def _references(item: Any) -> List[List[Tuple[str, int]]]:
    """The calls of a layer config: for each, its inputs as ``(layer name, call index)``.

    Raises:
        ValueError: ``inbound`` / ``inbound_nodes`` is not a non-empty list of names or ``[name, index]`` pairs.
    """
    nodes = item["inbound_nodes"] if "inbound_nodes" in item else [item["inbound"]]
    if not isinstance(nodes, list) or not nodes:
        raise ValueError(f"layer {item['name']!r}: inbound_nodes must be a non-empty list, got {nodes!r}")
    calls = []
    for node in nodes:
        if not isinstance(node, list) or not node:
            raise ValueError(f"layer {item['name']!r}: inbound must be a non-empty list of layer names, got {node!r}")
        refs = []
        for ref in node:
            if isinstance(ref, str):
                refs.append((ref, 0))
            elif (isinstance(ref, list) and len(ref) == 2 and isinstance(ref[0], str) and isinstance(ref[1], int)
                  and not isinstance(ref[1], bool) and ref[1] >= 0):
                refs.append((ref[0], ref[1]))
            else:
                raise ValueError(f"layer {item['name']!r}: an inbound entry must be a layer name or [name, call "
                                 f"index], got {ref!r}")
        calls.append(refs)
    return calls


def _rebuild(meta: Any) -> Model:
    """A new model (new layers, new weights) from a saved description: ``{"model": config, "output_kind":
    "list" | "dict" | "single", "name": ..., "frozen": [layer names]}``.

    Raises:
        KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError, RecursionError: a
        malformed description.
    """
    from . import layers as L
    from . import regularizers
    config = meta["model"]
    tensors = {(item["name"], 0): L.Input(shape=tuple(item["shape"]), name=item["name"]) for item in config["inputs"]}
    inputs = list(tensors.values())
    pending = []
    for item in config["layers"]:
        options = dict(item.get("config", {}))
        for key in [key for key in options if key.endswith("_regularizer")]:
            options[key] = regularizers.get(options[key])
        cls = getattr(L, item["class_name"], None) if item["class_name"] in L.__all__ else None
        if not (isinstance(cls, type) and issubclass(cls, L.Layer)) or cls in (L.Layer, L.InputLayer):
            raise KeyError(f"unknown layer class {item['class_name']!r}")
        layer = cls(name=item["name"], **options)
        pending += [(layer, refs) for refs in _references(item)]
    while pending:  # calls in dependency order (a shared layer's later calls may read later layers)
        waiting = []
        for layer, refs in pending:
            if any(r not in tensors for r in refs):
                waiting.append((layer, refs))
                continue
            output = layer([tensors[r] for r in refs])
            tensors[(layer.name, output._call)] = output
        if len(waiting) == len(pending):
            raise ValueError(f"unresolved inputs {[refs for _, refs in waiting]}")
        pending = waiting
    outputs: Any = [tensors[(name, 0)] for name in config["outputs"]]
    kind = meta.get("output_kind", "list")
    if kind == "dict":
        outputs = dict(zip(config["outputs"], outputs))
    elif kind == "single":
        outputs = outputs[0]
    model = Model(inputs[0] if len(inputs) == 1 else inputs, outputs, name=str(meta.get("name", "functional")))
    for name in meta.get("frozen", []):
        model.get_layer(name).trainable = False
    return model


CONFIG_KEY = "polyhead.keras.config"
"""The safetensors metadata key under which :meth:`Model.save` stores the architecture and compile arguments."""


def save_model(model: Model, filepath: Any, include_optimizer: bool = True) -> None:
    """Keras's ``save_model``: ``model`` as ONE safetensors file, written atomically. Its tensors are the
    weights (as :meth:`Model.save_weights` writes them, so ``safetensors.numpy.load_file`` reads them) and,
    with ``include_optimizer`` (Keras's default), the compiled optimizer's state (``optimizer/<layer>/<weight>/
    <slot>`` buffers and ``.../step`` counts), so that :func:`load_model` then ``fit`` continues exactly as
    the uninterrupted run. Its metadata key ``polyhead.keras.config`` holds the architecture, the frozen
    layers and the ``compile`` arguments as JSON (``safe_open(filepath, "np").metadata()`` shows it).

    Raises:
        OSError: the file cannot be written (the previous file is then left as it was).
    """
    from ..io import _check_path, save_file
    _check_path(filepath, "save")
    config = {"name": model.name, "model": model._config, "output_kind": model._output_kind,
              "frozen": [layer.name for layer in model._member_layers() if not layer.trainable],
              "compile": model._compile_config}
    tensors = model._weights_state()
    if include_optimizer and model._compile_config is not None:
        tensors.update(optimizer_tensors(model))
    save_file(tensors, filepath, metadata={"format": "pt", CONFIG_KEY: json.dumps(config)})


def _read(filepath: Any) -> Tuple[Dict[str, Any], Any, str]:
    """The tensors of a saved model file, its description (JSON text) and where that was found: the file's
    metadata, else the ``<filepath>.json`` beside it (the two-file format of earlier versions).

    Raises:
        OSError: a file cannot be read. ValueError: the file is malformed or holds no description.
    """
    from ..io import _check_path, load_file
    _check_path(filepath, "load_model")
    path = os.fsdecode(filepath)
    state, metadata = load_file(filepath, with_metadata=True)
    if CONFIG_KEY in metadata:
        return state, metadata[CONFIG_KEY], f"{path} (metadata {CONFIG_KEY!r})"
    companion = path + ".json"
    try:
        with open(companion, "rb") as f:
            return state, f.read(), companion
    except FileNotFoundError:
        raise ValueError(f"{path}: not a polyhead.keras model file: no {CONFIG_KEY!r} metadata and no {companion} "
                         "(a file written by save_weights loads with model.load_weights)") from None


def load_model(filepath: Any, custom_objects: Any = None, compile: bool = True, safe_mode: bool = True) -> Model:
    """Rebuilds a model saved by :meth:`Model.save` (predictions are identical), compiled with the saved
    arguments and the optimizer's state when ``compile`` (the state when the file holds it, else it starts
    afresh). Reads the one-file format (the description in the metadata) and the earlier two-file one (the
    description in ``<filepath>.json``).
    ``custom_objects`` must be empty: there are no custom layers or losses to name; ``safe_mode`` changes
    nothing (the files hold no code).

    Raises:
        OSError: a file cannot be read. ValueError: a file is malformed or does not match the other (the
        message names the file and the problem). MemoryError: the config asks for more memory than there is.
    """
    from ._compile import compile_from_config
    if custom_objects:
        raise NotImplementedError(f"load_model(custom_objects={custom_objects!r}): custom layers, losses and "
                                  "metrics are not supported")
    state, text, where = _read(filepath)
    try:
        meta = json.loads(text.decode("utf-8") if isinstance(text, bytes) else text)
        model = _rebuild(meta)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError, RecursionError) as error:
        raise ValueError(f"{where}: not a polyhead.keras model file ({type(error).__name__}: {error})") from None
    model._load_state(state, filepath)
    if compile and meta.get("compile") is not None:
        try:
            compile_from_config(model, meta["compile"])
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ValueError(f"{where}: malformed compile arguments ({type(error).__name__}: {error})") from None
        restore_optimizer(model, state, os.fsdecode(filepath))
    return model


def clone_model(model: Model, input_tensors: Any = None, clone_function: Any = None, **kwargs: Any) -> Model:
    """Keras's ``clone_model``: a new model of the same architecture (same layer names and frozen layers) with
    new layers and freshly initialised weights, not compiled. ``input_tensors`` and ``clone_function`` are
    not supported."""
    if input_tensors is not None or clone_function is not None or kwargs:
        raise NotImplementedError("clone_model takes only the model (input_tensors, clone_function and other "
                                  "options are not supported)")
    if not isinstance(model, Model):
        raise TypeError(f"clone_model expects a polyhead.keras Model, got {type(model).__name__}")
    return _rebuild({"model": model.get_config(), "output_kind": model._output_kind, "name": model.name,
                     "frozen": [layer.name for layer in model._member_layers() if not layer.trainable]})
