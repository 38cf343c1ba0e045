"""Statistics and norms: ``var``, ``std`` (with PyTorch's ``unbiased``/``correction``) and ``norm`` (p = 2, 1, inf,
'fro'), shared by the ``polyhead.*`` functions and the ``Tensor`` methods. They compose core reductions
(``sum``/``mean``/``max``), so gradients flow through the core's autodiff."""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

from . import _core, _ops
from ._compare import abs as absolute
from ._convert import as_tensor, normalize_dim, require_tensor
from ._dtype import dtype_of, float32

_CoreTensor = _core.Tensor
_shape = _core.Tensor.shape.__get__


def _floating(input: Any, name: str) -> _CoreTensor:
    """``input`` checked to be a float tensor (PyTorch refuses integer inputs to these statistics)."""
    require_tensor(input, name)
    if dtype_of(input) is not float32:
        raise TypeError(f"{name}(): input dtype must be floating point, got {dtype_of(input)!r}; call .float()")
    return input


def _count(input: _CoreTensor, dim: Any) -> int:
    """How many elements each result of a reduction over ``dim`` (None: all) summarises."""
    shape = _shape(input)
    if dim is None:
        return math.prod(shape)
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    return math.prod(shape[normalize_dim(d, len(shape))] for d in dims) if shape else 1


def var(input: _CoreTensor, dim: Any = None, unbiased: Optional[bool] = None, keepdim: bool = False, *,
        correction: Optional[float] = None) -> _CoreTensor:
    """Variance over all elements or along ``dim``: ``sum((x - mean)²) / (N - correction)``; ``correction``
    defaults to 1 (Bessel's), ``unbiased=False`` means 0, as in PyTorch (NaN/inf when ``N <= correction``).

    Examples:
        >>> import polyhead
        >>> polyhead.tensor([1.0, 2.0, 3.0, 4.0]).var().item(), polyhead.tensor([1.0, 3.0]).var(unbiased=False).item()
        (1.6666666269302368, 1.0)
    """
    _floating(input, "var")
    if isinstance(dim, bool):  # torch.var(x, False): the old positional ``unbiased``
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise ValueError("var(): pass either unbiased or correction, not both")
    offset = float(correction) if correction is not None else (0.0 if unbiased is False else 1.0)
    centered = _core.sub(input, _ops.mean(input, dim, True))
    squares = _ops.sum(_core.mul(centered, centered), dim, keepdim)
    return _core.div(squares, _core.full((), float(_count(input, dim)) - offset))


def std(input: _CoreTensor, dim: Any = None, unbiased: Optional[bool] = None, keepdim: bool = False, *,
        correction: Optional[float] = None) -> _CoreTensor:
    """Standard deviation: ``sqrt(var(...))`` with the same arguments as :func:`var`."""
    _floating(input, "std")
    return _core.sqrt(var(input, dim, unbiased, keepdim, correction=correction))


def norm(input: _CoreTensor, p: Any = 2, dim: Any = None, keepdim: bool = False) -> _CoreTensor:
    """The vector p-norm over all elements or along ``dim``: p = 2 (or 'fro'), 1, or ``inf`` (largest magnitude).
    The 2-norm's gradient is ``x / norm``, and 0 for an all-zero vector (as PyTorch).

    Raises:
        ValueError: another ``p``.

    Examples:
        >>> import polyhead
        >>> polyhead.tensor([3.0, -4.0]).norm().item(), polyhead.tensor([3.0, -4.0]).norm(p=1).item()
        (5.0, 7.0)
    """
    _floating(input, "norm")
    if p in (2, "fro"):
        squares = _ops.sum(_core.mul(input, input), dim, keepdim)
        # sqrt's slope is infinite at 0 (a NaN gradient); where the sum is 0 take sqrt(0 + 1) · 0 instead
        kept = (np.asarray(squares) > 0) | np.isnan(np.asarray(squares))
        return _core.mul(_core.sqrt(_core.add(squares, as_tensor((~kept).astype(np.float32), "norm"))),
                         as_tensor(kept.astype(np.float32), "norm"))
    if p == 1:
        return _ops.sum(absolute(input), dim, keepdim)
    if p == np.inf:
        magnitudes = absolute(input)
        if dim is None:
            out = _ops.max(magnitudes)
            return _core.reshape(out, (1,) * input.ndim) if keepdim else out
        dims = sorted((normalize_dim(d, input.ndim) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))),
                      reverse=True)
        for axis in dims:
            magnitudes = _ops.max(magnitudes, axis, keepdim).values
        return magnitudes
    raise ValueError(f"norm(): p must be 2, 'fro', 1 or inf, got {p!r}")
