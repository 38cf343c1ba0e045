"""``FairGrad``: α-fair resource allocation between tasks (Ban & Ji 2024)."""

from __future__ import annotations

from typing import Optional

from .._method import MultiTaskMethod

__all__ = ["FairGrad"]


class FairGrad(MultiTaskMethod):
    r"""Fair resource allocation in multi-task learning (Ban & Ji, ICML 2024). The update
    :math:`d = \sum_i w_i g_i` gives every task an :math:`\alpha`-fair share of the progress: the weights solve
    :math:`(G w)_i = g_i \cdot d = w_i^{-1/\alpha}`, :math:`w > 0`, with :math:`G` the Gram matrix of the task
    gradients (:math:`\alpha = 1` is proportional fairness, Nash-MTL's system). The core solves the system
    exactly in float64 (damped Newton on its convex potential) where LibMTL calls scipy's ``least_squares``.

    A task with a zero gradient gets weight 0 (the system has no finite solution for it). Unlike LibMTL,
    which back-propagates :math:`\sum_i w_i L_i` and so also weights the task heads, the heads get their own
    task's gradient, as with every gradient method.

    Args:
        num_tasks: the number of tasks T. Default: None (from the first ``backward``).
        alpha: the fairness parameter :math:`\alpha`, in [0.01, 100]. Default: ``1.0`` (LibMTL).
        rep_grad: combine the gradients of the shared representation instead of the shared parameters.
            Default: False.

    The step's ``weights`` are the exact :math:`w`.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> trunk, head_a, head_b = nn.Linear(3, 4), nn.Linear(4, 1), nn.Linear(4, 1)
        >>> h = trunk(polyhead.ones(2, 3))
        >>> record = mtl.FairGrad(alpha=2).backward([head_a(h).sum(), head_b(h).sum()],
        ...                                         shared_parameters=trunk.parameters())
        >>> bool((record.weights > 0).all())
        True
    """

    _core_name = "fairgrad"

    def __init__(self, num_tasks: Optional[int] = None, *, alpha: float = 1.0, rep_grad: bool = False) -> None:
        self.alpha = alpha
        super().__init__(num_tasks, rep_grad=rep_grad, alpha=alpha)
