"""``NashMTL``: multi-task learning as a bargaining game (Navon et al. 2022)."""

from __future__ import annotations

from typing import Optional

from .._method import MultiTaskMethod
from ..._convert import as_count

__all__ = ["NashMTL"]


class NashMTL(MultiTaskMethod):
    r"""Nash-MTL (Navon, Shamsian, Achituve, Maron, Kawaguchi, Chechik, Fetaya, "Multi-Task Learning as a
    Bargaining Game", ICML 2022). The shared update :math:`d = \sum_t \alpha_t g_t` is the Nash bargaining
    solution: :math:`\alpha > 0` solves :math:`(G G^\top)\alpha = 1/\alpha`, i.e.
    :math:`g_t^\top d = 1/\alpha_t`. Rescaling one task's loss rescales its weight inversely and leaves
    :math:`d` unchanged; :math:`\|d\| = \sqrt T` before clipping. The core solves the system without cvxpy:
    damped Newton on a strictly convex equivalent, in float64, warm-started from the previous step. A task with
    a zero gradient gets weight 0; when no direction improves every task (e.g. exactly opposite gradients)
    the combination (nearly) cancels instead of diverging.

    Clipping (``max_norm``) scales the combined shared update :math:`d` to norm ``max_norm`` when it is
    longer — what LibMTL's ``clip_grad_norm_`` on the shared parameters does when their ``.grad`` starts from
    zero; with ``rep_grad=True`` it clips the representation gradient; the heads are never clipped. The
    weights reported are those of the clipped update (α times the clip factor). The heads receive their own
    unweighted task gradients (the official code back-propagates :math:`\sum_t \alpha_t L_t` into them too).

    Args:
        num_tasks: the number of tasks T. Default: None (from the first ``backward``).
        max_norm: the largest norm of the shared update, > 0, or 0 for no clipping. Default: 1.0 (LibMTL).
        update_weights_every: solve for new weights every this many steps and reuse them in between (the task
            gradients are still computed on those steps). Default: 1 (LibMTL).
        optim_niter: the maximum number of Newton iterations per solve (LibMTL: iterations of its sequence of
            convex problems); well-conditioned systems need about 5. Default: 20 (LibMTL).
        rep_grad: combine gradients of the shared representation. Default: False.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> trunk = nn.Linear(2, 2, bias=False)
        >>> h = trunk(polyhead.tensor([[1.0, 0.0]]))
        >>> losses = [h[:, 0].sum(), 2 * h[:, 1].sum()]   # orthogonal gradients of norms 1 and 2
        >>> mtl.NashMTL(max_norm=0).backward(losses, shared_parameters=trunk.parameters()).weights.round(6)
        array([1. , 0.5])
    """

    _core_name = "nash_mtl"

    def __init__(self, num_tasks: Optional[int] = None, *, max_norm: float = 1.0, update_weights_every: int = 1,
                 optim_niter: int = 20, rep_grad: bool = False) -> None:
        self.max_norm = max_norm
        self.update_weights_every = as_count(update_weights_every, "update_weights_every", minimum=1)
        self.optim_niter = as_count(optim_niter, "optim_niter", minimum=1)
        super().__init__(num_tasks, rep_grad=rep_grad, max_norm=max_norm,
                         update_weights_every=self.update_weights_every, optim_niter=self.optim_niter)
