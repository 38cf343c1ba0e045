"""``InverseLossWeighting``: weights 1 / Lᵢ with the losses detached."""

from __future__ import annotations

from typing import Optional

from .._method import MultiTaskMethod

__all__ = ["InverseLossWeighting"]


class InverseLossWeighting(MultiTaskMethod):
    r"""Inverse-loss weighting: :math:`w_i = 1 / L_i` with :math:`L_i` detached, so the update is
    :math:`\sum_i \nabla L_i / L_i = \nabla \sum_i \log L_i` — every loss falls at the same relative rate
    whatever its scale (the "scaleinvls" baseline of Navon et al., ICML 2022).

    A tiny loss gets at most the weight :math:`1/\varepsilon = 10^8` (finite); a loss of exactly 0 is an absent
    task (no labelled sample, see :class:`MultiTaskMethod`) and weighs nothing; negative losses raise
    ``ValueError``.

    Args:
        num_tasks: the number of tasks T. Default: None (from the first ``backward``).
        normalize: rescale the weights to sum to T. Default: False.
        rep_grad: accepted for a uniform interface; ignored by this loss-level method. Default: False.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> trunk, head_a, head_b = nn.Linear(3, 4), nn.Linear(4, 1), nn.Linear(4, 1)
        >>> h = trunk(polyhead.ones(2, 3))
        >>> losses = [(head_a(h) ** 2).mean() + 1.0, (head_b(h) ** 2).mean() + 3.0]
        >>> record = mtl.InverseLossWeighting(normalize=True).backward(losses, shared_parameters=trunk.parameters())
        >>> round(float(record.weights.sum()), 6)
        2.0
    """

    _core_name = "inverse_loss"

    def __init__(self, num_tasks: Optional[int] = None, *, normalize: bool = False, rep_grad: bool = False) -> None:
        self.normalize = bool(normalize)
        super().__init__(num_tasks, rep_grad=rep_grad, normalize=self.normalize)
