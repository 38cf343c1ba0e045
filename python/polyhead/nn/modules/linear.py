"""``nn.Linear`` and ``nn.Identity``."""

from __future__ import annotations

import operator
from typing import Any

from ... import _core
from ...autograd import no_grad
from .. import functional as F
from ..parameter import Parameter
from .module import Module

__all__ = ["Linear", "Identity"]


def _feature_count(value: Any, name: str) -> int:
    """``value`` as an int; TypeError naming ``name`` otherwise (the core checks the range)."""
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an int, got {type(value).__name__}") from None


class Identity(Module):
    """Returns its input unchanged (arguments are accepted and ignored, like torch)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:
        """Returns ``input``."""
        return input


class Linear(Module):
    """Affine map ``y = x @ weight.T + bias``.

    Weights start like torch's (kaiming-uniform with a=√5 for ``weight``, uniform ±1/√in_features for
    ``bias``), drawn by the core from the global generator, so Swift and Python give equal layers for
    equal seeds.

    Args:
        in_features: size of each input sample.
        out_features: size of each output sample.
        bias: learn an additive bias. Default: True.

    Shape:
        Input (*, in_features) → output (*, out_features).

    Attributes:
        weight: (out_features, in_features) parameter.
        bias: (out_features) parameter, or None.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> m = nn.Linear(20, 30)
        >>> m(polyhead.randn(128, 20)).shape
        polyhead.Size([128, 30])
        >>> m
        Linear(in_features=20, out_features=30, bias=True)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        super().__init__()
        self.in_features = _feature_count(in_features, "in_features")
        self.out_features = _feature_count(out_features, "out_features")
        weight, bias_tensor = _core.linear_init(self.in_features, self.out_features, 1 if bias else 0)
        self.weight = Parameter(weight)
        if bias:
            self.bias = Parameter(bias_tensor)
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        """Draws fresh initial values (same distribution as at construction)."""
        weight, bias = _core.linear_init(self.in_features, self.out_features, 1 if self.bias is not None else 0)
        with no_grad():
            _core.copy_(self.weight, weight)
            if self.bias is not None:
                _core.copy_(self.bias, bias)

    def forward(self, input: Any) -> _core.Tensor:
        """``F.linear(input, self.weight, self.bias)``."""
        params = self._parameters
        if isinstance(input, _core.Tensor) and input.ndim == 2:  # the common case, without F.linear's reshapes
            return _core.linear(input, params["weight"], params["bias"])
        return F.linear(input, params["weight"], params["bias"])

    def extra_repr(self) -> str:
        """The settings shown by ``repr``."""
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
