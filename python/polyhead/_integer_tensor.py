"""Integer tensors: ``LongTensor`` (``int64``), ``IntTensor`` (``int32``) and ``BoolTensor`` (``bool``), the
``Tensor`` subclasses of the integer dtypes. Their storage is float32 holding exact integers (|v| <= 2**24); a
core result becomes one by switching its class (``_dtype.with_dtype``), so float32 tensors pay nothing.

They keep their dtype through arithmetic with integers (``+ - * // % **``, ``-``, ``& | ^ ~``), shape ops,
``cat``/``stack``/``where``, indexing, ``clone``/``detach``; ``sum`` gives int64 and ``max`` keeps the dtype
(PyTorch's rules, see ``_integer_ops.result_type``); ``mean`` needs ``dtype=polyhead.float32``. ``/`` and any
op with a float32 operand give float32, as do the float math ops (``exp``, ``matmul``, …).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _core
from ._dtype import bool_, exact_integers, float32, int32, int64, register_tensor_class
from ._integer_ops import binary, exact_result, from_values, keeping_dtype, promote
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
    detach, clone = keeping_dtype(Tensor.detach), keeping_dtype(Tensor.clone)

    def __invert__(self) -> Tensor:
        """``~self``: logical not of a bool tensor, bitwise not (``-x - 1``) of an integer one."""
        return from_values(np.invert(np.asarray(self)), self.dtype)


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
        raise NotImplementedError("negation (-) of a bool tensor is not supported; use `~` to invert a mask")

    def __sub__(self, other: Any) -> Tensor:
        _refuse_bool_subtraction(self, other)
        return _IntegerTensor.__sub__(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        _refuse_bool_subtraction(self, other)
        return _IntegerTensor.__rsub__(self, other)


def _refuse_bool_subtraction(a: Tensor, b: Any) -> None:
    if promote(a, b) is bool_:
        raise NotImplementedError("subtraction (-) of two bool tensors is not supported; use `^` (xor) instead")


for _cls in (LongTensor, IntTensor, BoolTensor):
    register_tensor_class(_cls.dtype, _cls)
_core.set_integer_tensor_class(_IntegerTensor)
