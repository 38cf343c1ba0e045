import numpy as np
import pytest

import polyhead as ph
from polyhead import mtl, nn


def make(experts=3, k=2):
    """Input 4, ``experts`` experts 4→3 (ReLU), k selectors, towers 3→1."""
    return mtl.DSelectK(4, [nn.Sequential(nn.Linear(4, 3), nn.ReLU()) for _ in range(experts)],
                        {"a": nn.Linear(3, 1), "b": nn.Linear(3, 1)}, k=k)


def step(t, gamma=1.0):
    """The paper's smooth step in float64."""
    return np.where(t <= -gamma / 2, 0.0, np.where(t >= gamma / 2, 1.0,
                                                    -2 / gamma ** 3 * t ** 3 + 3 / (2 * gamma) * t + 0.5))


def reference_selectors(p, task, x, experts, k):
    """r[n, i, e] = Π_j (bit j of e ? S(z) : 1 − S(z)), bits most significant first."""
    bits = int(np.ceil(np.log2(experts)))
    s = step(x @ p[f"gates.{task}.z_weight"].T + p[f"gates.{task}.z_bias"]).reshape(len(x), k, bits)
    codes = np.array([[(e >> (bits - 1 - j)) & 1 for j in range(bits)] for e in range(experts)])  # (n, m)
    return np.prod(np.where(codes[None, None] == 1, s[:, :, None, :], 1 - s[:, :, None, :]), axis=-1)


def reference_weights(p, task, x, experts, k, ref):
    a = ref.softmax(x @ p[f"gates.{task}.alpha_weight"].T + p[f"gates.{task}.alpha_bias"])
    return np.einsum("nk,nke->ne", a, reference_selectors(p, task, x, experts, k))


def test_smooth_step_values_and_gradient(check_op):
    t = np.array([-3, -1, -0.999, -0.5, 0, 0.25, 0.9, 1, 2], dtype=np.float32)
    np.testing.assert_allclose(mtl.smooth_step(ph.tensor(t), gamma=2).detach().numpy(), step(t.astype(np.float64), 2), atol=1e-6)
    check_op([(12,)], lambda x: step(x, 2.0), lambda x: mtl.smooth_step(x, gamma=2), low=-1.5, high=1.5)


def test_saturated_selector_picks_one_expert():
    gate = mtl.DSelectKGate(2, experts=4, k=1)
    with ph.no_grad():
        gate.z_weight.zero_()
        gate.z_bias.copy_(ph.tensor([5.0, -5.0]))  # code "10": expert 2
    np.testing.assert_array_equal(gate(ph.randn(3, 2)).detach().numpy(), np.tile([0.0, 0.0, 1.0, 0.0], (3, 1)))


def test_shapes_initialisation_and_weights(ref):
    ph.manual_seed(0)
    model = make()
    gate = model.gates["a"]
    assert gate.bits == 2 and gate.z_weight.shape == (4, 4) and gate.alpha_weight.shape == (2, 4)
    assert np.abs(gate.z_weight.detach().numpy()).max() <= 0.01 and np.abs(gate.alpha_bias.detach().numpy()).max() <= 0.05
    x = ph.randn(5, 4)
    assert [tuple(y.shape) for y in model(x).values()] == [(5, 1), (5, 1)]
    p = {name: q.detach().numpy().astype(np.float64) for name, q in model.named_parameters()}
    for task, weights in model.gate_weights(x).items():  # every bit ≈ ½: 3 of the 4 codes name an expert
        np.testing.assert_allclose(weights.detach().numpy().sum(axis=1), 0.75, atol=0.15)
        np.testing.assert_allclose(weights.detach().numpy(), reference_weights(p, task, x.detach().numpy().astype(np.float64),
                                                                              3, 2, ref), rtol=1e-5, atol=1e-6)


def test_partition(check_partition):
    experts = [f"experts.{e}.0.{n}" for e in range(3) for n in ("weight", "bias")]
    task = lambda t: [f"gates.{t}.{n}" for n in ("z_weight", "z_bias", "alpha_weight", "alpha_bias")] + \
        [f"towers.{t}.weight", f"towers.{t}.bias"]  # noqa: E731
    check_partition(make(), (2, 4), shared=experts, tasks={"a": task("a"), "b": task("b")},
                    scalars=3 * 15 + 2 * (16 + 4 + 8 + 2) + 2 * 4)


def test_gradients_against_numpy_float64(check_model_gradients, ref):
    model = make()
    with ph.no_grad():  # spread the selector logits over the linear and the flat parts of the step
        for gate in model.gates.values():
            gate.z_weight.mul_(60)
            gate.alpha_weight.mul_(20)

    def reference(p, x):
        experts = [ref.relu(ref.linear(x, p, f"experts.{e}.0")) for e in range(3)]
        return [ref.linear(ref.mix_experts(reference_weights(p, t, x, 3, 2, ref), experts), p, f"towers.{t}")
                for t in "ab"]

    check_model_gradients(model, (3, 4), reference)


def test_selector_penalty():
    model = make()
    x = ph.randn(4, 4)
    p = {name: q.detach().numpy().astype(np.float64) for name, q in model.named_parameters()}
    x64 = x.detach().numpy().astype(np.float64)
    expected = sum(np.sum(1 / reference_selectors(p, t, x64, 3, 2).sum(axis=-1)) for t in "ab")
    np.testing.assert_allclose(model.selector_penalty(x).item(), expected, rtol=1e-4)
    assert make(experts=4).selector_penalty(x).item() == 0


def test_seeded_reproducibility(check_reproducible):
    check_reproducible(make, (2, 4))


@pytest.mark.parametrize("experts, k", [(1, 1), (3, 4), (3, 0)])
def test_rejects_bad_counts(experts, k):
    with pytest.raises(ValueError, match="DSelectK"):
        make(experts, k)
