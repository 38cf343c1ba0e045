"""``smooth_l1_loss`` and ``huber_loss``: quadratic near zero, linear beyond, built from core ops (``relu``,
``mse_loss``, ``l1_loss``) so autodiff, reductions and per-sample masks are the core's."""

from __future__ import annotations

from typing import Any

from .. import _core
from .._convert import as_tensor, require_tensor

__all__ = ["smooth_l1_loss", "huber_loss"]


def _split_error(input: Any, target: Any, bound: float, function: str, name: str):
    """``(c, a - c)`` with ``a = |input - target|`` and ``c = min(a, bound)`` (both ≥ 0, elementwise)."""
    x = require_tensor(input, function)
    if isinstance(bound, bool) or not isinstance(bound, (int, float)) or not bound >= 0:
        raise ValueError(f"{function}: {name} must be a number >= 0, got {bound!r}")
    y = as_tensor(target, "target")
    if tuple(_core.Tensor.shape.__get__(x)) != tuple(_core.Tensor.shape.__get__(y)):
        raise ValueError(f"{function}: input and target must have the same shape, got {tuple(x.shape)} and "
                         f"{tuple(y.shape)}")
    difference = _core.sub(x, y)
    magnitude = _core.add(_core.relu(difference), _core.relu(_core.neg(difference)))
    # written so that at a == bound the gradient takes the quadratic side, as torch's (|d| < bound) test does
    outer = _core.relu(_core.sub(magnitude, _core.full((), float(bound))))
    return _core.sub(magnitude, outer), outer


def _loss_arguments(values: Any, mask: Any, reduction: str) -> tuple:
    """Zeros shaped like ``values`` (the target of the core losses), the mask tensor and the reduction code."""
    from .functional import _mask, _reduction

    return _core.full(tuple(values.shape), 0.0), _mask(mask), _reduction(reduction)


def smooth_l1_loss(input: _core.Tensor, target: Any, *, reduction: str = "mean", beta: float = 1.0,
                   mask: Any = None) -> _core.Tensor:
    """``0.5 * d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 * beta`` (``d = input - target``), reduced;
    ``beta = 0`` is the L1 loss. ``mask`` as in :func:`mse_loss`.

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> F.smooth_l1_loss(polyhead.tensor([0.5, 3.0]), polyhead.zeros(2), reduction="none").tolist()
        [0.125, 2.5]
    """
    inner, outer = _split_error(input, target, beta, "smooth_l1_loss", "beta")
    zeros, weights, code = _loss_arguments(inner, mask, reduction)
    linear = _core.l1_loss(outer, zeros, weights, code)
    if beta == 0:
        return linear
    return _core.add(_core.mul(_core.mse_loss(inner, zeros, weights, code), _core.full((), 0.5 / beta)), linear)


def huber_loss(input: _core.Tensor, target: Any, *, reduction: str = "mean", delta: float = 1.0,
               mask: Any = None) -> _core.Tensor:
    """``0.5 * d**2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 * delta)``, reduced (``delta`` > 0).

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> F.huber_loss(polyhead.tensor([0.5, 3.0]), polyhead.zeros(2), delta=2.0, reduction="sum").item()
        4.125
    """
    if isinstance(delta, (int, float)) and not isinstance(delta, bool) and delta == 0:
        raise ValueError("huber_loss: delta must be > 0, got 0")
    inner, outer = _split_error(input, target, delta, "huber_loss", "delta")
    zeros, weights, code = _loss_arguments(inner, mask, reduction)
    quadratic = _core.mul(_core.mse_loss(inner, zeros, weights, code), _core.full((), 0.5))
    return _core.add(quadratic, _core.mul(_core.l1_loss(outer, zeros, weights, code), _core.full((), float(delta))))
