"""``nn.Parameter``: a tensor that a ``Module`` registers as one of its parameters."""

from __future__ import annotations

from typing import Any

from .. import _core
from .._convert import as_tensor
from .._tensor import Tensor

__all__ = ["Parameter"]


class Parameter(Tensor):
    """A leaf tensor that requires grad by default and is registered when assigned to a ``Module``.

    ``Parameter(t)`` shares ``t``'s storage (like torch); numpy arrays and lists are copied.

    Args:
        data: initial values (tensor, numpy array, list). Default: an empty tensor.
        requires_grad: whether the parameter requires grad. Default: True.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> p = nn.Parameter(polyhead.zeros(2))
        >>> p.requires_grad, p.is_leaf
        (True, True)
    """

    __slots__ = ()

    def __new__(cls, data: Any = None, requires_grad: bool = True) -> "Parameter":
        source = _core.full((0,), 0.0) if data is None else as_tensor(data, "data")
        parameter = _core.Tensor.__new__(cls, source)
        if requires_grad:
            parameter.requires_grad = True
        return parameter

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
