"""Indexing of tensors (``tensor[key]``): ints, slices, boolean masks and integer arrays select entries
along axis 0 through ``_core.index_select``; ``t[rows, cols]`` on a 2-D tensor goes through transposes."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from . import _core

__all__ = ["getitem"]

_shape = _core.Tensor.shape.__get__


def _index_array(key: Any, rows: int) -> np.ndarray:
    """An axis-0 index (int, slice, bool mask, integer array/list/tensor) as an int64 numpy array."""
    if isinstance(key, slice):
        return np.arange(*key.indices(rows), dtype=np.int64)
    array = np.asarray(key)
    if array.dtype.kind == "b":
        if array.shape != (rows,):
            raise IndexError(f"boolean index of shape {array.shape} does not match dimension 0 of size {rows}")
        return np.flatnonzero(array).astype(np.int64)
    if array.dtype.kind == "f" and np.array_equal(array, np.trunc(array)):
        array = array.astype(np.int64)
    if array.dtype.kind not in "iu":
        raise IndexError("tensors can only be indexed by ints, slices, boolean masks or integer arrays, "
                         f"not {type(key).__name__}")
    return np.ascontiguousarray(array, dtype=np.int64)


def _select_rows(tensor: _core.Tensor, key: Any) -> _core.Tensor:
    """``tensor[key]`` for one key applied to axis 0."""
    shape = _shape(tensor)
    if not shape:
        raise IndexError("invalid index of a 0-dim tensor")
    rows = shape[0]
    if isinstance(key, (int, np.integer)) and not isinstance(key, (bool, np.bool_)):
        index = operator.index(key)
        if not -rows <= index < rows:
            raise IndexError(f"index {index} is out of bounds for dimension 0 with size {rows}")
        picked = _core.index_select(tensor, np.array([index], dtype=np.int64))
        return _core.reshape(picked, shape[1:])
    if key is None or key is Ellipsis or isinstance(key, (str, bytes, float)):
        raise IndexError(f"unsupported index {key!r}: use ints, slices, boolean masks or integer arrays")
    index = _index_array(key, rows)
    picked = _core.index_select(tensor, index.reshape(-1))
    return _core.reshape(picked, index.shape + shape[1:]) if index.ndim != 1 else picked


def getitem(tensor: _core.Tensor, key: Any) -> _core.Tensor:
    """``tensor[key]``; see ``Tensor.__getitem__``."""
    if not isinstance(key, tuple):
        return _select_rows(tensor, key)
    if len(key) == 1:
        return _select_rows(tensor, key[0])
    if len(key) != 2 or tensor.ndim != 2:
        raise IndexError("only indexing along axis 0, or along both axes of a 2-D tensor, is supported")
    rows, cols = key
    if isinstance(rows, (int, np.integer)):
        return _select_rows(_select_rows(tensor, rows), cols)
    if isinstance(cols, slice) and cols == slice(None):
        return _select_rows(tensor, rows)
    picked = _select_rows(_core.transpose(tensor), cols)
    if picked.ndim == 1:
        return _select_rows(picked, rows)
    return _select_rows(_core.transpose(picked), rows)
