"""Operators and conversions with PyTorch's dtype rules over float32 storage: the result of ``+ - * // % **`` is
integer when both operands are (a Python int adapts to the tensor), float32 when either is floating point,
and ``bool`` for ``bool + bool`` (or) and ``bool * bool`` (and); ``/`` is float32; comparisons give ``bool``
tensors; ``& | ^ ~`` are bitwise on integers and logical on bools. Integer results are checked to stay exact
(|v| <= 2**24). Comparisons, ``//``, ``%`` and the bitwise operators run in numpy and record no gradient."""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional

import numpy as np

from . import _core
from ._dtype import (MAX_EXACT_INTEGER, bool_, dtype, dtype_of, exact_integers, float32, int32, int64,
                     numpy_dtype_of, with_dtype)

__all__ = ["operand", "exact_result", "binary", "compare", "integer_divide", "bitwise", "convert", "keeping_dtype",
           "result_type", "from_values"]

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
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return None
    if isinstance(value, np.ndarray):
        return numpy_dtype_of(value)
    return float32


def result_type(*values: Any) -> dtype:
    """The dtype of an op joining ``values`` (tensors, numbers, arrays), by PyTorch's order bool < int32 <
    int64 < float32: float32 if any is floating point, else the widest integer; a Python int adapts to an
    integer tensor and makes ``bool`` int64 (``bool + 1``)."""
    kinds = {_operand_dtype(value) for value in values}
    for candidate in (float32, int64, int32):
        if candidate in kinds:
            return candidate
    return bool_ if kinds == {bool_} else int64


def from_values(values: np.ndarray, target: dtype) -> _CoreTensor:
    """A new tensor of dtype ``target`` holding ``values`` (numpy, checked by ``exact_integers``)."""
    if target is float32:
        return _core.from_buffer(np.ascontiguousarray(values, dtype=np.float32))
    return with_dtype(_core.from_buffer(exact_integers(values, target, "result")), target)


def exact_result(out: _CoreTensor, target: dtype) -> _CoreTensor:
    """``out`` tagged ``target``; an integer result is checked to be representable, a ``bool`` one is made
    0/1 (``bool + bool`` is logical or)."""
    if target is bool_:
        return from_values(np.asarray(out) != 0, bool_)
    if target is not float32:
        values = np.asarray(out)
        if values.size and not np.abs(values).max() <= MAX_EXACT_INTEGER:
            raise ValueError(f"integer result exceeds 2**24 = {MAX_EXACT_INTEGER} in magnitude, which "
                             f"{target!r} tensors (float32 storage) cannot hold exactly; convert with .float()")
    return with_dtype(out, target)


def binary(core_fn: Callable, reflected: bool = False, promoting: bool = False) -> Callable:
    """A binary operator method calling ``core_fn`` (NotImplemented for operands of other types); with
    ``promoting`` the result takes the dtype the operands give (:func:`result_type`) (integer tensors' operators)."""
    def method(self: _CoreTensor, other: Any) -> Any:
        b = operand(other)
        if b is None:
            return NotImplemented
        out = core_fn(b, self) if reflected else core_fn(self, b)
        return exact_result(out, result_type(self, other)) if promoting else out
    method.__name__ = core_fn.__name__
    return method


def _values(a: _CoreTensor, b: _CoreTensor, reflected: bool) -> tuple:
    return (np.asarray(b), np.asarray(a)) if reflected else (np.asarray(a), np.asarray(b))


def _no_history(self: _CoreTensor, b: _CoreTensor, name: str) -> None:
    if self.requires_grad or b.requires_grad:
        raise RuntimeError(f"{name} records no gradient: apply it to tensors without requires_grad")


def compare(numpy_fn: Callable) -> Callable:
    """A comparison operator method: ``numpy_fn`` with broadcasting, giving a ``bool`` tensor."""
    def method(self: _CoreTensor, other: Any) -> Any:
        b = operand(other)
        if b is None:
            return NotImplemented
        return from_values(numpy_fn(np.asarray(self), np.asarray(b)), bool_)
    method.__name__ = numpy_fn.__name__
    return method


def integer_divide(numpy_fn: Callable, reflected: bool = False) -> Callable:
    """``//`` (floor division) or ``%`` (remainder with the divisor's sign, as in Python and PyTorch) with
    broadcasting; integer operands keep the integer dtype.

    Raises:
        RuntimeError: an operand requires grad (these ops record no gradient); integer division by zero
            (PyTorch's ``RuntimeError: ZeroDivisionError``).
        NotImplementedError: both operands are ``bool`` (as in PyTorch).
    """
    def method(self: _CoreTensor, other: Any) -> Any:
        b = operand(other)
        if b is None:
            return NotImplemented
        _no_history(self, b, numpy_fn.__name__)
        x, y = _values(self, b, reflected)
        target = result_type(self, other)
        if target is bool_:
            raise NotImplementedError(f"{numpy_fn.__name__} is not implemented for two bool tensors")
        if target is not float32 and not y.all():
            raise RuntimeError("ZeroDivisionError: integer division or remainder by zero")
        return from_values(numpy_fn(x, y), target)
    method.__name__ = numpy_fn.__name__
    return method


def bitwise(numpy_fn: Callable, reflected: bool = False) -> Callable:
    """``&``, ``|`` or ``^``: bitwise on integer operands, logical on ``bool`` ones, with broadcasting.

    Raises:
        TypeError: an operand is floating point (PyTorch: not implemented for float).
    """
    def method(self: _CoreTensor, other: Any) -> Any:
        b = operand(other)
        if b is None:
            return NotImplemented
        target = result_type(self, other)
        if target is float32:
            raise TypeError(f"{numpy_fn.__name__} needs integer or bool operands, got {dtype_of(self)!r} and "
                            f"{_operand_dtype(other)!r}")
        x, y = (np.asarray(v, dtype=np.int64) for v in _values(self, b, reflected))
        return from_values(numpy_fn(x, y), target)
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
    """``fn`` (a function or method whose first argument is a tensor) with its tensor results (one, or a
    tuple/list of them) keeping that tensor's dtype (shape ops, indexing, ``clone``, ``detach``)."""
    @functools.wraps(fn)
    def method(self: _CoreTensor, *args: Any, **kwargs: Any) -> Any:
        out = fn(self, *args, **kwargs)
        kind = dtype_of(self)
        if kind is float32:
            return out
        if isinstance(out, (tuple, list)):
            return type(out)(with_dtype(t, kind) for t in out)
        return with_dtype(out, kind)
    return method
