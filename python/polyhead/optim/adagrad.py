"""``optim.Adagrad``: per-coordinate steps scaled by the accumulated squared gradients."""

from __future__ import annotations

from typing import Any, Dict, Tuple

from .. import _core
from .optimizer import Optimizer, ParamsT, check_non_negative

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., JMLR 2011) with torch's update rule (run by the core)::

        g = grad + weight_decay * p
        s = s + g * g                                   (s starts at initial_accumulator_value)
        p = p - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)

    Args:
        params: tensors or parameter-group dicts.
        lr: learning rate. Default: 1e-2.
        lr_decay: learning-rate decay with the step count t. Default: 0.
        weight_decay: L2 penalty. Default: 0.
        initial_accumulator_value: start value of the sums of squared gradients. Default: 0.
        eps: added to the denominator. Default: 1e-10.

    Examples:
        >>> from polyhead import nn, optim
        >>> model = nn.Linear(3, 1)
        >>> opt = optim.Adagrad(model.parameters(), lr=0.05)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10) -> None:
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps)
        super().__init__(params, defaults)

    def _validate(self, group: Dict[str, Any]) -> None:
        check_non_negative(group, "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def _state_names(self, group: Dict[str, Any]) -> Tuple[str, ...]:
        return ("sum",)

    def _new_core(self, group: Dict[str, Any]) -> Any:
        return _core.adagrad(group["params"], float(group["lr"]), float(group["lr_decay"]),
                             float(group["weight_decay"]), float(group["initial_accumulator_value"]),
                             float(group["eps"]))
