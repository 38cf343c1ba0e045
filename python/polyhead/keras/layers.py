"""Keras layers for functional models: calling a layer on a symbolic tensor (from :func:`Input` or another
layer) records a graph node; :class:`~polyhead.keras.Model` turns the graph into a core model."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from ._conv import AveragePooling2D, Conv2D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling2D
from ._layer import Input, InputLayer, KerasTensor, Layer, _activation, _weight  # noqa: F401 (KerasTensor re-exported)
from ._normalization import BatchNormalization, LayerNormalization

class Dense(Layer):
    """``activation(x @ kernel + bias)`` with a Keras-layout kernel ``(in, out)``, glorot-uniform initialised;
    on inputs ``(batch, ..., in)`` it applies to the last axis, as Keras. ``kernel_regularizer``,
    ``bias_regularizer`` and ``activity_regularizer`` (:mod:`~polyhead.keras.regularizers`) add their
    penalties to the training loss."""

    _regularized = ("kernel", "bias")
    _keras_options = {"kernel_constraint": (None,), "bias_constraint": (None,), "lora_rank": (None,)}

    def __init__(self, units: int, activation: Optional[str] = None, use_bias: bool = True,
                 kernel_initializer: str = "glorot_uniform", bias_initializer: str = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, name: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(name=name, kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer, **kwargs)
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

    def _output_shape(self, shapes: List[Tuple[Optional[int], ...]]) -> Tuple[Optional[int], ...]:
        shape = self._single(shapes)
        if len(shape) < 2:
            raise ValueError(f"Dense '{self.name}' needs a (batch, ..., features) input, got {shape}")
        return shape[:-1] + (self.units,)

    def _config(self) -> Dict[str, Any]:
        return {"units": self.units, "activation": self.activation, "use_bias": self.use_bias,
                "kernel_initializer": self.kernel_initializer}

    kernel = _weight("kernel", "The live ``(in, out)`` kernel tensor (after a model was built).")
    bias = _weight("bias", "The live bias tensor, or None.")


class Activation(Layer):
    """Applies an activation by name."""

    def __init__(self, activation: str, name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.activation = _activation(activation)

    def _config(self) -> Dict[str, Any]:
        return {"activation": self.activation}


class Dropout(Layer):
    """Inverted dropout at ``rate`` while training, identity otherwise. The masks come from polyhead's global
    generator (seeded by ``keras.utils.set_random_seed`` / ``polyhead.manual_seed``): Keras's per-layer ``seed``
    is accepted but draws no stream of its own; ``noise_shape`` is not supported."""

    def __init__(self, rate: float, noise_shape: Any = None, seed: Any = None, name: Optional[str] = None,
                 **kwargs: Any) -> None:
        if noise_shape is not None:
            raise NotImplementedError(f"Dropout(noise_shape={noise_shape!r}) is not supported")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"Dropout seed must be an int or None, got {type(seed).__name__} {seed!r}")
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

    _keras_options = {"data_format": ("channels_last", None)}

    def _output_shape(self, shapes: List[Tuple[Optional[int], ...]]) -> Tuple[Optional[int], ...]:
        shape = self._single(shapes)
        size = 1
        for d in shape[1:]:
            size *= int(d)  # type: ignore[arg-type]
        return (None, size)


class Embedding(Layer):
    """Looks up rows of a ``(input_dim, output_dim)`` table (Keras init: uniform ±0.05) at integer indices
    (given as numbers; each must be an integer in ``[0, input_dim)``): ``(batch, *shape) → (batch, *shape,
    output_dim)``. ``embeddings_regularizer`` penalises the table."""

    _regularized = ("embeddings",)
    #: Keras 2's ``input_length`` only described the input shape (which comes from the input here).
    _keras_options = {"embeddings_initializer": ("uniform",), "mask_zero": (False,), "input_length": None,
                      "embeddings_constraint": (None,)}

    def __init__(self, input_dim: int, output_dim: int, name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        if not (isinstance(input_dim, int) and input_dim > 0 and isinstance(output_dim, int) and output_dim > 0):
            raise ValueError(f"Embedding needs positive int input_dim and output_dim, got {input_dim!r}, {output_dim!r}")
        self.input_dim, self.output_dim = input_dim, output_dim

    def _output_shape(self, shapes: List[Tuple[Optional[int], ...]]) -> Tuple[Optional[int], ...]:
        return self._single(shapes) + (self.output_dim,)

    def _config(self) -> Dict[str, Any]:
        return {"input_dim": self.input_dim, "output_dim": self.output_dim}

    embeddings = _weight("embeddings", "The live ``(input_dim, output_dim)`` table (after a model was built).")


def concatenate(inputs: List[KerasTensor], axis: int = -1, **kwargs: Any) -> KerasTensor:
    """Keras's functional form ``layers.concatenate([a, b])``: a new :class:`Concatenate` called on ``inputs``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


__all__ = ["Layer", "InputLayer", "Input", "Dense", "Activation", "Dropout", "Concatenate", "Flatten",
           "LayerNormalization", "BatchNormalization", "Conv2D", "MaxPooling2D", "AveragePooling2D",
           "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Embedding", "concatenate"]


def __getattr__(name: str) -> Any:
    from ._unsupported import missing
    raise missing(__name__, name, __all__)
