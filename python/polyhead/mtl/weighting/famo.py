"""``FAMO``: fast adaptive multitask optimisation (Liu, Feng, Stone, Liu 2023)."""

from __future__ import annotations

from typing import Optional

from .._method import MultiTaskMethod

__all__ = ["FAMO"]


class FAMO(MultiTaskMethod):
    r"""FAMO (Liu, Feng, Stone, Liu, "FAMO: Fast Adaptive Multitask Optimization", NeurIPS 2023): balances the
    rate at which the log-losses fall from the loss values alone, at O(1) extra cost per step.

    With internal logits :math:`\xi` (kept and updated by the method; not in :meth:`parameters`) and
    :math:`z = \mathrm{softmax}(\xi)`, the model's objective is :math:`c \sum_i z_i \log(L_i + \varepsilon)`
    with :math:`c = (\sum_i z_i/(L_i+\varepsilon))^{-1}` constant, i.e. the update
    :math:`\sum_i c z_i/(L_i+\varepsilon)\,\nabla L_i` (those coefficients are the reported weights; they sum
    to 1). Before each step after the first, the logits take a step on
    :math:`\delta_i = \log L_i^\text{prev} - \log L_i^\text{now}` with gradient
    :math:`z \odot (\delta - z^\top\delta) + \gamma\xi` — Adam by default (the paper's Algorithm 2, the
    official code, LibMTL, torchjd), or a plain step with ``adam=False`` (the paper's Algorithm 1). The paper
    re-evaluates the same batch after the model step for :math:`L^\text{now}`; this class uses the next
    step's losses instead, which costs nothing extra. Losses must be ≥ 0 (ε = 1e-8 handles 0).

    Args:
        num_tasks: the number of tasks T. Default: None (from the first ``backward``).
        lr: the logits' learning rate (LibMTL's ``FAMO_w_lr``). Default: 0.025.
        weight_decay: the logits' decay :math:`\gamma` (LibMTL's ``FAMO_w_gamma``; the official code uses
            1e-5). Default: 1e-3.
        adam: Adam steps on the logits (False: the plain Algorithm 1 step). Default: True.
        rep_grad: accepted for a uniform interface; ignored by this loss-level method. Default: False.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> trunk, head_a, head_b = nn.Linear(3, 4), nn.Linear(4, 1), nn.Linear(4, 1)
        >>> h = trunk(polyhead.ones(2, 3))
        >>> losses = [(head_a(h) ** 2).mean() + 1.0, (head_b(h) ** 2).mean() + 3.0]
        >>> record = mtl.FAMO().backward(losses, shared_parameters=trunk.parameters())
        >>> round(float(record.weights.sum()), 6)
        1.0
    """

    _core_name = "famo"

    def __init__(self, num_tasks: Optional[int] = None, *, lr: float = 0.025, weight_decay: float = 1e-3,
                 adam: bool = True, rep_grad: bool = False) -> None:
        self.lr, self.weight_decay, self.adam = lr, weight_decay, bool(adam)
        super().__init__(num_tasks, rep_grad=rep_grad, w_lr=lr, gamma=weight_decay, adam=self.adam)
