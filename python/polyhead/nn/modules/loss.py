"""Loss modules: ``MSELoss``, ``L1Loss``, ``SmoothL1Loss``, ``HuberLoss``, ``BCELoss``, ``BCEWithLogitsLoss``,
``CrossEntropyLoss``, ``NLLLoss``. Each calls the ``nn.functional`` loss of the same meaning with its ``reduction``."""

from __future__ import annotations

from typing import Any, Callable

from ... import _core
from .. import functional as F
from .module import Module

__all__ = ["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss"]


class _Loss(Module):
    """Shared base: stores and validates ``reduction``; ``forward(input, target)`` calls ``_function``.

    Args:
        reduction: ``'mean'`` (default), ``'sum'`` or ``'none'``.
    """

    _function: Callable[..., _core.Tensor]

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        F._reduction(reduction)
        self.reduction = reduction

    def forward(self, input: _core.Tensor, target: Any, mask: Any = None) -> _core.Tensor:
        """The loss of ``input`` against ``target``, reduced by ``self.reduction``; ``mask`` holds optional
        per-sample weights (0 = missing label), as in :func:`polyhead.nn.functional.mse_loss`."""
        return type(self)._function(input, target, reduction=self.reduction, mask=mask)


class MSELoss(_Loss):
    """Mean squared error: ``(input - target) ** 2`` reduced.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> nn.MSELoss(reduction="sum")(polyhead.tensor([1.0, 2.0]), polyhead.zeros(2)).item()
        5.0
    """

    _function = staticmethod(F.mse_loss)


class L1Loss(_Loss):
    """Mean absolute error: ``|input - target|`` reduced."""

    _function = staticmethod(F.l1_loss)


class _ThresholdLoss(_Loss):
    """Shared base of the losses that turn from quadratic to linear at a threshold named ``_keyword``."""

    _keyword: str

    def __init__(self, reduction: str, threshold: float) -> None:
        super().__init__(reduction)
        setattr(self, self._keyword, threshold)

    def forward(self, input: _core.Tensor, target: Any, mask: Any = None) -> _core.Tensor:
        """The loss of ``input`` against ``target`` (``mask``: optional per-sample weights)."""
        threshold = {self._keyword: getattr(self, self._keyword)}
        return type(self)._function(input, target, reduction=self.reduction, mask=mask, **threshold)


class SmoothL1Loss(_ThresholdLoss):
    """``0.5 * d**2 / beta`` for ``|d| < beta``, else ``|d| - 0.5 * beta``, reduced (see
    :func:`polyhead.nn.functional.smooth_l1_loss`).

    Args:
        reduction: ``'mean'`` (default), ``'sum'`` or ``'none'``.
        beta: where the loss turns from quadratic to linear (>= 0). Default: 1.0.
    """

    _function = staticmethod(F.smooth_l1_loss)
    _keyword = "beta"

    def __init__(self, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(reduction, beta)


class HuberLoss(_ThresholdLoss):
    """``0.5 * d**2`` for ``|d| < delta``, else ``delta * (|d| - 0.5 * delta)``, reduced (see
    :func:`polyhead.nn.functional.huber_loss`).

    Args:
        reduction: ``'mean'`` (default), ``'sum'`` or ``'none'``.
        delta: where the loss turns from quadratic to linear (> 0). Default: 1.0.
    """

    _function = staticmethod(F.huber_loss)
    _keyword = "delta"

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction, delta)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities in [0, 1]."""

    _function = staticmethod(F.binary_cross_entropy)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits (sigmoid folded in, numerically stable)."""

    _function = staticmethod(F.binary_cross_entropy_with_logits)


class CrossEntropyLoss(_Loss):
    """Cross-entropy of logits (N, C) against class indices (N,).

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> round(nn.CrossEntropyLoss()(polyhead.zeros(3, 2), [0, 1, 1]).item(), 4)
        0.6931
    """

    _function = staticmethod(F.cross_entropy)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities (N, C) against class indices (N,)."""

    _function = staticmethod(F.nll_loss)
