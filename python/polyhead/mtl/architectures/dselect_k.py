"""``DSelectK``: MMoE with differentiable top-k expert selection gates (smooth-step binary codes)."""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence

import numpy as np

from ... import _core
from ...nn import Module, ModuleDict, ModuleList, Parameter
from ._base import MultiTaskModel, mix_experts, named_modules, outputs_dict, prefix_task, stack_experts

__all__ = ["DSelectK", "DSelectKGate", "smooth_step"]

_f32 = np.float32


def _scalar(value: Any) -> Any:
    return _core.full((), float(value))


def smooth_step(t: Any, gamma: float = 1.0) -> Any:
    """The smooth step of DSelect-k (Hazimeh et al., NeurIPS 2021, eq. 3): 0 for t ≤ −γ/2, 1 for t ≥ γ/2 and
    ``−2/γ³ t³ + 3/(2γ) t + 1/2`` in between (continuously differentiable); built from core ops, with t
    clamped to [−γ/2, γ/2] as ``relu(t + γ/2) − relu(t − γ/2) − γ/2``.

    Examples:
        >>> import polyhead
        >>> from polyhead import mtl
        >>> mtl.smooth_step(polyhead.tensor([-1.0, 0.0, 0.25, 1.0])).tolist()
        [0.0, 0.5, 0.84375, 1.0]
    """
    g = _f32(gamma)
    half = _scalar(g / _f32(2))
    clamped = _core.sub(_core.sub(_core.relu(_core.add(t, half)), _core.relu(_core.sub(t, half))), half)
    cubic = _core.mul(_core.mul(_core.mul(clamped, clamped), clamped), _scalar(_f32(-2) / (g * g * g)))
    linear = _core.mul(clamped, _scalar(_f32(3) / (_f32(2) * g)))
    return _core.add(_core.add(cubic, linear), _scalar(0.5))


