"""Regularizers (Keras names): each adds ``l1 · Σ|w| + l2 · Σ w²`` of what it regularises to the training
loss: a weight (``kernel_regularizer=`` / ``bias_regularizer=`` of ``Dense`` and ``Conv2D``,
``embeddings_regularizer=`` of ``Embedding``, ``gamma_regularizer=`` / ``beta_regularizer=`` of the
normalization layers) or a layer's output (``activity_regularizer=`` of any layer)."""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple


def _factor(value: Any, name: str) -> float:
    value = float(value)
    if not value >= 0 or value == float("inf"):
        raise ValueError(f"{name} must be finite and >= 0, got {value}")
    return value


class Regularizer:
    """Base class of the regularizers: the penalty ``l1 · Σ|w| + l2 · Σ w²``."""

    _keys: Tuple[str, ...] = ()
    l1 = 0.0
    l2 = 0.0

    def get_config(self) -> Dict[str, float]:
        """The factors, e.g. ``{"l2": 0.01}`` (what :func:`get` takes back)."""
        return {key: getattr(self, key) for key in self._keys}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v}' for k, v in self.get_config().items())})"


class L1(Regularizer):
    """``l1 · Σ|w|`` added to the loss (Keras ``regularizers.L1``; the gradient of ``|w|`` at 0 is 0)."""

    _keys = ("l1",)

    def __init__(self, l1: float = 0.01) -> None:
        self.l1 = _factor(l1, "l1")


class L2(Regularizer):
    """``l2 · Σ w²`` added to the loss (Keras ``regularizers.L2``)."""

    _keys = ("l2",)

    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = _factor(l2, "l2")


class L1L2(Regularizer):
    """``l1 · Σ|w| + l2 · Σ w²`` added to the loss (Keras ``regularizers.L1L2``; both factors default to 0)."""

    _keys = ("l1", "l2")

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1, self.l2 = _factor(l1, "l1"), _factor(l2, "l2")


def l1(l1: float = 0.01) -> L1:
    """An :class:`L1` regularizer."""
    return L1(l1)


def l2(l2: float = 0.01) -> L2:
    """An :class:`L2` regularizer."""
    return L2(l2)


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    """An :class:`L1L2` regularizer (as Keras's ``l1_l2``, both factors default to 0.01)."""
    return L1L2(l1, l2)


_BY_NAME = {"l1": l1, "l2": l2, "l1_l2": l1_l2}
_BY_KEYS = {("l1",): L1, ("l2",): L2, ("l1", "l2"): L1L2}


def get(identifier: Any) -> Optional[Regularizer]:
    """A regularizer from ``None``, a name (``"l1"``, ``"l2"``, ``"l1_l2"``: default factors), a config
    (``{"l1": λ₁}``, ``{"l2": λ₂}`` or both, as :meth:`Regularizer.get_config` gives) or a regularizer object."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str) and identifier in _BY_NAME:
        return _BY_NAME[identifier]()
    if isinstance(identifier, dict) and tuple(sorted(identifier)) in _BY_KEYS:
        return _BY_KEYS[tuple(sorted(identifier))](**identifier)
    raise ValueError(f"unknown regularizer {identifier!r}; expected None, 'l1', 'l2', 'l1_l2', a config such as "
                     "{'l2': 0.01} or a regularizers object")


__all__ = ["Regularizer", "L1", "L2", "L1L2", "l1", "l2", "l1_l2", "get"]


def __getattr__(name: str) -> Any:
    from ._unsupported import missing
    raise missing(__name__, name, __all__)
