import numpy as np
import pytest

import polyhead as ph
from polyhead import mtl, nn, optim


def make(experts=3, k=2, per_example=True):
    """Input 4, ``experts`` experts 4→3 (ReLU), k selectors, towers 3→1."""
    return mtl.DSelectK(4, [nn.Sequential(nn.Linear(4, 3), nn.ReLU()) for _ in range(experts)],
                        {"a": nn.Linear(3, 1), "b": nn.Linear(3, 1)}, k=k, per_example=per_example)


def step(t, gamma=1.0):
    """The paper's smooth step in float64."""
    return np.where(t <= -gamma / 2, 0.0, np.where(t >= gamma / 2, 1.0,
                                                    -2 / gamma ** 3 * t ** 3 + 3 / (2 * gamma) * t + 0.5))


def logits(p, task, name, x):
    """``x Wᵀ + b`` of the gate's ``name`` logits, or ``b`` in every row for a static gate."""
    weight, bias = p.get(f"gates.{task}.{name}_weight"), p[f"gates.{task}.{name}_bias"]
    return np.tile(bias, (len(x), 1)) if weight is None else x @ weight.T + bias


def reference_selectors(p, task, x, experts, k):
    """r[n, i, e] = Π_j (bit j of e ? S(z) : 1 − S(z)), bits most significant first."""
    bits = int(np.ceil(np.log2(experts)))
    s = step(logits(p, task, "z", x)).reshape(len(x), k, bits)
    codes = np.array([[(e >> (bits - 1 - j)) & 1 for j in range(bits)] for e in range(experts)])  # (n, m)
    return np.prod(np.where(codes[None, None] == 1, s[:, :, None, :], 1 - s[:, :, None, :]), axis=-1)


def reference_weights(p, task, x, experts, k, ref):
    a = ref.softmax(logits(p, task, "alpha", x))
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
    np.testing.assert_allclose(gate.entropy(ph.randn(3, 2)).item(), -3 * np.log(1 + 1e-6), atol=1e-6)
    fixed = mtl.DSelectKGate(2, experts=4, k=1, per_example=False)
    with ph.no_grad():
        fixed.z_bias.copy_(ph.tensor([-5.0, 5.0]))  # code "01": expert 1
    np.testing.assert_array_equal(fixed(ph.randn(3, 2)).detach().numpy(), [[0.0, 1.0, 0.0, 0.0]])


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
    static = {t: [f"gates.{t}.z_bias", f"gates.{t}.alpha_bias", f"towers.{t}.weight", f"towers.{t}.bias"] for t in "ab"}
    check_partition(make(per_example=False), (2, 4), shared=experts, tasks=static, scalars=3 * 15 + 2 * (4 + 2) + 2 * 4)


def test_static_gates_shapes_and_gradients(check_model_gradients, ref):
    ph.manual_seed(1)
    model = make(per_example=False)
    assert [tuple(w.shape) for w in model.gate_weights(ph.randn(5, 4)).values()] == [(1, 3), (1, 3)]
    assert [tuple(y.shape) for y in model(ph.randn(5, 4)).values()] == [(5, 1), (5, 1)]
    assert "per_example=False" in repr(model.gates["a"])
    with ph.no_grad():  # spread the selector logits over the linear and the flat parts of the step
        for gate in model.gates.values():
            gate.z_bias.copy_(ph.tensor([0.3, -0.8, 0.1, 0.9]))
            gate.alpha_bias.copy_(ph.tensor([0.4, 0.0]))

    def reference(p, x):
        experts = [ref.relu(ref.linear(x, p, f"experts.{e}.0")) for e in range(3)]
        return [ref.linear(ref.mix_experts(reference_weights(p, t, x, 3, 2, ref), experts), p, f"towers.{t}")
                for t in "ab"]

    check_model_gradients(model, (3, 4), reference)


def entropy(r):
    return float(-np.sum(r * np.log(r + 1e-6)))


@pytest.mark.parametrize("per_example", [True, False])
def test_entropy_penalty_value_and_gradient(per_example):
    """Σ −r log(r + 10⁻⁶) over tasks, samples (one for static gates), selectors and experts, and its gradient
    w.r.t. the selector biases against central differences of the float64 reference."""
    model = make(per_example=per_example)
    with ph.no_grad():
        for gate in model.gates.values():
            gate.z_bias.copy_(ph.tensor([0.1, 0.7, -0.4, 0.2]))
    x = ph.randn(4, 4)
    p = {name: q.detach().numpy().astype(np.float64) for name, q in model.named_parameters()}
    x64 = x.detach().numpy().astype(np.float64)
    rows = 4 if per_example else 1
    penalty = lambda: sum(entropy(reference_selectors(p, t, x64[:rows], 3, 2)) for t in "ab")  # noqa: E731
    value = model.entropy_penalty(x)
    np.testing.assert_allclose(value.item(), penalty(), rtol=1e-4)
    value.backward()
    bias, numeric = p["gates.a.z_bias"], np.zeros(4)
    for i in range(4):
        saved = bias[i]
        bias[i] = saved + 1e-6
        up = penalty()
        bias[i] = saved - 1e-6
        numeric[i] = (up - penalty()) / 2e-6
        bias[i] = saved
    np.testing.assert_allclose(model.gates["a"].z_bias.grad.numpy(), numeric, rtol=1e-3, atol=1e-4)


def test_entropy_penalty_drives_each_selector_to_one_expert():
    """Minimising the regulariser alone makes every selector one-hot (the paper's purpose for it)."""
    ph.manual_seed(0)
    model, x = make(experts=4, per_example=False), ph.randn(2, 4)
    start = model.entropy_penalty(x).item()
    opt = optim.SGD(model.parameters(), lr=0.5)
    for _ in range(100):
        opt.zero_grad()
        model.entropy_penalty(x).backward()
        opt.step()
    assert start > 5 and model.entropy_penalty(x).item() < 1e-3
    for gate in model.gates.values():
        r = gate.selector_outputs(x).detach().numpy()
        np.testing.assert_allclose(np.sort(r, axis=-1)[..., -1], 1.0, atol=1e-6)


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
    static = make(per_example=False)  # one row of selectors, whatever the batch
    p = {name: q.detach().numpy().astype(np.float64) for name, q in static.named_parameters()}
    expected = sum(np.sum(1 / reference_selectors(p, t, x64[:1], 3, 2).sum(axis=-1)) for t in "ab")
    np.testing.assert_allclose(static.selector_penalty(x).item(), expected, rtol=1e-4)


def test_seeded_reproducibility(check_reproducible):
    check_reproducible(make, (2, 4))


@pytest.mark.parametrize("experts, k", [(1, 1), (3, 4), (3, 0)])
def test_rejects_bad_counts(experts, k):
    with pytest.raises(ValueError, match="DSelectK"):
        make(experts, k)
