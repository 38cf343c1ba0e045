"""Tensor creation: ``tensor``, ``from_numpy``, ``zeros``, ``ones``, ``full``, ``randn``, ``rand``,
``arange`` and the ``*_like`` forms, with torch's argument forms (``zeros(2, 3)``, ``zeros((2, 3))``,
``zeros([2, 3])``, ``requires_grad=``, ``dtype=``).

``dtype=polyhead.int64`` (``long``), ``int32`` or ``bool`` makes an integer tensor (float32 storage holding
exact integers, see ``_dtype.py``). Without ``dtype`` the data decides, as in PyTorch: Python ints (and
lists of them) and numpy integer arrays give int64 (int32 arrays int32), bools give bool, floats float32;
``arange`` with int arguments and ``full`` with an int or bool ``fill_value`` give int64/bool."""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional

import numpy as np

from . import _core
from ._convert import as_array, as_count, numeric_array, parse_size
from ._dtype import (bool_, check_dtype, dtype_of, exact_integers, float32, int64, numpy_dtype_of, resolve_dtype,
                     with_dtype)
from ._integer_ops import convert
from ._tensor import Tensor

__all__ = ["tensor", "copy_as_tensor", "from_numpy", "as_tensor", "zeros", "ones", "full", "empty", "randn", "rand", "arange",
           "zeros_like", "ones_like", "full_like", "empty_like", "randn_like", "rand_like", "eye", "linspace"]


def _on_cpu(fn: Callable) -> Callable:
    """``fn`` accepting PyTorch's ``device=`` keyword: None or a CPU device (``'cpu'``, ``device('cpu')``); any
    other device is a ValueError (tensors live on the CPU)."""
    @functools.wraps(fn)
    def create(*args: Any, device: Any = None, **kwargs: Any) -> Tensor:
        if device is not None and str(device).split(":")[0] != "cpu":
            raise ValueError(f"{fn.__name__}(): unsupported device {str(device)!r}: polyhead runs on the CPU only")
        return fn(*args, **kwargs)
    return create


def _finish(t: Tensor, requires_grad: bool, dtype: Any = None) -> Tensor:
    """``t`` tagged with ``dtype`` and with ``requires_grad`` set (RuntimeError for an integer dtype)."""
    with_dtype(t, dtype)
    if requires_grad:
        t.requires_grad = True
    return t


def _filled(size: tuple, fill_value: Any, dtype: Any, requires_grad: bool) -> Tensor:
    """A tensor of shape ``size`` holding ``fill_value`` (checked to fit an integer ``dtype``)."""
    target = resolve_dtype(dtype)
    if target not in (None, float32):
        exact_integers(fill_value, target, "fill_value")
        fill_value = fill_value != 0 if target is bool_ else fill_value
    return _finish(_core.full(size, float(fill_value)), requires_grad, target)


