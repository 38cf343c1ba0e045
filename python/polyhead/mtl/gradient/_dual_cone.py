"""The arguments UPGrad and DualProj share (torchjd's ``pref_vector``, ``norm_eps``, ``reg_eps``)."""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence

import numpy as np

from .._method import MultiTaskMethod


class _DualConeMethod(MultiTaskMethod):
    """Base of the two dual-cone projections: translates the preference vector to the core's per-task
    options ``pref0``, ``pref1``, …"""

    def __init__(self, num_tasks: Optional[int] = None, *, pref_vector: Optional[Sequence[float]] = None,
                 norm_eps: float = 1e-4, reg_eps: float = 1e-4, rep_grad: bool = False) -> None:
        if pref_vector is not None:
            if isinstance(pref_vector, (str, bytes)) or not hasattr(pref_vector, "__len__"):
                raise TypeError("pref_vector must be a sequence with one value per task, got "
                                f"{type(pref_vector).__name__}")
            pref_vector = tuple(float(value) for value in np.asarray(pref_vector, dtype=np.float64).reshape(-1))
            if num_tasks is None:
                num_tasks = len(pref_vector)
        self.pref_vector = pref_vector
        self.norm_eps = norm_eps
        self.reg_eps = reg_eps
        super().__init__(num_tasks, rep_grad=rep_grad, norm_eps=norm_eps, reg_eps=reg_eps)

    def _core_options(self, num_tasks: int) -> Dict[str, Any]:
        options = dict(self._options)
        if self.pref_vector is not None:
            if len(self.pref_vector) != num_tasks:
                raise ValueError(f"pref_vector has {len(self.pref_vector)} values but there are {num_tasks} tasks")
            options.update({f"pref{i}": value for i, value in enumerate(self.pref_vector)})
        return options
