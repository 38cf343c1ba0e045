"""``optim.RMSprop``: running mean of squared gradients, with momentum and the centered variant."""

from __future__ import annotations

from typing import Any, Dict, Tuple

from .. import _core
from .optimizer import Optimizer, ParamsT, check_non_negative

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop with torch's update rule (run by the core)::

        g = grad + weight_decay * p
        v = alpha * v + (1 - alpha) * g * g
        m = alpha * m + (1 - alpha) * g;  v~ = v - m * m           (centered only; else v~ = v)
        b = momentum * b + g / (sqrt(v~) + eps);  p = p - lr * b   (momentum > 0)
        p = p - lr * g / (sqrt(v~) + eps)                          (momentum = 0)

    Args:
        params: tensors or parameter-group dicts.
        lr: learning rate. Default: 1e-2.
        alpha: smoothing constant, in [0, 1]. Default: 0.99.
        eps: added to the denominator. Default: 1e-8.
        weight_decay: L2 penalty. Default: 0.
        momentum: momentum factor. Default: 0.
        centered: normalise by the estimated variance of the gradient. Default: False.

    Examples:
        >>> from polyhead import nn, optim
        >>> model = nn.Linear(3, 1)
        >>> opt = optim.RMSprop(model.parameters(), lr=1e-2, alpha=0.9)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False) -> None:
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum, centered=centered)
        super().__init__(params, defaults)

    def _validate(self, group: Dict[str, Any]) -> None:
        check_non_negative(group, "lr", "eps", "momentum", "weight_decay")
        if not 0.0 <= group["alpha"] <= 1.0:
            raise ValueError(f"Invalid alpha value: {group['alpha']}")

    def _state_names(self, group: Dict[str, Any]) -> Tuple[str, ...]:
        return (("square_avg",) + (("grad_avg",) if group["centered"] else ())
                + (("momentum_buffer",) if group["momentum"] > 0 else ()))

    def _new_core(self, group: Dict[str, Any]) -> Any:
        return _core.rmsprop(group["params"], float(group["lr"]), float(group["alpha"]), float(group["eps"]),
                             float(group["weight_decay"]), float(group["momentum"]), bool(group["centered"]), False)