@_on_cpu
def tensor(data: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """A new tensor holding a copy of ``data``.

    Args:
        data: a number, nested list, numpy array (any real dtype, any strides) or tensor.
        requires_grad: record operations on the result for autodiff. Default: False.
        dtype: ``float32``, ``int64`` (``long``), ``int32`` or ``bool``; None: ``data``'s dtype as PyTorch
            infers it (a tensor's; int64 for ints, bool for bools, float32 for floats). Default: None.

    Raises:
        TypeError: ``data`` is not numeric or ``dtype`` is unsupported.
        ValueError: integer dtypes: ``data`` holds non-integers, NaN/inf or magnitudes above 2**24.
        RuntimeError: ``requires_grad`` with an integer dtype.

    Examples:
        >>> import polyhead
        >>> polyhead.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        tensor([[1.0000, 2.0000],
                [3.0000, 4.0000]], requires_grad=True)
        >>> polyhead.tensor([2, 0, 1]), polyhead.tensor([2, 0, 1], dtype=polyhead.float32)
        (tensor([2, 0, 1]), tensor([2.0000, 0.0000, 1.0000]))
    """
    return _finish(copy_as_tensor(data, "data", resolve_dtype(dtype)), requires_grad)


def copy_as_tensor(data: Any, name: str, target: Any = None) -> Tensor:
    """A new tensor holding a copy of ``data`` (naming it ``name`` in errors) with dtype ``target``, or the
    dtype PyTorch infers from ``data`` when ``target`` is None (see :func:`tensor`)."""
    if isinstance(data, _core.Tensor):
        target = target or dtype_of(data)
        data = np.asarray(data)
    elif target is None:
        data = numeric_array(data, name)
        target = numpy_dtype_of(data)
    values = as_array(data, name) if target is float32 else exact_integers(data, target, name)
    return with_dtype(_core.from_buffer(values), target)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor over a numpy array.

    A writable, C-contiguous float32 array is shared, not copied: writes through either are seen by the
    other, and the array stays alive as long as the tensor does. Other arrays (other real dtypes,
    non-contiguous or read-only) are copied into a new tensor, since Polyhead tensors are contiguous
    float32 storage; integer and bool arrays give integer tensors (int64, int32, bool) as in PyTorch.

    Raises:
        TypeError: ``ndarray`` is not a numpy array, or holds non-numbers.
        ValueError: an integer array holds magnitudes above 2**24.

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
    return copy_as_tensor(ndarray, "ndarray")


@_on_cpu
def as_tensor(data: Any, dtype: Any = None) -> Tensor:
    """``data`` itself if it is a tensor (converted if ``dtype`` differs, see ``Tensor.to``), a shared tensor
    for a float32 C-contiguous writable numpy array (:func:`from_numpy`), else a copy (:func:`tensor`)."""
    target = resolve_dtype(dtype)
    if isinstance(data, _core.Tensor):
        return data if target is None else convert(data, target)
    if isinstance(data, np.ndarray) and target in (None, numpy_dtype_of(data)):
        return from_numpy(data)
    return tensor(data, dtype=target)


@_on_cpu
def full(size: Any, fill_value: float, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value``; without ``dtype``, int64 for an int and bool for
    a bool ``fill_value`` (as in PyTorch), else float32.

    Examples:
        >>> import polyhead
        >>> polyhead.full((2, 2), 7.0).tolist(), polyhead.full((2,), 7).dtype
        ([[7.0, 7.0], [7.0, 7.0]], polyhead.int64)
    """
    if dtype is None and isinstance(fill_value, (int, np.integer, np.bool_)):
        dtype = numpy_dtype_of(np.asarray(fill_value))
    return _filled(parse_size((size,)), fill_value, dtype, requires_grad)


@_on_cpu
def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros([2, 3])``."""
    return _filled(parse_size(size), 0, dtype, requires_grad)


@_on_cpu
def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones: ``ones(2, 3)``, ``ones((2, 3))`` or ``ones([2, 3])``."""
    return _filled(parse_size(size), 1, dtype, requires_grad)


@_on_cpu
def empty(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of the given shape (Polyhead fills it with zeros)."""
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


@_on_cpu
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


@_on_cpu
def rand(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Samples uniform in [0, 1) from the global generator."""
    check_dtype(dtype)
    return _finish(_core.uniform(parse_size(size), 0.0, 1.0), requires_grad)


@_on_cpu
def arange(start: float, end: Optional[float] = None, step: float = 1, *, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """The 1-D tensor ``start, start + step, …`` up to (excluding) ``end``; ``arange(n)`` is ``0 … n-1``.

    Without ``dtype``: int64 when every argument is an int (as in PyTorch), else float32; an integer
    ``dtype`` needs integer arguments.

    Examples:
        >>> import polyhead
        >>> polyhead.arange(4).tolist(), polyhead.arange(1, 2, 0.25).tolist()
        ([0, 1, 2, 3], [1.0, 1.25, 1.5, 1.75])
    """
    target = resolve_dtype(dtype)
    if end is None:
        start, end = 0, start
    if target is None and all(isinstance(v, (int, np.integer)) for v in (start, end, step)):
        target = int64
    if target not in (None, float32):
        exact_integers([start, end, step], target, "arange(start, end, step)")
    return _finish(_core.arange(float(start), float(end), float(step)), requires_grad, target)


def _like(input: Any, name: str) -> tuple:
    if not isinstance(input, _core.Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
    return _core.Tensor.shape.__get__(input)


@_on_cpu
def zeros_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros of ``input``'s shape (and dtype, unless ``dtype`` is given)."""
    return zeros(_like(input, "zeros_like"), dtype=dtype or input.dtype, requires_grad=requires_grad)


@_on_cpu
def ones_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones of ``input``'s shape (and dtype, unless ``dtype`` is given)."""
    return ones(_like(input, "ones_like"), dtype=dtype or input.dtype, requires_grad=requires_grad)


@_on_cpu
def empty_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``input``'s shape (filled with zeros)."""
    return zeros(_like(input, "empty_like"), dtype=dtype or input.dtype, requires_grad=requires_grad)


@_on_cpu
def full_like(input: Tensor, fill_value: float, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``fill_value`` in ``input``'s shape."""
    return full(_like(input, "full_like"), fill_value, dtype=dtype or input.dtype, requires_grad=requires_grad)


@_on_cpu
def randn_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard-normal samples in ``input``'s shape."""
    return randn(_like(input, "randn_like"), dtype=dtype, requires_grad=requires_grad)


@_on_cpu
def rand_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform [0, 1) samples in ``input``'s shape."""
    return rand(_like(input, "rand_like"), dtype=dtype, requires_grad=requires_grad)


@_on_cpu
def eye(n: int, m: Optional[int] = None, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """The ``n × m`` (default ``n × n``) identity matrix.

    Examples:
        >>> import polyhead
        >>> polyhead.eye(2).tolist(), polyhead.eye(1, 2, dtype=polyhead.int64).tolist()
        ([[1.0, 0.0], [0.0, 1.0]], [[1, 0]])
    """
    rows = as_count(n, "n")
    columns = rows if m is None else as_count(m, "m")
    target = resolve_dtype(dtype) or float32
    return _finish(with_dtype(_core.from_buffer(np.eye(rows, columns, dtype=np.float32)), target), requires_grad)


@_on_cpu
def linspace(start: float, end: float, steps: int, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` (both included), as float32.

    Examples:
        >>> import polyhead
        >>> polyhead.linspace(0, 1, 5).tolist()
        [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    check_dtype(dtype)
    values = np.linspace(float(start), float(end), as_count(steps, "steps"), dtype=np.float64)
    return _finish(copy_as_tensor(values.astype(np.float32), "linspace", resolve_dtype(dtype) or float32),
                   requires_grad)
