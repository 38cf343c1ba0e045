"""``GeometricLossStrategy``: the geometric mean of the task losses (Chennupati et al. 2019)."""

from __future__ import annotations

from typing import Optional

from .._method import MultiTaskMethod

__all__ = ["GeometricLossStrategy"]


class GeometricLossStrategy(MultiTaskMethod):
    r"""Geometric loss strategy (Chennupati, Sistu, Yogamani, Rawashdeh, "MultiNet++: Multi-Stream Feature
    Aggregation and Geometric Loss Strategy for Multi-Task Learning", CVPR Workshops 2019): the objective
    :math:`(\prod_i (L_i + \varepsilon))^{1/T}`, ε = 1e-8. The weights reported are the effective ones,
    :math:`\partial/\partial L_i = G / (T (L_i + \varepsilon))` with G the objective's value. Losses must be
    ≥ 0.

    Args:
        num_tasks: the number of tasks T. Default: None (from the first ``backward``).
        rep_grad: accepted for a uniform interface; ignored by this loss-level method. Default: False.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> trunk, head_a, head_b = nn.Linear(3, 4), nn.Linear(4, 1), nn.Linear(4, 1)
        >>> h = trunk(polyhead.ones(2, 3))
        >>> losses = [(head_a(h) ** 2).mean() * 0.0 + 1.0, (head_b(h) ** 2).mean() * 0.0 + 4.0]
        >>> mtl.GeometricLossStrategy().backward(losses, shared_parameters=trunk.parameters()).weights
        array([1.  , 0.25])
    """

    _core_name = "gls"

    def __init__(self, num_tasks: Optional[int] = None, *, rep_grad: bool = False) -> None:
        super().__init__(num_tasks, rep_grad=rep_grad)
