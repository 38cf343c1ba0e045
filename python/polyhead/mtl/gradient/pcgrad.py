"""``PCGrad``: gradient surgery (Yu et al. 2020)."""

from __future__ import annotations

from typing import Optional

from .._method import MultiTaskMethod

__all__ = ["PCGrad"]


class PCGrad(MultiTaskMethod):
    r"""PCGrad — gradient surgery (Yu, Kumar, Gupta, Levine, Hausman, Finn, "Gradient Surgery for Multi-Task
    Learning", NeurIPS 2020). Each task gradient :math:`g_i`, visiting the other tasks in a random order, loses
    its component along every :math:`g_j` it conflicts with
    (:math:`g_i \leftarrow g_i - \frac{g_i \cdot g_j}{\|g_j\|^2} g_j` when :math:`g_i \cdot g_j < 0`); the
    shared update is the sum of the projected gradients (as LibMTL and torchjd). The order comes from the
    seeded generator (``polyhead.manual_seed``). The weights reported are the exact coefficients of the
    update on the original task gradients.

    Args:
        num_tasks: the number of tasks T. Default: None (from the first ``backward``).
        rep_grad: combine gradients of the shared representation instead of the shared parameters (pass
            ``representation=`` to ``backward``). Default: False.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> trunk, head_a, head_b = nn.Linear(2, 2), nn.Linear(2, 1), nn.Linear(2, 1)
        >>> h = trunk(polyhead.ones(1, 2))
        >>> losses = [head_a(h).sum(), head_b(h).sum()]
        >>> record = mtl.PCGrad().backward(losses, shared_parameters=trunk.parameters())
        >>> record.weights.shape
        (2,)
    """

    _core_name = "pcgrad"

    def __init__(self, num_tasks: Optional[int] = None, *, rep_grad: bool = False) -> None:
        super().__init__(num_tasks, rep_grad=rep_grad)
