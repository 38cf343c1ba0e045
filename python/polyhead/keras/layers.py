"""Keras layers for functional models: calling a layer on a symbolic tensor (from :func:`Input` or another
layer) records a graph node; :class:`~polyhead.keras.Model` turns the graph into a core model."""

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
        if ch.isupper() and i > 0 and not name[i - 1].isupper():
            out += "_"
        out += ch.lower()
    return out


class KerasTensor:
    """A symbolic tensor: the output of an input or a layer node, with its shape (batch dimension ``None``)."""

    def __init__(self, shape: Tuple[Optional[int], ...], source: Union["InputLayer", "Layer"]) -> None:
        self.shape = shape
        self._source = source

    @property
    def name(self) -> str:
        """The name of the input or layer that produced this tensor."""
        return self._source.name

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, name={self.name}>"


class Layer:
    """Base class of the layers: a name, a class name and a config for the core."""

    def __init__(self, name: Optional[str] = None, **kwargs: Any) -> None:
        unknown = set(kwargs) - {"dtype", "trainable", "input_shape", "input_dim"}
        if unknown:
            raise TypeError(f"{type(self).__name__}() got unexpected keyword arguments {sorted(unknown)}")
        if name is not None and (not isinstance(name, str) or not name or "/" in name):
            raise ValueError(f"layer name must be a non-empty str without '/', got {name!r}")
        self.name = name if name is not None else _unique_name(_snake(type(self).__name__))
        self._inbound: List[KerasTensor] = []
        self._output: Optional[KerasTensor] = None
        self._order = next(_creation)
        self._weights: Dict[str, Any] = {}
        shape = kwargs.get("input_shape", (kwargs["input_dim"],) if "input_dim" in kwargs else None)
        self._input_shape: Optional[Tuple[int, ...]] = None if shape is None else tuple(shape)

    # graph construction --------------------------------------------------------------------------

    def __call__(self, inputs: Any, training: Any = None) -> KerasTensor:
        tensors = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if not tensors or not all(isinstance(t, KerasTensor) for t in tensors):
            raise TypeError(f"{self.name}: layers are called on symbolic tensors from polyhead.keras.Input or other "
                            f"layers; use model.predict for data")
        if self._output is not None:
            raise ValueError(f"layer '{self.name}' was already called; sharing a layer between several graph nodes "
                             "is not supported")
        shape = self._output_shape([t.shape for t in tensors])
        self._inbound = tensors
        self._order = next(_creation)
        self._output = KerasTensor(shape, self)
        return self._output

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
        return dict(self._config(), name=self.name)

    # weights (bound by the model) ---------------------------------------------------------------

    @property
    def weights(self) -> List[Any]:
        """The live weight tensors of the layer (after a model was built over it)."""
        return list(self._weights.values())

    def get_weights(self) -> List[Any]:
        """The weights as numpy arrays (copies)."""
        return [w.detach().numpy().copy() for w in self._weights.values()]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Copies numpy arrays into the weights (same order and shapes as :meth:`get_weights`)."""
        from ._model import _assign
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
    """The source of a model input (made by :func:`Input`)."""

    def __init__(self, shape: Tuple[int, ...], name: Optional[str] = None) -> None:
        super().__init__(name=name if name is not None else _unique_name("input_layer"))
        self.shape = shape
        self._output = KerasTensor((None,) + shape, self)


def Input(shape: Any = None, batch_size: Optional[int] = None, name: Optional[str] = None,
          dtype: Any = None, **kwargs: Any) -> KerasTensor:
    """A symbolic model input with per-sample ``shape`` (batch dimension excluded), as ``keras.Input``."""
    if shape is None:
        raise ValueError("Input needs a shape, e.g. Input(shape=(784,))")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if not shape or not all(isinstance(d, int) and d > 0 for d in shape):
        raise ValueError(f"Input shape must be positive ints, got {shape}")
    layer = InputLayer(shape, name=name)
    assert layer._output is not None
    return layer._output


class Dense(Layer):
    """``activation(x @ kernel + bias)`` with a Keras-layout kernel ``(in, out)``, glorot-uniform initialised."""

    def __init__(self, units: int, activation: Optional[str] = None, use_bias: bool = True,
                 kernel_initializer: str = "glorot_uniform", bias_initializer: str = "zeros",
                 kernel_regularizer: Any = None, name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"Dense units must be a positive int, got {units!r}")
        self.units = units
        self.activation = _activation(activation)
        self.use_bias = bool(use_bias)
        if kernel_initializer not in ("glorot_uniform", "zeros", "ones"):
            raise ValueError(f"kernel_initializer {kernel_initializer!r} is not supported; use glorot_uniform, zeros or ones")
        if bias_initializer != "zeros":
            raise ValueError(f"bias_initializer {bias_initializer!r} is not supported; biases start at zero")
        self.kernel_initializer = kernel_initializer
        self.kernel_regularizer = _regularizers.get(kernel_regularizer)

    def _output_shape(self, shapes: List[Tuple[Optional[int], ...]]) -> Tuple[Optional[int], ...]:
        shape = self._single(shapes)
        if len(shape) != 2:
            raise ValueError(f"Dense '{self.name}' needs a (batch, features) input, got {shape}")
        return (None, self.units)

    def _config(self) -> Dict[str, Any]:
        config: Dict[str, Any] = {"units": self.units, "activation": self.activation, "use_bias": self.use_bias,
                                  "kernel_initializer": self.kernel_initializer}
        if self.kernel_regularizer is not None:
            config["kernel_regularizer"] = self.kernel_regularizer.get_config()
        return config

    @property
    def kernel(self) -> Any:
        """The live ``(in, out)`` kernel tensor (after a model was built)."""
        return self._weights.get("kernel")

    @property
    def bias(self) -> Any:
        """The live bias tensor, or None."""
        return self._weights.get("bias")


class Activation(Layer):
    """Applies an activation by name."""

    def __init__(self, activation: str, name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.activation = _activation(activation)

    def _config(self) -> Dict[str, Any]:
        return {"activation": self.activation}


class Dropout(Layer):
    """Inverted dropout at ``rate`` while training (seeded by ``polyhead.manual_seed``); identity otherwise."""

    def __init__(self, rate: float, name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        rate = float(rate)
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout rate must be in [0, 1), got {rate}")
        self.rate = rate

    def _config(self) -> Dict[str, Any]:
        return {"rate": self.rate}


class Concatenate(Layer):
    """Concatenates its inputs along ``axis`` (default the last)."""

    def __init__(self, axis: int = -1, name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.axis = int(axis)

    def _output_shape(self, shapes: List[Tuple[Optional[int], ...]]) -> Tuple[Optional[int], ...]:
        if len(shapes) < 1:
            raise ValueError(f"Concatenate '{self.name}' needs inputs")
        rank = len(shapes[0])
        axis = self.axis + rank if self.axis < 0 else self.axis
        if not 1 <= axis < rank or any(len(s) != rank for s in shapes):
            raise ValueError(f"Concatenate '{self.name}': cannot concatenate {shapes} along axis {self.axis}")
        for s in shapes[1:]:
            if any(a != b for i, (a, b) in enumerate(zip(s, shapes[0])) if i not in (0, axis)):
                raise ValueError(f"Concatenate '{self.name}': shapes {shapes} differ outside axis {self.axis}")
        out = list(shapes[0])
        out[axis] = sum(s[axis] for s in shapes)  # type: ignore[misc]
        return tuple(out)

    def _config(self) -> Dict[str, Any]:
        return {"axis": self.axis}


class Flatten(Layer):
    """Flattens each sample to one dimension: ``(batch, d1, d2, …) → (batch, d1·d2·…)``."""

    def _output_shape(self, shapes: List[Tuple[Optional[int], ...]]) -> Tuple[Optional[int], ...]:
        shape = self._single(shapes)
        size = 1
        for d in shape[1:]:
            size *= int(d)  # type: ignore[arg-type]
        return (None, size)


class LayerNormalization(Layer):
    """Normalises each sample over the last axis, then ``· gamma + beta`` (Keras defaults: epsilon 1e-3)."""

    def __init__(self, axis: int = -1, epsilon: float = 1e-3, name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.axis, self.epsilon = int(axis), float(epsilon)

    def _output_shape(self, shapes: List[Tuple[Optional[int], ...]]) -> Tuple[Optional[int], ...]:
        shape = self._single(shapes)
        if self.axis not in (-1, len(shape) - 1):
            raise ValueError(f"LayerNormalization '{self.name}': only the last axis is supported, got axis {self.axis}")
        return shape

    def _config(self) -> Dict[str, Any]:
        return {"axis": -1, "epsilon": self.epsilon}

    @property
    def gamma(self) -> Any:
        """The live scale tensor (after a model was built)."""
        return self._weights.get("gamma")

    @property
    def beta(self) -> Any:
        """The live offset tensor (after a model was built)."""
        return self._weights.get("beta")


def _pair(value: Any, what: str) -> Tuple[int, int]:
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) and v > 0 for v in pair):
        raise ValueError(f"{what} must be a positive int or two positive ints, got {value!r}")
    return pair  # type: ignore[return-value]


class Conv2D(Layer):
    """Channels-last 2-D convolution as Keras: inputs ``(batch, height, width, channels)``, kernel
    ``(kh, kw, channels, filters)`` (glorot-uniform), ``padding`` ``"valid"`` or ``"same"`` (stride 1, odd
    kernel)."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 activation: Optional[str] = None, use_bias: bool = True, name: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"Conv2D filters must be a positive int, got {filters!r}")
        self.filters, self.kernel_size = filters, _pair(kernel_size, "kernel_size")
        self.strides, self.padding = _pair(strides, "strides"), padding
        if padding not in ("valid", "same"):
            raise ValueError(f"Conv2D padding must be 'valid' or 'same', got {padding!r}")
        self.activation, self.use_bias = _activation(activation), bool(use_bias)

    def _output_shape(self, shapes: List[Tuple[Optional[int], ...]]) -> Tuple[Optional[int], ...]:
        shape = self._single(shapes)
        if len(shape) != 4:
            raise ValueError(f"Conv2D '{self.name}' needs (batch, height, width, channels) inputs, got {shape}")
        (kh, kw), (sh, sw) = self.kernel_size, self.strides
        ph_, pw = ((kh - 1) // 2, (kw - 1) // 2) if self.padding == "same" else (0, 0)
        return (None, (shape[1] + 2 * ph_ - kh) // sh + 1, (shape[2] + 2 * pw - kw) // sw + 1, self.filters)  # type: ignore[operator]

    def _config(self) -> Dict[str, Any]:
        return {"filters": self.filters, "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, "activation": self.activation, "use_bias": self.use_bias}

    @property
    def kernel(self) -> Any:
        """The live ``(kh, kw, channels, filters)`` kernel (after a model was built)."""
        return self._weights.get("kernel")

    @property
    def bias(self) -> Any:
        """The live bias tensor, or None."""
        return self._weights.get("bias")


class MaxPooling2D(Layer):
    """Channels-last max pooling (``padding="valid"``; ``strides`` default to ``pool_size``)."""

    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: str = "valid",
                 name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        if padding != "valid":
            raise ValueError(f"MaxPooling2D supports padding 'valid' only, got {padding!r}")
        self.pool_size = _pair(pool_size, "pool_size")
        self.strides = self.pool_size if strides is None else _pair(strides, "strides")

    def _output_shape(self, shapes: List[Tuple[Optional[int], ...]]) -> Tuple[Optional[int], ...]:
        shape = self._single(shapes)
        if len(shape) != 4:
            raise ValueError(f"MaxPooling2D '{self.name}' needs (batch, height, width, channels) inputs, got {shape}")
        (ph_, pw), (sh, sw) = self.pool_size, self.strides
        return (None, (shape[1] - ph_) // sh + 1, (shape[2] - pw) // sw + 1, shape[3])  # type: ignore[operator]

    def _config(self) -> Dict[str, Any]:
        return {"pool_size": list(self.pool_size), "strides": list(self.strides), "padding": "valid"}


class Embedding(Layer):
    """Looks up rows of a ``(input_dim, output_dim)`` table (Keras init: uniform ±0.05) at integer indices
    (given as numbers; each must be an integer in ``[0, input_dim)``): ``(batch, *shape) → (batch, *shape,
    output_dim)``."""

    def __init__(self, input_dim: int, output_dim: int, name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        if not (isinstance(input_dim, int) and input_dim > 0 and isinstance(output_dim, int) and output_dim > 0):
            raise ValueError(f"Embedding needs positive int input_dim and output_dim, got {input_dim!r}, {output_dim!r}")
        self.input_dim, self.output_dim = input_dim, output_dim

    def _output_shape(self, shapes: List[Tuple[Optional[int], ...]]) -> Tuple[Optional[int], ...]:
        return self._single(shapes) + (self.output_dim,)

    def _config(self) -> Dict[str, Any]:
        return {"input_dim": self.input_dim, "output_dim": self.output_dim}

    @property
    def embeddings(self) -> Any:
        """The live ``(input_dim, output_dim)`` table (after a model was built)."""
        return self._weights.get("embeddings")


def _activation(name: Any) -> str:
    if name is None:
        return "linear"
    if isinstance(name, str) and name in _ACTIVATIONS:
        return name
    raise ValueError(f"unknown activation {name!r}; expected None or one of {list(_ACTIVATIONS)}")


__all__ = ["Layer", "InputLayer", "Input", "Dense", "Activation", "Dropout", "Concatenate", "Flatten",
           "LayerNormalization", "Conv2D", "MaxPooling2D", "Embedding"]
