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
from ._dtype import bool_, exact_integers, float32, int32, int64, register_tensor_class, with_dtype
from ._convert import as_tensor
from ._integer_ops import binary, convert, exact_result, from_values, keeping_dtype, result_type
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
    _subtract, _subtract_from = binary(_core.sub, promoting=True), binary(_core.sub, reflected=True, promoting=True)

    def __sub__(self, other: Any) -> Tensor:
        _refuse_bool_subtraction(self, other)
        return self._subtract(other)

    def __rsub__(self, other: Any) -> Tensor:
        _refuse_bool_subtraction(self, other)
        return self._subtract_from(other)

    __mul__, __rmul__ = binary(_core.mul, promoting=True), binary(_core.mul, reflected=True, promoting=True)

    def __pow__(self, exponent: Any) -> Tensor:
        """``self ** exponent``: integer for an int exponent, float32 for a float one.

        Raises:
            RuntimeError: a negative int exponent (as in PyTorch).
        """
        integral = isinstance(exponent, (int, np.integer))
        if integral and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed")
        out = Tensor.__pow__(self, exponent)
        return out if out is NotImplemented else exact_result(out, result_type(self, exponent) if integral else float32)

    __neg__ = keeping_dtype(Tensor.__neg__)
    detach, clone = keeping_dtype(Tensor.detach), keeping_dtype(Tensor.clone)

    def __invert__(self) -> Tensor:
        """``~self``: logical not of a bool tensor, bitwise not (``-x - 1``) of an integer one."""
        return from_values(np.invert(np.asarray(self)), self.dtype)

    def __index__(self) -> int:
        """The value of a one-element integer tensor, so that it can index lists and ranges."""
        if self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    @property
    def data(self) -> Tensor:
        """A detached tensor of this dtype sharing this tensor's storage; assigning copies converted values."""
        return with_dtype(_core.detach(self), self.dtype)

    @data.setter
    def data(self, value: Any) -> None:
        Tensor.data.fset(self, convert(as_tensor(value, "data"), self.dtype))

    # ------------------------------------------------------------ in place, with PyTorch's casting rule

    def _assign(self, result: Tensor) -> "_IntegerTensor":
        """Writes ``result`` (an op of ``self``) into ``self``; PyTorch refuses a float result in an integer
        tensor and an integer result in a bool one."""
        if result.dtype is float32 or (self.dtype is bool_ and result.dtype is not bool_):
            raise RuntimeError(f"result type {result.dtype!r} can't be cast to the desired output type {self.dtype!r}")
        _core.copy_(self, result)
        return self

    def add_(self, other: Any, *, alpha: Any = 1) -> "_IntegerTensor":
        """In place ``self += alpha * other`` (see :meth:`_assign` for the dtypes allowed)."""
        return self._assign(self + (other if alpha == 1 else other * alpha))

    def sub_(self, other: Any, *, alpha: Any = 1) -> "_IntegerTensor":
        """In place ``self -= alpha * other``."""
        return self._assign(self - (other if alpha == 1 else other * alpha))

    def mul_(self, other: Any) -> "_IntegerTensor":
        """In place ``self *= other``."""
        return self._assign(self * other)

    def div_(self, other: Any) -> "_IntegerTensor":
        """Refused, as in PyTorch: true division gives floats."""
        return self._assign(self / other)

    __iadd__, __isub__, __imul__, __itruediv__ = add_, sub_, mul_, div_

    def copy_(self, src: Any, non_blocking: bool = False) -> "_IntegerTensor":
        """Copies ``src`` (broadcast to this shape) converted to this dtype: floats truncate toward zero, bool
        is ``value != 0`` (PyTorch's casts)."""
        _core.copy_(self, convert(as_tensor(src, "src"), self.dtype))
        return self

    def fill_(self, value: Any) -> "_IntegerTensor":
        """Sets every element to ``value`` converted to this dtype (see :meth:`copy_`)."""
        return self.copy_(value)


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


def _refuse_bool_subtraction(a: Tensor, b: Any) -> None:
    """PyTorch refuses ``-`` with a bool operand (an integer tensor's other operand may be one)."""
    if bool_ in (a.dtype, result_type(b)):
        raise NotImplementedError("subtraction (-) with a bool tensor is not supported; use `~` to invert a mask "
                                  "or `^` (xor) for two masks")


for _cls in (LongTensor, IntTensor, BoolTensor):
    register_tensor_class(_cls.dtype, _cls)
_core.set_integer_tensor_class(_IntegerTensor)
