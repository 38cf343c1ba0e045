import numpy as np
import pytest

import polyhead as ph
from polyhead import mtl, nn


def make():
    """Input 4, three experts 4→3 (ReLU), towers a: 3→2, b: 3→1."""
    return mtl.MMoE(4, [nn.Sequential(nn.Linear(4, 3), nn.ReLU()) for _ in range(3)],
                    {"a": nn.Linear(3, 2), "b": nn.Linear(3, 1)})


def test_shapes_and_gates():
    model = make()
    x = ph.randn(5, 4)
    assert [tuple(y.shape) for y in model(x).values()] == [(5, 2), (5, 1)]
    for gate in model.gate_weights(x).values():
        assert gate.shape == (5, 3)
        np.testing.assert_allclose(gate.detach().numpy().sum(axis=1), 1, rtol=1e-6)


def test_partition(check_partition):
    experts = [f"experts.{e}.0.{n}" for e in range(3) for n in ("weight", "bias")]
    check_partition(make(), (2, 4), shared=experts,
                    tasks={t: [f"gates.{t}.weight", f"gates.{t}.bias", f"towers.{t}.weight", f"towers.{t}.bias"]
                           for t in "ab"},
                    scalars=3 * 15 + 2 * 15 + 8 + 4)


def test_gradients_against_numpy_float64(check_model_gradients, ref):
    def reference(p, x):
        experts = [ref.relu(ref.linear(x, p, f"experts.{e}.0")) for e in range(3)]
        return [ref.linear(ref.mix_experts(ref.softmax(ref.linear(x, p, f"gates.{t}")), experts), p, f"towers.{t}")
                for t in "ab"]

    check_model_gradients(make(), (3, 4), reference)


def test_gates_are_made_after_experts_and_towers():
    ph.manual_seed(3)
    model = make()
    ph.manual_seed(3)
    [nn.Linear(4, 3) for _ in range(3)], nn.Linear(3, 2), nn.Linear(3, 1)
    np.testing.assert_array_equal(model.gates["a"].weight.detach().numpy(), nn.Linear(4, 3).weight.detach().numpy())


def test_seeded_reproducibility(check_reproducible):
    check_reproducible(make, (2, 4))


def test_rejects_bad_experts():
    with pytest.raises(ValueError, match="at least one expert"):
        mtl.MMoE(2, [], {"a": nn.Linear(2, 1)})
    model = mtl.MMoE(2, [nn.Linear(2, 3), nn.Linear(2, 4)], {"a": nn.Linear(3, 1)})
    with pytest.raises(ValueError, match="one 2-D shape"):
        model(ph.randn(1, 2))
