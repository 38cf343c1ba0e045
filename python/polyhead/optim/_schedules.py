"""The epoch-indexed learning-rate schedules of ``polyhead.optim.lr_scheduler`` (torch's recurrences) and
their base class."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from typing import Any, Callable, Dict, List, Sequence, Union

from .optimizer import Optimizer

__all__ = ["LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
           "ExponentialLR", "PolynomialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "SequentialLR"]


def _check_optimizer(optimizer: Any) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


def _per_group(value: Any, optimizer: Optimizer, label: str) -> List[Any]:
    """``value`` for every parameter group: a list or tuple gives one per group, anything else is repeated."""
    count = len(optimizer.param_groups)
    if not isinstance(value, (list, tuple)):
        return [value] * count
    if len(value) != count:
        raise ValueError(f"expected {count} {label}, but got {len(value)}")
    return list(value)


class LRScheduler:
    """Base class of the epoch-indexed schedules: ``step()`` advances ``last_epoch`` and sets every group's
    ``'lr'`` to ``_next_lr(lr, base_lr)``; construction performs the first step (epoch 0), as in PyTorch.

    Args:
        optimizer: the wrapped optimizer.
        last_epoch: the index of the last epoch when resuming (groups then need ``'initial_lr'``).
            Default: -1 (a fresh start: each group's ``'initial_lr'`` is set to its current ``'lr'``).
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        for index, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(f"param 'initial_lr' is not specified in param_groups[{index}] when resuming "
                               "an optimizer")
        self.base_lrs: List[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._first_step()

    def _first_step(self) -> None:
        """The step of epoch 0 (at construction, or when a ``SequentialLR`` switches to this schedule)."""
        self._initial = True
        self.step()
        self._initial = False

    def _restart(self) -> None:
        """Starts again at epoch 0 from the initial learning rates."""
        for group, base in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = base
        self.last_epoch = -1
        self._first_step()

    def _next_lr(self, lr: float, base_lr: float) -> float:
        """The learning rate of epoch ``last_epoch`` from the previous one (subclasses)."""
        raise NotImplementedError

    def get_lr(self) -> List[float]:
        """The learning rates of the current epoch, one per parameter group, from the groups' current ones."""
        return [self._next_lr(group["lr"], base) for group, base in zip(self.optimizer.param_groups, self.base_lrs)]

    def step(self) -> None:
        """Advances one epoch and writes the new learning rates into the optimizer's groups."""
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> List[float]:
        """The learning rates set by the last ``step()``."""
        return self._last_lr

    def state_dict(self) -> Dict[str, Any]:
        """The schedule's state (everything but the optimizer and callables), for ``torch.save``."""
        return {key: value for key, value in self.__dict__.items()
                if key != "optimizer" and not callable(value) and key != "lr_lambdas"}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        """Restores a state from ``state_dict()``."""
        self.__dict__.update(state_dict)


class _PerGroupLambda(LRScheduler):
    """A schedule driven by one function of the epoch per parameter group (or one for all)."""

    def __init__(self, optimizer: Optimizer, lr_lambda: Union[Callable[[int], float], Sequence[Callable]],
                 last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        self.lr_lambdas = _per_group(lr_lambda, optimizer, "lr_lambdas")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> List[float]:
        """The learning rates of the current epoch, one per parameter group."""
        return [self._lambda_lr(fn, group["lr"], base)
                for fn, group, base in zip(self.lr_lambdas, self.optimizer.param_groups, self.base_lrs)]

    def _lambda_lr(self, fn: Callable[[int], float], lr: float, base_lr: float) -> float:
        raise NotImplementedError


class LambdaLR(_PerGroupLambda):
    """``lr = initial_lr * lr_lambda(epoch)`` (one function, or one per parameter group).

    Examples:
        >>> import polyhead
        >>> opt = polyhead.optim.SGD([polyhead.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = polyhead.optim.lr_scheduler.LambdaLR(opt, lambda epoch: 0.5 ** epoch)
        >>> sched.step(); opt.param_groups[0]["lr"]
        0.5
    """

    def _lambda_lr(self, fn: Callable[[int], float], lr: float, base_lr: float) -> float:
        return base_lr * fn(self.last_epoch)


class MultiplicativeLR(_PerGroupLambda):
    """``lr = lr * lr_lambda(epoch)`` at every epoch after the first."""

    def _lambda_lr(self, fn: Callable[[int], float], lr: float, base_lr: float) -> float:
        return lr * fn(self.last_epoch) if self.last_epoch > 0 else lr


class StepLR(LRScheduler):
    """Multiplies the learning rate by ``gamma`` every ``step_size`` epochs.

    Args:
        optimizer: the wrapped optimizer.
        step_size: the period of decay, in epochs.
        gamma: the decay factor. Default: 0.1.
        last_epoch: see ``LRScheduler``. Default: -1.
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1) -> None:
        if not isinstance(step_size, int) or isinstance(step_size, bool) or step_size < 1:
            raise ValueError(f"step_size must be a positive integer, but got {step_size!r}")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def _next_lr(self, lr: float, base_lr: float) -> float:
        decays = self.last_epoch > 0 and self.last_epoch % self.step_size == 0
        return lr * self.gamma if decays else lr


class MultiStepLR(LRScheduler):
    """Multiplies the learning rate by ``gamma`` at each epoch listed in ``milestones``.

    Args:
        optimizer: the wrapped optimizer.
        milestones: epoch indices (a repeated one decays once per repetition).
        gamma: the decay factor. Default: 0.1.
        last_epoch: see ``LRScheduler``. Default: -1.
    """

    def __init__(self, optimizer: Optimizer, milestones: Sequence[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _next_lr(self, lr: float, base_lr: float) -> float:
        return lr * self.gamma ** self.milestones[self.last_epoch] if self.last_epoch in self.milestones else lr


class ConstantLR(LRScheduler):
    """Multiplies the learning rate by ``factor`` until epoch ``total_iters``, then restores it.

    Args:
        optimizer: the wrapped optimizer.
        factor: the multiplier, in [0, 1]. Default: 1/3.
        total_iters: the number of epochs it lasts. Default: 5.
        last_epoch: see ``LRScheduler``. Default: -1.
    """

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        if not 0 <= factor <= 1:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor, self.total_iters = factor, total_iters
        super().__init__(optimizer, last_epoch)

    def _next_lr(self, lr: float, base_lr: float) -> float:
        if self.last_epoch == 0:
            return lr * self.factor
        return lr / self.factor if self.last_epoch == self.total_iters else lr


class LinearLR(LRScheduler):
    """Scales the learning rate linearly from ``start_factor`` to ``end_factor`` over ``total_iters`` epochs
    (a warm-up with the defaults).

    Args:
        optimizer: the wrapped optimizer.
        start_factor: the multiplier of the first epoch, in (0, 1]. Default: 1/3.
        end_factor: the multiplier from epoch ``total_iters`` on, in [0, 1]. Default: 1.
        total_iters: the number of epochs. Default: 5.
        last_epoch: see ``LRScheduler``. Default: -1.
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1) -> None:
        if not 0 < start_factor <= 1:
            raise ValueError("Starting multiplicative factor expected to be greater than 0 and less or equal to 1.")
        if not 0 <= end_factor <= 1:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer, last_epoch)

    def _next_lr(self, lr: float, base_lr: float) -> float:
        if self.last_epoch == 0:
            return lr * self.start_factor
        if self.last_epoch > self.total_iters:
            return lr
        span = self.end_factor - self.start_factor
        return lr * (1.0 + span / (self.total_iters * self.start_factor + (self.last_epoch - 1) * span))


class ExponentialLR(LRScheduler):
    """Multiplies the learning rate by ``gamma`` every epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _next_lr(self, lr: float, base_lr: float) -> float:
        return lr * self.gamma if self.last_epoch > 0 else lr


class PolynomialLR(LRScheduler):
    """Decays the learning rate as ``(1 - epoch / total_iters) ** power`` until ``total_iters``, then 0."""

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1) -> None:
        self.total_iters, self.power = total_iters, power
        super().__init__(optimizer, last_epoch)

    def _next_lr(self, lr: float, base_lr: float) -> float:
        if self.last_epoch == 0 or self.last_epoch > self.total_iters:
            return lr
        ratio = (1.0 - self.last_epoch / self.total_iters) / (1.0 - (self.last_epoch - 1) / self.total_iters)
        return lr * ratio ** self.power


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from the initial learning rate to ``eta_min`` over ``T_max`` epochs (then back up,
    periodically), torch's recurrence: ``lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2``.

    Args:
        optimizer: the wrapped optimizer.
        T_max: the half period, in epochs.
        eta_min: the minimum learning rate. Default: 0.
        last_epoch: see ``LRScheduler``. Default: -1.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1) -> None:
        if not T_max > 0:
            raise ValueError(f"T_max must be positive, but got {T_max!r}")
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def _next_lr(self, lr: float, base_lr: float) -> float:
        epoch, period, low = self.last_epoch, self.T_max, self.eta_min
        if self._initial and epoch == 0:
            return lr
        if self._initial:  # resuming at a later epoch: the closed form
            return low + (base_lr - low) * (1 + math.cos(epoch * math.pi / period)) / 2
        if (epoch - 1 - period) % (2 * period) == 0:
            return lr + (base_lr - low) * (1 - math.cos(math.pi / period)) / 2
        return (1 + math.cos(math.pi * epoch / period)) / (1 + math.cos(math.pi * (epoch - 1) / period)) * (lr - low) + low


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR (Loshchilov & Hutter, 2017): cosine annealing restarted after ``T_0`` epochs, each period ``T_mult``
    times the previous one. ``step(epoch)`` also accepts a fractional epoch (``epoch + batch / batches``).

    Args:
        optimizer: the wrapped optimizer.
        T_0: the first period, in epochs (a positive integer).
        T_mult: the period growth factor (an integer ≥ 1). Default: 1.
        eta_min: the minimum learning rate. Default: 0.
        last_epoch: see ``LRScheduler``. Default: -1.
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        if not isinstance(T_0, int) or T_0 <= 0:
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        self.T_0, self.T_i, self.T_mult, self.eta_min = T_0, T_0, T_mult, eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> List[float]:
        """The learning rates at the current position ``T_cur`` of the current period."""
        cosine = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        return [self.eta_min + (base - self.eta_min) * cosine for base in self.base_lrs]

    def step(self, epoch: Union[int, float, None] = None) -> None:
        """Advances one epoch, or jumps to ``epoch`` (which may be fractional)."""
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur -= self.T_i
                self.T_i *= self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"Expected non-negative epoch, but got {epoch}")
            if epoch < self.T_0:
                self.T_i, self.T_cur = self.T_0, epoch
            elif self.T_mult == 1:
                self.T_i, self.T_cur = self.T_0, epoch % self.T_0
            else:
                n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
                self.T_i = self.T_0 * self.T_mult ** n
        self.last_epoch = math.floor(epoch) - 1
        super().step()


class SequentialLR(LRScheduler):
    """Runs ``schedulers`` one after another, switching at the epochs in ``milestones`` (e.g. a ``LinearLR``
    warm-up followed by ``CosineAnnealingLR``); each later schedule restarts from epoch 0.

    Args:
        optimizer: the optimizer all the schedules wrap.
        schedulers: the schedules, in order.
        milestones: ``len(schedulers) - 1`` increasing epoch indices.
        last_epoch: see ``LRScheduler``. Default: -1.
    """

    def __init__(self, optimizer: Optimizer, schedulers: Sequence[LRScheduler], milestones: Sequence[int],
                 last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        if not schedulers:
            raise ValueError("SequentialLR expects at least one scheduler")
        for index, scheduler in enumerate(schedulers):
            if getattr(scheduler, "optimizer", None) is not optimizer:
                raise ValueError(f"SequentialLR expects all schedulers to belong to the same optimizer, but "
                                 f"schedulers[{index}] has a different one")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"Sequential Schedulers expects number of schedulers provided to be one more than the "
                             f"number of milestone points, but got {len(schedulers)} schedulers and "
                             f"{len(milestones)} milestones")
        self.optimizer = optimizer
        self._schedulers, self._milestones = list(schedulers), list(milestones)
        self.last_epoch = last_epoch + 1
        # undo the initial steps of the later schedules: the first one alone sets epoch 0
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        for scheduler in self._schedulers:
            scheduler.last_epoch -= 1
        self._schedulers[0]._first_step()
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self._last_lr = self._schedulers[0].get_last_lr()

    def step(self) -> None:
        """Advances one epoch in the active schedule (restarting the next one at a milestone)."""
        self.last_epoch += 1
        index = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler._restart()
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()
