"""Integer tensors: ``LongTensor`` (``int64``), ``IntTensor`` (``int32``) and ``BoolTensor`` (``bool``), the
``Tensor`` subclasses of the integer dtypes. Their storage is float32 holding exact integers (|v| <= 2**24); a
core result becomes one by switching its class (``_dtype.with_dtype``), so float32 tensors pay nothing.

They keep their dtype through arithmetic with integers (``+ - * // % **``, ``-``), shape ops, indexing,
``clone``/``detach`` and ``sum``/``max`` (PyTorch's rules, see ``_integer_ops.promote``); ``/`` and any op
with a float32 operand give float32, as do ops not listed here (``polyhead.cat``, ``mean``, …).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _core, _shape_ops
from ._dtype import bool_, exact_integers, float32, int32, int64, register_tensor_class
from ._integer_ops import binary, exact_result, keeping_dtype, promote
from ._tensor import Tensor

__all__ = ["LongTensor", "IntTensor", "BoolTensor"]

_requires_grad = _core.Tensor.requires_grad


class _IntegerTensor(Tensor):
    """The operators and methods integer tensors override to keep their dtype.

    ``LongTensor(data)`` copies integer data (checked like ``tensor(data, dtype=long)``); ``LongTensor(2, 3)``
    makes zeros of that shape (PyTorch's legacy constructors).
    """

    __slots__ = ()

    def __new__(cls, *args: Any) -> "_IntegerTensor":
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            values = exact_integers(np.asarray(args[0]), cls.dtype, "data")
            return _core.Tensor.__new__(cls, _core.from_buffer(values))
        return Tensor.__new__(cls, *args)

    @property
    def requires_grad(self) -> bool:
        """False: integer tensors record no history."""
        return _requires_grad.__get__(self)

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value:
            raise RuntimeError(f"only Tensors of floating point dtype can require gradients, got {self.dtype!r}")
        _requires_grad.__set__(self, value)

    __add__, __radd__ = binary(_core.add, promoting=True), binary(_core.add, reflected=True, promoting=True)
    __sub__, __rsub__ = binary(_core.sub, promoting=True), binary(_core.sub, reflected=True, promoting=True)
    __mul__, __rmul__ = binary(_core.mul, promoting=True), binary(_core.mul, reflected=True, promoting=True)

    def __pow__(self, exponent: Any) -> Tensor:
        out = Tensor.__pow__(self, exponent)
        whole = isinstance(exponent, (int, np.integer)) and exponent >= 0
        return out if out is NotImplemented else exact_result(out, promote(self, exponent) if whole else float32)

    __neg__ = keeping_dtype(Tensor.__neg__)
    __getitem__ = keeping_dtype(Tensor.__getitem__)
    detach, clone = keeping_dtype(Tensor.detach), keeping_dtype(Tensor.clone)
    reshape, view = keeping_dtype(_shape_ops.reshape), keeping_dtype(_shape_ops.view)
    transpose, t = keeping_dtype(_shape_ops.transpose), keeping_dtype(_shape_ops.t)
    flatten, unsqueeze = keeping_dtype(_shape_ops.flatten), keeping_dtype(_shape_ops.unsqueeze)
    squeeze, split = keeping_dtype(_shape_ops.squeeze), keeping_dtype(_shape_ops.split)
    chunk, unbind = keeping_dtype(_shape_ops.chunk), keeping_dtype(_shape_ops.unbind)


class LongTensor(_IntegerTensor):
    """A tensor of dtype ``polyhead.int64`` (``long``): class labels, indices (``argmax``, ``randperm``)."""

    __slots__ = ()
    dtype = int64


class IntTensor(_IntegerTensor):
    """A tensor of dtype ``polyhead.int32`` (``int``)."""

    __slots__ = ()
    dtype = int32


class BoolTensor(_IntegerTensor):
    """A tensor of dtype ``polyhead.bool``: comparison results and masks (``x[mask]`` selects rows)."""

    __slots__ = ()
    dtype = bool_

    def __neg__(self) -> Tensor:
        raise TypeError("negation (-) of a bool tensor is not supported; use logical_not-style `mask == 0`")


for _cls in (LongTensor, IntTensor, BoolTensor):
    register_tensor_class(_cls.dtype, _cls)