class DSelectKGate(Module):
    """The DSelect-k gate of one task (Hazimeh et al., NeurIPS 2021): (N, input_size) → expert weights (N, n)
    per example, or (1, n) for a static gate (``per_example=False``), whose logits are its biases alone.

    With m = ⌈log₂ n⌉ code bits and k selectors: ``z = x Z_wᵀ + Z_b`` gives each selector m logits, selector i
    weighs expert e by ``Π_j (S(z_ij) if bit j of e is 1 else 1 − S(z_ij))`` (bits most significant first),
    and the selectors are combined by ``softmax(x A_wᵀ + A_b)``.

    Parameters (drawn uniformly in this order): ``z_weight`` (k·m, input_size) and ``z_bias`` (k·m) in
    ±γ/100, ``alpha_weight`` (k, input_size) and ``alpha_bias`` (k) in ±0.05; a static gate has only the
    biases.
    """

    def __init__(self, input_size: int, experts: int, k: int, gamma: float = 1.0, per_example: bool = True) -> None:
        super().__init__()
        if not (experts >= 2 and k >= 1 and input_size > 0 and np.isfinite(gamma) and gamma > 0):
            raise ValueError("[DSelectKGate] needs experts >= 2, k >= 1, input_size > 0 and finite gamma > 0")
        bits = 0
        while 1 << bits < experts:
            bits += 1
        self.experts, self.k, self.bits, self.gamma = experts, k, bits, float(gamma)
        scale = float(_f32(gamma) / _f32(100))
        self.per_example = bool(per_example)
        if self.per_example:
            self.z_weight = Parameter(_core.uniform((k * bits, input_size), -scale, scale))
        self.z_bias = Parameter(_core.uniform((k * bits,), -scale, scale))
        if self.per_example:
            self.alpha_weight = Parameter(_core.uniform((k, input_size), -0.05, 0.05))
        self.alpha_bias = Parameter(_core.uniform((k,), -0.05, 0.05))
        codes = [[(e >> (bits - 1 - j)) & 1 for e in range(experts)] for j in range(bits)]
        self._codes = [(_core.from_buffer(np.array(c, dtype=np.float32).reshape(1, 1, experts)),
                        _core.from_buffer(1 - np.array(c, dtype=np.float32).reshape(1, 1, experts))) for c in codes]

    def _logits(self, input: Any, name: str) -> Any:
        """``x Wᵀ + b`` (N, width) per example; ``b`` as one row (1, width) for a static gate."""
        bias = getattr(self, f"{name}_bias")
        if not self.per_example:
            return _core.reshape(bias, (1, _core.Tensor.shape.__get__(bias)[0]))
        return _core.linear(input, getattr(self, f"{name}_weight"), bias)

    def selector_outputs(self, input: Any) -> Any:
        """Every selector's weights over the experts: (N, k, n), or (1, k, n) for a static gate."""
        logits = self._logits(input, "z")
        steps = smooth_step(logits, self.gamma)
        per_bit = _core.split(_core.reshape(steps, (_core.Tensor.shape.__get__(logits)[0], self.k, self.bits)),
                              [1] * self.bits, 2)
        one = _scalar(1)
        factors = [_core.add(_core.mul(s, code), _core.mul(_core.sub(one, s), complement))
                   for s, (code, complement) in zip(per_bit, self._codes)]
        product = factors[0]
        for factor in factors[1:]:
            product = _core.mul(product, factor)
        return product

    def entropy(self, input: Any) -> Any:
        """The entropy of every selector's weights summed over samples and selectors,
        ``−Σ r(z_i)_e log(r(z_i)_e + 10⁻⁶)`` (the official code's ε): a scalar."""
        selectors = self.selector_outputs(input)
        return _core.neg(_core.sum_all(_core.mul(selectors, _core.log(_core.add(selectors, _scalar(1e-6))))))

    def forward(self, input: Any) -> Any:
        """The expert weights ``Σ_i softmax(A x)_i r(z_i)``: (N, n), or (1, n) for a static gate."""
        selectors = self.selector_outputs(input)
        mixing = _core.softmax(self._logits(input, "alpha"), -1)
        rows = _core.Tensor.shape.__get__(mixing)[0]
        return _core.sum(_core.mul(_core.reshape(mixing, (rows, self.k, 1)), selectors), 1, 0)

    def extra_repr(self) -> str:
        """n, k, γ and (when static) ``per_example=False``."""
        static = "" if self.per_example else ", per_example=False"
        return f"experts={self.experts}, k={self.k}, gamma={self.gamma}{static}"


