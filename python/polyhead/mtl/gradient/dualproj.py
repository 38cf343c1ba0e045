"""``DualProj``: the mean gradient projected onto the dual cone of the task gradients (torchjd)."""

from __future__ import annotations

from ._dual_cone import _DualConeMethod

__all__ = ["DualProj"]


class DualProj(_DualConeMethod):
    r"""The preference-weighted mean gradient projected onto the dual cone of the task gradients (torchjd,
    Quinton & Rey, arXiv 2406.16232, 2024; the projection of Gradient Episodic Memory, Lopez-Paz & Ranzato,
    NeurIPS 2017): the closest vector to :math:`\sum_i u_i g_i` that conflicts with no task. The projection
    is a small quadratic program on the :math:`T \times T` Gram matrix, solved exactly in the core.

    Args:
        num_tasks: the number of tasks T. Default: None (from the first ``backward``, or from
            ``pref_vector``).
        pref_vector: the preference vector u, one value per task. Default: None (:math:`1/T` each).
        norm_eps: below this squared Frobenius norm of the task Jacobian its Gram matrix counts as zero.
            Default: ``1e-4`` (torchjd).
        reg_eps: added to the diagonal of the trace-normalised Gram matrix. Default: ``1e-4`` (torchjd).
        rep_grad: combine the gradients of the shared representation instead of the shared parameters.
            Default: False.

    The step's ``weights`` are exact: the update is :math:`\sum_j w_j g_j`.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> trunk, head_a, head_b = nn.Linear(3, 4), nn.Linear(4, 1), nn.Linear(4, 1)
        >>> h = trunk(polyhead.ones(2, 3))
        >>> method = mtl.DualProj(pref_vector=[0.25, 0.75])
        >>> method
        DualProj(num_tasks=2, rep_grad=False, pref_vector=(0.25, 0.75))
        >>> record = method.backward([head_a(h).sum(), head_b(h).sum()], shared_parameters=trunk.parameters())
        >>> bool(record.weights.min() >= 0.25)
        True
    """

    _core_name = "dualproj"
