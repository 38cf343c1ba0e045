import numpy as np
import pytest

import polyhead as ph
from polyhead import mtl, nn


def make():
    """trunk 4→3 (ReLU), task layers 3→2 (ReLU), outputs a: 2→1, b: 2→3."""
    return mtl.TaskRelation(nn.Sequential(nn.Linear(4, 3), nn.ReLU()),
                            {t: nn.Sequential(nn.Linear(3, 2), nn.ReLU()) for t in "ab"},
                            {"a": nn.Linear(2, 1), "b": nn.Linear(2, 3)})


def test_starts_as_independent_heads():
    model = make()
    assert model.relation.tolist() == [[1.0, 0.0], [0.0, 1.0]]
    x = ph.randn(5, 4)
    outputs, representation = model(x, return_representation=True)
    assert [tuple(y.shape) for y in outputs.values()] == [(5, 1), (5, 3)] and representation.shape == (5, 3)
    direct = model.output_layers["b"](model.task_layers["b"](representation))
    np.testing.assert_allclose(outputs["b"].detach().numpy(), direct.detach().numpy(), rtol=1e-6, atol=1e-7)


def test_partition(check_partition):
    g = lambda prefix: [f"{prefix}.weight", f"{prefix}.bias"]  # noqa: E731
    check_partition(make(), (2, 4), shared=["relation"] + g("trunk.0") + g("task_layers.a.0") + g("task_layers.b.0"),
                    tasks={"a": g("output_layers.a"), "b": g("output_layers.b")}, scalars=15 + 16 + 4 + 3 + 9)


def test_gradients_against_numpy_float64(check_model_gradients, ref):
    model = make()
    with ph.no_grad():
        model.relation.copy_(ph.tensor([[1.0, 0.3], [-0.2, 0.8]]))

    def reference(p, x):
        h = ref.relu(ref.linear(x, p, "trunk.0"))
        mixed = ref.mix_tasks(p["relation"], [ref.relu(ref.linear(h, p, f"task_layers.{t}.0")) for t in "ab"])
        return [ref.linear(mixed[0], p, "output_layers.a"), ref.linear(mixed[1], p, "output_layers.b")]

    check_model_gradients(model, (3, 4), reference)


def test_seeded_reproducibility(check_reproducible):
    check_reproducible(make, (2, 4))


def test_rejects_mismatched_tasks_and_shapes():
    with pytest.raises(ValueError, match="output layers"):
        mtl.TaskRelation(nn.Linear(2, 2), {"a": nn.Linear(2, 2)}, {"b": nn.Linear(2, 1)})
    uneven = mtl.TaskRelation(nn.Linear(2, 2), {"a": nn.Linear(2, 2), "b": nn.Linear(2, 3)},
                              {"a": nn.Linear(2, 1), "b": nn.Linear(3, 1)})
    with pytest.raises(ValueError, match="one shape"):
        uneven(ph.randn(1, 2))
