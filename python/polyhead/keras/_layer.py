"""The base of the Keras layers: symbolic tensors, ``Layer`` (a name, a config for the core, the live
weights once a model is built, and its calls: calling one layer object on several tensors shares its
weights, as in Keras), ``Input``."""

from __future__ import annotations

import itertools
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from . import regularizers as _regularizers

_ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softmax", "gelu", "elu")
_counters: Dict[str, "itertools.count[int]"] = {}
_creation = itertools.count()


def _unique_name(base: str) -> str:
    counter = _counters.setdefault(base, itertools.count())
    index = next(counter)
    return base if index == 0 else f"{base}_{index}"


def _snake(name: str) -> str:
    out = ""
    for i, ch in enumerate(name):
        if ch.isupper() and i > 0 and name[i - 1].islower():
            out += "_"
        out += ch.lower()
    return out


class KerasTensor:
    """A symbolic tensor: the output of an input or of one call of a layer (``_call``: the how-many-th), with
    its shape (batch dimension ``None``)."""

    def __init__(self, shape: Tuple[Optional[int], ...], source: Union["InputLayer", "Layer"], call: int = 0) -> None:
        self.shape = shape
        self._source = source
        self._call = call

    @property
    def name(self) -> str:
        """The name of the input or layer that produced this tensor."""
        return self._source.name

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, name={self.name}>"


