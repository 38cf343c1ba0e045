"""Gradient clipping in place, with ``torch.nn.utils``'s semantics (the arithmetic runs in core ops)."""

from __future__ import annotations

import math
from typing import Iterable, List, Union

from ... import _core
from ...autograd import no_grad

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm"]

TensorsT = Union[_core.Tensor, Iterable[_core.Tensor]]


def _tensor_list(tensors: TensorsT, name: str) -> List[_core.Tensor]:
    items = [tensors] if isinstance(tensors, _core.Tensor) else list(tensors)
    for item in items:
        if not isinstance(item, _core.Tensor):
            raise TypeError(f"{name} must be tensors, but got {type(item).__name__}")
    return items


def _norm_type(norm_type: Union[float, int, str]) -> float:
    if norm_type in ("inf", float("inf")):
        return math.inf
    if isinstance(norm_type, bool) or not isinstance(norm_type, (int, float)) or not norm_type > 0:
        raise ValueError(f"norm_type must be a positive number or inf, but got {norm_type!r}")
    return float(norm_type)


@no_grad()
def get_total_norm(tensors: TensorsT, norm_type: Union[float, int, str] = 2.0,
                   error_if_nonfinite: bool = False) -> _core.Tensor:
    """The ``norm_type``-norm of all ``tensors`` together, as if concatenated into one vector (a 0-d tensor).

    Raises:
        RuntimeError: the norm is nan or inf and ``error_if_nonfinite`` is set.
    """
    import polyhead

    items = _tensor_list(tensors, "tensors")
    p = _norm_type(norm_type)
    if not items:
        return polyhead.tensor(0.0)
    if p == math.inf:
        total = polyhead.stack([polyhead.stack([t.max(), (-t).max()]).max() for t in items]).max()
    else:
        # |t|^p as (t·t)^(p/2): no absolute value is needed
        powers = [(t * t).sum() if p == 2 else ((t * t) ** (p / 2)).sum() for t in items]
        total = polyhead.stack(powers).sum() ** (1.0 / p)
    if error_if_nonfinite and not math.isfinite(total.item()):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    return total


@no_grad()
def clip_grad_norm_(parameters: TensorsT, max_norm: float, norm_type: Union[float, int, str] = 2.0,
                    error_if_nonfinite: bool = False, foreach: object = None) -> _core.Tensor:
    """Scales the gradients of ``parameters`` in place so that their total norm is at most ``max_norm``
    (by ``max_norm / (total_norm + 1e-6)`` when larger), as ``torch.nn.utils.clip_grad_norm_``.

    Args:
        parameters: a tensor or an iterable of tensors whose ``.grad`` is clipped (those without one are skipped).
        max_norm: the largest allowed norm.
        norm_type: the order of the norm (``float('inf')`` or ``'inf'`` for the largest magnitude). Default: 2.
        error_if_nonfinite: raise RuntimeError when the total norm is nan or inf. Default: False.
        foreach: accepted for compatibility; ignored.

    Returns:
        The total norm of the gradients before clipping (a 0-d tensor).

    Examples:
        >>> import polyhead
        >>> p = polyhead.tensor([3.0, 4.0], requires_grad=True)
        >>> (p * p).sum().backward()             # grad = (6, 8), norm 10
        >>> round(polyhead.nn.utils.clip_grad_norm_([p], max_norm=5.0).item(), 4)
        10.0
        >>> [round(v, 3) for v in p.grad.tolist()]
        [3.0, 4.0]
    """
    grads = [p.grad for p in _tensor_list(parameters, "parameters") if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    coefficient = float(max_norm) / (total.item() + 1e-6)
    if coefficient < 1.0:
        for grad in grads:
            grad.mul_(coefficient)
    return total


@no_grad()
def clip_grad_value_(parameters: TensorsT, clip_value: float, foreach: object = None) -> None:
    """Clamps the gradients of ``parameters`` in place to ``[-clip_value, clip_value]``.

    Examples:
        >>> import polyhead
        >>> p = polyhead.tensor([1.0, -2.0], requires_grad=True)
        >>> (p * 3).sum().backward()
        >>> polyhead.nn.utils.clip_grad_value_([p], clip_value=0.5); p.grad.tolist()
        [0.5, 0.5]
    """
    bound = float(clip_value)
    if not bound >= 0:
        raise ValueError(f"clip_value must be >= 0, but got {clip_value!r}")
    for p in _tensor_list(parameters, "parameters"):
        grad = p.grad
        if grad is not None:
            # clamp(g, -c, c) = c - relu(c - (relu(g + c) - c))
            low_clamped = _core.relu(grad + bound) - bound
            grad.copy_(bound - _core.relu(bound - low_clamped))
