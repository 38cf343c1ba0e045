"""Channels-last convolution and pooling layers, with TensorFlow's 'valid' and 'same' padding ('same': each
spatial axis keeps ⌈size / stride⌉ positions; the odd padding pixel goes to the bottom/right)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from ._layer import Layer, _activation, _pair, _weight

Shape = Tuple[Optional[int], ...]


def _image(layer: Layer, shapes: List[Shape]) -> Shape:
    shape = layer._single(shapes)
    if len(shape) != 4:
        raise ValueError(f"{type(layer).__name__} '{layer.name}' needs (batch, height, width, channels) inputs, got {shape}")
    return shape


def _padding(padding: Any, layer: str) -> str:
    if padding not in ("valid", "same"):
        raise ValueError(f"{layer} padding must be 'valid' or 'same', got {padding!r}")
    return padding


def _sliding(layer: Layer, shape: Shape, window: Tuple[int, int], strides: Tuple[int, int], padding: str) -> Tuple[int, int]:
    """The output height and width of ``window`` sliding by ``strides`` over ``shape`` (N, H, W, C)."""
    sizes = (int(shape[1]), int(shape[2]))  # type: ignore[arg-type]
    if padding == "same":
        return tuple(-(-n // s) for n, s in zip(sizes, strides))  # type: ignore[return-value]
    if any(k > n for k, n in zip(window, sizes)):
        raise ValueError(f"{type(layer).__name__} '{layer.name}': window {window} is larger than the input {shape} "
                         "with padding 'valid'")
    return tuple((n - k) // s + 1 for n, k, s in zip(sizes, window, strides))  # type: ignore[return-value]


class Conv2D(Layer):
    """Channels-last 2-D convolution as Keras: inputs ``(batch, height, width, channels)``, kernel
    ``(kh, kw, channels, filters)`` (glorot-uniform), ``padding`` ``"valid"`` or ``"same"`` (any stride and
    kernel size); ``kernel_regularizer`` / ``bias_regularizer`` / ``activity_regularizer`` as ``Dense``."""

    _regularized = ("kernel", "bias")
    _keras_options = {"data_format": ("channels_last", None), "dilation_rate": (1, (1, 1)), "groups": (1,),
                      "kernel_initializer": ("glorot_uniform",), "bias_initializer": ("zeros",),
                      "kernel_constraint": (None,), "bias_constraint": (None,)}

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 activation: Optional[str] = None, use_bias: bool = True, kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(name=name, kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer, **kwargs)
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"Conv2D filters must be a positive int, got {filters!r}")
        self.filters, self.kernel_size = filters, _pair(kernel_size, "kernel_size")
        self.strides, self.padding = _pair(strides, "strides"), _padding(padding, "Conv2D")
        self.activation, self.use_bias = _activation(activation), bool(use_bias)

    def _output_shape(self, shapes: List[Shape]) -> Shape:
        shape = _image(self, shapes)
        return (None, *_sliding(self, shape, self.kernel_size, self.strides, self.padding), self.filters)

    def _config(self) -> Dict[str, Any]:
        return {"filters": self.filters, "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, "activation": self.activation, "use_bias": self.use_bias}

    kernel = _weight("kernel", "The live ``(kh, kw, channels, filters)`` kernel (after a model was built).")
    bias = _weight("bias", "The live bias tensor, or None.")


class _Pooling2D(Layer):
    """Channels-last pooling windows (``strides`` default to ``pool_size``; ``padding`` valid or same)."""

    _keras_options = {"data_format": ("channels_last", None)}

    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: str = "valid",
                 name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.padding = _padding(padding, type(self).__name__)
        self.pool_size = _pair(pool_size, "pool_size")
        self.strides = self.pool_size if strides is None else _pair(strides, "strides")

    def _output_shape(self, shapes: List[Shape]) -> Shape:
        shape = _image(self, shapes)
        return (None, *_sliding(self, shape, self.pool_size, self.strides, self.padding), shape[3])

    def _config(self) -> Dict[str, Any]:
        return {"pool_size": list(self.pool_size), "strides": list(self.strides), "padding": self.padding}


class MaxPooling2D(_Pooling2D):
    """The maximum of each window ('same' pads with −∞, so padding never wins)."""


class AveragePooling2D(_Pooling2D):
    """The mean of each window; with 'same' padding, of the input pixels the window covers (as Keras)."""


class _GlobalPooling2D(Layer):
    """A reduction over height and width: ``(batch, h, w, c) → (batch, c)`` (``keepdims``: ``(batch, 1, 1, c)``)."""

    _keras_options = {"data_format": ("channels_last", None)}

    def __init__(self, keepdims: bool = False, name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.keepdims = bool(keepdims)

    def _output_shape(self, shapes: List[Shape]) -> Shape:
        shape = _image(self, shapes)
        return (None, 1, 1, shape[3]) if self.keepdims else (None, shape[3])

    def _config(self) -> Dict[str, Any]:
        return {"keepdims": self.keepdims}


class GlobalMaxPooling2D(_GlobalPooling2D):
    """The maximum over each channel's plane."""


class GlobalAveragePooling2D(_GlobalPooling2D):
    """The mean over each channel's plane."""
