"""``SoftSharing``: one tower per task, pulled together by an L2 penalty."""

from __future__ import annotations

from typing import Any, Dict, Optional

import numpy as np

from ... import _core
from ...nn import ModuleDict
from ._base import MultiTaskModel, named_modules, outputs_dict

__all__ = ["SoftSharing"]


class SoftSharing(MultiTaskModel):
    """Soft parameter sharing: every task has its own tower of identical structure, and a penalty pulls the
    towers' corresponding parameters together (Duong, Cohn, Bird, Cook, ACL 2015; the "L2-Constrained"
    baseline of Ma et al., KDD 2018).

    ``output_t = tower_t(x)``; add ``penalty()`` = λ · Σ_{i<j} Σ_p ‖θ_{i,p} − θ_{j,p}‖² to the loss. Every
    parameter belongs to its tower's task (nothing is shared; the penalty couples the tasks).

    Args:
        towers: one module per task (mapping or ``(task, module)`` pairs), all with the same parameter
            names and shapes.
        penalty: λ ≥ 0, stored as ``penalty_weight``. Default: 1e-3.

    Parameter names: ``towers.<task>.<name>``.

    Examples:
        >>> import polyhead
        >>> from polyhead import mtl, nn
        >>> model = mtl.SoftSharing({t: nn.Linear(4, 1) for t in ("a", "b")}, penalty=0.1)
        >>> x = polyhead.randn(8, 4)
        >>> loss = sum(out.pow(2).mean() for out in model(x).values()) + model.penalty()
        >>> loss.backward()
        >>> model.penalty().shape, model.shared_parameters()
        (polyhead.Size([]), [])
    """

    def __init__(self, towers: Any, penalty: float = 1e-3) -> None:
        super().__init__()
        pairs = named_modules(towers, "SoftSharing", "towers")
        penalty = float(penalty)
        if not (np.isfinite(penalty) and penalty >= 0):
            raise ValueError(f"[SoftSharing] penalty must be finite and >= 0, got {penalty}")
        layout = lambda m: [(n, tuple(p.shape)) for n, p in m.named_parameters()]  # noqa: E731
        first = layout(pairs[0][1])
        for task, tower in pairs:
            if layout(tower) != first:
                raise ValueError(f'[SoftSharing] towers must have identical parameters: "{pairs[0][0]}" has '
                                 f'{first} but "{task}" has {layout(tower)}')
        self.tasks = [task for task, _ in pairs]
        self.towers = ModuleDict(pairs)
        self.penalty_weight = penalty

    def _parameter_task(self, name: str) -> Optional[str]:
        return name.split(".")[1]

    def forward(self, input: Any) -> Dict[str, Any]:
        """Every tower on ``input``: a dict in task order."""
        return outputs_dict(self.tasks, [tower(input) for tower in self.towers.values()])

    def penalty(self) -> Any:
        """λ · Σ over task pairs i < j and corresponding parameters of ‖θ_i − θ_j‖² (a differentiable scalar;
        0 for one task)."""
        parameters = [list(tower.parameters()) for tower in self.towers.values()]
        total = None
        for i in range(len(parameters)):
            for j in range(i + 1, len(parameters)):
                for a, b in zip(parameters[i], parameters[j]):
                    difference = _core.sub(a, b)
                    term = _core.sum_all(_core.mul(difference, difference))
                    total = term if total is None else _core.add(total, term)
        if total is None:
            total = _core.full((), 0.0)
        return _core.mul(total, _core.full((), self.penalty_weight))

    def extra_repr(self) -> str:
        """The tasks and λ."""
        return f"tasks={self.tasks}, penalty={self.penalty_weight}"
