"""``MoCo``: multi-objective gradient correction (Fernando et al. 2023)."""

from __future__ import annotations

from typing import Optional

from .._method import MultiTaskMethod
from ._choices import TRACKED_ACROSS_STEPS

__all__ = ["MoCo"]


class MoCo(MultiTaskMethod):
    r"""MoCo (Fernando, Shen, Liu, Chaudhury, Murugesan, Chen, "Mitigating Gradient Bias in Multi-objective
    Learning: A Provably Convergent Approach", ICLR 2023): tracks each task's gradient with a moving
    average :math:`y_i` and moves the task weights :math:`\lambda` by a softmax-projected step on
    :math:`\frac12\|\sum_i \lambda_i y_i\|^2`. At step k, as LibMTL (the authors' code):

    .. math::
        \hat g_i = \frac{g_i}{\|g_i\| + 10^{-8}} L_i,\quad
        y_i \leftarrow y_i - \frac{\beta}{k^{\sigma_\beta}}(y_i - \hat g_i),\quad
        \lambda \leftarrow \operatorname{softmax}\Big(\lambda - \frac{\gamma}{k^{\sigma_\gamma}}
        (Y Y^\top + \rho I)\lambda\Big),\quad d = \sum_i \lambda_i y_i.

    :math:`y` and :math:`\lambda` persist across steps, so the shared part must keep its size. ``rep_grad=True``
    is refused (``ValueError``), as in LibMTL: a representation gradient holds one row per sample, so
    :math:`y_i` would average different batches' samples entry by entry (on the digits that mode trained to
    ≈ 0.7 accuracy where the parameter mode reaches ≥ 0.9).

    Args:
        num_tasks: the number of tasks T. Default: None (from the first ``backward``).
        beta: the tracking rate :math:`\beta`, in [0, 1]. Default: ``0.5`` (LibMTL).
        beta_sigma: its decay exponent :math:`\sigma_\beta`. Default: ``0.5`` (LibMTL).
        gamma: the weight step size :math:`\gamma`. Default: ``0.1`` (LibMTL).
        gamma_sigma: its decay exponent :math:`\sigma_\gamma`. Default: ``0.5`` (LibMTL).
        rho: the :math:`\ell_2` regularisation :math:`\rho` of the weight step. Default: ``0.0`` (LibMTL).
        rep_grad: must be False (see above). Default: False.

    The step's ``weights`` are the effective (least-squares) weights of :math:`d` on this step's task
    gradients (:math:`d` combines tracked gradients).

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> trunk, head_a, head_b = nn.Linear(3, 4), nn.Linear(4, 1), nn.Linear(4, 1)
        >>> h = trunk(polyhead.ones(2, 3))
        >>> method = mtl.MoCo(gamma=0.2)
        >>> method.backward([head_a(h).sum(), head_b(h).sum()], shared_parameters=trunk.parameters()).weights.shape
        (2,)
        >>> method
        MoCo(num_tasks=2, rep_grad=False, gamma=0.2)
    """

    _core_name = "moco"
    _rep_grad_unsupported = TRACKED_ACROSS_STEPS

    def __init__(self, num_tasks: Optional[int] = None, *, beta: float = 0.5, beta_sigma: float = 0.5,
                 gamma: float = 0.1, gamma_sigma: float = 0.5, rho: float = 0.0, rep_grad: bool = False) -> None:
        self.beta, self.beta_sigma, self.gamma, self.gamma_sigma, self.rho = beta, beta_sigma, gamma, gamma_sigma, rho
        super().__init__(num_tasks, rep_grad=rep_grad, beta=beta, beta_sigma=beta_sigma, gamma=gamma,
                         gamma_sigma=gamma_sigma, rho=rho)
