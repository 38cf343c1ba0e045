"""``Sequential``: a linear stack of layers built into a functional :class:`Model`."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence

from ._layer import InputLayer, KerasTensor, Layer
from ._model import Model


class Sequential(Model):
    """A linear stack of layers, ``Sequential([Input(shape=(784,)), Dense(128, activation="relu"), Dense(10)])``.

    The input shape comes from a leading :func:`Input`, or the first layer's ``input_shape=`` /
    ``input_dim=``, or else from the first array given to ``fit``/``predict``/``evaluate``; the model (and its
    weights) is built then. Layers may be added with :meth:`add` until it is built.
    """

    def __init__(self, layers: Optional[Sequence[Any]] = None, name: str = "sequential") -> None:
        self.name = name
        self.stop_training = False
        self._stack: List[Any] = []
        self._built = False
        for layer in layers or []:
            self.add(layer)

    def add(self, layer: Any) -> None:
        """Appends a layer (or, first, an ``Input``)."""
        if self._built:
            raise RuntimeError("cannot add layers to a Sequential model that is already built")
        if isinstance(layer, InputLayer):
            layer = layer._output  # an InputLayer starts the stack like an Input
        if isinstance(layer, KerasTensor) and self._stack:
            raise ValueError("an Input can only come first in a Sequential model")
        if not isinstance(layer, (Layer, KerasTensor)):
            raise TypeError(f"Sequential takes layers, got {type(layer).__name__}")
        self._stack.append(layer)

    def build(self, input_shape: Optional[Sequence[Any]] = None) -> None:
        """Builds the graph (and the weights) for per-sample ``input_shape`` (a leading None is dropped)."""
        if self._built:
            return
        stack = list(self._stack)
        if stack and isinstance(stack[0], KerasTensor):
            inputs = stack.pop(0)
        else:
            shape = input_shape if input_shape is not None else (stack[0]._input_shape if stack else None)
            if shape is None:
                raise ValueError("the Sequential model has no input shape: start with keras.Input(shape=...), pass "
                                 "input_shape= to the first layer, or call fit/predict first")
            shape = tuple(shape)
            if shape and shape[0] is None:
                shape = shape[1:]
            from .layers import Input
            inputs = Input(shape=shape)
        if not stack:
            raise ValueError("a Sequential model needs at least one layer")
        x = inputs
        for layer in stack:
            x = layer(x)
        Model.__init__(self, inputs, x, name=self.name)
        self._built = True

    def _has_input_shape(self) -> bool:
        return bool(self._stack) and (isinstance(self._stack[0], KerasTensor) or self._stack[0]._input_shape is not None)

    def _member_layers(self) -> List[Layer]:
        if self._built:
            return Model._member_layers(self)
        return [layer for layer in self._stack if isinstance(layer, Layer)]

    def __call__(self, x: Any, training: Any = None) -> Any:  # noqa: D102 - as Model.__call__
        self._ensure_built(x)  # an unbuilt model is built for what it is first called on, as Keras
        return Model.__call__(self, x, training)

    __call__.__doc__ = Model.__call__.__doc__

    def _ensure_built(self, x: Any) -> None:
        if not self._built:
            first = x[0] if isinstance(x, (list, tuple)) else x
            shape = getattr(first, "shape", None)
            self.build(None if self._has_input_shape() else tuple(shape[1:]) if shape is not None else None)

    # What Model.__init__ makes when the model is built: before that, reading one is a "not built yet" error.
    _BUILT_ATTRIBUTES = frozenset({"_core", "_config", "_inputs", "_layers", "_named_weights", "_output_kind",
                                   "_output_shapes", "_weight_kinds", "inputs", "outputs", "output_names"})

    def __getattr__(self, name: str) -> Any:
        if name in self._BUILT_ATTRIBUTES and not self.__dict__.get("_built", False):
            raise RuntimeError(f"the Sequential model '{self.__dict__.get('name')}' is not built yet: call build(), "
                               "fit() or predict() first, or start it with an Input")
        raise AttributeError(f"'{type(self).__name__}' object has no attribute {name!r}")

    def compile(self, *args: Any, **kwargs: Any) -> None:  # noqa: D102 - as Model.compile
        if not self._built and self._has_input_shape():
            self.build()
        self._pending_compile = None if self._built else (args, kwargs)
        if self._built:
            Model.compile(self, *args, **kwargs)

    compile.__doc__ = Model.compile.__doc__

    def _after_build(self) -> None:
        pending = self.__dict__.get("_pending_compile")
        if pending is not None:
            self._pending_compile = None
            Model.compile(self, *pending[0], **pending[1])

    def fit(self, x: Any = None, *args: Any, **kwargs: Any) -> Any:  # noqa: D102
        self._ensure_built(x)
        self._after_build()
        return Model.fit(self, x, *args, **kwargs)

    fit.__doc__ = Model.fit.__doc__

    def evaluate(self, x: Any = None, *args: Any, **kwargs: Any) -> Any:  # noqa: D102
        self._ensure_built(x)
        self._after_build()
        return Model.evaluate(self, x, *args, **kwargs)

    evaluate.__doc__ = Model.evaluate.__doc__

    def predict(self, x: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: D102
        self._ensure_built(x)
        self._after_build()
        return Model.predict(self, x, *args, **kwargs)

    predict.__doc__ = Model.predict.__doc__

    def summary(self, *args: Any, **kwargs: Any) -> None:  # noqa: D102
        if not self._built:
            raise ValueError("this Sequential model has not been built yet: give it an Input or input_shape, or fit it")
        Model.summary(self, *args, **kwargs)

    summary.__doc__ = Model.summary.__doc__

    def __repr__(self) -> str:
        if not self._built:
            return f"<Sequential name={self.name}, built=False, layers={[layer.name for layer in self._stack]}>"
        return Model.__repr__(self)
