"""Tensor creation: ``tensor``, ``from_numpy``, ``zeros``, ``ones``, ``full``, ``randn``, ``rand``,
``arange`` and the ``*_like`` forms, with torch's argument forms (``zeros(2, 3)``, ``zeros((2, 3))``,
``zeros([2, 3])``, ``requires_grad=``, ``dtype=``)."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from . import _core
from ._convert import as_array, parse_size
from ._dtype import check_dtype
from ._tensor import Tensor

__all__ = ["tensor", "from_numpy", "as_tensor", "zeros", "ones", "full", "empty", "randn", "rand", "arange",
           "zeros_like", "ones_like", "full_like", "empty_like", "randn_like", "rand_like"]


def _finish(t: Tensor, requires_grad: bool) -> Tensor:
    if requires_grad:
        t.requires_grad = True
    return t


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """A new tensor holding a float32 copy of ``data``.

    Args:
        data: a number, nested list, numpy array (any real dtype, any strides) or tensor.
        requires_grad: record operations on the result for autodiff. Default: False.
        dtype: ``None`` or ``polyhead.float32`` (the only dtype). Default: None.

    Raises:
        TypeError: ``data`` is not numeric or ``dtype`` is not float32.

    Examples:
        >>> import polyhead
        >>> polyhead.tensor([[1, 2], [3, 4]], requires_grad=True)
        tensor([[1.0000, 2.0000],
                [3.0000, 4.0000]], requires_grad=True)
    """
    check_dtype(dtype)
    if isinstance(data, _core.Tensor):
        data = np.asarray(data)
    return _finish(_core.from_buffer(as_array(data, "data")), requires_grad)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor over a numpy array.

    A writable, C-contiguous float32 array is shared, not copied: writes through either are seen by the
    other, and the array stays alive as long as the tensor does. Other arrays (other real dtypes,
    non-contiguous or read-only) are copied into a new float32 tensor, since Polyhead tensors are
    contiguous float32.

    Raises:
        TypeError: ``ndarray`` is not a numpy array, or holds non-numbers.

    Examples:
        >>> import numpy as np, polyhead
        >>> a = np.zeros(3, dtype=np.float32)
        >>> t = polyhead.from_numpy(a)
        >>> a[0] = 5.0
        >>> t.tolist()
        [5.0, 0.0, 0.0]
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    if ndarray.dtype == np.float32 and ndarray.flags.c_contiguous and ndarray.flags.writeable:
        return _core.from_buffer_shared(ndarray)
    return _core.from_buffer(as_array(ndarray, "ndarray"))


def as_tensor(data: Any, dtype: Any = None) -> Tensor:
    """``data`` itself if it is a tensor, a shared tensor for a float32 C-contiguous writable numpy array
    (:func:`from_numpy`), else a copy (:func:`tensor`)."""
    check_dtype(dtype)
    if isinstance(data, _core.Tensor):
        return data
    if isinstance(data, np.ndarray):
        return from_numpy(data)
    return tensor(data)


def full(size: Any, fill_value: float, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value``.

    Examples:
        >>> import polyhead
        >>> polyhead.full((2, 2), 7.0).tolist()
        [[7.0, 7.0], [7.0, 7.0]]
    """
    check_dtype(dtype)
    return _finish(_core.full(parse_size((size,)), float(fill_value)), requires_grad)


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros([2, 3])``."""
    check_dtype(dtype)
    return _finish(_core.full(parse_size(size), 0.0), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones: ``ones(2, 3)``, ``ones((2, 3))`` or ``ones([2, 3])``."""
    check_dtype(dtype)
    return _finish(_core.full(parse_size(size), 1.0), requires_grad)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of the given shape (Polyhead fills it with zeros)."""
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard-normal samples from the global generator (seeded by :func:`polyhead.manual_seed`).

    Examples:
        >>> import polyhead
        >>> _ = polyhead.manual_seed(0)
        >>> a = polyhead.randn(2, 3)
        >>> _ = polyhead.manual_seed(0)
        >>> a.tolist() == polyhead.randn((2, 3)).tolist()
        True
    """
    check_dtype(dtype)
    return _finish(_core.randn(parse_size(size)), requires_grad)


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Samples uniform in [0, 1) from the global generator."""
    check_dtype(dtype)
    return _finish(_core.uniform(parse_size(size), 0.0, 1.0), requires_grad)


def arange(start: float, end: Optional[float] = None, step: float = 1, *, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """The 1-D tensor ``start, start + step, …`` up to (excluding) ``end``; ``arange(n)`` is ``0 … n-1``.

    Examples:
        >>> import polyhead
        >>> polyhead.arange(4).tolist(), polyhead.arange(1, 2, 0.25).tolist()
        ([0.0, 1.0, 2.0, 3.0], [1.0, 1.25, 1.5, 1.75])
    """
    check_dtype(dtype)
    if end is None:
        start, end = 0, start
    return _finish(_core.arange(float(start), float(end), float(step)), requires_grad)


def _like(input: Any, name: str) -> tuple:
    if not isinstance(input, _core.Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
    return _core.Tensor.shape.__get__(input)


def zeros_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros of ``input``'s shape."""
    return zeros(_like(input, "zeros_like"), dtype=dtype, requires_grad=requires_grad)


def ones_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones of ``input``'s shape."""
    return ones(_like(input, "ones_like"), dtype=dtype, requires_grad=requires_grad)


def empty_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``input``'s shape (filled with zeros)."""
    return zeros(_like(input, "empty_like"), dtype=dtype, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value: float, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``fill_value`` in ``input``'s shape."""
    return full(_like(input, "full_like"), fill_value, dtype=dtype, requires_grad=requires_grad)


def randn_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard-normal samples in ``input``'s shape."""
    return randn(_like(input, "randn_like"), dtype=dtype, requires_grad=requires_grad)


def rand_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform [0, 1) samples in ``input``'s shape."""
    return rand(_like(input, "rand_like"), dtype=dtype, requires_grad=requires_grad)
