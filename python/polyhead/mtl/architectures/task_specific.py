"""``TaskSpecific``: one copy of a layer per task, inside an otherwise shared model."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, Optional

from ...nn import Module, ModuleDict
from ._base import MultiTaskModel, check_tasks, outputs_dict

__all__ = ["TaskSpecific"]


class TaskSpecific(MultiTaskModel):
    """One copy of a layer per task, for the task-specific stages of partial sharing (Ruder, "An Overview
    of Multi-Task Learning in Deep Neural Networks", 2017, §4).

    Called on a tensor it runs every task's copy on it; called on a dict of per-task tensors it runs each
    task's copy on that task's entry; ``model(x, task=name)`` runs one copy. Every copy's parameters belong
    to its task.

    Args:
        layer_factory: called as ``layer_factory(task)`` once per task, in task order; returns the copy.
        tasks: the task names.

    Parameter names: ``layers.<task>.<name>``.

    Examples:
        >>> import polyhead
        >>> from polyhead import mtl, nn
        >>> shared, head = nn.Linear(3, 16), nn.Linear(16, 1)     # shared before and after
        >>> adapters = mtl.TaskSpecific(lambda task: nn.Linear(16, 16), ["a", "b"])
        >>> streams = adapters(shared(polyhead.randn(5, 3)))      # {"a": (5, 16), "b": (5, 16)}
        >>> outputs = {task: head(h.relu()) for task, h in streams.items()}
        >>> [tuple(y.shape) for y in outputs.values()]
        [(5, 1), (5, 1)]
    """

    def __init__(self, layer_factory: Callable[[str], Module], tasks: Iterable[str]) -> None:
        super().__init__()
        self.tasks = check_tasks(list(tasks), "TaskSpecific")
        layers = []
        for task in self.tasks:
            layer = layer_factory(task)
            if not isinstance(layer, Module):
                raise TypeError(f"[TaskSpecific] layer_factory({task!r}) returned {type(layer).__name__}, "
                                "not an nn.Module")
            layers.append((task, layer))
        self.layers = ModuleDict(layers)

    def _parameter_task(self, name: str) -> Optional[str]:
        return name.split(".")[1]

    def forward(self, input: Any, task: Optional[str] = None) -> Any:
        """Every copy on ``input`` (a tensor) or each copy on its entry of ``input`` (a dict); with ``task``,
        that task's copy on ``input`` only."""
        if task is not None:
            if task not in self.tasks:
                raise ValueError(f"[TaskSpecific] unknown task {task!r}; tasks are {self.tasks}")
            return self.layers[task](input)
        if isinstance(input, dict):
            missing = [t for t in self.tasks if t not in input]
            if missing:
                raise ValueError(f"[TaskSpecific] no input for tasks {missing}")
            return outputs_dict(self.tasks, [self.layers[t](input[t]) for t in self.tasks])
        return outputs_dict(self.tasks, [layer(input) for layer in self.layers.values()])
