"""Comparisons, predicates and elementwise selection: ``eq``/``ne``/``lt``/``le``/``gt``/``ge``, ``isnan``,
``isinf``, ``isfinite``, ``all``, ``any``, ``allclose``, ``equal``, ``abs``, ``sign``, ``clamp``/``clip``,
``maximum``/``minimum``, ``min`` and ``masked_fill``, shared by the ``polyhead.*`` functions and the ``Tensor``
methods.

Predicates run in numpy and give ``bool`` tensors (no gradient, as in PyTorch). The differentiable ones compose
core ops: ``abs`` multiplies by the sign, ``clamp``/``maximum``/``minimum``/``masked_fill`` pick with
``where`` (``_core.index_select``), so gradients reach the picked operand, split in half at ties of
``maximum``/``minimum`` as in PyTorch.
"""

from __future__ import annotations

import builtins
from typing import Any, Callable, Optional

import numpy as np

from . import _core, _ops
from ._convert import as_tensor, normalize_dim, require_tensor
from ._dtype import bool_, dtype_of, float32, with_dtype
from ._indexing import where
from ._integer_ops import compare, from_values, keeping_dtype, operand, result_type

_CoreTensor = _core.Tensor


def _broadcast_or_none(*shapes: tuple) -> Optional[tuple]:
    """The broadcast shape of ``shapes``, or None if they do not broadcast."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        return None


def _comparison(operator_method: Callable, name: str) -> Callable:
    """``polyhead.<name>(input, other)``: the comparison operator as a function giving a ``bool`` tensor."""
    def function(input: Any, other: Any) -> _CoreTensor:
        if operand(other) is None:
            raise TypeError(f"{name}(): argument 'other' must be a tensor or a number, not {type(other).__name__}")
        return operator_method(as_tensor(input, "input"), other)
    function.__name__ = name
    function.__doc__ = f"Elementwise ``input {name} other`` with broadcasting, as a ``bool`` tensor."
    return function


eq, ne = _comparison(compare(np.equal), "eq"), _comparison(compare(np.not_equal), "ne")
lt, le = _comparison(compare(np.less), "lt"), _comparison(compare(np.less_equal), "le")
gt, ge = _comparison(compare(np.greater), "gt"), _comparison(compare(np.greater_equal), "ge")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _predicate(numpy_fn: Callable, name: str) -> Callable:
    """``polyhead.<name>(input)``: an elementwise numpy predicate as a ``bool`` tensor."""
    def function(input: _CoreTensor) -> _CoreTensor:
        return from_values(numpy_fn(np.asarray(require_tensor(input, name))), bool_)
    function.__name__ = name
    function.__doc__ = f"Elementwise ``{name}`` as a ``bool`` tensor (integer tensors: NaN and inf never occur)."
    return function


isnan, isinf, isfinite = _predicate(np.isnan, "isnan"), _predicate(np.isinf, "isinf"), _predicate(np.isfinite, "isfinite")


def _truth(numpy_fn: Callable, name: str) -> Callable:
    """``all``/``any``: a numpy reduction of ``input != 0`` over all elements or along ``dim``."""
    def function(input: _CoreTensor, dim: Optional[int] = None, keepdim: bool = False) -> _CoreTensor:
        values = np.asarray(require_tensor(input, name)) != 0
        if dim is None:
            return from_values(np.asarray(numpy_fn(values)), bool_)
        axes = dim if isinstance(dim, (tuple, list)) else (dim,)
        axes = tuple(normalize_dim(d, builtins.max(values.ndim, 1)) for d in axes)
        if values.ndim == 0:
            return from_values(values, bool_)
        return from_values(numpy_fn(values, axis=axes, keepdims=bool(keepdim)), bool_)
    function.__name__ = name
    function.__doc__ = (f"True where {name} element(s) are non-zero, over the whole tensor (a 0-d ``bool`` tensor) or "
                        f"along ``dim`` (``keepdim`` keeps the axis).")
    return function


all, any = _truth(np.all, "all"), _truth(np.any, "any")


def allclose(input: _CoreTensor, other: _CoreTensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """True if ``|input - other| <= atol + rtol * |other|`` everywhere (broadcasting), as a Python bool.

    Raises:
        ValueError: the shapes do not broadcast.
    """
    a, b = np.asarray(as_tensor(input, "input")), np.asarray(as_tensor(other, "other"))
    if _broadcast_or_none(a.shape, b.shape) is None:
        raise ValueError(f"allclose(): shapes {a.shape} (input) and {b.shape} (other) do not broadcast")
    return builtins.bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input: _CoreTensor, other: _CoreTensor) -> bool:
    """True if both tensors have the same shape and the same values (a Python bool; NaN is never equal)."""
    a, b = np.asarray(require_tensor(input, "equal")), np.asarray(require_tensor(other, "equal", "other"))
    return a.shape == b.shape and builtins.bool(np.array_equal(a, b))


def sign(input: _CoreTensor) -> _CoreTensor:
    """Elementwise -1, 0 or 1 (NaN stays NaN) in ``input``'s dtype; records no gradient (it is zero)."""
    require_tensor(input, "sign")
    return from_values(np.sign(np.asarray(input)), dtype_of(input))


