"""Activation modules: ``ReLU``, ``Sigmoid``, ``Tanh``, ``Softmax``, ``LogSoftmax``."""

from __future__ import annotations

from typing import Optional

from ... import _core
from .. import functional as F
from .module import Module

__all__ = ["ReLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax"]


class ReLU(Module):
    """``max(x, 0)`` elementwise.

    Args:
        inplace: accepted for compatibility with torch; the result is always a new tensor. Default: False.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> nn.ReLU()(polyhead.tensor([-1.0, 2.0])).tolist()
        [0.0, 2.0]
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: _core.Tensor) -> _core.Tensor:
        """``F.relu(input)``."""
        return F.relu(input)

    def extra_repr(self) -> str:
        """The settings shown by ``repr``."""
        return "inplace=True" if self.inplace else ""


class Sigmoid(Module):
    """``1 / (1 + exp(-x))`` elementwise."""

    def forward(self, input: _core.Tensor) -> _core.Tensor:
        """``F.sigmoid(input)``."""
        return F.sigmoid(input)


class Tanh(Module):
    """Hyperbolic tangent elementwise."""

    def forward(self, input: _core.Tensor) -> _core.Tensor:
        """``F.tanh(input)``."""
        return F.tanh(input)


class Softmax(Module):
    """Softmax along ``dim``.

    Args:
        dim: the axis that sums to 1 (the last axis, or either axis of 2-D inputs).
    """

    def __init__(self, dim: Optional[int] = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: _core.Tensor) -> _core.Tensor:
        """``F.softmax(input, self.dim)``."""
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        """The settings shown by ``repr``."""
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """``log(softmax(x))`` along ``dim``, computed stably.

    Args:
        dim: the axis to normalise over.
    """

    def __init__(self, dim: Optional[int] = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: _core.Tensor) -> _core.Tensor:
        """``F.log_softmax(input, self.dim)``."""
        return F.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        """The settings shown by ``repr``."""
        return f"dim={self.dim}"