class DSelectK(MultiTaskModel):
    """DSelect-k (Hazimeh, Zhao, Chowdhery, Sathiamoorthy, Chen, Mazumder, Hong, Chi, "DSelect-k:
    Differentiable Selection in the Mixture of Experts with Applications to Multi-Task Learning",
    NeurIPS 2021): MMoE whose softmax gates are replaced by :class:`DSelectKGate` s, which converge to using
    at most k experts per task (the smooth step saturates at exactly 0 or 1). The gates are per example (the
    default) or static (``per_example=False``: one expert choice per task, the same for every input).

    ``output_t = tower_t(Σ_e w_t(x)_e f_e(x))``. The experts are shared; each gate and tower belongs to its
    task. The gates are made after the experts and towers, in task order, initialised as the official code
    and LibMTL (selector logits in ±γ/100, mixing logits in ±0.05).

    When n is not a power of two some codes name no expert and the weights can sum to less than 1; the
    paper then adds :meth:`selector_penalty` to the loss. The paper also adds ``λ ·`` :meth:`entropy_penalty`,
    which pushes every selector towards one expert sooner (the official code's default λ is 1e-6).

    Args:
        input_size: width of the input (the gates' input).
        experts: n ≥ 2 expert modules, each mapping (N, input_size) to (N, D).
        towers: one module per task (mapping or pairs); their order is the task order.
        k: selectors per gate, the most experts a task ends up using (1 ≤ k ≤ n). Default: 2.
        gamma: width γ of the smooth step. Default: 1.
        per_example: per-example gates (True) or static ones (False). Default: True.

    Parameter names: ``experts.<e>.…``, ``gates.<task>.{z_weight, z_bias, alpha_weight, alpha_bias}`` (static:
    ``gates.<task>.{z_bias, alpha_bias}``), ``towers.<task>.…``.

    Examples:
        >>> import polyhead
        >>> from polyhead import mtl, nn
        >>> model = mtl.DSelectK(10, [nn.Sequential(nn.Linear(10, 8), nn.ReLU()) for _ in range(4)],
        ...                      {"a": nn.Linear(8, 1), "b": nn.Linear(8, 1)}, k=2)
        >>> [tuple(y.shape) for y in model(polyhead.randn(5, 10)).values()]
        [(5, 1), (5, 1)]
        >>> round(model.gate_weights(polyhead.randn(1, 10))["a"].sum().item(), 4)
        1.0
    """

    def __init__(self, input_size: int, experts: Sequence[Module], towers: Any, k: int = 2,
                 gamma: float = 1.0, per_example: bool = True) -> None:
        super().__init__()
        pairs = named_modules(towers, "DSelectK", "towers")
        experts = list(experts)
        if not (len(experts) >= 2 and 1 <= k <= len(experts) and input_size > 0 and np.isfinite(gamma) and gamma > 0):
            raise ValueError(f"[DSelectK] needs at least 2 experts, 1 <= k <= experts, input_size > 0 and finite "
                             f"gamma > 0, got {len(experts)} experts, k={k}, input_size={input_size}, gamma={gamma}")
        self.tasks = [task for task, _ in pairs]
        self.experts = ModuleList(experts)
        self.gates = ModuleDict([(task, DSelectKGate(input_size, len(experts), k, gamma, per_example))
                                 for task in self.tasks])
        self.towers = ModuleDict(pairs)

    def _parameter_task(self, name: str) -> Optional[str]:
        return prefix_task(name, "gates") or prefix_task(name, "towers")

    def gate_weights(self, input: Any) -> Dict[str, Any]:
        """Each task's expert weights: (N, n) for per-example gates, (1, n) for static ones."""
        return outputs_dict(self.tasks, [gate(input) for gate in self.gates.values()])

    def selector_penalty(self, input: Any) -> Any:
        """The paper's penalty for n not a power of two: Σ over tasks, samples (one for static gates) and
        selectors of ``1 / Σ_e r(z_i)_e`` (it pushes the selectors towards codes that name an expert); 0
        otherwise."""
        n = len(self.experts)
        if n & (n - 1) == 0:
            return _scalar(0)
        return self._sum_over_gates(
            lambda gate: _core.sum_all(_core.div(_scalar(1), _core.sum(gate.selector_outputs(input), 2, 0))))

    def entropy_penalty(self, input: Any) -> Any:
        """The paper's entropy regulariser (before its factor λ): Σ over tasks of :meth:`DSelectKGate.entropy`,
        0 once every selector has settled on one expert."""
        return self._sum_over_gates(lambda gate: gate.entropy(input))

    def _sum_over_gates(self, term: Any) -> Any:
        terms = [term(gate) for gate in self.gates.values()]
        total = terms[0]
        for value in terms[1:]:
            total = _core.add(total, value)
        return total

    def forward(self, input: Any) -> Dict[str, Any]:
        """The experts once, then each task's gate, mixture and tower: a dict in task order."""
        stacked = stack_experts([expert(input) for expert in self.experts], "DSelectK")
        return outputs_dict(self.tasks, [
            tower(mix_experts(gate(input), stacked, "DSelectK"))
            for gate, tower in zip(self.gates.values(), self.towers.values())
        ])
