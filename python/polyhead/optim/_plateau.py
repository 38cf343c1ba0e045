"""``ReduceLROnPlateau``: a schedule driven by a validation metric instead of the epoch count."""

from __future__ import annotations

import math
from typing import Any, Dict, List, Sequence, Union

from ._schedules import _check_optimizer, _per_group
from .optimizer import Optimizer

__all__ = ["ReduceLROnPlateau"]


class ReduceLROnPlateau:
    """Multiplies the learning rate by ``factor`` once a metric has not improved for ``patience`` epochs.

    Args:
        optimizer: the wrapped optimizer.
        mode: ``'min'`` (lower is better) or ``'max'``. Default: ``'min'``.
        factor: the decay factor (< 1). Default: 0.1.
        patience: epochs without improvement tolerated. Default: 10.
        threshold: the smallest change that counts as an improvement. Default: 1e-4.
        threshold_mode: ``'rel'`` (relative to the best) or ``'abs'``. Default: ``'rel'``.
        cooldown: epochs to wait after a reduction before counting again. Default: 0.
        min_lr: a lower bound on the learning rate (one for all groups, or one per group). Default: 0.
        eps: a reduction smaller than this is skipped. Default: 1e-8.

    Examples:
        >>> import polyhead
        >>> opt = polyhead.optim.SGD([polyhead.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = polyhead.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5)
        >>> sched.step(1.0); sched.step(2.0); opt.param_groups[0]["lr"]
        0.5
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                 min_lr: Union[float, Sequence[float]] = 0, eps: float = 1e-8) -> None:
        _check_optimizer(optimizer)
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode} is unknown!")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode} is unknown!")
        self.min_lrs = _per_group(min_lr, optimizer, "min_lrs")
        self.optimizer = optimizer
        self.mode, self.factor, self.patience, self.threshold = mode, factor, patience, threshold
        self.threshold_mode, self.cooldown, self.eps = threshold_mode, cooldown, eps
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = self.cooldown_counter = self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def _is_better(self, value: float) -> bool:
        sign = 1.0 if self.mode == "min" else -1.0
        if self.threshold_mode == "rel":
            return sign * value < sign * self.best * (1.0 - sign * self.threshold)
        return sign * value < sign * self.best - self.threshold

    def step(self, metrics: Any) -> None:
        """Records this epoch's metric (a number or a one-element tensor) and reduces the rates if due."""
        value = float(metrics)
        self.last_epoch += 1
        if self._is_better(value):
            self.best, self.num_bad_epochs = value, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for group, low in zip(self.optimizer.param_groups, self.min_lrs):
                new_lr = max(group["lr"] * self.factor, low)
                if group["lr"] - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> List[float]:
        """The learning rates after the last ``step()``."""
        return self._last_lr

    def state_dict(self) -> Dict[str, Any]:
        """The schedule's state (everything but the optimizer)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        """Restores a state from ``state_dict()``."""
        self.__dict__.update(state_dict)
