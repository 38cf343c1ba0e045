import numpy as np
import pytest

import polyhead as ph
from polyhead import mtl, nn


def make():
    """trunk 4→5→3 (ReLU), heads a: 3→2, b: 3→1."""
    return mtl.HardSharing(nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3), nn.ReLU()),
                           {"a": nn.Linear(3, 2), "b": nn.Linear(3, 1)})


def test_outputs_in_task_order_and_representation():
    model = make()
    x = ph.randn(6, 4)
    outputs, representation = model(x, return_representation=True)
    assert list(outputs) == model.tasks == ["a", "b"]
    assert [tuple(y.shape) for y in outputs.values()] == [(6, 2), (6, 1)]
    np.testing.assert_array_equal(representation.detach().numpy(), model.trunk(x).detach().numpy())
    np.testing.assert_array_equal(model(x)["b"].detach().numpy(), outputs["b"].detach().numpy())


@pytest.mark.parametrize("rep_grad", [False, True])
def test_drives_a_gradient_method_in_both_modes(rep_grad):
    """The partition and the representation are what ``polyhead.mtl`` methods take."""
    if "mgda" not in mtl.available_methods():
        pytest.skip("the core has no MGDA")

    class method_class(mtl.MultiTaskMethod):
        _core_name = "mgda"

    model = make()
    x, targets = ph.randn(8, 4), {"a": ph.randn(8, 2), "b": ph.randn(8, 1)}
    outputs, representation = model(x, return_representation=True)
    losses = [ph.nn.functional.mse_loss(outputs[t], targets[t]) for t in model.tasks]
    method = method_class(rep_grad=rep_grad)
    if rep_grad:
        method.backward(losses, representation=representation)
    else:
        method.backward(losses, shared_parameters=model.shared_parameters())
    assert all(p.grad is not None and np.isfinite(p.grad.detach().numpy()).all() for p in model.parameters())
    head_only = model.heads["b"].weight.grad.detach().numpy().copy()
    model.zero_grad()
    ph.nn.functional.mse_loss(model(x)["b"], targets["b"]).backward()
    np.testing.assert_allclose(head_only, model.heads["b"].weight.grad.detach().numpy(), rtol=1e-5, atol=1e-7)


def test_heads_as_pairs_keep_their_order():
    model = mtl.HardSharing(nn.Linear(2, 2), [("z", nn.Linear(2, 1)), ("a", nn.Linear(2, 1))])
    assert model.tasks == ["z", "a"] and list(model(ph.zeros(1, 2))) == ["z", "a"]


def test_partition(check_partition):
    check_partition(make(), (3, 4), shared=["trunk.0.weight", "trunk.0.bias", "trunk.2.weight", "trunk.2.bias"],
                    tasks={"a": ["heads.a.weight", "heads.a.bias"], "b": ["heads.b.weight", "heads.b.bias"]},
                    scalars=(4 * 5 + 5) + (5 * 3 + 3) + (3 * 2 + 2) + (3 + 1))


def test_gradients_against_numpy_float64(check_model_gradients, ref):
    def reference(p, x):
        h = ref.relu(ref.linear(ref.relu(ref.linear(x, p, "trunk.0")), p, "trunk.2"))
        return [ref.linear(h, p, "heads.a"), ref.linear(h, p, "heads.b")]

    check_model_gradients(make(), (3, 4), reference)


def test_seeded_reproducibility(check_reproducible):
    check_reproducible(make, (2, 4))


@pytest.mark.parametrize("heads, message", [({}, "at least one"), ([("a", nn.Linear(2, 1))] * 2, "repeat"),
                                            ({"a.b": nn.Linear(2, 1)}, "contain no"), ({"a": 3}, "nn.Module")])
def test_rejects_bad_heads(heads, message):
    with pytest.raises((ValueError, TypeError), match=message):
        mtl.HardSharing(nn.Linear(2, 2), heads)
