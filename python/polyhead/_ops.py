"""Tensor operations, shared by the ``polyhead.*`` functions and the ``Tensor`` methods of the same name.

Each function normalises its arguments (Python numbers and numpy arrays become tensors, torch's dim and
shape forms become ints) and calls one or a few ``_core`` functions; the math runs in the Swift core.
"""

from __future__ import annotations

import operator
from collections import namedtuple
from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core
from ._convert import as_tensor, normalize_dim, require_tensor
from ._dtype import check_dtype, dtype_of, float32, int64, resolve_dtype, with_dtype
from ._integer_ops import convert, exact_result
from ._linalg import matmul  # noqa: F401  (the Tensor method and operator ``@``)

_CoreTensor = _core.Tensor
_shape = _core.Tensor.shape.__get__
Dim = Union[int, Sequence[int], None]

# ---------------------------------------------------------------- arithmetic (numpy broadcasting)


def _arithmetic(core_fn, operator_fn, input: Any, other: Any) -> _CoreTensor:
    """``core_fn`` of the two operands as tensors; with an integer tensor among them, the operator instead, so
    the result has the dtype PyTorch gives (``_integer_ops.result_type``; a Python number adapts)."""
    a = as_tensor(input, "input")
    if dtype_of(a) is float32 and dtype_of(other) is float32:
        return core_fn(a, as_tensor(other, "other"))
    keep = isinstance(other, (_CoreTensor, int, float, np.ndarray, np.generic))
    return operator_fn(a, other if keep else as_tensor(other, "other"))


def add(input: Any, other: Any) -> _CoreTensor:
    """Elementwise ``input + other`` with numpy broadcasting; either side may be a number or array.

    Examples:
        >>> import polyhead
        >>> polyhead.add(polyhead.tensor([1.0, 2.0]), 1), polyhead.tensor([1, 2]).add(1)
        (tensor([2.0000, 3.0000]), tensor([2, 3]))
    """
    return _arithmetic(_core.add, operator.add, input, other)


def sub(input: Any, other: Any) -> _CoreTensor:
    """Elementwise ``input - other`` with numpy broadcasting."""
    return _arithmetic(_core.sub, operator.sub, input, other)


def mul(input: Any, other: Any) -> _CoreTensor:
    """Elementwise ``input * other`` with numpy broadcasting."""
    return _arithmetic(_core.mul, operator.mul, input, other)


def div(input: Any, other: Any) -> _CoreTensor:
    """Elementwise ``input / other`` with numpy broadcasting (float32, also for integer tensors)."""
    return _core.div(as_tensor(input, "input"), as_tensor(other, "other"))


def neg(input: _CoreTensor) -> _CoreTensor:
    """Elementwise ``-input``."""
    return _core.neg(require_tensor(input, "neg"))


def pow(input: _CoreTensor, exponent: float) -> _CoreTensor:
    """Elementwise ``input ** exponent`` for a scalar (Python or numpy number) exponent.

    Raises:
        TypeError: ``exponent`` is a tensor or not a number.
    """
    require_tensor(input, "pow")
    if isinstance(exponent, (int, float, np.integer, np.floating)):
        return _core.pow_scalar(input, float(exponent))
    raise TypeError(f"pow(): argument 'exponent' must be a number, not {type(exponent).__name__}")


# ---------------------------------------------------------------- elementwise functions


def exp(input: _CoreTensor) -> _CoreTensor:
    """Elementwise ``e ** input``."""
    return _core.exp(require_tensor(input, "exp"))


def log(input: _CoreTensor) -> _CoreTensor:
    """Elementwise natural logarithm (``nan`` below 0, ``-inf`` at 0)."""
    return _core.log(require_tensor(input, "log"))


def sqrt(input: _CoreTensor) -> _CoreTensor:
    """Elementwise square root."""
    return _core.sqrt(require_tensor(input, "sqrt"))


def relu(input: _CoreTensor) -> _CoreTensor:
    """Elementwise ``max(input, 0)``."""
    return _core.relu(require_tensor(input, "relu"))


def sigmoid(input: _CoreTensor) -> _CoreTensor:
    """Elementwise ``1 / (1 + exp(-input))``."""
    return _core.sigmoid(require_tensor(input, "sigmoid"))