def abs(input: _CoreTensor) -> _CoreTensor:
    """Elementwise ``|input|``; the gradient is ``sign(input)`` (0 at 0, as in PyTorch)."""
    require_tensor(input, "abs")
    if dtype_of(input) is not float32:
        return from_values(np.abs(np.asarray(input)), dtype_of(input))
    return _core.mul(input, _core.from_buffer(np.sign(np.asarray(input)).astype(np.float32)))


absolute = abs


def _larger(a: Any, b: Any, pick_a: Callable, name: str) -> _CoreTensor:
    """``a`` where ``pick_a(a, b)`` (or ``a`` is NaN), else ``b``; at ties the mean, so each side gets half the
    gradient (PyTorch's ``maximum``/``minimum``)."""
    if operand(a) is None or operand(b) is None:
        raise TypeError(f"{name}(): arguments must be tensors or numbers, got {type(a).__name__} and "
                        f"{type(b).__name__}")
    x, y = np.asarray(operand(a)), np.asarray(operand(b))
    shape = _broadcast_or_none(x.shape, y.shape)
    if shape is None:
        raise ValueError(f"{name}(): shapes {x.shape} (input) and {y.shape} (other) do not broadcast")
    target = result_type(a, b)
    picked = where(pick_a(x, y) | np.isnan(x), a, b)
    if target is not float32 or not (x == y).any():
        return picked
    mean = _core.mul(_core.add(as_tensor(a, "input"), as_tensor(b, "other")), _core.full((), 0.5))
    return where(np.broadcast_to(x == y, shape), mean, picked)


def maximum(input: Any, other: Any) -> _CoreTensor:
    """Elementwise maximum with broadcasting (NaN wins, as in PyTorch); gradients go to the larger operand.

    Examples:
        >>> import polyhead
        >>> polyhead.maximum(polyhead.tensor([1.0, 5.0]), polyhead.tensor([3.0, 2.0])).tolist()
        [3.0, 5.0]
    """
    return _larger(input, other, np.greater, "maximum")


def minimum(input: Any, other: Any) -> _CoreTensor:
    """Elementwise minimum with broadcasting (NaN wins); gradients go to the smaller operand."""
    return _larger(input, other, np.less, "minimum")


