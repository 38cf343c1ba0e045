"""``CAGrad``: conflict-averse gradient descent (Liu et al. 2021)."""

from __future__ import annotations

from typing import Optional

from .._method import MultiTaskMethod
from ..._convert import as_count

__all__ = ["CAGrad"]


class CAGrad(MultiTaskMethod):
    r"""CAGrad — conflict-averse gradient descent (Liu, Liu, Jin, Stone, Liu, "Conflict-Averse Gradient Descent
    for Multi-task Learning", NeurIPS 2021). The update maximises the worst task's improvement within a ball
    around the average gradient :math:`g_0`: with the dual weights
    :math:`w^* = \arg\min_{w \in \Delta} g_w^\top g_0 + \sqrt\phi\,\|g_w\|`, :math:`g_w = \sum_i w_i g_i`,
    :math:`\sqrt\phi = c\|g_0\|`, the shared update is
    :math:`d = (g_0 + \frac{\sqrt\phi}{\|g_{w^*}\|} g_{w^*}) / r`. The dual is solved in the core on the Gram
    matrix (projected gradient descent with backtracking, float64; LibMTL calls scipy's SLSQP).

    The weights reported are the exact coefficients of :math:`d` on the task gradients,
    :math:`(1/T + \lambda w_i^*) / r` with :math:`\lambda = \sqrt\phi / \|g_{w^*}\|` (LibMTL reports
    :math:`w^*`).

    Args:
        num_tasks: the number of tasks T. Default: None (from the first ``backward``).
        c: the radius of the ball relative to :math:`\|g_0\|`, in [0, 1e6] (0 gives the mean gradient; the paper
            asks for c < 1). Default: 0.5 (LibMTL's ``calpha``).
        rescale: the divisor :math:`r`: 0 → 1, 1 → :math:`1 + c^2`, 2 → :math:`1 + c`. Default: 1 (LibMTL).
        rep_grad: combine gradients of the shared representation (LibMTL refuses this; the formula does not
            depend on what the gradients are of). Default: False.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> trunk = nn.Linear(2, 2, bias=False)
        >>> h = trunk(polyhead.tensor([[1.0, 0.0]]))
        >>> losses = [h[:, 0].sum(), -0.5 * h[:, 0].sum() + h[:, 1].sum()]
        >>> record = mtl.CAGrad(c=0.0).backward(losses, shared_parameters=trunk.parameters())
        >>> record.weights   # c = 0: the mean gradient
        array([0.5, 0.5])
    """

    _core_name = "cagrad"

    def __init__(self, num_tasks: Optional[int] = None, *, c: float = 0.5, rescale: int = 1,
                 rep_grad: bool = False) -> None:
        self.c = c
        self.rescale = as_count(rescale, "rescale", minimum=0)
        if self.rescale > 2:
            raise ValueError(f"rescale must be 0, 1 or 2, got {self.rescale}")
        super().__init__(num_tasks, rep_grad=rep_grad, c=c, rescale=self.rescale)
