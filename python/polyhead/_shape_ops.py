"""Shape operations (reshape, transpose, flatten, squeeze/unsqueeze) and joining/splitting (cat, stack,
split, chunk, unbind), shared by the ``polyhead.*`` functions and the ``Tensor`` methods. They compute
shapes in Python and call ``_core.reshape``/``transpose``/``concat``/``split``; results keep the input's dtype
(``cat``/``stack``: the dtype the inputs promote to, as in PyTorch)."""

from __future__ import annotations

import builtins
import math
import operator
from typing import Any, List, Optional, Sequence, Tuple, Union

from . import _core
from ._convert import normalize_dim, parse_size, require_tensor
from ._dtype import with_dtype
from ._integer_ops import keeping_dtype, result_type

_CoreTensor = _core.Tensor
_shape = _core.Tensor.shape.__get__


# ---------------------------------------------------------------- shapes


@keeping_dtype
def reshape(input: _CoreTensor, *shape: Any) -> _CoreTensor:
    """The same data with a new shape (one entry may be -1); ``reshape(2, 3)`` or ``reshape((2, 3))``.

    Examples:
        >>> import polyhead
        >>> polyhead.arange(6).reshape(2, -1).shape
        polyhead.Size([2, 3])
    """
    return _core.reshape(require_tensor(input, "reshape"), parse_size(shape, "shape"))


view = reshape


@keeping_dtype
def transpose(input: _CoreTensor, dim0: int, dim1: int) -> _CoreTensor:
    """Swaps ``dim0`` and ``dim1``; tensors of up to 2 dimensions only (the core transposes 2-D)."""
    require_tensor(input, "transpose")
    ndim = input.ndim
    d0, d1 = normalize_dim(dim0, ndim, "dim0"), normalize_dim(dim1, ndim, "dim1")
    if ndim > 2:
        raise ValueError(f"[transpose] only tensors of up to 2 dimensions are supported, got shape {_shape(input)}")
    return _core.transpose(input) if ndim == 2 and d0 != d1 else input


@keeping_dtype
def t(input: _CoreTensor) -> _CoreTensor:
    """Transpose of a 2-D tensor; 0-D and 1-D tensors are returned as they are."""
    require_tensor(input, "t")
    ndim = input.ndim
    if ndim > 2:
        raise ValueError(f"t() expects a tensor with <= 2 dimensions, but self is {ndim}D")
    return _core.transpose(input) if ndim == 2 else input


@keeping_dtype
def flatten(input: _CoreTensor, start_dim: int = 0, end_dim: int = -1) -> _CoreTensor:
    """Merges dims ``start_dim..end_dim`` into one (a reshape)."""
    require_tensor(input, "flatten")
    shape = _shape(input)
    if not shape:
        return _core.reshape(input, (1,))
    start, end = normalize_dim(start_dim, len(shape)), normalize_dim(end_dim, len(shape))
    if start > end:
        raise ValueError("flatten() has invalid args: start_dim cannot come after end_dim")
    merged = math.prod(shape[start:end + 1])
    return _core.reshape(input, shape[:start] + (merged,) + shape[end + 1:])


@keeping_dtype
def unsqueeze(input: _CoreTensor, dim: int) -> _CoreTensor:
    """Inserts an axis of size 1 at ``dim`` (in ``[-ndim-1, ndim]``)."""
    require_tensor(input, "unsqueeze")
    shape = _shape(input)
    axis = normalize_dim(dim, len(shape) + 1)
    return _core.reshape(input, shape[:axis] + (1,) + shape[axis:])


@keeping_dtype
def squeeze(input: _CoreTensor, dim: Optional[int] = None) -> _CoreTensor:
    """Removes axes of size 1 (all of them, or only ``dim`` if it has size 1)."""
    require_tensor(input, "squeeze")
    shape = _shape(input)
    if dim is None:
        return _core.reshape(input, tuple(s for s in shape if s != 1))
    if not shape:
        return input
    axis = normalize_dim(dim, len(shape))
    if shape[axis] != 1:
        return input
    return _core.reshape(input, shape[:axis] + shape[axis + 1:])


# ---------------------------------------------------------------- joining and splitting


_MAX_PIECES = 1 << 24


