"""Loss objects with Keras's names and semantics, computed in the core: probabilities are clamped to
[1e-7, 1 − 1e-7] as Keras does, elementwise losses are averaged over the last axis and then over the batch."""

from __future__ import annotations

from typing import Any, Dict


class Loss:
    """Base class: a loss known to the core by ``_core_name``."""

    _core_name = ""

    def __init__(self, name: str = "") -> None:
        self.name = name or self._core_name

    def _spec(self) -> Dict[str, Any]:
        return {"loss": self._core_name}

    def get_config(self) -> Dict[str, Any]:
        return dict(self._spec(), name=self.name)

    def __repr__(self) -> str:
        items = ", ".join(f"{k}={v!r}" for k, v in self._spec().items() if k != "loss")
        return f"{type(self).__name__}({items})"


class _FromLogits(Loss):
    def __init__(self, from_logits: bool = False, name: str = "") -> None:
        super().__init__(name)
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

    def __init__(self, delta: float = 1.0, name: str = "") -> None:
        super().__init__(name)
        self.delta = float(delta)
        if not self.delta > 0:
            raise ValueError(f"Huber delta must be positive, got {delta}")

    def _spec(self) -> Dict[str, Any]:
        return {"loss": "huber", "delta": self.delta}


_NAMES = {
    "categorical_crossentropy": CategoricalCrossentropy, "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy, "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError, "huber": Huber, "huber_loss": Huber,
}


def get(identifier: Any) -> Loss:
    """A loss object from a Keras name (``"mse"``, ``"mean_squared_error"``, or the class name
    ``"MeanSquaredError"`` as Keras deserializes it) or a loss object."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str) and identifier in _NAMES:
        return _NAMES[identifier]()
    by_class = {cls.__name__: cls for cls in _NAMES.values()}
    if isinstance(identifier, str) and identifier in by_class:
        return by_class[identifier]()
    if callable(identifier) and not isinstance(identifier, type):
        raise NotImplementedError(
            f"custom loss functions such as {getattr(identifier, '__name__', identifier)!r} are not supported: the "
            f"training loop runs in the core, which computes the Keras losses {sorted(_NAMES)}; pass one of those "
            "names or a polyhead.keras.losses object")
    raise ValueError(f"unknown loss {identifier!r}; expected one of {sorted(_NAMES)} or a polyhead.keras.losses object")


__all__ = ["Loss", "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "BinaryCrossentropy",
           "MeanSquaredError", "MeanAbsoluteError", "Huber", "get"]


def __getattr__(name: str) -> Any:
    from ._unsupported import missing
    raise missing(__name__, name, __all__, 'pass a loss name such as "mean_squared_error" or a loss object to compile; custom loss functions are not supported')
