"""What a ``polyhead.keras.Model`` tells about itself: its layers, inputs and outputs, weights (trainable or
frozen), ``trainable``, parameter counts and ``summary``."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Tuple

import numpy as np

from ._layer import _trainable_flag
from .layers import InputLayer, Layer


def _single(items: List[Any]) -> Any:
    """``items[0]`` when there is one, else the list (as Keras's ``model.input``, ``model.output_shape``…)."""
    return items[0] if len(items) == 1 else list(items)


class _Introspection:
    """Introspection of :class:`~polyhead.keras.Model` (a mixin over the model's ``_layers``, ``inputs``,
    ``outputs`` and ``_named_weights`` with ``_weight_kinds``: whether each weight is a trainable kind)."""

    _trainable = True

    def build(self, input_shape: Any = None) -> None:
        """Does nothing, as in Keras: a functional model is built (with its weights) when it is made."""

    @property
    def layers(self) -> List[Any]:
        """The input layers and layers, in graph order; the layers a nested model (one called on this model's
        tensors) brought in appear as that model, once, as in Keras."""
        grouped: List[Any] = []
        for layer in self._layers:
            item = self._nesting_model(layer) or layer
            if not any(item is seen for seen in grouped):
                grouped.append(item)
        return grouped

    def _nesting_model(self, layer: Layer) -> Any:
        """The model whose call brought ``layer`` into this graph (every call of it this model uses), or None."""
        owners = [layer._nested_in.get(call) for call in self._calls_used.get(id(layer), [])]
        return owners[0] if owners and owners[0] is not None and all(o is owners[0] for o in owners) else None

    def _tensor_label(self, tensor: Any) -> str:
        """How the summary names a tensor: its nested model, else its layer (``[call]`` after the first call)."""
        owner = self._nesting_model(tensor._source)
        if owner is not None:
            return owner.name
        return tensor.name if tensor._call == 0 else f"{tensor.name}[{tensor._call}]"

    def _member_layers(self) -> List[Layer]:
        """The layers (not the inputs) whose ``trainable`` the model's ``trainable`` sets."""
        return [layer for layer in self._layers if not isinstance(layer, InputLayer)]

    def get_layer(self, name: Any = None, index: Any = None) -> Any:
        """The layer (or nested model) called ``name``, or the one at ``index`` of :attr:`layers` (as Keras);
        a layer inside a nested model is found by its name too."""
        if (name is None) == (index is None):
            raise ValueError("get_layer() takes either name or index")
        layers = self.layers
        if index is not None:
            if isinstance(index, bool) or not isinstance(index, int) or not -len(layers) <= index < len(layers):
                raise ValueError(f"get_layer(index={index!r}): the model has {len(layers)} layers")
            return layers[index]
        for layer in layers + self._layers:
            if layer.name == name:
                return layer
        raise ValueError(f"no layer named {name!r}; layers: {[layer.name for layer in layers]}")

    @property
    def input(self) -> Any:
        """The input tensor (a list of them for several inputs), as Keras."""
        return _single(self.inputs)

    @property
    def output(self) -> Any:
        """The output tensor (a list of them for several outputs), as Keras."""
        return _single(self.outputs)

    @property
    def input_shape(self) -> Any:
        """The input shape with the batch dimension ``None`` (a list of them for several inputs)."""
        return _single([t.shape for t in self.inputs])

    @property
    def output_shape(self) -> Any:
        """The output shape with the batch dimension ``None`` (a list of them for several outputs)."""
        return _single([t.shape for t in self.outputs])

    @property
    def trainable(self) -> bool:
        """Setting it sets ``trainable`` of every layer of the model (read at the next ``compile``, as Keras)."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = _trainable_flag(value, f"model '{self.name}'")
        for layer in self._member_layers():
            layer.trainable = value
        self._trainable = value

    def _weight_table(self) -> List[Tuple[str, Any, bool]]:
        """Every weight as ``(name, tensor, trained)``: trained when it is a trainable kind of a trainable layer."""
        trainable = {layer.name: layer.trainable for layer in self._layers}
        return [(name, tensor, kind and trainable[name.rsplit("/", 1)[0]])
                for (name, tensor), kind in zip(self._named_weights, self._weight_kinds)]

    @property
    def weights(self) -> List[Any]:
        """The live weight tensors: the trainable kinds in layer order (names as Keras: ``<layer>/kernel``,
        ``<layer>/bias``), then the non-trainable state (``<layer>/moving_mean``…)."""
        return [t for _, t in self._named_weights]

    @property
    def trainable_weights(self) -> List[Any]:
        """The weights the optimizer updates: those of the layers that are :attr:`Layer.trainable`."""
        return [t for _, t, trained in self._weight_table() if trained]

    @property
    def non_trainable_weights(self) -> List[Any]:
        """The weights of frozen layers and the state the layers update themselves (BatchNormalization's moving
        statistics)."""
        return [t for _, t, trained in self._weight_table() if not trained]

    @property
    def weight_names(self) -> List[str]:
        """The Keras-style weight names (``<layer>/kernel``, ``<layer>/bias``), in :attr:`weights` order."""
        return [n for n, _ in self._named_weights]

    def count_params(self) -> int:
        """The number of weight elements."""
        return sum(int(np.prod(t.shape)) for t in self.weights)

    def summary(self, line_length: Any = None, positions: Any = None, print_fn: Any = None, expand_nested: bool = False,
                show_trainable: bool = False, layer_range: Any = None) -> None:
        """Prints the layers (a nested model as one row), their output shapes and parameter counts, like Keras.
        Keras's layout options (``line_length``, ``positions``, ``expand_nested``,
        ``show_trainable``) change nothing, ``layer_range`` is not supported."""
        if layer_range is not None:
            raise NotImplementedError("summary(layer_range=...) is not supported")
        print_fn = print_fn or print
        rows = [("Layer (type)", "Output Shape", "Param #", "Connected to")]
        for item in self.layers:
            if not isinstance(item, Layer):  # a nested model: one row, fed by the tensors from outside it
                owned = [layer for layer in self._layers if self._nesting_model(layer) is item]
                feeds = {t.name for layer in owned for call in self._calls_used[id(layer)] for t in layer._calls[call][0]
                         if self._nesting_model(t._source) is not item}
                rows.append((f"{item.name} ({type(item).__name__})", str(item.output_shape), str(item.count_params()),
                             ", ".join(sorted(feeds)) or "-"))
                continue
            shape = item._output.shape if item._output is not None else ()
            calls = [", ".join(self._tensor_label(t) for t in inbound) for inbound, _ in item._calls]
            rows.append((f"{item.name} ({type(item).__name__})", str(shape), str(item.count_params()),
                         "; ".join(calls) or "-"))
        widths = [max(len(r[i]) for r in rows) + 2 for i in range(4)]
        line = lambda r: "".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
        total = sum(widths)
        print_fn(f'Model: "{self.name}"')
        print_fn("_" * total)
        print_fn(line(rows[0]))
        print_fn("=" * total)
        for r in rows[1:]:
            print_fn(line(r))
        print_fn("=" * total)
        count = self.count_params()
        frozen = sum(int(np.prod(t.shape)) for t in self.non_trainable_weights)
        print_fn(f"Total params: {count:,}")
        print_fn(f"Trainable params: {count - frozen:,}")
        print_fn(f"Non-trainable params: {frozen:,}")
        print_fn("_" * total)

    def get_config(self) -> Dict[str, Any]:
        """The core model config: inputs, layers (each with ``inbound`` names, or Keras's ``inbound_nodes`` for a
        layer called several times), outputs."""
        return json.loads(json.dumps(self._config))
