"""``TaskRelation``: shared layers, task layers, a learned T×T relation mixing, then task outputs."""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple, Union

import numpy as np

from ...nn import Module, ModuleDict, Parameter
from ._base import MultiTaskModel, mix_tasks, named_modules, outputs_dict, same_tasks

__all__ = ["TaskRelation"]


class TaskRelation(MultiTaskModel):
    """A task-relation network: shared layers, one task layer per task, then a learned T×T relation matrix R
    mixing the task representations, ``r̃_i = Σ_j R_ij r_j``, before each task's output layer.

    The "task relation network" of the project's seed specification: explicit task relations as in Zhang &
    Yeung (UAI 2010) and Long et al. (NeurIPS 2017, multilinear relationship networks), realised as a
    linear mixing of task representations like one cross-stitch unit (Misra et al., CVPR 2016) after the
    task layers. R starts as the identity (independent heads); its learned off-diagonal entries show how
    much each task borrows from the others.

    Partition: the trunk, the task layers and R reach several tasks through R and are shared; each output
    layer is its task's. ``forward(x, return_representation=True)`` also returns the trunk's output (the
    shared representation), as :class:`HardSharing` does.

    Args:
        trunk: the shared layers.
        task_layers: one module per task (mapping or pairs; the task order), all returning one shape.
        output_layers: one module per task, in the same order.

    Parameter names: ``relation`` (a module's own parameters come first), ``trunk.…``, ``task_layers.<task>.…``,
    ``output_layers.<task>.…``.

    Examples:
        >>> import polyhead
        >>> from polyhead import mtl, nn
        >>> model = mtl.TaskRelation(nn.Sequential(nn.Linear(6, 8), nn.ReLU()),
        ...                          {t: nn.Sequential(nn.Linear(8, 4), nn.ReLU()) for t in ("a", "b")},
        ...                          {"a": nn.Linear(4, 1), "b": nn.Linear(4, 2)})
        >>> model.relation.tolist()
        [[1.0, 0.0], [0.0, 1.0]]
        >>> [tuple(y.shape) for y in model(polyhead.randn(3, 6)).values()]
        [(3, 1), (3, 2)]
    """

    def __init__(self, trunk: Module, task_layers: Any, output_layers: Any) -> None:
        super().__init__()
        pairs = named_modules(task_layers, "TaskRelation", "task_layers")
        outputs = named_modules(output_layers, "TaskRelation", "output_layers")
        self.tasks = [task for task, _ in pairs]
        same_tasks(outputs, self.tasks, "TaskRelation", "output layers")
        if not isinstance(trunk, Module):
            raise TypeError(f"[TaskRelation] trunk must be an nn.Module, got {type(trunk).__name__}")
        self.trunk = trunk
        self.task_layers = ModuleDict(pairs)
        self.relation = Parameter(np.eye(len(pairs), dtype=np.float32))
        self.output_layers = ModuleDict(outputs)

    def _parameter_task(self, name: str) -> Optional[str]:
        return name.split(".")[1] if name.startswith("output_layers.") else None

    def forward(self, input: Any, return_representation: bool = False
                ) -> Union[Dict[str, Any], Tuple[Dict[str, Any], Any]]:
        """One output per task (a dict in task order); with ``return_representation``, also the trunk's output."""
        representation = self.trunk(input)
        mixed = mix_tasks(self.relation, [layer(representation) for layer in self.task_layers.values()],
                          "TaskRelation")
        outputs = outputs_dict(self.tasks, [layer(h) for layer, h in zip(self.output_layers.values(), mixed)])
        return (outputs, representation) if return_representation else outputs
