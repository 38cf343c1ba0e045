"""``IMTL``: impartial multi-task learning, the gradient part IMTL-G (Liu et al. 2021)."""

from __future__ import annotations

from typing import Optional

from .._method import MultiTaskMethod

__all__ = ["IMTL"]


class IMTL(MultiTaskMethod):
    r"""IMTL-G — impartial multi-task learning, gradient part (Liu, Li, Kuang, Xue, Chen, Yang, Liao, Zhang,
    "Towards Impartial Multi-task Learning", ICLR 2021). The shared update :math:`d = \sum_t \alpha_t g_t`,
    :math:`\sum_t \alpha_t = 1`, has the same projection onto every unit task gradient
    :math:`g_t / \|g_t\|`, so no task dominates. The paper's closed form equals
    :math:`\alpha \propto M^{+} n` (Gram matrix :math:`M`, norms :math:`n_t = \|g_t\|`); the core uses the
    pseudo-inverse, as torchjd, so identical or colinear task gradients still give a defined answer, a zero
    gradient gets weight 0, and exactly opposite gradients (only :math:`d = 0` projects equally) give all
    weights 0.

    This is IMTL-G on the losses as given; LibMTL's ``IMTL`` also scales the losses by learned
    :math:`e^{s_t}` (IMTL-L, a loss-level method).

    Args:
        num_tasks: the number of tasks T. Default: None (from the first ``backward``).
        rep_grad: combine gradients of the shared representation. Default: False.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> trunk = nn.Linear(2, 2, bias=False)
        >>> h = trunk(polyhead.tensor([[1.0, 0.0]]))
        >>> losses = [h[:, 0].sum(), 3 * h[:, 1].sum()]   # orthogonal gradients of norms 1 and 3
        >>> mtl.IMTL().backward(losses, shared_parameters=trunk.parameters()).weights.round(6)
        array([0.75, 0.25])
    """

    _core_name = "imtl"

    def __init__(self, num_tasks: Optional[int] = None, *, rep_grad: bool = False) -> None:
        super().__init__(num_tasks, rep_grad=rep_grad)
