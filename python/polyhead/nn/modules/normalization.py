"""``nn.LayerNorm``."""

from __future__ import annotations

import operator
from typing import Any, Sequence, Tuple, Union

from ... import _core
from ..parameter import Parameter
from .module import Module

__all__ = ["LayerNorm"]


class LayerNorm(Module):
    """Layer normalization (Ba et al. 2016) over the trailing dims ``normalized_shape``: each slice gets mean 0
    and biased variance 1, then ``* weight + bias`` elementwise.

    Args:
        normalized_shape: an int or the trailing shape to normalize over.
        eps: added to the variance. Default: 1e-5.
        elementwise_affine: learn ``weight`` (ones) and ``bias`` (zeros). Default: True.
        bias: learn ``bias`` too (with ``elementwise_affine``). Default: True.

    Shape:
        (*, normalized_shape) → the same shape.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> m = nn.LayerNorm(4)
        >>> y = m(polyhead.randn(2, 3, 4))
        >>> y.shape, [round(v, 4) for v in y.mean(-1).flatten().tolist()] == [0.0] * 6
        (polyhead.Size([2, 3, 4]), True)
        >>> m
        LayerNorm((4,), eps=1e-05, elementwise_affine=True)
    """

    def __init__(self, normalized_shape: Union[int, Sequence[int]], eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        shape = (normalized_shape,) if not isinstance(normalized_shape, (tuple, list)) else normalized_shape
        self.normalized_shape: Tuple[int, ...] = tuple(operator.index(d) for d in shape)
        if not self.normalized_shape or min(self.normalized_shape) < 1:
            raise ValueError(f"normalized_shape must be a non-empty shape of positive sizes, got {normalized_shape!r}")
        self.eps = float(eps)
        self.elementwise_affine = bool(elementwise_affine)
        if self.elementwise_affine:
            self.weight = Parameter(_core.full(self.normalized_shape, 1.0))
        else:
            self.register_parameter("weight", None)
        if self.elementwise_affine and bias:
            self.bias = Parameter(_core.full(self.normalized_shape, 0.0))
        else:
            self.register_parameter("bias", None)

    def forward(self, input: _core.Tensor) -> _core.Tensor:
        """Normalizes ``input`` over its trailing ``normalized_shape`` dims."""
        params = self._parameters
        if not isinstance(input, _core.Tensor):
            raise TypeError(f"layer_norm(): argument 'input' must be Tensor, not {type(input).__name__}")
        return _core.layer_norm(input, self.normalized_shape, params["weight"], params["bias"], self.eps)

    def extra_repr(self) -> str:
        """The settings shown by ``repr`` (torch's format)."""
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
