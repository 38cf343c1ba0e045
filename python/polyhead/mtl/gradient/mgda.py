"""``MGDA``: the min-norm point of the task gradients' convex hull (Sener & Koltun 2018)."""

from __future__ import annotations

from typing import Optional

from .._method import MultiTaskMethod
from ._choices import choice_code

__all__ = ["MGDA"]

_NORMALIZATIONS = ("none", "l2", "loss", "loss+")


class MGDA(MultiTaskMethod):
    r"""MGDA — multi-task learning as multi-objective optimisation (Sener & Koltun, "Multi-Task Learning as
    Multi-Objective Optimization", NeurIPS 2018). The shared update is the min-norm point of the convex hull of
    the (optionally normalised) task gradients,
    :math:`d = \sum_t \alpha_t g_t`, :math:`\alpha = \arg\min_{\alpha \in \Delta} \|\sum_t \alpha_t g_t\|^2`:
    a direction that decreases every task when one exists. Two tasks: the exact closed form; more: the
    Frank-Wolfe solver of the official ``MinNormSolver`` (250 iterations, stop 1e-5) finished by an exact
    solve on the face it finds. All of it on the T × T Gram matrix, in float64, in the core.

    With ``rep_grad=True`` this is MGDA-UB: the gradients combined are those of the shared representation
    (one backward pass per task through the heads, one through the trunk).

    The weights reported are the exact coefficients on the original gradients, :math:`\alpha_t / n_t` for
    the normaliser :math:`n_t` (LibMTL reports :math:`\alpha`; the same for ``"none"``).

    Args:
        num_tasks: the number of tasks T. Default: None (from the first ``backward``).
        normalization: how each task gradient is scaled before the search (LibMTL's ``mgda_gn``): ``"none"``,
            ``"l2"`` (by its norm), ``"loss"`` (by its loss value) or ``"loss+"`` (by loss × norm). A
            normaliser that is not a positive finite number (zero gradient, loss ≤ 0) is replaced by 1.
            Default: ``"none"``.
        rep_grad: MGDA-UB, see above. Default: False.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> trunk = nn.Linear(2, 2, bias=False)
        >>> h = trunk(polyhead.tensor([[1.0, 0.0]]))
        >>> losses = [2 * h[:, 0].sum(), h[:, 1].sum()]   # gradients (2, 0) and (0, 1) on trunk.weight[:, 0]
        >>> mtl.MGDA().backward(losses, shared_parameters=trunk.parameters()).weights.round(6)
        array([0.2, 0.8])
    """

    _core_name = "mgda"

    def __init__(self, num_tasks: Optional[int] = None, *, normalization: str = "none",
                 rep_grad: bool = False) -> None:
        code = choice_code(normalization, _NORMALIZATIONS, "normalization")
        self.normalization = normalization
        super().__init__(num_tasks, rep_grad=rep_grad, normalization=code)
