"""Operators and conversions with PyTorch's dtype rules over float32 storage: the result of ``+ - * // % **`` is
integer when both operands are (a Python int adapts to the tensor), float32 when either is floating point;
``/`` is float32; comparisons give ``bool`` tensors. Integer results are checked to stay exact (|v| <= 2**24).
Comparisons, ``//`` and ``%`` run in numpy and record no gradient."""

from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

from . import _core
from ._dtype import MAX_EXACT_INTEGER, bool_, dtype, dtype_of, exact_integers, float32, int32, int64, with_dtype

__all__ = ["operand", "exact_result", "binary", "compare", "integer_divide", "convert", "keeping_dtype", "promote"]

_CoreTensor = _core.Tensor


def operand(value: Any) -> Optional[_CoreTensor]:
    """The other operand of a binary operator as a tensor, or None (→ NotImplemented) for other types."""
    if isinstance(value, _CoreTensor):
        return value
    if isinstance(value, (int, float)):
        return _core.full((), float(value))
    if isinstance(value, (np.ndarray, np.generic)):
        from ._convert import as_tensor
        return as_tensor(value, "other")
    return None


def _operand_dtype(value: Any) -> Optional[dtype]:
    """The dtype an operand brings to promotion; None for a Python/numpy int, which adapts (weak scalar)."""
    if isinstance(value, _CoreTensor):
        return dtype_of(value)
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, np.ndarray) and value.dtype.kind in "iu":
        return int64
    return float32


def promote(a: Any, b: Any) -> dtype:
    """The dtype of ``a ⊕ b`` for ``+ - * // %``: float32 if either is floating point, else the wider integer
    (``bool ⊕ bool`` gives int64, since storage holds the integer sum)."""
    kinds = {_operand_dtype(a), _operand_dtype(b)} - {None}
    if float32 in kinds:
        return float32
    if int64 in kinds or kinds <= {bool_}:
        return int64
    return int32


def exact_result(out: _CoreTensor, target: dtype) -> _CoreTensor:
    """``out`` tagged ``target``; an integer result is checked to be representable."""
    if target is not float32:
        values = np.asarray(out)
        if values.size and not np.abs(values).max() <= MAX_EXACT_INTEGER:
            raise ValueError(f"integer result exceeds 2**24 = {MAX_EXACT_INTEGER} in magnitude, which "
                             f"{target!r} tensors (float32 storage) cannot hold exactly; convert with .float()")
    return with_dtype(out, target)


def binary(core_fn: Callable, reflected: bool = False, promoting: bool = False) -> Callable:
    """A binary operator method calling ``core_fn`` (NotImplemented for operands of other types); with
    ``promoting`` the result takes the dtype :func:`promote` gives (integer tensors' operators)."""
    def method(self: _CoreTensor, other: Any) -> Any:
        b = operand(other)
        if b is None:
            return NotImplemented
        out = core_fn(b, self) if reflected else core_fn(self, b)
        return exact_result(out, promote(self, other)) if promoting else out
    method.__name__ = core_fn.__name__
    return method


def _values(a: _CoreTensor, b: _CoreTensor, reflected: bool) -> tuple:
    return (np.asarray(b), np.asarray(a)) if reflected else (np.asarray(a), np.asarray(b))


def compare(numpy_fn: Callable) -> Callable:
    """A comparison operator method: ``numpy_fn`` with broadcasting, giving a ``bool`` tensor."""
    def method(self: _CoreTensor, other: Any) -> Any:
        b = operand(other)
        if b is None:
            return NotImplemented
        result = numpy_fn(np.asarray(self), np.asarray(b))
        return with_dtype(_core.from_buffer(np.ascontiguousarray(result, dtype=np.float32)), bool_)
    method.__name__ = numpy_fn.__name__
    return method


def integer_divide(numpy_fn: Callable, reflected: bool = False) -> Callable:
    """``//`` (floor division) or ``%`` (remainder with the divisor's sign, as in Python and PyTorch) with
    broadcasting; integer operands keep the integer dtype.

    Raises:
        RuntimeError: an operand requires grad (these ops record no gradient).
        ZeroDivisionError: integer division by zero.
    """
    def method(self: _CoreTensor, other: Any) -> Any:
        b = operand(other)
        if b is None:
            return NotImplemented
        if self.requires_grad or b.requires_grad:
            raise RuntimeError(f"{numpy_fn.__name__} records no gradient: apply it to tensors without requires_grad")
        x, y = _values(self, b, reflected)
        target = promote(self, other)
        if target is not float32 and not y.all():
            raise ZeroDivisionError("integer division or remainder by zero")
        return with_dtype(_core.from_buffer(np.ascontiguousarray(numpy_fn(x, y), dtype=np.float32)), target)
    method.__name__ = numpy_fn.__name__
    return method


def convert(tensor: _CoreTensor, target: dtype) -> _CoreTensor:
    """``tensor`` as dtype ``target``: itself if it has that dtype already, else a copy without history.
    Floats become integers by truncation toward zero (PyTorch's ``.long()``); bool is ``value != 0``.

    Raises:
        ValueError: NaN/inf, or magnitudes above 2**24, converted to an integer dtype.
    """
    if dtype_of(tensor) is target:
        return tensor
    if target is float32:
        return _core.from_buffer(np.array(tensor, dtype=np.float32))
    values = np.asarray(tensor) if target is bool_ else np.trunc(np.asarray(tensor))
    return with_dtype(_core.from_buffer(exact_integers(values, target, "tensor")), target)


def keeping_dtype(fn: Callable) -> Callable:
    """A method calling ``fn`` whose tensor results (one, or a tuple/list of them) keep ``self``'s dtype
    (shape ops, indexing, ``clone``, ``detach``)."""
    def method(self: _CoreTensor, *args: Any, **kwargs: Any) -> Any:
        out = fn(self, *args, **kwargs)
        kind = dtype_of(self)
        if kind is float32:
            return out
        if isinstance(out, (tuple, list)):
            return type(out)(with_dtype(t, kind) for t in out)
        return with_dtype(out, kind)
    method.__name__ = getattr(fn, "__name__", "method")
    method.__doc__ = fn.__doc__
    return method
