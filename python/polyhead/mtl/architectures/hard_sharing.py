"""``HardSharing``: one shared trunk, one head per task."""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple, Union

from ...nn import Module, ModuleDict
from ._base import MultiTaskModel, named_modules, outputs_dict

__all__ = ["HardSharing"]


class HardSharing(MultiTaskModel):
    """Hard parameter sharing: one trunk shared by every task, then one head per task (Caruana,
    "Multitask Learning", Machine Learning 28, 1997; the "shared-bottom" model of Ma et al., KDD 2018).

    ``output_t = head_t(trunk(x))``. The trunk's parameters are shared, each head's belong to its task.

    Args:
        trunk: the shared module.
        heads: one module per task, as a mapping or ``(task, module)`` pairs; their order is the task order.

    Shared representation (for the representation mode of the gradient methods, MGDA-UB style):
    ``forward(x, return_representation=True)`` returns ``(outputs, representation)``, where
    ``representation`` is the trunk's output that every head reads. Nothing is stored between calls.

    Parameter names: ``trunk.<name>``, ``heads.<task>.<name>``.

    Examples:
        >>> import polyhead
        >>> from polyhead import mtl, nn
        >>> model = mtl.HardSharing(nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU()),
        ...                         {"digit": nn.Linear(128, 10), "parity": nn.Linear(128, 1)})
        >>> outputs, representation = model(polyhead.randn(32, 784), return_representation=True)
        >>> [(task, tuple(y.shape)) for task, y in outputs.items()], tuple(representation.shape)
        ([('digit', (32, 10)), ('parity', (32, 1))], (32, 128))
        >>> len(model.shared_parameters()), len(model.task_parameters("digit"))
        (4, 2)
    """

    def __init__(self, trunk: Module, heads: Any) -> None:
        super().__init__()
        pairs = named_modules(heads, "HardSharing", "heads")
        if not isinstance(trunk, Module):
            raise TypeError(f"[HardSharing] trunk must be an nn.Module, got {type(trunk).__name__}")
        self.tasks = [task for task, _ in pairs]
        self.trunk = trunk
        self.heads = ModuleDict(pairs)

    def _parameter_task(self, name: str) -> Optional[str]:
        return name.split(".")[1] if name.startswith("heads.") else None

    def forward(self, input: Any, return_representation: bool = False
                ) -> Union[Dict[str, Any], Tuple[Dict[str, Any], Any]]:
        """One output per task (a dict in task order); with ``return_representation``, also the trunk's output."""
        representation = self.trunk(input)
        outputs = outputs_dict(self.tasks, [head(representation) for head in self.heads.values()])
        return (outputs, representation) if return_representation else outputs
