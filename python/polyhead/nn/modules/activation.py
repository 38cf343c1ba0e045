"""Activation modules: ``ReLU``, ``Sigmoid``, ``Tanh``, ``GELU``, ``LeakyReLU``, ``ELU``, ``Softmax``,
``LogSoftmax``."""

from __future__ import annotations

from typing import Optional

from ... import _core
from .. import functional as F
from .module import Module

__all__ = ["ReLU", "Sigmoid", "Tanh", "GELU", "LeakyReLU", "ELU", "Softmax", "LogSoftmax"]


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


class GELU(Module):
    """Gaussian error linear unit ``x * Φ(x)`` (Hendrycks & Gimpel 2016), elementwise.

    Args:
        approximate: ``'none'`` for the exact erf form (torch's default) or ``'tanh'`` for
            ``0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))``.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> round(nn.GELU()(polyhead.tensor([1.0])).item(), 4)
        0.8413
        >>> nn.GELU(approximate="tanh")
        GELU(approximate='tanh')
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"approximate argument must be either none or tanh, got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: _core.Tensor) -> _core.Tensor:
        """``F.gelu(input, approximate=self.approximate)``."""
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        """The settings shown by ``repr``."""
        return f"approximate={self.approximate!r}"


class LeakyReLU(Module):
    """``x`` where ``x > 0``, else ``negative_slope * x``.

    Args:
        negative_slope: the slope for negative inputs. Default: 0.01.
        inplace: accepted for compatibility; the result is always a new tensor. Default: False.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> nn.LeakyReLU(0.1)(polyhead.tensor([-2.0, 3.0])).tolist()
        [-0.20000000298023224, 3.0]
    """

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: _core.Tensor) -> _core.Tensor:
        """``F.leaky_relu(input, self.negative_slope)``."""
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        """The settings shown by ``repr``."""
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)`` (Clevert et al. 2016).

    Args:
        alpha: the negative saturation value is ``-alpha``. Default: 1.0.
        inplace: accepted for compatibility; the result is always a new tensor. Default: False.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> [round(v, 4) for v in nn.ELU()(polyhead.tensor([-1.0, 2.0])).tolist()]
        [-0.6321, 2.0]
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: _core.Tensor) -> _core.Tensor:
        """``F.elu(input, self.alpha)``."""
        return F.elu(input, self.alpha)

    def extra_repr(self) -> str:
        """The settings shown by ``repr``."""
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


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
