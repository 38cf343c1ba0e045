"""``GradVac``: gradient vaccine (Wang et al. 2021)."""

from __future__ import annotations

from typing import Optional

from .._method import MultiTaskMethod

__all__ = ["GradVac"]


class GradVac(MultiTaskMethod):
    r"""Gradient vaccine (Wang, Tsvetkov, Firat, Cao, "Gradient Vaccine: Investigating and Improving
    Multi-task Optimization in Massively Multilingual Models", ICLR 2021). For each task i and the other
    tasks j in a random order, when the cosine similarity :math:`\rho_{ij}` of the (running) :math:`g_i` and
    :math:`g_j` is below an adaptive target :math:`\phi_{ij}`, :math:`g_i` gets the multiple of :math:`g_j`
    that raises it to the target; every visit moves the target by an exponential moving average
    :math:`\phi_{ij} \leftarrow (1-\beta)\phi_{ij} + \beta\rho_{ij}` (targets start at 0 and persist across
    steps). The update is the sum of the modified gradients. As LibMTL with one similarity for the whole
    shared part (its default ``GradVac_group_type=0``). The random order comes from the seeded generator.

    Args:
        num_tasks: the number of tasks T. Default: None (from the first ``backward``).
        beta: the EMA rate :math:`\beta` of the targets, in [0, 1]. Default: ``0.5`` (LibMTL).
        rep_grad: combine the gradients of the shared representation instead of the shared parameters
            (LibMTL refuses this mode; here it applies the same rule to the representation gradients).
            Default: False.

    The step's ``weights`` are exact: the coefficients of the update on the original task gradients.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> trunk, head_a, head_b = nn.Linear(3, 4), nn.Linear(4, 1), nn.Linear(4, 1)
        >>> h = trunk(polyhead.ones(2, 3))
        >>> method = mtl.GradVac(beta=0.25)
        >>> method.backward([head_a(h).sum(), head_b(h).sum()], shared_parameters=trunk.parameters()).weights.shape
        (2,)
        >>> method
        GradVac(num_tasks=2, rep_grad=False, beta=0.25)
    """

    _core_name = "gradvac"

    def __init__(self, num_tasks: Optional[int] = None, *, beta: float = 0.5, rep_grad: bool = False) -> None:
        self.beta = beta
        super().__init__(num_tasks, rep_grad=rep_grad, beta=beta)