def tanh(input: _CoreTensor) -> _CoreTensor:
    """Elementwise hyperbolic tangent."""
    return _core.tanh(require_tensor(input, "tanh"))


def sin(input: _CoreTensor) -> _CoreTensor:
    """Elementwise sine (radians)."""
    return _core.sin(require_tensor(input, "sin"))


def cos(input: _CoreTensor) -> _CoreTensor:
    """Elementwise cosine (radians)."""
    return _core.cos(require_tensor(input, "cos"))


def _along_last(core_fn, input: _CoreTensor, dim: int, name: str) -> _CoreTensor:
    """Applies a last-axis op along ``dim``: directly for the last axis, via transposes for axis 0 of 2-D."""
    require_tensor(input, name)
    ndim = input.ndim
    axis = normalize_dim(dim, ndim)
    if ndim == 2 and axis == 0:
        return _core.transpose(core_fn(_core.transpose(input), -1))
    return core_fn(input, axis)


def softmax(input: _CoreTensor, dim: int) -> _CoreTensor:
    """Softmax along ``dim`` (the last axis, or either axis of a 2-D tensor).

    Examples:
        >>> import polyhead
        >>> polyhead.softmax(polyhead.zeros(1, 4), dim=1)
        tensor([[0.2500, 0.2500, 0.2500, 0.2500]])
    """
    return _along_last(_core.softmax, input, dim, "softmax")


def log_softmax(input: _CoreTensor, dim: int) -> _CoreTensor:
    """``log(softmax(input, dim))`` computed stably (same axes as :func:`softmax`)."""
    return _along_last(_core.log_softmax, input, dim, "log_softmax")


# ---------------------------------------------------------------- reductions


def _pick(dim: Dim, axis: Dim, keepdim: bool, keepdims: Optional[bool]) -> Tuple[Dim, bool]:
    """Merges torch's ``dim``/``keepdim`` with numpy's ``axis``/``keepdims``."""
    if axis is not None:
        if dim is not None:
            raise TypeError("pass either dim or axis, not both")
        dim = axis
    return dim, bool(keepdim if keepdims is None else keepdims)


def _reduce(core_all, core_axis, input: _CoreTensor, dim: Dim, keepdim: bool) -> _CoreTensor:
    """Reduces over all axes (dim None), one axis, or several axes one after another."""
    ndim = input.ndim
    if dim is None:
        out = core_all(input)
        return _core.reshape(out, (1,) * ndim) if keepdim else out
    if ndim == 0:  # torch accepts dim 0/-1 (or a tuple of them) on a 0-d tensor: nothing to reduce
        for d in dim if isinstance(dim, (tuple, list)) else (dim,):
            normalize_dim(d, 0)
        return core_all(input)
    if isinstance(dim, (tuple, list)):
        axes = [normalize_dim(d, ndim) for d in dim]
        if len(set(axes)) != len(axes):
            raise ValueError(f"dim {dim!r} contains a dimension more than once")
        out = input
        for axis in sorted(axes, reverse=True):
            out = core_axis(out, axis, int(keepdim))
        return out
    return core_axis(input, normalize_dim(dim, ndim), int(keepdim))


def sum(input: _CoreTensor, dim: Dim = None, keepdim: bool = False, *, axis: Dim = None,
        keepdims: Optional[bool] = None, dtype: Any = None) -> _CoreTensor:
    """Sum of all elements (``dim=None``) or along ``dim`` (an int or a tuple of ints); integer and bool
    tensors sum to int64, as in PyTorch.

    Args:
        dim: axis or axes to reduce; numpy's ``axis=`` is accepted too. Default: all.
        keepdim: keep reduced axes with size 1; numpy's ``keepdims=`` is accepted too. Default: False.
        dtype: convert ``input`` to this dtype first (``.to(dtype)``) and sum in it. Default: None.

    Raises:
        ValueError: an integer sum beyond 2**24 in magnitude (not exact in float32 storage).

    Examples:
        >>> import polyhead
        >>> t = polyhead.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> t.sum().item(), t.sum(dim=0).tolist(), t.sum(axis=1, keepdims=True).shape
        (10.0, [4.0, 6.0], polyhead.Size([2, 1]))
    """
    dim, keepdim = _pick(dim, axis, keepdim, keepdims)
    target = resolve_dtype(dtype)
    input = require_tensor(input, "sum") if target is None else convert(require_tensor(input, "sum"), target)
    out = _reduce(_core.sum_all, _core.sum, input, dim, keepdim)
    kind = dtype_of(input)
    return out if kind is float32 else exact_result(out, int64 if target is None else target)


