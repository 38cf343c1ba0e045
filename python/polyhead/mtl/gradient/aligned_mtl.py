"""``AlignedMTL``: independent component alignment (Senushkin et al. 2023)."""

from __future__ import annotations

from typing import Optional

from .._method import MultiTaskMethod
from ._choices import choice_code

__all__ = ["AlignedMTL"]

_SCALE_MODES = ("min", "median", "rmse")


class AlignedMTL(MultiTaskMethod):
    r"""Aligned-MTL (Senushkin, Patakin, Kuznetsov, Konushin, "Independent Component Alignment for Multi-Task
    Learning", CVPR 2023). The task gradients are made orthogonal and of equal norm (condition number 1)
    before they are summed: with the eigendecomposition :math:`M = G G^\top = V \Lambda V^\top` (eigenvalues
    below :math:`\max\lambda \cdot T \cdot \varepsilon_{32}` dropped), the balance transformation is
    :math:`B = \sqrt\sigma\, V \Lambda^{-1/2} V^\top` and the shared update is
    :math:`d = \sum_t \alpha_t g_t` with :math:`\alpha = B\,\mathbf 1` (LibMTL; torchjd's default preference
    vector is the mean, T times smaller). The eigen-solver is a Jacobi iteration in the core.

    Args:
        num_tasks: the number of tasks T. Default: None (from the first ``backward``).
        scale_mode: :math:`\sigma`: ``"min"`` (the smallest kept eigenvalue), ``"median"`` (the lower middle
            one for an even count, as ``torch.median``) or ``"rmse"`` (the mean, as torchjd and the original
            code). Default: ``"min"`` (the paper, LibMTL, torchjd).
        rep_grad: combine gradients of the shared representation (Aligned-MTL-UB). Default: False.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> trunk = nn.Linear(2, 2, bias=False)
        >>> h = trunk(polyhead.tensor([[1.0, 0.0]]))
        >>> losses = [h[:, 0].sum(), 3 * h[:, 1].sum()]   # orthogonal gradients of norms 1 and 3
        >>> mtl.AlignedMTL().backward(losses, shared_parameters=trunk.parameters()).weights.round(6)
        array([1.      , 0.333333])
    """

    _core_name = "aligned_mtl"

    def __init__(self, num_tasks: Optional[int] = None, *, scale_mode: str = "min", rep_grad: bool = False) -> None:
        code = choice_code(scale_mode, _SCALE_MODES, "scale_mode")
        self.scale_mode = scale_mode
        super().__init__(num_tasks, rep_grad=rep_grad, scale_mode=code)
