"""``optim.SGD``: stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from typing import Any, Dict, Tuple

from .. import _core
from .optimizer import Optimizer, ParamsT

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, torch's update rule (run by the core)::

        g = grad + weight_decay * p
        b = g (first step) or momentum * b + (1 - dampening) * g      (if momentum != 0)
        g = g + momentum * b (nesterov) or b                          (if momentum != 0)
        p = p - lr * g

    Args:
        params: tensors or parameter-group dicts.
        lr: learning rate (> 0). Default: 1e-3.
        momentum: momentum factor. Default: 0.
        dampening: dampening of momentum. Default: 0.
        weight_decay: L2 penalty. Default: 0.
        nesterov: Nesterov momentum (needs momentum > 0 and dampening 0). Default: False.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, optim
        >>> model = nn.Linear(3, 1)
        >>> opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        >>> loss = model(polyhead.ones(4, 3)).sum()
        >>> opt.zero_grad(); loss.backward(); opt.step()
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False) -> None:
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov)
        super().__init__(params, defaults)

    def _validate(self, group: Dict[str, Any]) -> None:
        if group["lr"] < 0.0:
            raise ValueError(f"Invalid learning rate: {group['lr']}")
        if group["momentum"] < 0.0:
            raise ValueError(f"Invalid momentum value: {group['momentum']}")
        if group["weight_decay"] < 0.0:
            raise ValueError(f"Invalid weight_decay value: {group['weight_decay']}")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    _counts_steps = False

    def _state_names(self, group: Dict[str, Any]) -> Tuple[str, ...]:
        return ("momentum_buffer",) if group["momentum"] != 0 else ()

    def _new_core(self, group: Dict[str, Any]) -> Any:
        return _core.sgd(group["params"], float(group["lr"]), float(group["momentum"]), float(group["dampening"]),
                         float(group["weight_decay"]), 1 if group["nesterov"] else 0)
