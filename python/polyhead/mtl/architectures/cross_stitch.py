"""``CrossStitch`` and ``CrossStitchUnit``: per-task columns mixed by learned α between stages."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from ... import _core
from ...nn import Module, ModuleDict, ModuleList, Parameter
from ._base import MultiTaskModel, check_tasks, mix_tasks, outputs_dict

__all__ = ["CrossStitch", "CrossStitchUnit"]


class CrossStitchUnit(Module):
    """A cross-stitch unit (Misra, Shrivastava, Gupta, Hebert, CVPR 2016): ``x̃_i = Σ_j α_ij x_j`` with a
    learned (T, T) ``alpha``, started at ``self_weight`` on the diagonal and ``(1 − self_weight)/(T − 1)``
    elsewhere (``[[1]]`` for one task).

    Examples:
        >>> import polyhead
        >>> from polyhead import mtl
        >>> unit = mtl.CrossStitchUnit(2, self_weight=0.75)
        >>> [y.tolist() for y in unit([polyhead.tensor([1.0, 2.0]), polyhead.tensor([10.0, 20.0])])]
        [[3.25, 6.5], [7.75, 15.5]]
    """

    def __init__(self, task_count: int, self_weight: float = 0.9) -> None:
        super().__init__()
        if not (isinstance(task_count, int) and task_count > 0 and 0 <= self_weight <= 1):
            raise ValueError(f"[CrossStitchUnit] needs task_count > 0 and self_weight in [0, 1], "
                             f"got {task_count}, {self_weight}")
        diagonal = np.float32(1 if task_count == 1 else self_weight)
        other = np.float32(0) if task_count == 1 else (np.float32(1) - np.float32(self_weight)) / np.float32(task_count - 1)
        alpha = np.full((task_count, task_count), other, dtype=np.float32)
        np.fill_diagonal(alpha, diagonal)
        self.alpha = Parameter(alpha)

    def forward(self, inputs: Sequence[Any]) -> List[Any]:
        """Mixes one activation per task (all of one shape)."""
        return mix_tasks(self.alpha, list(inputs), "CrossStitchUnit")


class CrossStitch(MultiTaskModel):
    """Cross-stitch networks (Misra, Shrivastava, Gupta, Hebert, "Cross-stitch Networks for Multi-task
    Learning", CVPR 2016): one column per task, with a :class:`CrossStitchUnit` after every stage but the
    last, replacing each task's activation by a learned combination of all tasks' activations.

    Every stage before the last stitch reaches all tasks through the units, so those stages and the α are
    shared; each column's last stage belongs to its task.

    Args:
        columns: per task (mapping or ``(task, stages)`` pairs) a list of equally many stage modules; the
            activations entering each unit must have one shape across tasks.
        self_weight: the initial diagonal of every α. Default: 0.9.

    Parameter names: ``columns.<task>.<stage>.<name>``, then ``stitches.<k>.alpha``.

    Examples:
        >>> import polyhead
        >>> from polyhead import mtl, nn
        >>> model = mtl.CrossStitch({t: [nn.Sequential(nn.Linear(8, 16), nn.ReLU()), nn.Linear(16, 1)]
        ...                          for t in ("a", "b")})
        >>> [[round(a, 6) for a in row] for row in model.stitches[0].alpha.tolist()]
        [[0.9, 0.1], [0.1, 0.9]]
        >>> [tuple(y.shape) for y in model(polyhead.randn(4, 8)).values()]
        [(4, 1), (4, 1)]
    """

    def __init__(self, columns: Any, self_weight: float = 0.9) -> None:
        super().__init__()
        pairs = list(columns.items()) if isinstance(columns, dict) else [tuple(p) for p in columns]
        self.tasks = check_tasks([task for task, _ in pairs], "CrossStitch")
        depth = len(pairs[0][1])
        if depth == 0 or any(len(stages) != depth for _, stages in pairs):
            raise ValueError(f"[CrossStitch] columns need one positive number of stages, got "
                             f"{[len(stages) for _, stages in pairs]}")
        self.columns = ModuleDict([(task, ModuleList(stages)) for task, stages in pairs])
        self.stitches = ModuleList([CrossStitchUnit(len(pairs), self_weight) for _ in range(depth - 1)])

    def _parameter_task(self, name: str) -> Optional[str]:
        parts = name.split(".")
        if parts[0] == "columns" and int(parts[2]) == len(self.stitches):
            return parts[1]
        return None

    def forward(self, input: Any) -> Dict[str, Any]:
        """Runs the columns stage by stage, stitching between stages: a dict in task order."""
        columns = list(self.columns.values())
        streams = [column[0](input) for column in columns]
        for index, stitch in enumerate(self.stitches):
            streams = [column[index + 1](x) for column, x in zip(columns, stitch(streams))]
        return outputs_dict(self.tasks, streams)
