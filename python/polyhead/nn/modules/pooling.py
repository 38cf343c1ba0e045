"""``nn.MaxPool2d`` and ``nn.AvgPool2d``."""

from __future__ import annotations

from typing import Optional

from ... import _core
from .. import functional as F
from .._layer_functional import IntOrPair, _pool_window, _unsupported
from .module import Module

__all__ = ["MaxPool2d", "AvgPool2d"]


class MaxPool2d(Module):
    """The maximum of every window (implicit −inf padding, at most half the kernel), floor mode.

    Args:
        kernel_size: an int or ``(kH, kW)``.
        stride: the step between windows. Default: ``kernel_size``.
        padding: an int or a pair. Default: 0.
        dilation, return_indices, ceil_mode: only the defaults are supported.

    Shape:
        (N, C, H, W) or (C, H, W) → (N, C, H_out, W_out), ``H_out = (H + 2·padding − kernel_size) // stride + 1``.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> nn.MaxPool2d(2)(polyhead.randn(1, 3, 8, 8)).shape
        polyhead.Size([1, 3, 4, 4])
        >>> nn.MaxPool2d(2)
        MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    """

    def __init__(self, kernel_size: IntOrPair, stride: Optional[IntOrPair] = None, padding: IntOrPair = 0,
                 dilation: IntOrPair = 1, return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        _unsupported(dilation not in (1, (1, 1), [1, 1]), "MaxPool2d", "dilation other than 1")
        _unsupported(bool(return_indices), "MaxPool2d", "return_indices=True")
        _unsupported(bool(ceil_mode), "MaxPool2d", "ceil_mode=True")
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation, self.return_indices, self.ceil_mode = dilation, False, False
        _pool_window(kernel_size, stride, padding)  # validates the arguments now

    def forward(self, input: _core.Tensor) -> _core.Tensor:
        """``F.max_pool2d(input, ...)``."""
        if isinstance(input, _core.Tensor) and input.ndim == 4:
            return _core.max_pool2d(input, *_pool_window(self.kernel_size, self.stride, self.padding))
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        """The settings shown by ``repr`` (torch's format)."""
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """The mean of every window (zero padding, at most half the kernel), floor mode.

    Args:
        kernel_size: an int or ``(kH, kW)``.
        stride: the step between windows. Default: ``kernel_size``.
        padding: an int or a pair. Default: 0.
        count_include_pad: padded zeros count in the divisor. Default: True.
        ceil_mode, divisor_override: only the defaults are supported.

    Shape:
        (N, C, H, W) or (C, H, W) → (N, C, H_out, W_out), as :class:`MaxPool2d`.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> nn.AvgPool2d(2)(polyhead.ones(1, 1, 4, 4)).tolist()
        [[[[1.0, 1.0], [1.0, 1.0]]]]
    """

    def __init__(self, kernel_size: IntOrPair, stride: Optional[IntOrPair] = None, padding: IntOrPair = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: Optional[int] = None) -> None:
        super().__init__()
        _unsupported(bool(ceil_mode), "AvgPool2d", "ceil_mode=True")
        _unsupported(divisor_override is not None, "AvgPool2d", "divisor_override")
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode, self.count_include_pad, self.divisor_override = False, bool(count_include_pad), None
        _pool_window(kernel_size, stride, padding)  # validates the arguments now

    def forward(self, input: _core.Tensor) -> _core.Tensor:
        """``F.avg_pool2d(input, ...)``."""
        if isinstance(input, _core.Tensor) and input.ndim == 4:
            window = _pool_window(self.kernel_size, self.stride, self.padding)
            return _core.avg_pool2d(input, *window, 1 if self.count_include_pad else 0)
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding,
                            count_include_pad=self.count_include_pad)

    def extra_repr(self) -> str:
        """The settings shown by ``repr`` (torch's format)."""
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
