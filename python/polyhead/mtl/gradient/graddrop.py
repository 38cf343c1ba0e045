"""``GradDrop``: gradient sign dropout (Chen et al. 2020)."""

from __future__ import annotations

from typing import Optional

from .._method import MultiTaskMethod

__all__ = ["GradDrop"]


class GradDrop(MultiTaskMethod):
    r"""Gradient sign dropout (Chen, Ngiam, Huang, Luong, Kretzschmar, Chai, Anguelov, "Just Pick a Sign:
    Optimizing Deep Multitask Models with Gradient Sign Dropout", NeurIPS 2020). At every unit the task
    gradients give a positive sign purity :math:`P = \frac12 (1 + \sum_i \nabla_i / \sum_i |\nabla_i|)`; one
    uniform draw :math:`U` per unit keeps only the positive gradients when :math:`P > U` and only the
    negative ones when :math:`P < U`; a ``leak`` of every dropped gradient passes anyway. The kept
    gradients are summed. The draws come from the seeded generator (:func:`polyhead.manual_seed`).

    The units depend on the mode:

    * ``rep_grad=True`` (the paper's and LibMTL's setting): the features of the shared representation
      :math:`A` (shape ``(batch, ...)``), with the batch-separated signals
      :math:`\nabla_i = \sum_{\text{batch}} \operatorname{sign}(A) \circ \partial L_i/\partial A`; the mask is
      drawn per feature and applied to every sample.
    * ``rep_grad=False`` (LibMTL refuses it; torchjd's ``GradDrop`` works this way): every entry of the
      shared parameters is a unit, :math:`\nabla_i` being task i's gradient of that entry.

    Args:
        num_tasks: the number of tasks T. Default: None (from the first ``backward``).
        leak: the share of every dropped gradient let through, in [0, 1]. Default: ``0.0`` (LibMTL).
        rep_grad: see above. Default: False.

    The step's ``weights`` are the effective (least-squares) weights of the update on the task gradients.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> trunk, head_a, head_b = nn.Linear(3, 4), nn.Linear(4, 1), nn.Linear(4, 1)
        >>> h = trunk(polyhead.ones(2, 3))
        >>> method = mtl.GradDrop(leak=0.1, rep_grad=True)
        >>> method.backward([head_a(h).sum(), head_b(h).sum()], representation=h).weights.shape
        (2,)
        >>> method
        GradDrop(num_tasks=2, rep_grad=True, leak=0.1)
    """

    _core_name = "graddrop"

    def __init__(self, num_tasks: Optional[int] = None, *, leak: float = 0.0, rep_grad: bool = False) -> None:
        self.leak = leak
        super().__init__(num_tasks, rep_grad=rep_grad, leak=leak)
