"""``OneCycleLR`` (Smith & Topin, 2018): the learning rate rises to ``max_lr`` and anneals far below the start,
while the momentum (SGD/RMSprop ``momentum``, Adam's ``beta1``) moves the opposite way — torch's schedule."""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Sequence, Union

from ._schedules import LRScheduler, _check_optimizer, _per_group
from .optimizer import Optimizer

__all__ = ["OneCycleLR"]


def _anneal(strategy: str, start: float, end: float, fraction: float) -> float:
    if strategy == "cos":
        return end + (start - end) / 2.0 * (math.cos(math.pi * fraction) + 1)
    return (end - start) * fraction + start


class OneCycleLR(LRScheduler):
    """The 1cycle policy, stepped once per batch for ``total_steps`` (or ``epochs * steps_per_epoch``) batches.

    Args:
        optimizer: the wrapped optimizer.
        max_lr: the peak learning rate (one for all groups, or one per group).
        total_steps, epochs, steps_per_epoch: the length of the cycle (``total_steps``, or the product).
        pct_start: the fraction of the cycle spent rising. Default: 0.3.
        anneal_strategy: ``'cos'`` or ``'linear'``. Default: ``'cos'``.
        cycle_momentum: move the momentum (or Adam's beta1) between ``max_momentum`` and ``base_momentum``
            inversely to the learning rate. Default: True.
        base_momentum, max_momentum: the momentum bounds. Default: 0.85, 0.95.
        div_factor: the start is ``max_lr / div_factor``. Default: 25.
        final_div_factor: the end is ``start / final_div_factor``. Default: 1e4.
        three_phase: rise, fall back to the start, then anneal to the end. Default: False.
        last_epoch: the index of the last batch when resuming. Default: -1.

    Examples:
        >>> import polyhead
        >>> opt = polyhead.optim.SGD([polyhead.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        >>> sched = polyhead.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)
        >>> round(opt.param_groups[0]["lr"], 4), opt.param_groups[0]["momentum"]
        (0.04, 0.95)
    """

    def __init__(self, optimizer: Optimizer, max_lr: Union[float, Sequence[float]], total_steps: Optional[int] = None,
                 epochs: Optional[int] = None, steps_per_epoch: Optional[int] = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: Union[float, Sequence[float]] = 0.85,
                 max_momentum: Union[float, Sequence[float]] = 0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False, last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        if total_steps is None:
            if epochs is None or steps_per_epoch is None:
                raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
            total_steps = epochs * steps_per_epoch
        if not isinstance(total_steps, int) or total_steps <= 0:
            raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
        if not 0 <= pct_start <= 1 or not isinstance(pct_start, (int, float)):
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self.total_steps, self.anneal_strategy, self.cycle_momentum = total_steps, anneal_strategy, cycle_momentum
        rise = float(pct_start * total_steps) - 1
        if three_phase:
            self._phases = [(rise, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                            (float(2 * pct_start * total_steps) - 2, "max_lr", "initial_lr", "base_momentum",
                             "max_momentum"),
                            (total_steps - 1.0, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
        else:
            self._phases = [(rise, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                            (total_steps - 1.0, "max_lr", "min_lr", "base_momentum", "max_momentum")]
        self._use_beta1 = "betas" in optimizer.defaults
        if cycle_momentum and not self._use_beta1 and "momentum" not in optimizer.defaults:
            raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
        groups = optimizer.param_groups
        peaks = _per_group(max_lr, optimizer, "max_lr")
        lows, highs = _per_group(base_momentum, optimizer, "base_momentum"), _per_group(max_momentum, optimizer,
                                                                                         "max_momentum")
        for group, peak, low, high in zip(groups, peaks, lows, highs):
            if last_epoch == -1:
                group["initial_lr"] = peak / div_factor
                group["max_lr"], group["min_lr"] = peak, group["initial_lr"] / final_div_factor
            if cycle_momentum:
                if last_epoch == -1:
                    self._set_momentum(group, high)
                group["max_momentum"], group["base_momentum"] = high, low
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group: Dict[str, Any], value: float) -> None:
        if self._use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def get_lr(self) -> List[float]:
        """The learning rates of the current batch (also moving the momentum when cycling it)."""
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"Tried to step {step} times. The specified number of total steps is {self.total_steps}")
        rates = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for number, (end, lr_from, lr_to, momentum_from, momentum_to) in enumerate(self._phases):
                if step <= end or number == len(self._phases) - 1:
                    fraction = (step - start) / (end - start)
                    rates.append(_anneal(self.anneal_strategy, group[lr_from], group[lr_to], fraction))
                    if self.cycle_momentum:
                        self._set_momentum(group, _anneal(self.anneal_strategy, group[momentum_from],
                                                          group[momentum_to], fraction))
                    break
                start = end
        return rates
