"""Losses with Keras's names and semantics, computed in the core: probabilities are clamped to
[1e-7, 1 − 1e-7] as Keras does, elementwise losses are averaged over the last axis and then over the batch.

``compile`` takes a loss object, a name (``"mse"``, ``"mean_squared_error"``, ``"MeanSquaredError"``) or one of
the loss functions below. Called on arrays, a loss object gives the mean loss (Keras's ``sum_over_batch_size``
reduction) and a function the per-sample losses, as polyhead tensors."""

from __future__ import annotations

import json
from typing import Any, Dict

#: Keras's loss options, with the only values supported.
_KERAS_OPTIONS = {"reduction": "sum_over_batch_size", "label_smoothing": 0.0, "axis": -1, "ignore_class": None}


class Loss:
    """Base class: a loss known to the core by ``_core_name``. Keras's ``reduction``, ``label_smoothing``,
    ``axis`` and ``ignore_class`` are accepted at their defaults only."""

    _core_name = ""

    def __init__(self, name: str = "", **options: Any) -> None:
        for key, value in options.items():
            if key not in _KERAS_OPTIONS:
                raise TypeError(f"{type(self).__name__}() got an unexpected keyword argument {key!r}")
            if value != _KERAS_OPTIONS[key]:
                raise NotImplementedError(f"{type(self).__name__}({key}={value!r}) is not supported")
        self.name = name or self._core_name

    def _spec(self) -> Dict[str, Any]:
        return {"loss": self._core_name}

    def get_config(self) -> Dict[str, Any]:
        return dict(self._spec(), name=self.name)

    def _per_sample(self, y_true: Any, y_pred: Any) -> Any:
        """Keras's per-sample losses (``keras.losses.<name>(y_true, y_pred)``), from the core."""
        from .. import _core
        return _core.keras_loss_per_sample(json.dumps(self._spec()), _float(y_true), _float(y_pred))

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        """The mean of the per-sample losses (weighted: ``Σ w·loss / N``, Keras's ``sum_over_batch_size``)."""
        values = self._per_sample(y_true, y_pred)
        if sample_weight is not None:
            weights = _float(sample_weight)
            if tuple(weights.shape) != tuple(values.shape):
                raise ValueError(f"sample_weight has shape {tuple(weights.shape)}; the per-sample losses have "
                                 f"shape {tuple(values.shape)}")
            values = values * weights
        return values.mean()

    def __repr__(self) -> str:
        items = ", ".join(f"{k}={v!r}" for k, v in self._spec().items() if k != "loss")
        return f"{type(self).__name__}({items})"


def _float(array: Any) -> Any:
    """``array`` (a polyhead tensor, numpy array or nested list) as a float32 polyhead tensor."""
    import numpy as np
    from .. import _core, tensor
    if isinstance(array, _core.Tensor):
        return array
    return tensor(np.ascontiguousarray(np.asarray(array, dtype=np.float32)))


class _FromLogits(Loss):
    def __init__(self, from_logits: bool = False, name: str = "", **options: Any) -> None:
        super().__init__(name, **options)
        self.from_logits = bool(from_logits)

    def _spec(self) -> Dict[str, Any]:
        return {"loss": self._core_name, "from_logits": self.from_logits}


class CategoricalCrossentropy(_FromLogits):
    """Cross-entropy against one-hot targets ``(N, C)``."""
    _core_name = "categorical_crossentropy"


class SparseCategoricalCrossentropy(_FromLogits):
    """Cross-entropy against class indices ``(N,)``."""
    _core_name = "sparse_categorical_crossentropy"


class BinaryCrossentropy(_FromLogits):
    """Binary cross-entropy against targets in [0, 1] shaped like the output."""
    _core_name = "binary_crossentropy"


class MeanSquaredError(Loss):
    _core_name = "mse"


class MeanAbsoluteError(Loss):
    _core_name = "mae"


