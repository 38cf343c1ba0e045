"""``DBMTL``: dual-balancing multi-task learning (Lin et al. 2023)."""

from __future__ import annotations

from typing import Optional

from .._method import MultiTaskMethod
from ._choices import TRACKED_ACROSS_STEPS

__all__ = ["DBMTL"]


class DBMTL(MultiTaskMethod):
    r"""Dual-balancing multi-task learning (Lin, Jiang, Ye, Zhang, Chen, Chen, Liu, Tsang, Kwok,
    "Dual-Balancing for Multi-Task Learning", arXiv 2308.12029, 2023): balances the loss scales by following
    the gradients of :math:`\log L_i` (:math:`g_i / (L_i + 10^{-8})`, from the step's loss values), smooths
    them with an exponential moving average :math:`\hat g_i \leftarrow \beta_k \hat g_i + (1-\beta_k)
    g_i/(L_i + 10^{-8})`, :math:`\beta_k = \beta / k^{\sigma}`, and balances the magnitudes by rescaling every
    task to the largest smoothed norm: :math:`d = \sum_i \frac{\max_j\|\hat g_j\|}{\|\hat g_i\| + 10^{-8}}
    \hat g_i`. As LibMTL's ``DB_MTL``, the task heads follow their own log-loss gradient
    :math:`\nabla L_i / (L_i + 10^{-8})`. Losses must be positive (a loss at or below :math:`-10^{-8}` raises
    ``ValueError``). The moving average persists across steps, so the shared part must keep its size; for the
    same reason ``rep_grad=True`` is refused (``ValueError``), as in LibMTL: :math:`d` combines the moving
    averages, which would mix different batches' samples entry by entry.

    Args:
        num_tasks: the number of tasks T. Default: None (from the first ``backward``).
        beta: the moving-average rate :math:`\beta`, in [0, 1]. Default: ``0.9`` (LibMTL).
        beta_sigma: its decay exponent :math:`\sigma`. Default: ``0.0`` (LibMTL's ``DB_beta_sigma``).
        rep_grad: must be False (see above). Default: False.

    The step's ``weights`` are the effective (least-squares) weights of :math:`d` on this step's task
    gradients.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> trunk, head_a, head_b = nn.Linear(3, 4), nn.Linear(4, 1), nn.Linear(4, 1)
        >>> h = trunk(polyhead.ones(2, 3))
        >>> method = mtl.DBMTL(beta_sigma=0.5)
        >>> losses = [(head_a(h) ** 2).mean(), (head_b(h) ** 2).mean()]
        >>> method.backward(losses, shared_parameters=trunk.parameters()).weights.shape
        (2,)
        >>> method
        DBMTL(num_tasks=2, rep_grad=False, beta_sigma=0.5)
    """

    _core_name = "dbmtl"
    _rep_grad_unsupported = TRACKED_ACROSS_STEPS

    def __init__(self, num_tasks: Optional[int] = None, *, beta: float = 0.9, beta_sigma: float = 0.0,
                 rep_grad: bool = False) -> None:
        self.beta, self.beta_sigma = beta, beta_sigma
        super().__init__(num_tasks, rep_grad=rep_grad, beta=beta, beta_sigma=beta_sigma)
