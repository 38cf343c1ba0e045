"""``nn.AdaptiveAvgPool2d`` and ``nn.AdaptiveMaxPool2d``: pooling to a fixed output size."""

from __future__ import annotations

from ... import _core
from .. import functional as F
from .._adaptive_pool import OutputSize
from .._layer_functional import _unsupported
from .module import Module

__all__ = ["AdaptiveAvgPool2d", "AdaptiveMaxPool2d"]


class _AdaptivePool(Module):
    """Shared base: keeps ``output_size`` and shows it in ``repr``."""

    def __init__(self, output_size: OutputSize) -> None:
        super().__init__()
        self.output_size = output_size

    def extra_repr(self) -> str:
        """The settings shown by ``repr`` (torch's format)."""
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_AdaptivePool):
    """Averages each channel over ``output_size`` bins (``1`` is global average pooling); see
    :func:`polyhead.nn.functional.adaptive_avg_pool2d`.

    Args:
        output_size: an int, a pair, or a pair with None (keep that input size).

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> nn.AdaptiveAvgPool2d((3, 3))(polyhead.randn(2, 4, 7, 9)).shape
        polyhead.Size([2, 4, 3, 3])
    """

    def forward(self, input: _core.Tensor) -> _core.Tensor:
        """``F.adaptive_avg_pool2d(input, output_size)``."""
        return F.adaptive_avg_pool2d(input, self.output_size)


class AdaptiveMaxPool2d(_AdaptivePool):
    """The maximum of each channel over ``output_size`` equal bins; see
    :func:`polyhead.nn.functional.adaptive_max_pool2d`.

    Args:
        output_size: an int, a pair, or a pair with None (keep that input size).
        return_indices: only False is supported.
    """

    def __init__(self, output_size: OutputSize, return_indices: bool = False) -> None:
        _unsupported(bool(return_indices), "AdaptiveMaxPool2d", "return_indices=True")
        super().__init__(output_size)
        self.return_indices = False

    def forward(self, input: _core.Tensor) -> _core.Tensor:
        """``F.adaptive_max_pool2d(input, output_size)``."""
        return F.adaptive_max_pool2d(input, self.output_size)
