"""Tensor element types. Storage is always float32; ``int64``/``int32``/``bool`` tensors are instances of
``Tensor`` subclasses (``_integer_tensor.py``) over float32 storage holding exact integers (|v| <= 2**24), so
class labels, indices and masks behave like PyTorch's (``.dtype``, ``.item()``, ``.numpy()``) without integer
kernels in the core."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from . import _core

__all__ = ["dtype", "float32", "int64", "int32", "bool_", "check_dtype", "resolve_dtype", "dtype_of",
           "with_dtype", "register_tensor_class", "exact_integers", "numpy_dtype_of", "to_arguments_dtype",
           "check_to_arguments", "MAX_EXACT_INTEGER"]

MAX_EXACT_INTEGER = 2**24
"""Every integer of magnitude up to this is exact in float32: the range integer tensors may hold."""


class dtype:
    """A tensor element type: ``float32`` (the storage of every tensor), or the integer tags ``int64``
    (alias ``long``), ``int32`` (alias ``int``) and ``bool`` over float32 storage.

    Examples:
        >>> import polyhead
        >>> polyhead.float32, polyhead.long
        (polyhead.float32, polyhead.int64)
        >>> polyhead.zeros(2).dtype is polyhead.float32, polyhead.int64.is_floating_point
        (True, False)
    """

    __slots__ = ("name", "numpy_type")

    def __init__(self, name: str, numpy_type: type) -> None:
        self.name = name
        self.numpy_type = numpy_type

    @property
    def is_floating_point(self) -> bool:
        """True for ``float32`` only."""
        return self.numpy_type is np.float32

    @property
    def itemsize(self) -> int:
        """Bytes per element of the PyTorch dtype of this name (8 for ``int64``)."""
        return np.dtype(self.numpy_type).itemsize

    def __repr__(self) -> str:
        return f"polyhead.{self.name}"

    def __reduce__(self) -> Any:
        return (_by_name, (self.name,))


float32 = dtype("float32", np.float32)
int64 = dtype("int64", np.int64)
int32 = dtype("int32", np.int32)
bool_ = dtype("bool", np.bool_)

_DTYPES = {"float32": float32, "float": float32, "int64": int64, "long": int64, "int32": int32, "int": int32,
           "bool": bool_}


def _by_name(name: str) -> dtype:
    """Unpickling helper: the dtype called ``name``."""
    return _DTYPES[name]


def resolve_dtype(value: Any, name: str = "dtype") -> Optional[dtype]:
    """``value`` (None, a :class:`dtype`, a numpy dtype or a name such as ``"long"``) as a :class:`dtype`
    (None stays None).

    Raises:
        TypeError: another dtype (float64, uint8, …) or type, naming ``name``.
    """
    if value is None or isinstance(value, dtype):
        return value
    if isinstance(value, str):
        if value in _DTYPES:
            return _DTYPES[value]
    else:
        try:
            numpy_type = np.dtype(value).type
        except TypeError:
            numpy_type = None
        for candidate in (float32, int64, int32, bool_):
            if numpy_type is candidate.numpy_type:
                return candidate
    raise TypeError(f"{name} must be polyhead.float32, int64 (long), int32 (int) or bool, got {value!r}")


def check_dtype(value: Any, name: str = "dtype") -> None:
    """Accepts None or float32 (``polyhead.float32``, ``numpy.float32``, ``"float32"``) for functions that make
    floating-point values only; raises TypeError otherwise."""
    if resolve_dtype(value, name) not in (None, float32):
        raise TypeError(f"{name} must be polyhead.float32 here (this function makes floating-point values), "
                        f"got {value!r}")


_TENSOR_CLASSES: dict = {}
"""The ``Tensor`` subclass of each integer dtype (``LongTensor``, …), registered by ``_integer_tensor.py``."""


def register_tensor_class(value: dtype, cls: type) -> None:
    """Makes ``cls`` the class of tensors tagged ``value`` by :func:`with_dtype`."""
    _TENSOR_CLASSES[value] = cls


def dtype_of(tensor: Any) -> dtype:
    """The dtype of a tensor (float32 for a bare ``_core.Tensor``)."""
    return getattr(tensor, "dtype", float32)


def with_dtype(tensor: Any, value: Optional[dtype]) -> Any:
    """``tensor`` (a new ``Tensor`` result of the core) tagged with ``value`` by switching it to the class of
    that dtype (same layout, so no copy); None and float32 leave it as it is."""
    if value is not None and value is not float32:
        tensor.__class__ = _TENSOR_CLASSES[value]
    return tensor


def numpy_dtype_of(array: np.ndarray) -> dtype:
    """The tensor dtype PyTorch gives a numpy array: bool, int32, int64 (other integers) or float32."""
    kind = array.dtype.kind
    if kind == "b":
        return bool_
    if kind in "iu":
        return int32 if array.dtype == np.int32 else int64
    return float32


def exact_integers(data: Any, target: dtype, name: str) -> np.ndarray:
    """``data`` (array-like) as a C-contiguous float32 array of the values of dtype ``target``: integers for
    ``int64``/``int32`` (checked, never rounded), 0/1 for ``bool`` (non-zero is True).

    Raises:
        ValueError: naming ``name``, for NaN/inf, non-integer values or magnitudes above 2**24.
        TypeError: ``data`` holds non-numbers.
    """
    array = np.asarray(data)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got numpy dtype {array.dtype}")
    if target is bool_:
        return np.asarray(array != 0, dtype=np.float32, order="C")
    if array.dtype.kind == "f":
        if not np.isfinite(array).all():
            raise ValueError(f"{name} holds NaN or infinity, which {target!r} cannot represent")
        if not np.array_equal(array, np.trunc(array)):
            raise ValueError(f"{name} holds non-integer values, which {target!r} cannot represent "
                             f"(convert explicitly with .long(), which truncates)")
    if array.size and np.abs(array).max() > MAX_EXACT_INTEGER:
        raise ValueError(f"{name} holds integers of magnitude above 2**24 = {MAX_EXACT_INTEGER}, which "
                         f"{target!r} tensors (float32 storage) cannot hold exactly (dtype=polyhead.float32 "
                         f"rounds them)")
    return np.asarray(array, dtype=np.float32, order="C")


def to_arguments_dtype(args: tuple, kwargs: dict) -> Any:
    """The dtype among the arguments of ``.to()`` (None if there is none); raises ValueError for a device other
    than ``"cpu"`` and TypeError for an unsupported dtype. Other tensors' dtypes are taken too (``.to(other)``)."""
    target = None
    for value in list(args) + list(kwargs.values()):
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, _core.Tensor):
            target = dtype_of(value)
        elif isinstance(value, str) and value not in _DTYPES:
            if value.split(":")[0] != "cpu":
                raise ValueError(f"unsupported device {value!r}: polyhead runs on the CPU only")
        else:
            target = resolve_dtype(value, "dtype")
    return target


def check_to_arguments(args: tuple, kwargs: dict) -> None:
    """Accepts the arguments of ``Module.to()`` that keep it as it is (device ``"cpu"``, dtype float32, flags);
    raises ValueError/TypeError for any other device or dtype."""
    if to_arguments_dtype(args, kwargs) not in (None, float32):
        raise TypeError("modules hold float32 parameters: .to() accepts dtype float32 only")