def _check_piece_count(count: int, function: str) -> None:
    """MemoryError before making more than 2**24 tensors (an empty tensor may have a dimension of 2**62:
    one Python object per piece would exhaust the memory long before the core is called)."""
    if count > _MAX_PIECES:
        raise MemoryError(f"{function}() would make {count} tensors; at most {_MAX_PIECES} are supported")


def _tensor_list(tensors: Any, function: str) -> List[_CoreTensor]:
    if isinstance(tensors, _CoreTensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{function}(): argument 'tensors' must be a tuple or list of Tensors, "
                        f"not {type(tensors).__name__}")
    return list(tensors)


def cat(tensors: Sequence[_CoreTensor], dim: int = 0) -> _CoreTensor:
    """Concatenates tensors along ``dim``; all other dimensions must agree.

    Examples:
        >>> import polyhead
        >>> polyhead.cat([polyhead.zeros(2, 3), polyhead.ones(1, 3)]).shape
        polyhead.Size([3, 3])
    """
    tensors = _tensor_list(tensors, "cat")
    return with_dtype(_core.concat(tensors, operator.index(dim)), result_type(*tensors))


concat = concatenate = cat


def stack(tensors: Sequence[_CoreTensor], dim: int = 0) -> _CoreTensor:
    """Joins equally shaped tensors along a new axis ``dim``.

    Examples:
        >>> import polyhead
        >>> polyhead.stack([polyhead.zeros(3), polyhead.ones(3)], dim=1).shape
        polyhead.Size([3, 2])
    """
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise ValueError("stack expects a non-empty sequence of tensors")
    return cat([unsqueeze(require_tensor(x, "stack", "tensors"), dim) for x in tensors], dim)


@keeping_dtype
def split(tensor: _CoreTensor, split_size_or_sections: Union[int, Sequence[int]], dim: int = 0
          ) -> Tuple[_CoreTensor, ...]:
    """Splits ``tensor`` along ``dim`` into chunks of ``split_size`` (the last may be smaller) or into
    pieces of the listed sizes (which must sum to the length of ``dim``).

    Examples:
        >>> import polyhead
        >>> [p.shape[0] for p in polyhead.split(polyhead.zeros(5, 2), 2)]
        [2, 2, 1]
        >>> [p.shape[1] for p in polyhead.zeros(5, 3).split([1, 2], dim=1)]
        [1, 2]
    """
    require_tensor(tensor, "split", "tensor")
    shape = _shape(tensor)
    axis = normalize_dim(dim, len(shape))
    length = shape[axis] if shape else 1
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [operator.index(s) for s in split_size_or_sections]
    else:
        size = operator.index(split_size_or_sections)
        if size <= 0:
            raise ValueError(f"split_size must be a positive integer, got {size}")
        _check_piece_count(-(-length // size), "split")
        sizes = [size] * (length // size) + ([length % size] if length % size else [])
        if not sizes:
            sizes = [0]
    return tuple(_core.split(tensor, sizes, axis))


def chunk(input: _CoreTensor, chunks: int, dim: int = 0) -> Tuple[_CoreTensor, ...]:
    """Splits into ``chunks`` pieces of ``ceil(length / chunks)`` (the last may be smaller; fewer pieces
    when the length is not enough)."""
    require_tensor(input, "chunk")
    chunks = operator.index(chunks)
    if chunks <= 0:
        raise ValueError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    shape = _shape(input)
    length = shape[normalize_dim(dim, len(shape))] if shape else 1
    return split(input, builtins.max(1, -(-length // chunks)), dim)


@keeping_dtype
def unbind(input: _CoreTensor, dim: int = 0) -> Tuple[_CoreTensor, ...]:
    """The slices along ``dim``, each without that axis."""
    require_tensor(input, "unbind")
    shape = _shape(input)
    if not shape:
        raise TypeError("unbind(): cannot unbind a 0-d tensor")
    axis = normalize_dim(dim, len(shape))
    rest = shape[:axis] + shape[axis + 1:]
    if shape[axis] == 0:
        return ()
    _check_piece_count(shape[axis], "unbind")
    return tuple(_core.reshape(piece, rest) for piece in _core.split(input, [1] * shape[axis], axis))
