"""``polyhead.Tensor``: the Python face of ``_core.Tensor`` (a float32 tensor with autodiff history).

Every tensor the core returns is an instance of this class (registered with ``_core.set_tensor_class``).
Methods normalise their arguments and call ``_core``; ops shared with the ``polyhead.*`` functions live in
``_ops.py``. Integer tensors (``int64``, ``int32``, ``bool``) are instances of the subclasses in
``_integer_tensor.py``, which keep their dtype through the ops PyTorch keeps it through.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional, Union

import numpy as np

from . import _core, _indexing, _ops, _shape_ops
from ._convert import as_tensor, normalize_dim, parse_size
from ._dtype import bool_, float32, int32, int64, resolve_dtype, to_arguments_dtype, with_dtype
from ._integer_ops import binary, bitwise, compare, convert, integer_divide, operand
from ._size import Size

__all__ = ["Tensor"]

_CoreTensor = _core.Tensor
_shape = _core.Tensor.shape.__get__
_SCALARS = (int, float, np.integer, np.floating)


class Tensor(_core.Tensor):
    """A float32, row-major tensor that can record operations for reverse-mode autodiff.

    Create tensors with :func:`polyhead.tensor`, :func:`polyhead.from_numpy`, :func:`polyhead.zeros` and
    friends. ``Tensor(data)`` copies array-like ``data``; ``Tensor(2, 3)`` makes zeros of that shape.

    Examples:
        >>> import polyhead
        >>> x = polyhead.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        >>> y = (x * x).sum()
        >>> y.backward()
        >>> x.grad
        tensor([[2.0000, 4.0000],
                [6.0000, 8.0000]])
    """

    __slots__ = ()
    __array_priority__ = 1000  # numpy defers `ndarray op tensor` to the tensor's reflected operator

    def __new__(cls, *args: Any) -> "Tensor":
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            return _core.Tensor.__new__(cls, as_tensor(args[0], "data"))
        return _core.Tensor.__new__(cls, _core.full(parse_size(args) if args else (0,), 0.0))

    # ------------------------------------------------------------ properties

    @property
    def shape(self) -> Size:
        """The shape as a :class:`polyhead.Size` (a tuple of ints)."""
        return Size(_shape(self))

    dtype = float32
    """``polyhead.float32``; integer tensors (``_integer_tensor.py``) have ``int64``, ``int32`` or ``bool``."""

    def is_floating_point(self) -> bool:
        """True unless the tensor has an integer dtype (``int64``, ``int32``, ``bool``)."""
        return self.dtype is float32

    @property
    def device(self) -> str:
        """Always ``"cpu"``."""
        return "cpu"

    @property
    def data(self) -> "Tensor":
        """A detached tensor sharing this tensor's storage; assigning copies values into the storage."""
        return _core.detach(self)

    @data.setter
    def data(self, value: Any) -> None:
        source = as_tensor(value, "data")
        if _shape(source) != _shape(self):
            raise ValueError(f"data must have shape {_shape(self)} (the tensor's shape), got {_shape(source)}")
        _core.copy_(_core.detach(self), source)

    @property
    def T(self) -> "Tensor":
        """The transpose of a 2-D tensor (0-D and 1-D tensors are returned unchanged)."""
        return _shape_ops.t(self)

    def size(self, dim: Optional[int] = None) -> Union[Size, int]:
        """The shape (``dim=None``) or the length of axis ``dim``."""
        shape = _shape(self)
        if dim is None:
            return Size(shape)
        if not shape:
            raise IndexError(f"dimension specified as {dim} but tensor has no dimensions")
        return shape[normalize_dim(dim, len(shape))]

    def dim(self) -> int:
        """The number of dimensions (0 for a scalar)."""
        return self.ndim

    ndimension = dim

    def numel(self) -> int:
        """The number of elements."""
        return _core.numel(self)

    nelement = numel

    # ------------------------------------------------------------ values out

    def item(self) -> Any:
        """The value of a one-element tensor as a Python float (int for integer dtypes, bool for ``bool``)."""
        value = _core.item(self)
        return value if self.dtype is float32 else self.dtype.numpy_type(value).item()

    def tolist(self) -> Any:
        """The values as (nested) Python lists of floats (ints/bools for integer dtypes); a number for 0-d."""
        return self._values().tolist()

    def _values(self) -> np.ndarray:
        """The values as numpy: a float32 view of the storage, or an array of the integer dtype (a copy)."""
        return self.__array__()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """A float32 numpy array sharing this tensor's memory (no copy); the array keeps the tensor alive.
        Integer tensors give a copy of their dtype (int64, int32, bool), like PyTorch's dtypes.

        Raises:
            RuntimeError: the tensor requires grad (call ``.detach().numpy()``), unless ``force=True``.
        """
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return self._values()

    def __array__(self, dtype: Any = None, copy: Optional[bool] = None) -> np.ndarray:
        # integer tensors export no buffer themselves (numpy would read float32): read through a float view
        array = np.asarray(memoryview(self if self.dtype is float32 else _core.detach(self)))
        target = np.dtype(self.dtype.numpy_type if dtype is None else dtype)
        if target != array.dtype:
            return array.astype(target)
        return array.copy() if copy else array

    def __float__(self) -> float:
        return _core.item(self)

    def __int__(self) -> int:
        return int(_core.item(self))

    def __bool__(self) -> bool:
        if _core.numel(self) != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(_core.item(self))

    def __format__(self, spec: str) -> str:
        if self.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)

    def __repr__(self) -> str:
        prefix = "tensor("
        body = np.array2string(self._values(), precision=4, floatmode="fixed", separator=", ",
                               prefix=prefix, suffix=")")
        if _shape(self) and _core.numel(self) == 0:
            body = f"[], size={_shape(self)}"
        suffix = ", requires_grad=True" if self.requires_grad else ""
        if self.dtype is int32:
            suffix = ", dtype=polyhead.int32"
        return f"{prefix}{body}{suffix})"

    # ------------------------------------------------------------ autodiff

    def backward(self, gradient: Any = None, retain_graph: Optional[bool] = None) -> None:
        """Accumulates d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        Args:
            gradient: d(loss)/d(self), same shape; needed unless the tensor has one element. Default: None.
            retain_graph: keep the graph so that another backward can run through it. Default: False.

        Raises:
            RuntimeError: a second backward through a freed graph, or a non-scalar without ``gradient``.
        """
        seed = None if gradient is None else as_tensor(gradient, "gradient")
        _core.backward(self, seed, 1 if retain_graph else 0)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Sets ``requires_grad`` of this leaf in place and returns it."""
        self.requires_grad = requires_grad
        return self

    def detach(self) -> "Tensor":
        """A new leaf sharing this tensor's storage, without history and without ``requires_grad``."""
        return _core.detach(self)

    def clone(self) -> "Tensor":
        """A copy of the data; gradients flow back to this tensor."""
        return _core.clone(self)

    # ------------------------------------------------------------ in place (not recorded)

    def copy_(self, src: Any, non_blocking: bool = False) -> "Tensor":
        """Copies ``src`` (a tensor, numpy array, list or number, broadcast to this shape) into this tensor.

        Raises:
            RuntimeError: this is a leaf requiring grad and grad recording is on (use ``polyhead.no_grad()``).
        """
        _core.copy_(self, as_tensor(src, "src"))
        return self

    def fill_(self, value: float) -> "Tensor":
        """Sets every element to ``value``."""
        _core.copy_(self, _core.full((), float(value)))
        return self

    def zero_(self) -> "Tensor":
        """Sets every element to 0."""
        return self.fill_(0.0)

    def add_(self, other: Any, *, alpha: float = 1) -> "Tensor":
        """In place ``self += alpha * other``."""
        other = as_tensor(other, "other")
        if alpha != 1:
            other = _core.mul(other, _core.full((), float(alpha)))
        _core.copy_(self, _core.add(self, other))
        return self

    def sub_(self, other: Any, *, alpha: float = 1) -> "Tensor":
        """In place ``self -= alpha * other``."""
        other = as_tensor(other, "other")
        if alpha != 1:
            other = _core.mul(other, _core.full((), float(alpha)))
        _core.copy_(self, _core.sub(self, other))
        return self

    def mul_(self, other: Any) -> "Tensor":
        """In place ``self *= other``."""
        _core.copy_(self, _core.mul(self, as_tensor(other, "other")))
        return self

    def div_(self, other: Any) -> "Tensor":
        """In place ``self /= other``."""
        _core.copy_(self, _core.div(self, as_tensor(other, "other")))
        return self

    __iadd__, __isub__, __imul__, __itruediv__ = add_, sub_, mul_, div_

    # ------------------------------------------------------------ conversions

    def float(self) -> "Tensor":
        """Self if float32, else a float32 copy of an integer tensor."""
        return convert(self, float32)

    def long(self) -> "Tensor":
        """An ``int64`` tensor: self if it is one, else a copy truncating floats toward zero (PyTorch's
        ``.long()``).

        Raises:
            ValueError: NaN/inf or magnitudes above 2**24 (integer tensors are float32 storage).
        """
        return convert(self, int64)

    def int(self) -> "Tensor":
        """An ``int32`` tensor (see :meth:`long`)."""
        return convert(self, int32)

    def bool(self) -> "Tensor":
        """A ``bool`` tensor: ``self != 0``."""
        return convert(self, bool_)

    def type(self, dtype: Any = None) -> Any:
        """With ``dtype``, the tensor converted to it (see :meth:`long`); without, the type name
        (``"polyhead.FloatTensor"``, ``"polyhead.LongTensor"``, …)."""
        if dtype is None:
            return _TYPE_NAMES[self.dtype.name]
        if isinstance(dtype, type) and issubclass(dtype, Tensor):  # y.type(polyhead.LongTensor)
            dtype = dtype.dtype
        return convert(self, resolve_dtype(dtype))

    def cpu(self) -> "Tensor":
        """Returns self (tensors live on the CPU)."""
        return self

    def contiguous(self) -> "Tensor":
        """Returns self (tensors are contiguous)."""
        return self

    def to(self, *args: Any, **kwargs: Any) -> "Tensor":
        """Converts to a dtype (``float32``, ``int64``, ``int32``, ``bool``; as :meth:`type`); device
        ``"cpu"`` keeps the tensor. Raises for other devices and dtypes."""
        target = to_arguments_dtype(args, kwargs)
        return self if target is None else convert(self, target)

    # ------------------------------------------------------------ operators

    __add__, __radd__ = binary(_core.add), binary(_core.add, reflected=True)
    __sub__, __rsub__ = binary(_core.sub), binary(_core.sub, reflected=True)
    __mul__, __rmul__ = binary(_core.mul), binary(_core.mul, reflected=True)
    __truediv__, __rtruediv__ = binary(_core.div), binary(_core.div, reflected=True)
    __floordiv__, __rfloordiv__ = integer_divide(np.floor_divide), integer_divide(np.floor_divide, reflected=True)
    __mod__, __rmod__ = integer_divide(np.remainder), integer_divide(np.remainder, reflected=True)
    __eq__, __ne__ = compare(np.equal), compare(np.not_equal)
    __lt__, __le__ = compare(np.less), compare(np.less_equal)
    __gt__, __ge__ = compare(np.greater), compare(np.greater_equal)
    __and__, __or__, __xor__ = bitwise(np.bitwise_and), bitwise(np.bitwise_or), bitwise(np.bitwise_xor)
    __rand__, __ror__ = bitwise(np.bitwise_and, reflected=True), bitwise(np.bitwise_or, reflected=True)
    __rxor__ = bitwise(np.bitwise_xor, reflected=True)
    __hash__ = _CoreTensor.__hash__  # identity, as in PyTorch (``==`` is elementwise)

    def __matmul__(self, other: Any) -> "Tensor":
        return NotImplemented if operand(other) is None else _ops.matmul(self, other)

    def __rmatmul__(self, other: Any) -> "Tensor":
        return NotImplemented if operand(other) is None else _ops.matmul(other, self)

    def __pow__(self, exponent: Any) -> "Tensor":
        if isinstance(exponent, _SCALARS):
            return _core.pow_scalar(self, float(exponent))
        return NotImplemented

    def __neg__(self) -> "Tensor":
        return _core.neg(self)

    def __pos__(self) -> "Tensor":
        return self

    # ------------------------------------------------------------ indexing and iteration

    def __len__(self) -> int:
        shape = _shape(self)
        if not shape:
            raise TypeError("len() of a 0-d tensor")
        return shape[0]

    def __iter__(self) -> Iterator["Tensor"]:
        if not _shape(self):
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __getitem__(self, key: Any) -> "Tensor":
        """Rows along axis 0 by int, slice, boolean mask or integer array; ``t[rows, cols]`` for 2-D.

        Examples:
            >>> import polyhead
            >>> t = polyhead.arange(6).reshape(3, 2)
            >>> t[1].tolist(), t[1:].shape, t[[2, 0]].tolist(), t[:, 1].tolist()
            ([2, 3], polyhead.Size([2, 2]), [[4, 5], [0, 1]], [1, 3, 5])
        """
        if isinstance(key, Tensor) and key.dtype is bool_:
            key = np.asarray(key) != 0
        return _indexing.getitem(self, key)

    __setitem__ = _indexing.setitem

    # ------------------------------------------------------------ pickling and copying

    def __reduce_ex__(self, protocol: int) -> Any:
        return (_rebuild, (type(self), np.array(self), bool(self.requires_grad), self.dtype))

    def __deepcopy__(self, memo: dict) -> "Tensor":
        copied = _rebuild(type(self), np.array(self), bool(self.requires_grad), self.dtype)
        memo[id(self)] = copied
        return copied

    # ------------------------------------------------------------ ops shared with polyhead.* functions
    # (those of the comparison, layout, linear algebra and statistics modules: ``_tensor_methods.py``)

    add, sub, mul, div, neg, pow = _ops.add, _ops.sub, _ops.mul, _ops.div, _ops.neg, _ops.pow
    exp, log, sqrt, relu, sigmoid, tanh = _ops.exp, _ops.log, _ops.sqrt, _ops.relu, _ops.sigmoid, _ops.tanh
    softmax, log_softmax, matmul, sin, cos = _ops.softmax, _ops.log_softmax, _ops.matmul, _ops.sin, _ops.cos
    sum, mean, argmax, argmin = _ops.sum, _ops.mean, _ops.argmax, _ops.argmin
    reshape, view, transpose, t = _shape_ops.reshape, _shape_ops.view, _shape_ops.transpose, _shape_ops.t
    flatten, unsqueeze, squeeze = _shape_ops.flatten, _shape_ops.unsqueeze, _shape_ops.squeeze
    split, chunk, unbind = _shape_ops.split, _shape_ops.chunk, _shape_ops.unbind
    nonzero = _indexing.nonzero

    def where(self, condition: Any, other: Any) -> "Tensor":
        """``polyhead.where(condition, self, other)``."""
        return _indexing.where(condition, self, other)


def _rebuild(cls: type, array: np.ndarray, requires_grad: bool, dtype: Any = float32) -> Tensor:
    """Unpickling/deepcopy helper: a tensor of class ``cls`` and dtype ``dtype`` holding a copy of ``array``."""
    tensor = _core.Tensor.__new__(cls, _core.from_buffer(np.asarray(array, dtype=np.float32, order="C")))
    if requires_grad:
        tensor.requires_grad = True
    return with_dtype(tensor, dtype)


_TYPE_NAMES = {"float32": "polyhead.FloatTensor", "int64": "polyhead.LongTensor", "int32": "polyhead.IntTensor",
               "bool": "polyhead.BoolTensor"}


_core.set_tensor_class(Tensor)