class Layer:
    """Base class of the layers: a name, a class name and a config for the core. Calling a layer on a
    symbolic tensor adds a call; a layer called several times shares its weights between the calls, and so
    do the models built over it (a second ``Model`` over a trained layer's output uses the trained weights).

    ``trainable=False`` (the argument or the attribute, as Keras) freezes the layer's weights for the next
    ``compile``: the optimizer leaves them alone, their regularizers drop out of the loss and a
    ``BatchNormalization`` runs in inference mode during ``fit``. ``activity_regularizer`` adds its penalty
    of the layer's output (each call, summed over the batch, as Keras 3) to the loss."""

    #: The weights a ``<kind>_regularizer`` argument may penalise.
    _regularized: Tuple[str, ...] = ()
    #: Keras arguments of the layer taken only at these values (what the core computes); others are a
    #: NotImplementedError naming them. ``None`` as the values: any value, which changes nothing.
    _keras_options: Dict[str, Any] = {}

    def __init__(self, name: Optional[str] = None, **kwargs: Any) -> None:
        for key in [key for key in kwargs if key in self._keras_options]:
            value, accepted = kwargs.pop(key), self._keras_options[key]
            given = tuple(value) if isinstance(value, list) else value
            if accepted is not None and not any(type(given) is type(ok) and given == ok for ok in accepted):
                raise NotImplementedError(f"{type(self).__name__}({key}={value!r}) is not supported; it takes "
                                          f"{' or '.join(repr(ok) for ok in accepted)}")
        allowed = {"dtype", "trainable", "input_shape", "input_dim", "activity_regularizer"}
        allowed |= {f"{kind}_regularizer" for kind in self._regularized}
        unknown = set(kwargs) - allowed
        if unknown:
            raise TypeError(f"{type(self).__name__}() got unexpected keyword arguments {sorted(unknown)}")
        if name is not None and (not isinstance(name, str) or not name or "/" in name):
            raise ValueError(f"layer name must be a non-empty str without '/', got {name!r}")
        self.name = name if name is not None else _unique_name(_snake(type(self).__name__))
        self._calls: List[Tuple[List[KerasTensor], KerasTensor]] = []
        #: For a call made by calling a model on symbolic tensors: that model (by call index).
        self._nested_in: Dict[int, Any] = {}
        self._order = next(_creation)
        self._weights: Dict[str, Any] = {}
        self._non_trainable: Tuple[str, ...] = ()
        shape = kwargs.get("input_shape", (kwargs["input_dim"],) if "input_dim" in kwargs else None)
        self._input_shape: Optional[Tuple[int, ...]] = None if shape is None else tuple(shape)
        self.trainable = kwargs.get("trainable", True)
        for key in ["activity_regularizer"] + [f"{kind}_regularizer" for kind in self._regularized]:
            setattr(self, key, _regularizers.get(kwargs.get(key)))

    @property
    def trainable(self) -> bool:
        """Whether ``fit`` trains the layer's weights (read at ``compile``, as Keras)."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = _trainable_flag(value, f"layer '{self.name}'")

    def _regularizer_config(self) -> Dict[str, Any]:
        """The config entries of the regularizers that are set (``kernel_regularizer``, ``activity_regularizer``…)."""
        keys = [f"{kind}_regularizer" for kind in self._regularized] + ["activity_regularizer"]
        return {key: getattr(self, key).get_config() for key in keys if getattr(self, key) is not None}
    # graph construction --------------------------------------------------------------------------

    def __call__(self, inputs: Any, training: Any = None) -> KerasTensor:
        if not type(self).__module__.startswith(__package__ + "."):
            raise NotImplementedError(
                f"custom layer {type(self).__name__}: subclasses of keras.layers.Layer are not supported (the core runs "
                "its built-in layers); compose Dense, Conv2D, Activation… instead")
        tensors = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if not tensors or not all(isinstance(t, KerasTensor) for t in tensors):
            raise TypeError(f"{self.name}: layers are called on symbolic tensors from polyhead.keras.Input or other "
                            f"layers; use model.predict for data")
        shapes = [t.shape for t in tensors]
        if self._calls and shapes != [t.shape for t in self._calls[0][0]]:
            raise ValueError(f"shared layer '{self.name}' was first called on {[t.shape for t in self._calls[0][0]]}, "
                             f"now on {shapes}; every call of a layer needs the same input shapes")
        output = KerasTensor(self._output_shape(shapes), self, len(self._calls))
        if not self._calls:
            self._order = next(_creation)
        self._calls.append((tensors, output))
        return output

    @property
    def _inbound(self) -> List[KerasTensor]:
        """The inputs of the first call (empty before any)."""
        return self._calls[0][0] if self._calls else []

    @property
    def _output(self) -> Optional[KerasTensor]:
        """The output of the first call, or None."""
        return self._calls[0][1] if self._calls else None

    @property
    def input(self) -> Any:
        """The input of the layer's only call (a list for several inputs), as Keras."""
        if len(self._calls) != 1:
            raise AttributeError(f"layer '{self.name}' has {len(self._calls)} calls; use the tensors given to its calls")
        inputs = self._calls[0][0]
        return inputs[0] if len(inputs) == 1 else list(inputs)

    @property
    def output(self) -> KerasTensor:
        """The output of the layer's only call (as Keras; a shared layer has one per call)."""
        if len(self._calls) != 1:
            raise AttributeError(f"layer '{self.name}' has {len(self._calls)} calls; use the tensors its calls returned")
        return self._calls[0][1]

    def _output_shape(self, shapes: List[Tuple[Optional[int], ...]]) -> Tuple[Optional[int], ...]:
        self._single(shapes)
        return shapes[0]

    def _single(self, shapes: List[Any]) -> Any:
        if len(shapes) != 1:
            raise ValueError(f"layer '{self.name}' ({type(self).__name__}) takes one input, got {len(shapes)}")
        return shapes[0]

    def _config(self) -> Dict[str, Any]:
        return {}

    def get_config(self) -> Dict[str, Any]:
        """The layer's config (as sent to the core) with its name."""
        return dict(self._config(), **self._regularizer_config(), name=self.name)

    # weights (bound by the model) ---------------------------------------------------------------

    @property
    def weights(self) -> List[Any]:
        """The live weight tensors of the layer (after a model was built over it): trainable, then not."""
        return list(self._weights.values())

    @property
    def trainable_weights(self) -> List[Any]:
        """The weights an optimizer updates (none while the layer is not :attr:`trainable`)."""
        return [w for k, w in self._weights.items() if self.trainable and k not in self._non_trainable]

    @property
    def non_trainable_weights(self) -> List[Any]:
        """The state updated by the layer itself (BatchNormalization's moving statistics), and every weight
        while the layer is not :attr:`trainable`."""
        return [w for k, w in self._weights.items() if not self.trainable or k in self._non_trainable]

    def get_weights(self) -> List[Any]:
        """The weights as numpy arrays (copies)."""
        return [w.detach().numpy().copy() for w in self._weights.values()]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Copies numpy arrays into the weights (same order and shapes as :meth:`get_weights`)."""
        from ._weights import _assign
        current = list(self._weights.items())
        if len(weights) != len(current):
            raise ValueError(f"layer '{self.name}' has {len(current)} weights, got {len(weights)} arrays")
        for (name, tensor), value in zip(current, weights):
            _assign(tensor, value, f"{self.name}/{name}")

    def count_params(self) -> int:
        """The number of weight elements."""
        total = 0
        for w in self._weights.values():
            n = 1
            for d in w.shape:
                n *= d
            total += n
        return total

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class InputLayer(Layer):
    """The source of a model input, as Keras's ``InputLayer`` (usually made by :func:`Input`; one may also start
    a ``Sequential``). Takes ``shape`` (per sample) or ``batch_shape`` (Keras 2's ``input_shape`` too);
    ``dtype`` changes nothing (data is float32 in the core; integer indices stay exact); sparse, ragged and
    optional inputs and ``input_tensor`` are not supported."""

    def __init__(self, shape: Any = None, batch_size: Optional[int] = None, dtype: Any = None, sparse: Any = None,
                 batch_shape: Any = None, input_tensor: Any = None, optional: bool = False, name: Optional[str] = None,
                 input_shape: Any = None, ragged: Any = None) -> None:
        for flag, value in (("sparse", sparse), ("ragged", ragged), ("optional", optional)):
            if value:
                raise NotImplementedError(f"Input({flag}={value!r}) is not supported")
        if input_tensor is not None:
            raise NotImplementedError("Input(tensor=...) is not supported")
        given = [value for value in (shape, batch_shape, input_shape) if value is not None]
        if len(given) > 1:
            raise ValueError("Input takes one of shape, batch_shape (and InputLayer's input_shape), not several")
        if batch_shape is not None:
            batch_shape = tuple(batch_shape)
            if not batch_shape:
                raise ValueError("Input batch_shape needs the batch dimension and at least one more")
            shape = batch_shape[1:]
        shape = input_shape if input_shape is not None else shape
        if shape is None:
            raise ValueError("Input needs a shape, e.g. Input(shape=(784,))")
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if not shape or not all(isinstance(d, int) and d > 0 for d in shape):
            unknown = " (variable dimensions, None, are not supported: give every size)" if None in shape else ""
            raise ValueError(f"Input shape must be positive ints, got {shape}{unknown}")
        super().__init__(name=name if name is not None else _unique_name("input_layer"))
        self.shape = shape
        self._source_tensor = KerasTensor((None,) + shape, self)

    @property
    def _output(self) -> KerasTensor:
        return self._source_tensor


def Input(shape: Any = None, batch_size: Optional[int] = None, name: Optional[str] = None, dtype: Any = None,
          sparse: Any = None, batch_shape: Any = None, tensor: Any = None, optional: bool = False,
          ragged: Any = None) -> KerasTensor:
    """A symbolic model input with per-sample ``shape`` (batch dimension excluded), or ``batch_shape`` with it,
    as ``keras.Input`` (see :class:`InputLayer` for what is supported)."""
    return InputLayer(shape, batch_size, dtype, sparse, batch_shape, tensor, optional, name, ragged=ragged)._output


def _trainable_flag(value: Any, owner: str) -> bool:
    """``value`` of ``owner``'s ``trainable``, which must be a bool."""
    if not isinstance(value, bool):
        raise TypeError(f"{owner}: trainable must be a bool, got {type(value).__name__} {value!r}")
    return value


def _weight(kind: str, doc: str) -> Any:
    """A read-only property giving a layer's live weight ``kind`` (None before a model was built over it)."""
    return property(lambda self: self._weights.get(kind), doc=doc)


def _pair(value: Any, what: str) -> Tuple[int, int]:
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) and v > 0 for v in pair):
        raise ValueError(f"{what} must be a positive int or two positive ints, got {value!r}")
    return pair  # type: ignore[return-value]


def _activation(identifier: Any) -> str:
    """The activation name of a layer's ``activation`` argument (see :func:`keras.activations.get`)."""
    from .activations import get
    return get(identifier)


