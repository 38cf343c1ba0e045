"""The arguments UPGrad and DualProj share (torchjd's ``pref_vector``, ``norm_eps``, ``reg_eps``)."""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence

from .._method import MultiTaskMethod
from .._options import as_tuple, per_task_options


class _DualConeMethod(MultiTaskMethod):
    """Base of the two dual-cone projections: translates the preference vector to the core's per-task
    options ``pref0``, ``pref1``, …"""

    def __init__(self, num_tasks: Optional[int] = None, *, pref_vector: Optional[Sequence[float]] = None,
                 norm_eps: float = 1e-4, reg_eps: float = 1e-4, rep_grad: bool = False) -> None:
        pref_vector = as_tuple(pref_vector, "pref_vector")
        if pref_vector is not None:
            pref_vector = tuple(float(value) for value in pref_vector)
            if num_tasks is None:
                num_tasks = len(pref_vector)
        self.pref_vector = pref_vector
        self.norm_eps = norm_eps
        self.reg_eps = reg_eps
        super().__init__(num_tasks, rep_grad=rep_grad, norm_eps=norm_eps, reg_eps=reg_eps)

    def _core_options(self, num_tasks: int) -> Dict[str, Any]:
        return {**self._options, **per_task_options("pref", self.pref_vector, num_tasks, "pref_vector")}
