"""Ops that move elements by an index map: ``permute``, ``expand``/``expand_as``, ``repeat``, ``gather``,
``topk`` and the general case of ``tensor[key]`` (``...``, ``None``, several axes, index arrays on any axis).

Each computes, in numpy, which flat position of the input every output element comes from (the op applied to
``arange(numel).reshape(shape)``) and makes the result with one ``_core.index_select`` of the flattened tensor:
O(numel) work, and the gradient (a scatter-add) flows through the core's autodiff. Results keep the dtype.
"""

from __future__ import annotations

import math
import operator
from collections import namedtuple
from typing import Any, Tuple

import numpy as np

from . import _core
from ._convert import normalize_dim, require_tensor
from ._dtype import dtype_of, float32, int64, with_dtype
from ._integer_ops import exact_result, keeping_dtype

_CoreTensor = _core.Tensor
_shape = _core.Tensor.shape.__get__


def positions(tensor: _CoreTensor) -> np.ndarray:
    """The flat position of every element of ``tensor``, shaped like it (``arange(numel).reshape(shape)``)."""
    shape = _shape(tensor)
    return np.arange(math.prod(shape), dtype=np.int64).reshape(shape)


def take(tensor: _CoreTensor, picked: np.ndarray) -> _CoreTensor:
    """A tensor shaped like ``picked`` holding the elements of ``tensor`` at the flat positions ``picked``."""
    flat = _core.reshape(tensor, (-1,))
    return _core.reshape(_core.index_select(flat, np.ascontiguousarray(picked, dtype=np.int64).reshape(-1)),
                         picked.shape)


def _dims(dims: Tuple[Any, ...]) -> Tuple[Any, ...]:
    """``f(0, 2, 1)`` or ``f((0, 2, 1))`` → the tuple of arguments."""
    return tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims


@keeping_dtype
def permute(input: _CoreTensor, *dims: Any) -> _CoreTensor:
    """The tensor with its axes reordered: axis ``i`` of the result is axis ``dims[i]`` of ``input``.

    Raises:
        ValueError: ``dims`` is not a permutation of the axes.

    Examples:
        >>> import polyhead
        >>> polyhead.zeros(2, 3, 4).permute(2, 0, 1).shape
        polyhead.Size([4, 2, 3])
    """
    require_tensor(input, "permute")
    ndim = input.ndim
    order = [normalize_dim(d, ndim) for d in _dims(dims)]
    if sorted(order) != list(range(ndim)):
        raise ValueError(f"permute(): dims {_dims(dims)} are not a permutation of the {ndim} axes of shape "
                         f"{_shape(input)}")
    if order == list(range(ndim)):
        return input
    if ndim == 2:
        return _core.transpose(input)
    return take(input, positions(input).transpose(order))


@keeping_dtype
def expand(input: _CoreTensor, *sizes: Any) -> _CoreTensor:
    """The tensor broadcast to ``sizes`` (-1 keeps an axis; new axes go in front); a copy here, whose gradient
    sums over the broadcast axes.

    Raises:
        ValueError: ``sizes`` is not a shape ``input`` broadcasts to.

    Examples:
        >>> import polyhead
        >>> polyhead.tensor([[1.0], [2.0]]).expand(2, 3).tolist()
        [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]
    """
    require_tensor(input, "expand")
    shape, wanted = _shape(input), tuple(operator.index(s) for s in _dims(sizes))
    extra = len(wanted) - len(shape)
    if extra < 0:
        raise ValueError(f"expand(): the number of sizes {wanted} must be at least the tensor's dimensions {shape}")
    target = tuple(old if new == -1 and k >= extra else new
                   for k, (new, old) in enumerate(zip(wanted, (None,) * extra + shape)))
    if any(s is None or s < 0 for s in target) or np.broadcast_shapes(shape, target) != target:
        raise ValueError(f"expand(): shape {shape} cannot be expanded to {wanted}")
    if target == shape:
        return input
    return take(input, np.broadcast_to(positions(input), target))


def expand_as(input: _CoreTensor, other: _CoreTensor) -> _CoreTensor:
    """``input.expand(other.shape)``."""
    return expand(input, _shape(require_tensor(other, "expand_as", "other")))


@keeping_dtype
def repeat(input: _CoreTensor, *repeats: Any) -> _CoreTensor:
    """The tensor tiled ``repeats[i]`` times along axis ``i`` (extra leading repeats add axes), as ``numpy.tile``.

    Raises:
        ValueError: fewer repeats than dimensions, or a negative repeat.
    """
    require_tensor(input, "repeat")
    counts = tuple(operator.index(r) for r in _dims(repeats))
    if len(counts) < input.ndim or any(r < 0 for r in counts):
        raise ValueError(f"repeat(): repeats {counts} must be non-negative and at least one per dimension of "
                         f"shape {_shape(input)}")
    return take(input, np.tile(positions(input), counts))


