import pytest

import polyhead as ph
from polyhead import mtl, nn


def expert():
    return nn.Sequential(nn.Linear(4, 3), nn.ReLU())


def make():
    """Input 4, two shared experts, task a one expert, task b two; experts 4→3 (ReLU); towers 3→1."""
    return mtl.CGC(4, [expert(), expert()], {"a": [expert()], "b": [expert(), expert()]},
                   {"a": nn.Linear(3, 1), "b": nn.Linear(3, 1)})


def e(prefix):
    return [f"{prefix}.0.weight", f"{prefix}.0.bias"]


def test_shapes_and_gate_sizes():
    model = make()
    assert [tuple(y.shape) for y in model(ph.randn(5, 4)).values()] == [(5, 1), (5, 1)]
    assert [tuple(g.weight.shape) for g in model.extraction.task_gates.values()] == [(3, 4), (4, 4)]
    assert model.extraction.shared_gate is None


def test_partition(check_partition):
    gate = lambda t: [f"extraction.task_gates.{t}.weight", f"extraction.task_gates.{t}.bias"]  # noqa: E731
    tower = lambda t: [f"towers.{t}.weight", f"towers.{t}.bias"]  # noqa: E731
    check_partition(make(), (2, 4), shared=e("extraction.shared_experts.0") + e("extraction.shared_experts.1"),
                    tasks={"a": e("extraction.task_experts.a.0") + gate("a") + tower("a"),
                           "b": e("extraction.task_experts.b.0") + e("extraction.task_experts.b.1") + gate("b") + tower("b")},
                    scalars=5 * 15 + 15 + 20 + 2 * 4)


def test_gradients_against_numpy_float64(check_model_gradients, ref):
    def reference(p, x):
        shared = [ref.relu(ref.linear(x, p, f"extraction.shared_experts.{i}.0")) for i in range(2)]
        outputs = []
        for task, count in (("a", 1), ("b", 2)):
            own = [ref.relu(ref.linear(x, p, f"extraction.task_experts.{task}.{i}.0")) for i in range(count)]
            gate = ref.softmax(ref.linear(x, p, f"extraction.task_gates.{task}"))
            outputs.append(ref.linear(ref.mix_experts(gate, own + shared), p, f"towers.{task}"))
        return outputs

    check_model_gradients(make(), (3, 4), reference)


def test_seeded_reproducibility(check_reproducible):
    check_reproducible(make, (2, 4))


def test_rejects_mismatched_tasks():
    with pytest.raises(ValueError, match="task experts"):
        mtl.CGC(4, [expert()], {"b": [expert()]}, {"a": nn.Linear(3, 1)})
    with pytest.raises(ValueError, match="no expert"):
        mtl.CGC(4, [], {"a": []}, {"a": nn.Linear(3, 1)})
