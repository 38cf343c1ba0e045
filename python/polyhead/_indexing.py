"""Indexing of tensors (``tensor[key]``): ints, slices, boolean masks and integer arrays select entries
along axis 0 through ``_core.index_select``; ``t[rows, cols]`` on a 2-D tensor goes through transposes; other
keys (``...``, ``None``, several axes) follow numpy through ``_layout_ops.index_with_numpy``.
``where(condition, input, other)`` picks elementwise from two tensors the same way. Results keep the dtype.
``tensor[key] = value`` (``setitem``) takes any numpy index, on a copy of the values written back in place."""

from __future__ import annotations

import math
import operator
from typing import Any, Tuple, Union

import numpy as np

from . import _core
from ._convert import as_tensor
from ._dtype import int64, with_dtype
from ._integer_ops import keeping_dtype, result_type
from ._layout_ops import index_with_numpy

__all__ = ["getitem", "setitem", "where", "nonzero"]

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
    if isinstance(key, (str, bytes, float)):
        raise IndexError(f"unsupported index {key!r}: use ints, slices, boolean masks or integer arrays")
    if isinstance(key, (_core.Tensor, np.ndarray)) and key.ndim > 1 and np.asarray(key).dtype.kind == "b":
        return _select_masked(tensor, np.asarray(key))
    index = _index_array(key, rows)
    picked = _core.index_select(tensor, index.reshape(-1))
    return _core.reshape(picked, index.shape + shape[1:]) if index.ndim != 1 else picked


def _select_masked(tensor: _core.Tensor, mask: np.ndarray) -> _core.Tensor:
    """``tensor[mask]`` for a bool mask over the leading ``mask.ndim`` dimensions (``x[x > 0]``): the selected
    entries, one row each, in row-major order."""
    shape = _shape(tensor)
    if mask.shape != shape[:mask.ndim]:
        raise IndexError(f"the shape of the mask {mask.shape} does not match the shape of the indexed tensor {shape}")
    rows = _core.reshape(tensor, (math.prod(mask.shape),) + shape[mask.ndim:])
    return _core.index_select(rows, np.flatnonzero(mask).astype(np.int64))


@keeping_dtype
def getitem(tensor: _core.Tensor, key: Any) -> _core.Tensor:
    """``tensor[key]``; see ``Tensor.__getitem__``."""
    if not isinstance(key, tuple):
        key = (key,)
    if any(part is None or part is Ellipsis for part in key) or len(key) > 2 or (len(key) == 2 and tensor.ndim != 2):
        return index_with_numpy(tensor, key)
    if len(key) == 1:
        return _select_rows(tensor, key[0])
    rows, cols = key
    if not isinstance(rows, (int, np.integer, slice)) and not isinstance(cols, (int, np.integer, slice)):
        return index_with_numpy(tensor, key)  # two index arrays pair up elementwise
    if isinstance(rows, (int, np.integer)):
        return _select_rows(_select_rows(tensor, rows), cols)
    if isinstance(cols, slice) and cols == slice(None):
        return _select_rows(tensor, rows)
    picked = _select_rows(_core.transpose(tensor), cols)
    if picked.ndim == 1:
        return _select_rows(picked, rows)
    return _select_rows(_core.transpose(picked), rows)


def setitem(tensor: _core.Tensor, key: Any, value: Any) -> None:
    """``tensor[key] = value`` with numpy's indexing (ints, slices, masks, index arrays or tensors, tuples of
    them) and broadcasting; ``value`` is converted to the tensor's dtype (floats truncate in integer tensors).
    The values are copied out, updated and written back with ``copy_`` (O(size) per assignment).

    Raises:
        IndexError, ValueError: a key numpy refuses, a ``value`` that does not broadcast to the selection.
        RuntimeError: the tensor has recorded history, or is a leaf requiring grad outside ``no_grad()``.
    """
    values = np.array(tensor)
    parts = key if isinstance(key, tuple) else (key,)
    index = tuple(np.asarray(part) if isinstance(part, _core.Tensor) else part for part in parts)
    values[index] = np.asarray(value)
    tensor.copy_(values)


def where(condition: Any, input: Any = None, other: Any = None) -> Union[_core.Tensor, Tuple[_core.Tensor, ...]]:
    """Elementwise ``input`` where ``condition`` is True, else ``other`` (broadcast together; tensors or
    numbers); gradients flow to both. ``where(condition)`` alone gives the indices of the True elements, one
    ``int64`` tensor per dimension. The result has the dtype ``input`` and ``other`` promote to.

    Raises:
        TypeError: ``condition`` is not a bool tensor or array; only one of ``input``/``other`` is given.
        ValueError: the shapes do not broadcast.

    Examples:
        >>> import polyhead
        >>> x = polyhead.tensor([1.0, -2.0, 3.0])
        >>> polyhead.where(x > 0, x, 0.0).tolist(), polyhead.where(x > 0)[0].tolist()
        ([1.0, 0.0, 3.0], [0, 2])
    """
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    mask = np.asarray(condition)
    if mask.dtype.kind != "b":
        raise TypeError(f"where(): condition must be a bool tensor, got {getattr(condition, 'dtype', mask.dtype)}")
    if input is None or other is None:
        raise TypeError("where(): give both input and other, or neither")
    target = result_type(input, other)
    a, b = as_tensor(input, "input"), as_tensor(other, "other")
    try:
        shape = np.broadcast_shapes(mask.shape, _shape(a), _shape(b))
    except ValueError:
        raise ValueError(f"where(): shapes do not broadcast: condition {mask.shape}, input {_shape(a)}, "
                         f"other {_shape(b)}") from None
    zeros, count = _core.full(shape, 0.0), math.prod(shape)
    both = _core.concat([_core.reshape(_core.add(t, zeros), (-1,)) for t in (a, b)], 0)
    rows = np.arange(count, dtype=np.int64)
    picks = np.where(np.broadcast_to(mask, shape).reshape(-1), rows, rows + count)
    return with_dtype(_core.reshape(_core.index_select(both, picks), shape), target)


def nonzero(input: Any, *, as_tuple: bool = False) -> Union[_core.Tensor, Tuple[_core.Tensor, ...]]:
    """The indices of the non-zero (True) elements of ``input``, in row-major order: an ``int64`` tensor of
    shape ``(count, input.ndim)``, or with ``as_tuple`` one ``int64`` tensor per dimension (``where(input)``).

    Examples:
        >>> import polyhead
        >>> t = polyhead.tensor([[0, 3], [5, 0]])
        >>> t.nonzero().tolist(), [i.tolist() for i in polyhead.nonzero(t, as_tuple=True)]
        ([[0, 1], [1, 0]], [[0, 1], [1, 0]])
    """
    values = np.asarray(input)
    columns = np.nonzero(values.reshape(-1) if values.ndim == 0 else values)
    if as_tuple:
        return tuple(with_dtype(_core.from_buffer(c.astype(np.float32)), int64) for c in columns)
    table = np.stack(columns, axis=1) if values.ndim else np.zeros((columns[0].size, 0))
    return with_dtype(_core.from_buffer(table.astype(np.float32)), int64)
