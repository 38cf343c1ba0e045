"""Weight regularizers (Keras names): ``l2(λ)`` adds ``λ · Σ kernel²`` to the training loss."""

from __future__ import annotations

from typing import Any, Optional


class Regularizer:
    """Base class of the regularizers."""


class L2(Regularizer):
    """``l2 · Σ w²`` added to the loss (Keras ``regularizers.L2``)."""

    def __init__(self, l2: float = 0.01) -> None:
        l2 = float(l2)
        if not l2 >= 0 or l2 == float("inf"):
            raise ValueError(f"l2 must be finite and >= 0, got {l2}")
        self.l2 = l2

    def get_config(self) -> dict:
        return {"l2": self.l2}

    def __repr__(self) -> str:
        return f"L2(l2={self.l2})"


def l2(l2: float = 0.01) -> L2:  # noqa: D103 - Keras alias
    """An :class:`L2` regularizer."""
    return L2(l2)


def get(identifier: Any) -> Optional[L2]:
    """A regularizer from ``None``, ``"l2"`` or a regularizer object."""
    if identifier is None or isinstance(identifier, L2):
        return identifier
    if identifier == "l2":
        return L2()
    raise ValueError(f"unknown regularizer {identifier!r}; expected None, 'l2' or regularizers.l2(λ)")


__all__ = ["Regularizer", "L2", "l2", "get"]
