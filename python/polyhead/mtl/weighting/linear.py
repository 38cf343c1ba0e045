"""``LinearWeighting``: fixed task weights (equal weighting by default)."""

from __future__ import annotations

from typing import Dict, Optional, Sequence

from .._method import MultiTaskMethod
from .._options import as_tuple, per_task_options

__all__ = ["LinearWeighting"]


class LinearWeighting(MultiTaskMethod):
    r"""Fixed task weights: the objective :math:`\sum_i w_i L_i`. With every weight 1 (the default) this is
    equal weighting (EW), the usual multi-task baseline; Keras's ``loss_weights`` are this method.

    Args:
        num_tasks: the number of tasks T. Default: None — ``len(weights)`` when weights are given, else taken
            from the first ``backward``.
        weights: one non-negative weight per task. Default: None (all 1).
        rep_grad: accepted for a uniform interface; a loss-level method ignores the representation.
            Default: False.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> trunk, head_a, head_b = nn.Linear(3, 4), nn.Linear(4, 1), nn.Linear(4, 1)
        >>> h = trunk(polyhead.ones(2, 3))
        >>> method = mtl.LinearWeighting(weights=[1.0, 0.5])
        >>> method.backward([head_a(h).sum(), head_b(h).mean()], shared_parameters=trunk.parameters()).weights
        array([1. , 0.5])
    """

    _core_name = "linear"

    def __init__(self, num_tasks: Optional[int] = None, *, weights: Optional[Sequence[float]] = None,
                 rep_grad: bool = False) -> None:
        self.weights = as_tuple(weights, "weights")
        if self.weights is not None and num_tasks is None:
            num_tasks = len(self.weights)
        super().__init__(num_tasks, rep_grad=rep_grad)

    def _core_options(self, num_tasks: int) -> Dict[str, float]:
        return per_task_options("weight", self.weights, num_tasks, "weights")
