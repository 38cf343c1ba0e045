"""Calling a model on symbolic tensors, as Keras nests models (``features = trunk(inputs)``): the model's
layers are called again on the new tensors, so the outer model holds them and shares their weights."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Tuple

from ._data import per_input
from .layers import BatchNormalization, Dropout, KerasTensor, Layer


def is_symbolic(x: Any) -> bool:
    """Whether ``x`` is a symbolic tensor or a list/tuple/dict of them (a model call that builds a graph)."""
    items = list(x.values()) if isinstance(x, Mapping) else list(x) if isinstance(x, (list, tuple)) else [x]
    return bool(items) and all(isinstance(t, KerasTensor) for t in items)


def _given(model: Any, x: Any) -> List[KerasTensor]:
    """The tensors ``x`` gives for the model's inputs, in order, checked against the input shapes."""
    tensors = per_input([t.name for t in model.inputs], x, "tensors", f"model '{model.name}'")
    for tensor, own in zip(tensors, model.inputs):
        if tensor.shape != own.shape:
            raise ValueError(f"model '{model.name}' expects input '{own.name}' of shape {own.shape}, got {tensor.shape}")
    return tensors


def _check_mode(layers: List[Layer], training: Any, model: Any) -> None:
    """A fixed ``training`` mode is Keras's idiom for frozen trunks: here a frozen BatchNormalization already runs
    in inference mode, and other mode-dependent layers cannot be pinned."""
    if training is None:
        return
    pinned = [layer.name for layer in layers
              if isinstance(layer, Dropout) or (isinstance(layer, BatchNormalization) and layer.trainable)]
    if pinned:
        raise NotImplementedError(
            f"calling model '{model.name}' with training={training!r} would pin the mode of its layers {pinned}; "
            "polyhead.keras runs them by fit/predict's mode. Call it without training= (a BatchNormalization "
            "whose trainable is False already runs in inference mode)")


def call_on_tensors(model: Any, x: Any, training: Any) -> Any:
    """The model's outputs (one tensor, a list, or a dict by output name, like its outputs) computed from the
    symbolic tensors ``x`` by calling its layers on them."""
    _check_mode(model._member_layers(), training, model)
    mapped: Dict[int, KerasTensor] = {id(own): new for own, new in zip(model.inputs, _given(model, x))}
    calls: Dict[Tuple[int, int], KerasTensor] = {}

    def apply(tensor: KerasTensor) -> KerasTensor:
        if id(tensor) in mapped:
            return mapped[id(tensor)]
        key = (id(tensor._source), tensor._call)
        if key not in calls:
            layer = tensor._source
            calls[key] = layer([apply(t) for t in layer._calls[tensor._call][0]])
            layer._nested_in[calls[key]._call] = model
        return calls[key]

    outputs = [apply(t) for t in model.outputs]
    if model._output_kind == "single":
        return outputs[0]
    if model._output_kind == "dict":
        return dict(zip(model.output_names, outputs))
    return outputs