class Huber(Loss):
    """``0.5·r²`` for ``|r| ≤ delta``, else ``delta·(|r| − 0.5·delta)``."""
    _core_name = "huber"

    def __init__(self, delta: float = 1.0, name: str = "", **options: Any) -> None:
        super().__init__(name, **options)
        self.delta = float(delta)
        if not self.delta > 0:
            raise ValueError(f"Huber delta must be positive, got {delta}")

    def _spec(self) -> Dict[str, Any]:
        return {"loss": "huber", "delta": self.delta}


def mean_squared_error(y_true: Any, y_pred: Any) -> Any:
    """Keras's per-sample ``mean((y_pred − y_true)², axis=-1)``."""
    return MeanSquaredError()._per_sample(y_true, y_pred)


def mean_absolute_error(y_true: Any, y_pred: Any) -> Any:
    """Keras's per-sample ``mean(|y_pred − y_true|, axis=-1)``."""
    return MeanAbsoluteError()._per_sample(y_true, y_pred)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Any:
    """Keras's per-sample Huber loss, averaged over the last axis."""
    return Huber(delta)._per_sample(y_true, y_pred)


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, **options: Any) -> Any:
    """Keras's per-sample binary cross-entropy, averaged over the last axis."""
    return BinaryCrossentropy(from_logits, **options)._per_sample(y_true, y_pred)


def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, **options: Any) -> Any:
    """Keras's per-sample cross-entropy against one-hot rows."""
    return CategoricalCrossentropy(from_logits, **options)._per_sample(y_true, y_pred)


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, **options: Any) -> Any:
    """Keras's per-sample cross-entropy against class indices."""
    return SparseCategoricalCrossentropy(from_logits, **options)._per_sample(y_true, y_pred)


mse, mae = mean_squared_error, mean_absolute_error

_NAMES = {
    "categorical_crossentropy": CategoricalCrossentropy, "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy, "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError, "huber": Huber, "huber_loss": Huber,
}
_FUNCTIONS = {mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError, huber: Huber,
              binary_crossentropy: BinaryCrossentropy, categorical_crossentropy: CategoricalCrossentropy,
              sparse_categorical_crossentropy: SparseCategoricalCrossentropy}


def from_config(config: Dict[str, Any]) -> Loss:
    """The loss a :meth:`Loss.get_config` dict describes (``{"loss": "huber", "delta": 2.0, "name": …}``)."""
    return _NAMES[config["loss"]](**{key: value for key, value in config.items() if key != "loss"})


def get(identifier: Any) -> Loss:
    """A loss object from a Keras name (``"mse"``, ``"mean_squared_error"``, or the class name
    ``"MeanSquaredError"`` as Keras deserializes it), a loss function of this module, or a loss object."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str) and identifier in _NAMES:
        return _NAMES[identifier]()
    by_class = {cls.__name__: cls for cls in _NAMES.values()}
    if isinstance(identifier, str) and identifier in by_class:
        return by_class[identifier]()
    if callable(identifier) and identifier in _FUNCTIONS:
        return _FUNCTIONS[identifier]()
    if callable(identifier) and not isinstance(identifier, type):
        raise NotImplementedError(
            f"custom loss functions such as {getattr(identifier, '__name__', identifier)!r} are not supported: the "
            f"training loop runs in the core, which computes the Keras losses {sorted(_NAMES)}; pass one of those "
            "names, a polyhead.keras.losses object or function")
    raise ValueError(f"unknown loss {identifier!r}; expected one of {sorted(_NAMES)} or a polyhead.keras.losses object")


__all__ = ["Loss", "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "BinaryCrossentropy",
           "MeanSquaredError", "MeanAbsoluteError", "Huber", "mean_squared_error", "mean_absolute_error", "mse",
           "mae", "huber", "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy", "get",
           "from_config"]


def __getattr__(name: str) -> Any:
    from ._unsupported import missing
    raise missing(__name__, name, __all__, 'pass a loss name such as "mean_squared_error", a loss object or function to '
                  'compile; custom loss functions are not supported')
