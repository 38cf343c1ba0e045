"""``nn.Conv2d``: 2-D convolution over NCHW images."""

from __future__ import annotations

import operator
from typing import Any, Tuple, Union

from ... import _core
from ...autograd import no_grad
from .. import functional as F
from .._layer_functional import IntOrPair, _conv_padding, _pair, _unsupported
from ..parameter import Parameter
from .module import Module

__all__ = ["Conv2d"]


class Conv2d(Module):
    """2-D convolution (cross-correlation, like torch) over an input of ``in_channels`` planes.

    Weights start like torch's: ``weight`` and ``bias`` uniform in ±1/√(in_channels·kH·kW)
    (kaiming-uniform with a=√5), drawn by the core from the global generator, weight first.

    Args:
        in_channels: channels of the input.
        out_channels: channels produced.
        kernel_size: an int or ``(kH, kW)``.
        stride: an int or ``(sH, sW)``. Default: 1.
        padding: zeros added on both sides: an int, a pair, ``'valid'`` or ``'same'``. Default: 0.
        dilation, groups: only 1 is supported. padding_mode: only ``'zeros'``.
        bias: learn an additive bias. Default: True.

    Shape:
        Input (N, C_in, H, W) or (C_in, H, W) → (N, C_out, H_out, W_out),
        ``H_out = (H + 2·padding[0] − kernel_size[0]) // stride[0] + 1``.

    Attributes:
        weight: (out_channels, in_channels, kH, kW) parameter.
        bias: (out_channels) parameter, or None.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> m = nn.Conv2d(3, 16, 3, padding=1)
        >>> m(polyhead.randn(2, 3, 8, 8)).shape
        polyhead.Size([2, 16, 8, 8])
        >>> m
        Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntOrPair, stride: IntOrPair = 1,
                 padding: Union[IntOrPair, str] = 0, dilation: IntOrPair = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        _unsupported(_pair(dilation, "dilation") != (1, 1), "Conv2d", "dilation other than 1")
        _unsupported(groups != 1, "Conv2d", "groups other than 1")
        _unsupported(padding_mode != "zeros", "Conv2d", f"padding_mode={padding_mode!r}")
        self.in_channels = operator.index(in_channels)
        self.out_channels = operator.index(out_channels)
        self.kernel_size: Tuple[int, int] = _pair(kernel_size, "kernel_size")
        self.stride: Tuple[int, int] = _pair(stride, "stride")
        self.padding: Union[Tuple[int, int], str] = padding if isinstance(padding, str) else _pair(padding, "padding")
        _conv_padding(padding, self.kernel_size, self.stride)  # validates 'same'/'valid' now, like torch
        self.dilation, self.groups, self.padding_mode = (1, 1), 1, "zeros"
        weight, bias_tensor = _core.conv2d_init(self.in_channels, self.out_channels, *self.kernel_size,
                                                1 if bias else 0)
        self.weight = Parameter(weight)
        if bias:
            self.bias = Parameter(bias_tensor)
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        """Draws fresh initial values (same distribution as at construction)."""
        weight, bias = _core.conv2d_init(self.in_channels, self.out_channels, *self.kernel_size,
                                         1 if self.bias is not None else 0)
        with no_grad():
            _core.copy_(self.weight, weight)
            if self.bias is not None:
                _core.copy_(self.bias, bias)

    def forward(self, input: _core.Tensor) -> _core.Tensor:
        """The convolution of ``input`` with ``weight`` plus ``bias``."""
        params = self._parameters
        s = _pair(self.stride, "stride")
        p = _conv_padding(self.padding, _pair(self.kernel_size, "kernel_size"), s)
        if isinstance(input, _core.Tensor) and input.ndim == 4:  # the common case, straight to the core
            return _core.conv2d(input, params["weight"], params["bias"], s[0], s[1], p[0], p[1])
        return F.conv2d(input, params["weight"], params["bias"], s, p)

    def extra_repr(self) -> str:
        """The settings shown by ``repr`` (torch's format)."""
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            text += f", padding={self.padding!r}" if isinstance(self.padding, str) else f", padding={self.padding}"
        if self.bias is None:
            text += ", bias=False"
        return text
