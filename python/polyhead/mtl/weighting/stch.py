"""``STCH``: smooth Tchebycheff scalarisation (Lin et al. 2024), LibMTL's multi-task form."""

from __future__ import annotations

from typing import Optional

from .._method import MultiTaskMethod
from .._options import as_int

__all__ = ["STCH"]


class STCH(MultiTaskMethod):
    r"""Smooth Tchebycheff scalarisation (Lin, Zhang, Yang, Zhang, Zhang, "Smooth Tchebycheff Scalarization
    for Multi-Objective Optimization", ICML 2024), as LibMTL applies it to multi-task learning:

    - epochs :math:`0 \dots W-1` (warm-up): the objective is :math:`\sum_i \log(L_i + \varepsilon)`;
    - epoch :math:`W`: the same, while the losses are averaged into the nadir point :math:`n_i`;
    - later: :math:`T\mu \log \sum_i \exp(\ell_i/\mu)` with :math:`\ell_i = \log(L_i/n_i + \varepsilon)`, a
      smooth maximum of the normalised log-losses (computed stably).

    Call :meth:`end_epoch` once per epoch (it counts the epochs). The weights reported are the effective ones,
    :math:`\partial\,\text{objective}/\partial L_i`. ε = 1e-8 (LibMTL: 1e-20). Losses must be ≥ 0.

    Args:
        num_tasks: the number of tasks T. Default: None (from the first ``backward``).
        mu: the smoothing :math:`\mu > 0` (→ 0: the plain maximum). Default: 1.0 (LibMTL's ``STCH_mu``).
        warmup_epochs: W, an int ≥ 0, or None for no warm-up (the smooth maximum from the first step, with
            :math:`n_i = 1`). Default: 4 (LibMTL's ``STCH_warmup_epoch``).
        rep_grad: accepted for a uniform interface; ignored by this loss-level method. Default: False.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> trunk, head_a, head_b = nn.Linear(3, 4), nn.Linear(4, 1), nn.Linear(4, 1)
        >>> h = trunk(polyhead.ones(2, 3))
        >>> losses = [(head_a(h) ** 2).mean() * 0.0 + 1.0, (head_b(h) ** 2).mean() * 0.0 + 3.0]
        >>> method = mtl.STCH(mu=0.5, warmup_epochs=None)   # weights 2 L_i / sum(L_j^2)
        >>> method.backward(losses, shared_parameters=trunk.parameters()).weights.round(6)
        array([0.2, 0.6])
    """

    _core_name = "stch"

    def __init__(self, num_tasks: Optional[int] = None, *, mu: float = 1.0, warmup_epochs: Optional[int] = 4,
                 rep_grad: bool = False) -> None:
        self.mu = mu
        self.warmup_epochs = None if warmup_epochs is None else as_int(warmup_epochs, "warmup_epochs")
        if self.warmup_epochs is not None and self.warmup_epochs < 0:
            raise ValueError(f"warmup_epochs must be >= 0 or None, got {self.warmup_epochs}")
        core_warmup = -1 if self.warmup_epochs is None else self.warmup_epochs
        super().__init__(num_tasks, rep_grad=rep_grad, mu=mu, warmup_epochs=core_warmup)
