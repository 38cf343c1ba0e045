"""Loss modules: ``MSELoss``, ``L1Loss``, ``SmoothL1Loss``, ``HuberLoss``, ``BCELoss``, ``BCEWithLogitsLoss``,
``CrossEntropyLoss``, ``NLLLoss``. Each calls the ``nn.functional`` loss of the same meaning with its ``reduction``."""

from __future__ import annotations

from typing import Any, Callable

from ... import _core
from .. import functional as F
from .module import Module

__all__ = ["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss"]


def _no_legacy(size_average: Any, reduce: Any, name: str) -> None:
    if size_average is not None or reduce is not None:
        raise ValueError(f"{name}: size_average and reduce are deprecated in PyTorch and not supported by Polyhead; "
                         "use reduction='mean', 'sum' or 'none'")


class _Loss(Module):
    """Shared base: stores and validates ``reduction`` and the loss's extra options (keyword arguments of its
    functional form); ``forward(input, target)`` calls ``_function`` with them.

    Args:
        reduction: ``'mean'`` (default), ``'sum'`` or ``'none'``.
    """

    _function: Callable[..., _core.Tensor]

    def __init__(self, reduction: str = "mean", **options: Any) -> None:
        super().__init__()
        F._reduction(reduction)
        self.reduction = reduction
        self._options = tuple(options)
        for name, value in options.items():
            setattr(self, name, value)

    def forward(self, input: _core.Tensor, target: Any, mask: Any = None) -> _core.Tensor:
        """The loss of ``input`` against ``target``, reduced by ``self.reduction``; ``mask`` holds optional
        per-sample weights (0 = missing label), as in :func:`polyhead.nn.functional.mse_loss`."""
        options = {name: getattr(self, name) for name in self._options}
        return type(self)._function(input, target, reduction=self.reduction, mask=mask, **options)


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


class SmoothL1Loss(_Loss):
    """``0.5 * d**2 / beta`` for ``|d| < beta``, else ``|d| - 0.5 * beta``, reduced (see
    :func:`polyhead.nn.functional.smooth_l1_loss`).

    Args:
        reduction: ``'mean'`` (default), ``'sum'`` or ``'none'``.
        beta: where the loss turns from quadratic to linear (>= 0). Default: 1.0.
    """

    _function = staticmethod(F.smooth_l1_loss)

    def __init__(self, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(reduction, beta=beta)


class HuberLoss(_Loss):
    """``0.5 * d**2`` for ``|d| < delta``, else ``delta * (|d| - 0.5 * delta)``, reduced (see
    :func:`polyhead.nn.functional.huber_loss`).

    Args:
        reduction: ``'mean'`` (default), ``'sum'`` or ``'none'``.
        delta: where the loss turns from quadratic to linear (> 0). Default: 1.0.
    """

    _function = staticmethod(F.huber_loss)

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction, delta=delta)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities in [0, 1] (torch's argument order: ``weight`` first).

    Args:
        weight: optional elementwise rescaling (broadcast to the input). Default: None.
        reduction: ``'mean'`` (default), ``'sum'`` or ``'none'``.
    """

    _function = staticmethod(F.binary_cross_entropy)

    def __init__(self, weight: Any = None, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        _no_legacy(size_average, reduce, "BCELoss")
        super().__init__(reduction, weight=weight)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits (sigmoid folded in, numerically stable).

    Args:
        weight: optional elementwise rescaling (broadcast to the input). Default: None.
        reduction: ``'mean'`` (default), ``'sum'`` or ``'none'``.
        pos_weight: optional weight of the positive term per output column, e.g. ``negatives / positives``.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> loss = nn.BCEWithLogitsLoss(pos_weight=polyhead.tensor([3.0]))
        >>> round(loss(polyhead.zeros(2, 1), polyhead.tensor([[1.0], [0.0]])).item(), 4)
        1.3863
    """

    _function = staticmethod(F.binary_cross_entropy_with_logits)

    def __init__(self, weight: Any = None, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 pos_weight: Any = None) -> None:
        _no_legacy(size_average, reduce, "BCEWithLogitsLoss")
        super().__init__(reduction, weight=weight, pos_weight=pos_weight)


class CrossEntropyLoss(_Loss):
    """Cross-entropy of logits (N, C) against class indices (N,), with torch's options (see
    :func:`polyhead.nn.functional.cross_entropy`).

    Args:
        weight: optional weight per class (C,). Default: None.
        ignore_index: the label of missing samples. Default: -100.
        reduction: ``'mean'`` (default), ``'sum'`` or ``'none'``.
        label_smoothing: ε in [0, 1]. Default: 0.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> round(nn.CrossEntropyLoss()(polyhead.zeros(3, 2), [0, 1, 1]).item(), 4)
        0.6931
    """

    _function = staticmethod(F.cross_entropy)

    def __init__(self, weight: Any = None, size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                 reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        _no_legacy(size_average, reduce, "CrossEntropyLoss")
        super().__init__(reduction, weight=weight, ignore_index=ignore_index, label_smoothing=label_smoothing)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities (N, C) against class indices (N,).

    Args:
        weight: optional weight per class (C,). Default: None.
        ignore_index: the label of missing samples. Default: -100.
        reduction: ``'mean'`` (default), ``'sum'`` or ``'none'``.
    """

    _function = staticmethod(F.nll_loss)

    def __init__(self, weight: Any = None, size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                 reduction: str = "mean") -> None:
        _no_legacy(size_average, reduce, "NLLLoss")
        super().__init__(reduction, weight=weight, ignore_index=ignore_index)
