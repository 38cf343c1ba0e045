"""``CGC`` and the ``ExtractionLevel`` it shares with ``PLE``: shared and per-task experts with per-task gates."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

from ...nn import Linear, Module, ModuleDict, ModuleList
from ._base import MultiTaskModel, mix_experts, named_modules, outputs_dict, same_tasks, softmax, stack_experts

__all__ = ["CGC", "ExtractionLevel"]


class ExtractionLevel(Module):
    """One extraction network of PLE (Tang et al., RecSys 2020): shared experts, per-task experts, a softmax
    gate per task over ``[its experts, shared experts]`` and, on inner levels, a shared gate over all
    experts (every task's, then the shared ones). Without the shared gate it is CGC's body.

    The gates are made here, task gates in task order, then the shared gate.

    Args:
        input_size: width of the level's inputs (the gates' input).
        shared_experts: experts fed with the shared stream.
        task_experts: per task (ordered pairs or mapping) a list of experts fed with that task's stream.
        shared_gate: whether to make the shared gate (inner levels).

    Parameter names: ``shared_experts.<e>.…``, ``task_experts.<task>.<e>.…``, ``task_gates.<task>.…``,
    ``shared_gate.…``.
    """

    def __init__(self, input_size: int, shared_experts: Sequence[Module], task_experts: Any,
                 shared_gate: bool) -> None:
        super().__init__()
        pairs = list(task_experts.items()) if isinstance(task_experts, dict) else [tuple(p) for p in task_experts]
        shared_experts = list(shared_experts)
        for task, experts in pairs:
            if not experts and not shared_experts:
                raise ValueError(f'[ExtractionLevel] task "{task}" has no expert to gate over')
        self.tasks = [task for task, _ in pairs]
        self.shared_experts = ModuleList(shared_experts)
        self.task_experts = ModuleDict([(task, ModuleList(list(experts))) for task, experts in pairs])
        self.task_gates = ModuleDict([(task, Linear(input_size, len(experts) + len(shared_experts)))
                                      for task, experts in pairs])
        total = len(shared_experts) + sum(len(experts) for _, experts in pairs)
        if shared_gate:
            self.shared_gate = Linear(input_size, total)
        else:
            self.shared_gate = None

    def parameter_role(self, name: str) -> Tuple[str, Optional[str]]:
        """``(kind, task)`` of a parameter name inside the level: kind is ``shared_experts``,
        ``task_experts``, ``task_gates`` or ``shared_gate``; task is None for the shared kinds."""
        kind = name.split(".", 1)[0]
        return kind, (name.split(".")[1] if kind in ("task_experts", "task_gates") else None)

    def forward(self, task_inputs: Sequence[Any], shared_input: Any) -> Tuple[List[Any], Optional[Any]]:
        """Task k's experts and gate read ``task_inputs[k]``, the shared experts and gate ``shared_input``.

        Returns:
            each task's mixture and, with a shared gate, the shared mixture (else None).
        """
        if len(task_inputs) != len(self.tasks):
            raise ValueError(f"[ExtractionLevel] expected {len(self.tasks)} task inputs, got {len(task_inputs)}")
        shared = [expert(shared_input) for expert in self.shared_experts]
        own = [[expert(x) for expert in experts] for experts, x in zip(self.task_experts.values(), task_inputs)]
        mixtures = [mix_experts(softmax(gate(x)), stack_experts(own[k] + shared, "CGC"), "CGC")
                    for k, (gate, x) in enumerate(zip(self.task_gates.values(), task_inputs))]
        shared_mixture = None
        if self.shared_gate is not None:
            every = [output for outputs in own for output in outputs] + shared
            shared_mixture = mix_experts(softmax(self.shared_gate(shared_input)), stack_experts(every, "PLE"), "PLE")
        return mixtures, shared_mixture


class CGC(MultiTaskModel):
    """Customized Gate Control (Tang, Liu, Zhao, Gong, "Progressive Layered Extraction (PLE): A Novel
    Multi-Task Learning (MTL) Model for Personalized Recommendations", RecSys 2020, §4.1).

    Shared and per-task experts see the input; task k's softmax gate weighs ``[its experts, shared
    experts]`` and its tower reads the mixture. The shared experts are shared; each task's experts, gate
    and tower belong to the task. :class:`PLE` stacks several such levels.

    Args:
        input_size: width of the input (the gates' input).
        shared_experts: experts every task's gate sees.
        task_experts: per task (mapping or ``(task, experts)`` pairs, in the towers' order) its experts.
        towers: one module per task (mapping or pairs); their order is the task order.

    Parameter names: ``extraction.shared_experts.<e>.…``, ``extraction.task_experts.<task>.<e>.…``,
    ``extraction.task_gates.<task>.…``, ``towers.<task>.…``.

    Examples:
        >>> import polyhead
        >>> from polyhead import mtl, nn
        >>> expert = lambda: nn.Sequential(nn.Linear(10, 8), nn.ReLU())
        >>> model = mtl.CGC(10, [expert(), expert()], {"a": [expert()], "b": [expert()]},
        ...                 {"a": nn.Linear(8, 1), "b": nn.Linear(8, 3)})
        >>> [tuple(y.shape) for y in model(polyhead.randn(5, 10)).values()]
        [(5, 1), (5, 3)]
    """

    def __init__(self, input_size: int, shared_experts: Sequence[Module], task_experts: Any, towers: Any) -> None:
        super().__init__()
        pairs = named_modules(towers, "CGC", "towers")
        self.tasks = [task for task, _ in pairs]
        expert_pairs = list(task_experts.items()) if isinstance(task_experts, dict) else [tuple(p) for p in task_experts]
        same_tasks(expert_pairs, self.tasks, "CGC", "task experts")
        self.extraction = ExtractionLevel(input_size, shared_experts, expert_pairs, shared_gate=False)
        self.towers = ModuleDict(pairs)

    def _parameter_task(self, name: str) -> Optional[str]:
        head, rest = name.split(".", 1)
        if head == "towers":
            return rest.split(".", 1)[0]
        return self.extraction.parameter_role(rest)[1]

    def forward(self, input: Any) -> Dict[str, Any]:
        """The experts once, each task's gate and mixture, and its tower: a dict in task order."""
        mixtures, _ = self.extraction([input] * len(self.tasks), input)
        return outputs_dict(self.tasks, [tower(h) for tower, h in zip(self.towers.values(), mixtures)])
