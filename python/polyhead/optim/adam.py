"""``optim.Adam`` and ``optim.AdamW`` (decoupled weight decay)."""

from __future__ import annotations

from typing import Any, Dict, Tuple

from .. import _core
from .optimizer import Optimizer, ParamsT

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam (Kingma & Ba, ICLR 2015) with torch's bias correction, run by the core::

        g = grad + weight_decay * p                  (Adam: L2 penalty in the gradient)
        p = p - lr * weight_decay * p                (AdamW: decoupled decay instead)
        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
        p = p - lr * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + eps)

    Args:
        params: tensors or parameter-group dicts.
        lr: learning rate (> 0). Default: 1e-3.
        betas: decay rates of the moment estimates. Default: (0.9, 0.999).
        eps: added to the denominator. Default: 1e-8.
        weight_decay: L2 penalty. Default: 0.
        amsgrad: must be False (AMSGrad is not implemented). Default: False.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, optim
        >>> model = nn.Linear(3, 1)
        >>> opt = optim.Adam(model.parameters(), lr=1e-3)
        >>> opt.param_groups[0]["lr"] = 1e-4   # takes effect at the next step
    """

    _decoupled = 0

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False) -> None:
        if amsgrad:
            raise NotImplementedError("amsgrad=True is not supported by polyhead's Adam")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=False)
        super().__init__(params, defaults)

    def _validate(self, group: Dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        if not 0.0 <= group["lr"]:
            raise ValueError(f"Invalid learning rate: {group['lr']}")
        if not 0.0 <= group["eps"]:
            raise ValueError(f"Invalid epsilon value: {group['eps']}")
        if not 0.0 <= beta1 < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {beta1}")
        if not 0.0 <= beta2 < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {beta2}")
        if not 0.0 <= group["weight_decay"]:
            raise ValueError(f"Invalid weight_decay value: {group['weight_decay']}")

    def _state_names(self, group: Dict[str, Any]) -> Tuple[str, ...]:
        return ("exp_avg", "exp_avg_sq")

    def _new_core(self, group: Dict[str, Any]) -> Any:
        beta1, beta2 = group["betas"]
        return _core.adam(group["params"], float(group["lr"]), float(beta1), float(beta2), float(group["eps"]),
                          float(group["weight_decay"]), self._decoupled)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, ICLR 2019): ``p -= lr * weight_decay * p``
    before the Adam update, instead of adding ``weight_decay * p`` to the gradient.

    Args:
        params: tensors or parameter-group dicts.
        lr: learning rate (> 0). Default: 1e-3.
        betas: decay rates of the moment estimates. Default: (0.9, 0.999).
        eps: added to the denominator. Default: 1e-8.
        weight_decay: decoupled decay factor. Default: 1e-2.
        amsgrad: must be False. Default: False.
    """

    _decoupled = 1

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
