"""``polyhead.optim.lr_scheduler``: PyTorch's learning-rate schedules over an optimizer's ``param_groups``.

A schedule only rewrites each group's ``'lr'`` (the optimizer pushes it to the core at its next ``step()``),
with torch's recurrences, so chaining two schedules on one optimizer composes as it does in PyTorch::

    opt = polyhead.optim.Adam(model.parameters(), lr=1e-2)
    sched = polyhead.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
    for epoch in range(30):
        train_one_epoch(); sched.step()
"""

from __future__ import annotations

from typing import Any

from ._schedules import (ConstantLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, ExponentialLR, LambdaLR,
                         LinearLR, LRScheduler, MultiplicativeLR, MultiStepLR, PolynomialLR, SequentialLR, StepLR)
from ._plateau import ReduceLROnPlateau
from ._one_cycle import OneCycleLR

__all__ = ["LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
           "ExponentialLR", "PolynomialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "SequentialLR",
           "ReduceLROnPlateau", "OneCycleLR"]

_NOT_IMPLEMENTED = ("CyclicLR", "ChainedScheduler")


def __getattr__(name: str) -> Any:
    if name in _NOT_IMPLEMENTED:
        raise AttributeError(f"polyhead.optim.lr_scheduler.{name} is not implemented; available schedules: "
                             + ", ".join(__all__))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
