"""``UPGrad``: unconflicting projection of gradients (Quinton & Rey 2024, torchjd)."""

from __future__ import annotations

from ._dual_cone import _DualConeMethod

__all__ = ["UPGrad"]


class UPGrad(_DualConeMethod):
    r"""Unconflicting projection of gradients (Quinton & Rey, "Jacobian Descent for Multi-Objective
    Optimization", arXiv 2406.16232, 2024; torchjd's recommended aggregator): each task gradient, scaled by
    its preference :math:`u_i` (:math:`1/T` by default), is projected onto the dual cone of the task gradients
    :math:`\{d : g_j \cdot d \ge 0\ \forall j\}` and the projections are summed. The update conflicts with no
    task and equals the mean gradient when no two tasks conflict. Each projection is a small quadratic
    program on the :math:`T \times T` Gram matrix, solved exactly in the core (no external solver).

    Args:
        num_tasks: the number of tasks T. Default: None (from the first ``backward``, or from
            ``pref_vector``).
        pref_vector: the preference vector u, one value per task. Default: None (:math:`1/T` each).
        norm_eps: below this squared Frobenius norm of the task Jacobian its Gram matrix counts as zero (the
            update is then :math:`\sum u_i g_i`). Default: ``1e-4`` (torchjd).
        reg_eps: added to the diagonal of the trace-normalised Gram matrix. Default: ``1e-4`` (torchjd).
        rep_grad: combine the gradients of the shared representation instead of the shared parameters.
            Default: False.

    The step's ``weights`` are exact: the update is :math:`\sum_j w_j g_j`.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> trunk, head_a, head_b = nn.Linear(3, 4), nn.Linear(4, 1), nn.Linear(4, 1)
        >>> h = trunk(polyhead.ones(2, 3))
        >>> method = mtl.UPGrad()
        >>> record = method.backward([head_a(h).sum(), head_b(h).sum()], shared_parameters=trunk.parameters())
        >>> record.weights.shape
        (2,)
        >>> mtl.UPGrad(reg_eps=1e-6)
        UPGrad(rep_grad=False, reg_eps=1e-06)
    """

    _core_name = "upgrad"
