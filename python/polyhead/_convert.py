"""Argument normalisation shared by the Python API: numbers, numpy arrays and lists → ``_core`` tensors,
shape and dim arguments → tuples of ints. No math happens here."""

from __future__ import annotations

import operator
from typing import Any, Tuple

import numpy as np

from . import _core

__all__ = ["numeric_array", "as_array", "as_tensor", "as_count", "parse_size", "normalize_dim", "class_indices", "require_tensor"]

_CoreTensor = _core.Tensor
_NUMERIC_KINDS = "biuf"


def numeric_array(data: Any, name: str) -> np.ndarray:
    """``data`` (array-like of numbers) as a numpy array of its own real dtype (no copy for an array).

    Raises:
        TypeError: ``data`` holds non-numbers (strings, objects, complex numbers).
        ValueError: ``data`` is a ragged nested list.
    """
    if isinstance(data, np.ndarray):
        array = data
    else:
        try:
            array = np.asarray(data)
        except ValueError as exc:
            raise ValueError(f"{name} is not a rectangular array of numbers: {exc}") from None
    if array.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(f"{name} must hold real numbers, got numpy dtype {array.dtype}")
    return array


def as_array(data: Any, name: str) -> np.ndarray:
    """``data`` (array-like of numbers) as a C-contiguous float32 numpy array; copies only when needed.

    Raises:
        TypeError, ValueError: as :func:`numeric_array`.
    """
    return np.asarray(numeric_array(data, name), dtype=np.float32, order="C")


def as_tensor(value: Any, name: str) -> _CoreTensor:
    """``value`` unchanged if it is a tensor, else a new float32 tensor copied from it.

    Accepts Python numbers (→ 0-d tensors), numpy arrays and scalars of any real dtype, and nested
    lists/tuples of numbers.

    Raises:
        TypeError: naming ``name`` when ``value`` is of another type.
    """
    if isinstance(value, _CoreTensor):
        return value
    if isinstance(value, (int, float)):
        return _core.full((), float(value))
    if isinstance(value, (np.ndarray, np.generic, list, tuple)):
        return _core.from_buffer(as_array(value, name))
    raise TypeError(
        f"{name} must be a Tensor, a number, a numpy array or a nested list of numbers, "
        f"not {type(value).__name__}"
    )


def as_count(value: Any, name: str, minimum: int = 0) -> int:
    """An integer argument (a count, a size) that must be ``>= minimum``; bools are refused.

    Raises:
        TypeError: ``value`` is not an int, naming ``name``.
        ValueError: ``value`` is below ``minimum``, naming ``name``.
    """
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {value!r}")
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an int, got {type(value).__name__}") from None
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def require_tensor(value: Any, function: str, name: str = "input") -> _CoreTensor:
    """``value`` if it is a tensor; else TypeError("function(): argument 'name' must be Tensor, not …")."""
    if isinstance(value, _CoreTensor):
        return value
    raise TypeError(f"{function}(): argument '{name}' must be Tensor, not {type(value).__name__}")


def parse_size(size: Tuple[Any, ...], name: str = "size") -> Tuple[int, ...]:
    """Torch's size forms: ``(2, 3)`` from ``f(2, 3)``, ``f((2, 3))`` or ``f([2, 3])``.

    Raises:
        TypeError: an entry is not an int.
    """
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    try:
        return tuple(operator.index(s) for s in size)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of ints, got {size!r}") from None


def normalize_dim(dim: Any, ndim: int, name: str = "dim") -> int:
    """``dim`` in ``[-ndim, ndim)`` mapped to ``[0, ndim)`` (a 0-d tensor accepts 0 and -1, like torch).

    Raises:
        TypeError: ``dim`` is not an int.
        IndexError: ``dim`` is out of range (torch's message).
    """
    try:
        dim = operator.index(dim)
    except TypeError:
        raise TypeError(f"{name} must be an int, got {type(dim).__name__}") from None
    rank = max(ndim, 1)
    if not -rank <= dim < rank:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got {dim})"
        )
    return dim % rank


def class_indices(target: Any, name: str = "target") -> np.ndarray:
    """Class labels (a tensor of integral floats, an integer numpy array or a list) as a 1-D C-contiguous
    int64 numpy array, the form ``_core.cross_entropy``/``nll_loss`` take.

    Raises:
        ValueError: values are not finite integers, or ``target`` is not 1-D.
        TypeError: ``target`` is of another type or holds non-numbers.
    """
    if isinstance(target, _CoreTensor):
        array = np.asarray(target)
    elif isinstance(target, (np.ndarray, list, tuple)):
        array = np.asarray(target)
    else:
        raise TypeError(
            f"{name} must be a Tensor, a numpy array or a list of class indices, not {type(target).__name__}"
        )
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D class indices of shape (N,), got shape {tuple(array.shape)}")
    kind = array.dtype.kind
    if kind == "f":
        if not (np.isfinite(array).all() and np.array_equal(array, np.trunc(array))):
            raise ValueError(f"{name} must hold integer class indices, got non-integer values")
    elif kind not in "biu":
        raise TypeError(f"{name} must hold integer class indices, got numpy dtype {array.dtype}")
    return np.ascontiguousarray(array, dtype=np.int64)
