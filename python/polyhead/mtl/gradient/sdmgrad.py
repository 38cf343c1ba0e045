"""``SDMGrad``: direction-oriented multi-objective gradient descent (Xiao et al. 2023)."""

from __future__ import annotations

from typing import Optional

from ..._convert import as_count
from .._method import MultiTaskMethod

__all__ = ["SDMGrad"]


class SDMGrad(MultiTaskMethod):
    r"""SDMGrad (Xiao, Ban, Ji, "Direction-oriented Multi-objective Learning: Simple and Provable Stochastic
    Algorithms", NeurIPS 2023): simplex weights :math:`w` minimising
    :math:`\frac12\|G^\top w\|^2 + \lambda \langle G^\top w, g_0\rangle` (MGDA pulled towards the mean gradient
    :math:`g_0`) by ``niter`` projected momentum steps per training step (LibMTL's fixed lr 5, momentum 0.5,
    on the Gram matrix scaled to unit mean gradient norm); :math:`w` is warm-started across steps. The
    update is :math:`d = (\sum_i w_i g_i + \lambda g_0)/(1 + \lambda)`.

    **One batch instead of three**: LibMTL (like the paper's stochastic estimator) draws three batches per
    step — two independent ones for an unbiased Gram matrix and a third for the combined gradients. Here
    both come from the step's one batch, so the Gram estimate includes each task's gradient noise (biased
    upwards on its diagonal, leaning towards the mean) and a step costs T backward passes instead of 3T.

    Args:
        num_tasks: the number of tasks T. Default: None (from the first ``backward``).
        lambda_: the pull :math:`\lambda \ge 0` towards the mean gradient (LibMTL's ``SDMGrad_lamda``).
            Default: ``0.3`` (LibMTL).
        niter: the inner projected steps per training step. Default: ``20`` (LibMTL).
        rep_grad: combine the gradients of the shared representation instead of the shared parameters.
            Default: False.

    The step's ``weights`` are exact: :math:`(w_i + \lambda/T)/(1 + \lambda)`, summing to 1.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> trunk, head_a, head_b = nn.Linear(3, 4), nn.Linear(4, 1), nn.Linear(4, 1)
        >>> h = trunk(polyhead.ones(2, 3))
        >>> method = mtl.SDMGrad(lambda_=0.5, niter=10)
        >>> record = method.backward([head_a(h).sum(), head_b(h).sum()], shared_parameters=trunk.parameters())
        >>> round(float(record.weights.sum()), 6)
        1.0
        >>> method
        SDMGrad(num_tasks=2, rep_grad=False, lambda_=0.5, niter=10)
    """

    _core_name = "sdmgrad"

    def __init__(self, num_tasks: Optional[int] = None, *, lambda_: float = 0.3, niter: int = 20,
                 rep_grad: bool = False) -> None:
        niter = as_count(niter, "niter")
        self.lambda_ = lambda_
        self.niter = niter
        super().__init__(num_tasks, rep_grad=rep_grad, **{"lambda": lambda_, "niter": niter})
