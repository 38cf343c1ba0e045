"""``nn.SiLU`` and ``nn.Softplus``: activations built from core ops (see ``nn.functional.silu/softplus``)."""

from __future__ import annotations

from ... import _core
from .. import functional as F
from .module import Module

__all__ = ["SiLU", "Softplus"]


class SiLU(Module):
    """``x * sigmoid(x)`` elementwise.

    Args:
        inplace: accepted for compatibility with torch; the result is always a new tensor. Default: False.
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: _core.Tensor) -> _core.Tensor:
        """``F.silu(input)``."""
        return F.silu(input)


class Softplus(Module):
    """``log(1 + exp(beta * x)) / beta`` elementwise, stably.

    Args:
        beta: the sharpness (> 0). Default: 1.
        threshold: accepted as torch's (the stable form is exact beyond it). Default: 20.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> nn.Softplus(beta=2.0)
        Softplus(beta=2.0, threshold=20.0)
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input: _core.Tensor) -> _core.Tensor:
        """``F.softplus(input, beta, threshold)``."""
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        """The settings shown by ``repr`` (torch's format)."""
        return f"beta={self.beta}, threshold={self.threshold}"
