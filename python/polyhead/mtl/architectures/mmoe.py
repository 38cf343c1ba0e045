"""``MMoE``: shared experts, one softmax gate and one tower per task."""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence

from ...nn import Linear, Module, ModuleDict, ModuleList
from ._base import MultiTaskModel, mix_experts, named_modules, outputs_dict, prefix_task, softmax, stack_experts

__all__ = ["MMoE"]


class MMoE(MultiTaskModel):
    """Multi-gate Mixture-of-Experts (Ma, Zhao, Yi, Chen, Hong, Chi, "Modeling Task Relationships in
    Multi-task Learning with Multi-gate Mixture-of-Experts", KDD 2018).

    n experts ``f_e`` see the input; task k has a softmax gate ``g_k(x) = softmax(W_k x + b_k)`` and a tower:
    ``output_k = tower_k(Σ_e g_k(x)_e · f_e(x))`` (the paper's equations 6–8). The experts are shared; each
    gate and tower belongs to its task. The gates (``nn.Linear(input_size, n)``) are made here, after the
    experts and towers, in task order.

    Args:
        input_size: width of the input (the gates' input).
        experts: the expert modules, each mapping (N, input_size) to (N, D), one D for all.
        towers: one module per task (mapping or ``(task, module)`` pairs) reading the (N, D) mixture.

    Parameter names: ``experts.<e>.<name>``, ``gates.<task>.<name>``, ``towers.<task>.<name>``.

    Examples:
        >>> import polyhead
        >>> from polyhead import mtl, nn
        >>> model = mtl.MMoE(100, [nn.Sequential(nn.Linear(100, 16), nn.ReLU()) for _ in range(8)],
        ...                  {t: nn.Sequential(nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 1)) for t in ("a", "b")})
        >>> x = polyhead.randn(32, 100)
        >>> [tuple(y.shape) for y in model(x).values()], tuple(model.gate_weights(x)["a"].shape)
        ([(32, 1), (32, 1)], (32, 8))
    """

    def __init__(self, input_size: int, experts: Sequence[Module], towers: Any) -> None:
        super().__init__()
        pairs = named_modules(towers, "MMoE", "towers")
        experts = list(experts)
        if not experts:
            raise ValueError("[MMoE] needs at least one expert")
        self.tasks = [task for task, _ in pairs]
        self.experts = ModuleList(experts)
        gates = [(task, Linear(input_size, len(experts))) for task in self.tasks]
        self.gates = ModuleDict(gates)
        self.towers = ModuleDict(pairs)

    def _parameter_task(self, name: str) -> Optional[str]:
        return prefix_task(name, "gates") or prefix_task(name, "towers")

    def gate_weights(self, input: Any) -> Dict[str, Any]:
        """Each task's gate weights, (N, experts) rows summing to 1."""
        return outputs_dict(self.tasks, [softmax(gate(input)) for gate in self.gates.values()])

    def forward(self, input: Any) -> Dict[str, Any]:
        """The experts once, then each task's gate, mixture and tower: a dict in task order."""
        stacked = stack_experts([expert(input) for expert in self.experts], "MMoE")
        return outputs_dict(self.tasks, [
            tower(mix_experts(softmax(gate(input)), stacked, "MMoE"))
            for gate, tower in zip(self.gates.values(), self.towers.values())
        ])
