"""``DWA``: Dynamic Weight Average (Liu, Johns, Davison 2019)."""

from __future__ import annotations

from typing import Optional

from .._method import MultiTaskMethod

__all__ = ["DWA"]


class DWA(MultiTaskMethod):
    r"""Dynamic Weight Average (Liu, Johns, Davison, "End-to-End Multi-Task Learning with Attention", CVPR
    2019): each task is weighted by how slowly its epoch-average loss falls,

    .. math::
        w_i(t) = T\,\frac{\exp(r_i(t-1)/\tau)}{\sum_j \exp(r_j(t-1)/\tau)}, \qquad
        r_i(t-1) = \frac{\bar L_i(t-1)}{\bar L_i(t-2)},

    with :math:`\bar L_i(t)` task i's training loss averaged over epoch t. The weights are 1 during the first
    two epochs. Call :meth:`end_epoch` once at the end of every epoch: it closes the epoch's averages (an epoch
    without steps changes nothing).

    Args:
        num_tasks: the number of tasks T. Default: None (from the first ``backward``).
        temperature: the softmax temperature :math:`\tau` (> 0); larger is more uniform. Default: 2.0 (the
            paper, LibMTL's ``T``, torchjd).
        rep_grad: accepted for a uniform interface; ignored by this loss-level method. Default: False.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> trunk, head_a, head_b = nn.Linear(3, 4), nn.Linear(4, 1), nn.Linear(4, 1)
        >>> method = mtl.DWA()
        >>> for epoch in range(3):
        ...     h = trunk(polyhead.ones(2, 3))
        ...     losses = [(head_a(h) ** 2).mean() + 1.0, (head_b(h) ** 2).mean() + 2.0 ** -epoch]
        ...     record = method.backward(losses, shared_parameters=trunk.parameters())
        ...     method.end_epoch()
        >>> bool(record.weights[0] > record.weights[1])   # task 1's loss fell: task 0 gains weight
        True
    """

    _core_name = "dwa"

    def __init__(self, num_tasks: Optional[int] = None, *, temperature: float = 2.0, rep_grad: bool = False) -> None:
        self.temperature = temperature
        super().__init__(num_tasks, rep_grad=rep_grad, temperature=temperature)
