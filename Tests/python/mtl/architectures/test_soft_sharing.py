import numpy as np
import pytest

import polyhead as ph
from polyhead import mtl, nn


def make(tasks=("a", "b", "c"), penalty=0.3):
    return mtl.SoftSharing({t: nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)) for t in tasks},
                           penalty=penalty)


def test_outputs_and_partition(check_partition):
    model = make()
    assert [tuple(y.shape) for y in model(ph.randn(5, 3)).values()] == [(5, 2)] * 3
    names = lambda t: [f"towers.{t}.{n}" for n in ("0.weight", "0.bias", "2.weight", "2.bias")]  # noqa: E731
    check_partition(model, (2, 3), shared=[], tasks={t: names(t) for t in "abc"}, scalars=3 * (12 + 4 + 8 + 2))


def test_gradients_against_numpy_float64(check_model_gradients, ref):
    def reference(p, x):
        return [ref.linear(np.tanh(ref.linear(x, p, f"towers.{t}.0")), p, f"towers.{t}.2") for t in "abc"]

    check_model_gradients(make(), (3, 3), reference)


def test_penalty_value_and_gradient_against_numpy_float64():
    model = make(penalty=0.3)
    towers = [[p.detach().numpy().astype(np.float64) for p in tower.parameters()] for tower in model.towers.values()]
    expected = 0.3 * sum(np.sum((towers[i][k] - towers[j][k]) ** 2)
                         for i in range(3) for j in range(i + 1, 3) for k in range(4))
    penalty = model.penalty()
    assert penalty.shape == ()
    np.testing.assert_allclose(penalty.item(), expected, rtol=1e-5)
    penalty.backward()
    for i, tower in enumerate(model.towers.values()):
        for k, parameter in enumerate(tower.parameters()):
            grad = sum(2 * 0.3 * (towers[i][k] - towers[j][k]) for j in range(3) if j != i)
            np.testing.assert_allclose(parameter.grad.detach().numpy(), grad, rtol=1e-5, atol=1e-6)


def test_penalty_is_zero_for_one_task_and_equal_towers():
    assert make(tasks=("only",)).penalty().item() == 0
    model = make(tasks=("a", "b"))
    model.towers["b"].load_state_dict(model.towers["a"].state_dict())
    assert model.penalty().item() == 0


def test_penalty_pulls_towers_together():
    model = make(tasks=("a", "b"), penalty=1.0)
    opt = ph.optim.SGD(model.parameters(), lr=0.1)
    before = model.penalty().item()
    for _ in range(5):
        opt.zero_grad()
        model.penalty().backward()
        opt.step()
    assert model.penalty().item() < 0.1 * before


def test_seeded_reproducibility(check_reproducible):
    check_reproducible(make, (2, 3))


def test_rejects_mismatched_towers_and_bad_penalty():
    with pytest.raises(ValueError, match="identical"):
        mtl.SoftSharing({"a": nn.Linear(2, 3), "b": nn.Linear(2, 4)})
    with pytest.raises(ValueError, match="identical"):
        mtl.SoftSharing({"a": nn.Linear(2, 3), "b": nn.Linear(2, 3, bias=False)})
    with pytest.raises(ValueError, match="penalty"):
        mtl.SoftSharing({"a": nn.Linear(2, 3)}, penalty=-1)