def mean(input: _CoreTensor, dim: Dim = None, keepdim: bool = False, *, axis: Dim = None,
         keepdims: Optional[bool] = None, dtype: Any = None) -> _CoreTensor:
    """Mean of all elements or along ``dim`` (same arguments as :func:`sum`); integer and bool tensors need
    ``dtype=polyhead.float32``, as in PyTorch.

    Raises:
        NotImplementedError: an integer or bool ``input`` without ``dtype=polyhead.float32``.

    Examples:
        >>> import polyhead
        >>> polyhead.tensor([[1.0, 2.0], [3.0, 4.0]]).mean(1).tolist()
        [1.5, 3.5]
        >>> polyhead.tensor([1, 2]).mean(dtype=polyhead.float32).item()
        1.5
    """
    dim, keepdim = _pick(dim, axis, keepdim, keepdims)
    input = require_tensor(input, "mean")
    check_dtype(dtype)
    if dtype is None and dtype_of(input) is not float32:
        raise NotImplementedError(f"mean(): could not infer output dtype: input dtype must be floating point, "
                                  f"got {dtype_of(input)!r}; pass dtype=polyhead.float32 or call .float()")
    return _reduce(_core.mean_all, _core.mean, input, dim, keepdim)


MaxResult = namedtuple("max", ["values", "indices"])
MaxResult.__doc__ = "``(values, indices)`` returned by ``max(input, dim)``, like torch.return_types.max."
MinResult = namedtuple("min", ["values", "indices"])
MinResult.__doc__ = "``(values, indices)`` returned by ``min(input, dim)``, like torch.return_types.min."


def max(input: _CoreTensor, dim: Optional[int] = None, keepdim: bool = False) -> Any:
    """Maximum of all elements (a 0-d tensor), or ``(values, indices)`` along ``dim``.

    The gradient of ``values`` flows to the first maximal element; ``values`` keep ``input``'s dtype.
    ``indices`` is an int64 tensor of the positions of those elements.

    Examples:
        >>> import polyhead
        >>> t = polyhead.tensor([[1.0, 5.0], [7.0, 2.0]])
        >>> t.max().item()
        7.0
        >>> values, indices = t.max(dim=1)
        >>> values.tolist(), indices.tolist()
        ([5.0, 7.0], [1, 0])
    """
    require_tensor(input, "max")
    kind = dtype_of(input)
    if dim is None:
        return with_dtype(_core.max(_core.reshape(input, (-1,)), 0, 0), kind)
    axis = normalize_dim(dim, input.ndim)
    values = with_dtype(_core.max(input, axis, int(keepdim)), kind)
    return MaxResult(values, argmax(input, axis, keepdim))


def argmax(input: _CoreTensor, dim: Optional[int] = None, keepdim: bool = False) -> _CoreTensor:
    """Position of the first maximum (over the flattened tensor, or along ``dim``) as an int64 tensor.

    Examples:
        >>> import polyhead
        >>> polyhead.tensor([[1.0, 5.0], [7.0, 2.0]]).argmax(dim=1)
        tensor([1, 0])
    """
    require_tensor(input, "argmax")
    if dim is None:
        out = _core.argmax(_core.reshape(input, (-1,)), 0, 0)
    else:
        out = _core.argmax(input, normalize_dim(dim, input.ndim), int(keepdim))
    return with_dtype(out, int64)


def argmin(input: _CoreTensor, dim: Optional[int] = None, keepdim: bool = False) -> _CoreTensor:
    """Position of the first minimum (over the flattened tensor, or along ``dim``) as an int64 tensor.

    Examples:
        >>> import polyhead
        >>> polyhead.tensor([[1.0, 5.0], [7.0, 2.0]]).argmin(dim=1).tolist()
        [0, 1]
    """
    return argmax(_core.neg(require_tensor(input, "argmin")), dim, keepdim)