def clamp(input: _CoreTensor, min: Any = None, max: Any = None) -> _CoreTensor:
    """``input`` limited to ``[min, max]`` (numbers or tensors that broadcast; either may be None). As in PyTorch 2,
    a number bound passes the gradient where ``min < input < max`` (not at the bounds); a tensor bound acts as
    :func:`maximum`/:func:`minimum` (ties split the gradient).

    Raises:
        ValueError: both bounds are None.

    Examples:
        >>> import polyhead
        >>> polyhead.tensor([-2.0, 0.5, 3.0]).clamp(min=0, max=1).tolist()
        [0.0, 0.5, 1.0]
    """
    require_tensor(input, "clamp")
    if min is None and max is None:
        raise ValueError("clamp(): at least one of 'min' or 'max' must not be None")
    out = input
    for bound, name, tensor_op, at_or_beyond in ((min, "min", maximum, np.less_equal),
                                                 (max, "max", minimum, np.greater_equal)):
        if isinstance(bound, _CoreTensor):
            out = tensor_op(out, bound)
        elif bound is not None:
            limit = as_tensor(bound, name)
            out = with_dtype(where(at_or_beyond(np.asarray(out), np.asarray(limit)), limit, out), dtype_of(out))
    return out


clip = clamp


def clamp_(input: _CoreTensor, min: Any = None, max: Any = None) -> _CoreTensor:
    """In place :func:`clamp` (``copy_``'s rules: not on a leaf requiring grad while grad is recorded)."""
    return input.copy_(clamp(input, min, max))


clip_ = clamp_


def max(input: _CoreTensor, dim: Any = None, keepdim: bool = False) -> Any:
    """Maximum of all elements (a 0-d tensor), ``(values, indices)`` along ``dim`` (see ``_ops.max``), or with a
    tensor as the second argument the elementwise :func:`maximum` (``torch.max(a, b)``)."""
    if isinstance(dim, _CoreTensor):
        return maximum(require_tensor(input, "max"), dim)
    return _ops.max(input, dim, keepdim)


def min(input: _CoreTensor, dim: Any = None, keepdim: bool = False) -> Any:
    """Minimum of all elements (a 0-d tensor), ``(values, indices)`` along ``dim``, or with a tensor as the
    second argument the elementwise :func:`minimum` (as :func:`polyhead.max`).

    Examples:
        >>> import polyhead
        >>> values, indices = polyhead.tensor([[1.0, 5.0], [7.0, 2.0]]).min(dim=1)
        >>> values.tolist(), indices.tolist()
        ([1.0, 2.0], [0, 1])
    """
    require_tensor(input, "min")
    if isinstance(dim, _CoreTensor):
        return minimum(input, dim)
    kind = dtype_of(input)
    flipped = _ops.max(_core.neg(input) if kind is float32 else from_values(-np.asarray(input), float32), dim, keepdim)
    if dim is None:
        return with_dtype(_core.neg(flipped), kind) if kind is float32 else from_values(-np.asarray(flipped), kind)
    values = _core.neg(flipped.values) if kind is float32 else from_values(-np.asarray(flipped.values), kind)
    return _ops.MinResult(values, flipped.indices)


@keeping_dtype
def masked_fill(input: _CoreTensor, mask: Any, value: Any) -> _CoreTensor:
    """``input`` with ``value`` (a number or 0-d tensor) where the ``bool`` ``mask`` (broadcast to ``input``) is
    True; the gradient reaches ``input`` elsewhere and a tensor ``value`` at the filled positions.

    Raises:
        TypeError: ``mask`` is not a bool tensor or array.
        ValueError: ``mask`` does not broadcast to ``input``'s shape.
    """
    require_tensor(input, "masked_fill")
    condition = np.asarray(mask)
    if condition.dtype.kind != "b":
        raise TypeError(f"masked_fill(): mask must be a bool tensor, got {getattr(mask, 'dtype', condition.dtype)}")
    shape = tuple(input.shape)
    if condition.ndim > len(shape) or _broadcast_or_none(condition.shape, shape) != shape:
        raise ValueError(f"masked_fill(): mask of shape {condition.shape} does not broadcast to the input's {shape}")
    fill = value if isinstance(value, _CoreTensor) else as_tensor(value, "value")
    return where(condition, fill, input)


def masked_fill_(input: _CoreTensor, mask: Any, value: Any) -> _CoreTensor:
    """In place :func:`masked_fill` (``copy_``'s rules: not on a leaf requiring grad while grad is recorded)."""
    return input.copy_(masked_fill(input, mask, value))
