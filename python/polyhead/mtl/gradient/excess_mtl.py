"""``ExcessMTL``: robust multi-task learning with excess risks (He et al. 2024)."""

from __future__ import annotations

from typing import Optional

from .._method import MultiTaskMethod

__all__ = ["ExcessMTL"]


class ExcessMTL(MultiTaskMethod):
    r"""Robust multi-task learning with excess risks (He, Zhou, Tang, Yu, Wang, ICML 2024): each task's excess
    risk is estimated with a diagonal (AdaGrad) second-order approximation,
    :math:`w_i = \sum_k g_{ik}^2 / \sqrt{H_{ik} + 10^{-7}}` with :math:`H_i` the running sum of
    :math:`g_i \circ g_i`, relative to its first-step value :math:`w_i^{(0)}`; the task weights follow
    multiplicative-weights steps :math:`\lambda_i \leftarrow \lambda_i \exp(\eta\, w_i / w_i^{(0)})`,
    renormalised to sum to T, and the update is :math:`\sum_i \lambda_i g_i`. As LibMTL (the authors' code):
    :math:`\lambda` starts at 1 and does not move at the first step.

    With ``rep_grad=True`` the excess risks are estimated, as in LibMTL, on each task's representation gradient
    summed over the batch (so batches may differ in size); the update combines the whole per-sample gradients.
    Difference from LibMTL: LibMTL back-propagates :math:`\sum_i \lambda_i L_i`, so the task heads are weighted
    too; here the heads get their own task's gradient, as with every gradient method.

    Args:
        num_tasks: the number of tasks T. Default: None (from the first ``backward``).
        robust_step_size: the step size :math:`\eta \ge 0`. Default: ``1e-2`` (LibMTL).
        rep_grad: see above. Default: False.

    The step's ``weights`` are the exact :math:`\lambda`.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> trunk, head_a, head_b = nn.Linear(3, 4), nn.Linear(4, 1), nn.Linear(4, 1)
        >>> h = trunk(polyhead.ones(2, 3))
        >>> method = mtl.ExcessMTL(robust_step_size=0.1)
        >>> method.backward([head_a(h).sum(), head_b(h).sum()], shared_parameters=trunk.parameters()).weights
        array([1., 1.])
    """

    _core_name = "excess_mtl"

    def __init__(self, num_tasks: Optional[int] = None, *, robust_step_size: float = 1e-2,
                 rep_grad: bool = False) -> None:
        self.robust_step_size = robust_step_size
        super().__init__(num_tasks, rep_grad=rep_grad, robust_step_size=robust_step_size)
