"""``PLE``: stacked extraction levels (shared and per-task experts with gates)."""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional

from ...nn import Module, ModuleDict, ModuleList
from ._base import MultiTaskModel, named_modules, outputs_dict
from .cgc import ExtractionLevel

__all__ = ["PLE"]


class PLE(MultiTaskModel):
    """Progressive Layered Extraction (Tang, Liu, Zhao, Gong, RecSys 2020, §4.2): stacked
    :class:`ExtractionLevel` s. Inner levels also have a shared gate over all experts, whose mixture feeds
    the next level's shared experts; each task's mixture feeds the next level's experts and gate of that
    task. The towers read the last level's task mixtures. One level is CGC.

    Experts come from ``expert_factory(in_features)``: ``input_size`` on the first level, ``expert_size``
    (the experts' output width) on later ones. Creation order (it fixes the random initial values): the
    towers (made by the caller), then per level the shared experts, each task's experts, the task gates
    and the shared gate.

    Partition: task k owns its tower, its experts and gate on the last level, and its gate on the level
    before; everything else reaches several tasks through a shared gate and is shared.

    Args:
        input_size: width of the input.
        expert_size: width of every expert's output.
        towers: one module per task (mapping or pairs); their order is the task order.
        expert_factory: makes one expert for a given input width.
        num_levels: extraction levels (≥ 1). Default: 2.
        num_shared_experts: shared experts per level. Default: 1.
        num_task_experts: experts per task per level. Default: 1.

    Parameter names: ``levels.<l>.shared_experts.…``, ``levels.<l>.task_experts.<task>.…``,
    ``levels.<l>.task_gates.<task>.…``, ``levels.<l>.shared_gate.…``, ``towers.<task>.…``.

    Examples:
        >>> import polyhead
        >>> from polyhead import mtl, nn
        >>> model = mtl.PLE(32, 16, {"a": nn.Linear(16, 1), "b": nn.Linear(16, 1)},
        ...                 lambda width: nn.Sequential(nn.Linear(width, 16), nn.ReLU()), num_shared_experts=2)
        >>> [tuple(y.shape) for y in model(polyhead.randn(4, 32)).values()]
        [(4, 1), (4, 1)]
    """

    def __init__(self, input_size: int, expert_size: int, towers: Any, expert_factory: Callable[[int], Module],
                 num_levels: int = 2, num_shared_experts: int = 1, num_task_experts: int = 1) -> None:
        super().__init__()
        pairs = named_modules(towers, "PLE", "towers")
        if not (num_levels >= 1 and num_shared_experts >= 0 and num_task_experts >= 0
                and num_shared_experts + num_task_experts >= 1 and input_size > 0 and expert_size > 0):
            raise ValueError(f"[PLE] needs num_levels >= 1, expert counts >= 0 with at least one expert per task "
                             f"and positive sizes, got num_levels={num_levels}, "
                             f"num_shared_experts={num_shared_experts}, num_task_experts={num_task_experts}, "
                             f"input_size={input_size}, expert_size={expert_size}")
        self.tasks = [task for task, _ in pairs]
        levels = []
        for level in range(num_levels):
            width = input_size if level == 0 else expert_size
            shared = [expert_factory(width) for _ in range(num_shared_experts)]
            own = [(task, [expert_factory(width) for _ in range(num_task_experts)]) for task in self.tasks]
            levels.append(ExtractionLevel(width, shared, own, shared_gate=level < num_levels - 1))
        self.levels = ModuleList(levels)
        self.towers = ModuleDict(pairs)

    def _parameter_task(self, name: str) -> Optional[str]:
        parts = name.split(".", 2)
        if parts[0] == "towers":
            return parts[1]
        index, last = int(parts[1]), len(self.levels) - 1
        kind, task = self.levels[index].parameter_role(parts[2])
        if kind == "task_experts" and index == last:
            return task
        if kind == "task_gates" and index >= last - 1:
            return task
        return None

    def forward(self, input: Any) -> Dict[str, Any]:
        """The levels from the input (every stream starts as ``input``), then the towers: a dict in task order."""
        task_streams, shared_stream = [input] * len(self.tasks), input
        for level in self.levels:
            task_streams, shared = level(task_streams, shared_stream)
            if shared is not None:
                shared_stream = shared
        return outputs_dict(self.tasks, [tower(h) for tower, h in zip(self.towers.values(), task_streams)])
