import pytest

import polyhead as ph
from polyhead import mtl, nn


def make(levels=2, tasks=("a", "b")):
    """Input 4, expert width 3, one shared and one task expert per level, towers 3→1."""
    return mtl.PLE(4, 3, {t: nn.Linear(3, 1) for t in tasks}, lambda width: nn.Sequential(nn.Linear(width, 3), nn.ReLU()),
                   num_levels=levels)


def e(prefix):
    return [f"{prefix}.0.weight", f"{prefix}.0.bias"]


def g(prefix):
    return [f"{prefix}.weight", f"{prefix}.bias"]


def test_structure():
    model = make()
    assert len(model.levels) == 2
    assert tuple(model.levels[0].shared_gate.weight.shape) == (3, 4)
    assert model.levels[1].shared_gate is None
    assert [tuple(gate.weight.shape) for gate in model.levels[1].task_gates.values()] == [(2, 3), (2, 3)]
    assert [tuple(y.shape) for y in model(ph.randn(5, 4)).values()] == [(5, 1), (5, 1)]


def test_partition(check_partition):
    task = lambda t: (g(f"levels.0.task_gates.{t}") + e(f"levels.1.task_experts.{t}.0")  # noqa: E731
                      + g(f"levels.1.task_gates.{t}") + g(f"towers.{t}"))
    check_partition(make(), (2, 4),
                    shared=e("levels.0.shared_experts.0") + e("levels.0.task_experts.a.0") + e("levels.0.task_experts.b.0")
                    + g("levels.0.shared_gate") + e("levels.1.shared_experts.0"),
                    tasks={"a": task("a"), "b": task("b")}, scalars=(3 * 15 + 2 * 10 + 15) + (3 * 12 + 2 * 8) + 2 * 4)


def test_partition_follows_dependencies_for_three_levels(check_partition):
    model = make(levels=3, tasks=("a", "b", "c"))
    check_partition(model, (2, 4), shared=None, tasks=None, scalars=None)
    assert "levels.0.task_gates.a.weight" in [n for n, _ in model.named_shared_parameters()]
    assert "levels.1.task_gates.a.weight" in [n for n, _ in model.named_task_parameters("a")]


def test_gradients_against_numpy_float64(check_model_gradients, ref):
    def reference(p, x):
        expert = lambda prefix, h: ref.relu(ref.linear(h, p, f"{prefix}.0"))  # noqa: E731
        streams, shared = [x, x], x
        for level in range(2):
            s = expert(f"levels.{level}.shared_experts.0", shared)
            own = [expert(f"levels.{level}.task_experts.{t}.0", h) for t, h in zip("ab", streams)]
            mixtures = [ref.mix_experts(ref.softmax(ref.linear(h, p, f"levels.{level}.task_gates.{t}")), [o, s])
                        for t, h, o in zip("ab", streams, own)]
            if level == 0:
                shared = ref.mix_experts(ref.softmax(ref.linear(shared, p, "levels.0.shared_gate")), own + [s])
            streams = mixtures
        return [ref.linear(h, p, f"towers.{t}") for t, h in zip("ab", streams)]

    check_model_gradients(make(), (3, 4), reference)


def test_one_level_is_cgc(check_partition):
    model = make(levels=1)
    assert model.levels[0].shared_gate is None
    check_partition(model, (2, 4), shared=e("levels.0.shared_experts.0"), tasks=None, scalars=3 * 15 + 2 * 10 + 2 * 4)


def test_seeded_reproducibility(check_reproducible):
    check_reproducible(make, (2, 4))


def test_rejects_bad_counts():
    with pytest.raises(ValueError, match="num_levels"):
        make(levels=0)
    with pytest.raises(ValueError, match="num_levels"):
        mtl.PLE(4, 3, {"a": nn.Linear(3, 1)}, lambda w: nn.Linear(w, 3), num_shared_experts=0, num_task_experts=0)