@keeping_dtype
def gather(input: _CoreTensor, dim: int, index: Any) -> _CoreTensor:
    """``out[i][j][k] = input[index[i][j][k]][j][k]`` for ``dim=0`` (and so on): picks along ``dim`` by an integer
    ``index`` of the same number of dimensions (other axes no longer than ``input``'s); gradients scatter back.

    Raises:
        ValueError: ``index`` has another number of dimensions or a longer axis than ``input``.
        IndexError: an index out of range.

    Examples:
        >>> import polyhead
        >>> polyhead.tensor([[1.0, 2.0], [3.0, 4.0]]).gather(1, polyhead.tensor([[1], [0]])).tolist()
        [[2.0], [3.0]]
    """
    require_tensor(input, "gather")
    shape, picks = _shape(input), np.asarray(index)
    if picks.dtype.kind not in "iu" and not (picks.dtype.kind == "f" and np.array_equal(picks, np.trunc(picks))):
        raise TypeError(f"gather(): index must be an integer tensor, got {getattr(index, 'dtype', picks.dtype)}")
    axis = normalize_dim(dim, len(shape))
    if picks.ndim != len(shape) or any(i > s for k, (i, s) in enumerate(zip(picks.shape, shape)) if k != axis):
        raise ValueError(f"gather(): index of shape {picks.shape} does not fit input of shape {shape} at dim {axis}")
    picks = picks.astype(np.int64)
    if picks.size and not (0 <= picks.min() and picks.max() < shape[axis]):
        raise IndexError(f"gather(): index out of range for dimension {axis} of size {shape[axis]}")
    grid = list(np.indices(picks.shape, sparse=True))
    grid[axis] = picks
    return take(input, positions(input)[tuple(grid)])


TopkResult = namedtuple("topk", ["values", "indices"])
TopkResult.__doc__ = "``(values, indices)`` returned by ``topk``, like torch.return_types.topk."


def topk(input: _CoreTensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> TopkResult:
    """The ``k`` largest (``largest=False``: smallest) elements along ``dim``, in order, and their int64
    indices; gradients flow to the picked elements.

    Raises:
        ValueError: ``k`` is negative or larger than the axis.

    Examples:
        >>> import polyhead
        >>> values, indices = polyhead.tensor([1.0, 5.0, 3.0]).topk(2)
        >>> values.tolist(), indices.tolist()
        ([5.0, 3.0], [1, 2])
    """
    require_tensor(input, "topk")
    shape = _shape(input) or (1,)
    axis, k = normalize_dim(dim, len(shape)), operator.index(k)
    if not 0 <= k <= shape[axis]:
        raise ValueError(f"topk(): k={k} is out of range for dimension {axis} of size {shape[axis]}")
    values = np.asarray(input).reshape(shape)
    order = np.argsort(-values if largest else values, axis=axis, kind="stable")
    indices = np.take(order, np.arange(k), axis=axis)
    picked = gather(_core.reshape(input, shape) if not _shape(input) else input, axis, indices)
    if not _shape(input):
        picked, indices = _core.reshape(picked, ()), indices.reshape(())
    return TopkResult(picked, with_dtype(_core.from_buffer(indices.astype(np.float32)), int64))


def index_with_numpy(tensor: _CoreTensor, key: Any) -> _CoreTensor:
    """``tensor[key]`` for any key numpy's basic and advanced indexing accepts (``...``, ``None``, slices and
    index arrays on several axes; tensors in the key act as numpy arrays)."""
    parts = key if isinstance(key, tuple) else (key,)
    index = tuple(np.asarray(p) if isinstance(p, _CoreTensor) else p for p in parts)
    return take(tensor, positions(tensor)[index])


def cumsum(input: _CoreTensor, dim: int) -> _CoreTensor:
    """Running sums along ``dim`` (one product with a triangular matrix of ones: O(n²) per row, for the short
    axes of loss histories and sequence masks); integer tensors sum to int64 as in PyTorch."""
    require_tensor(input, "cumsum")
    shape = _shape(input) or (1,)
    axis = normalize_dim(dim, len(shape))
    order = [k for k in range(len(shape)) if k != axis] + [axis]
    moved = permute(_core.reshape(input, shape), order)
    n = shape[axis]
    rows = _core.reshape(moved, (-1, n))
    summed = _core.matmul(rows, _core.from_buffer(np.triu(np.ones((n, n), dtype=np.float32))), 0, 0)
    back = permute(_core.reshape(summed, _shape(moved)), list(np.argsort(order)))
    out = _core.reshape(back, _shape(input))
    return out if dtype_of(input) is float32 else exact_result(out, int64)
