"""``RLW``: random loss weighting (Lin et al. 2022)."""

from __future__ import annotations

from typing import Optional

from .._method import MultiTaskMethod

__all__ = ["RLW"]


class RLW(MultiTaskMethod):
    r"""Random loss weighting (Lin, Ye, Xu, Shi, Zhang, Kwok, "Reasonable Effectiveness of Random Weighting: A
    Litmus Test for Multi-Task Learning", TMLR 2022): every step weights the losses by
    :math:`\lambda = \mathrm{softmax}(\varepsilon)`, :math:`\varepsilon \sim N(0, I_T)` — positive weights
    summing to 1 (not T), as LibMTL and torchjd. The samples come from the seeded generator, so
    :func:`polyhead.manual_seed` reproduces them.

    Args:
        num_tasks: the number of tasks T. Default: None (from the first ``backward``).
        rep_grad: accepted for a uniform interface; ignored by this loss-level method. Default: False.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> trunk, head_a, head_b = nn.Linear(3, 4), nn.Linear(4, 1), nn.Linear(4, 1)
        >>> h = trunk(polyhead.ones(2, 3))
        >>> record = mtl.RLW().backward([head_a(h).sum(), head_b(h).sum()], shared_parameters=trunk.parameters())
        >>> round(float(record.weights.sum()), 6)
        1.0
    """

    _core_name = "rlw"

    def __init__(self, num_tasks: Optional[int] = None, *, rep_grad: bool = False) -> None:
        super().__init__(num_tasks, rep_grad=rep_grad)
