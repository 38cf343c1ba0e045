import numpy as np
import pytest

import polyhead as ph
from polyhead import mtl, nn


def test_one_copy_per_task_in_task_order():
    asked = []
    layer = mtl.TaskSpecific(lambda task: asked.append(task) or nn.Linear(3, 2), ["x", "y"])
    assert asked == ["x", "y"] and layer.layers["x"] is not layer.layers["y"]
    x = ph.randn(4, 3)
    outputs = layer(x)
    assert list(outputs) == ["x", "y"] and [tuple(v.shape) for v in outputs.values()] == [(4, 2), (4, 2)]
    np.testing.assert_array_equal(layer(x, task="y").detach().numpy(), outputs["y"].detach().numpy())
    with pytest.raises(ValueError, match="unknown task"):
        layer(x, task="z")


def test_partition_and_gradients(check_partition, check_model_gradients, ref):
    layer = mtl.TaskSpecific(lambda task: nn.Sequential(nn.Linear(3, 2), nn.ReLU()), ["x", "y"])
    check_partition(layer, (2, 3), shared=[],
                    tasks={t: [f"layers.{t}.0.weight", f"layers.{t}.0.bias"] for t in "xy"}, scalars=2 * 8)
    check_model_gradients(layer, (3, 3), lambda p, x: [ref.relu(ref.linear(x, p, f"layers.{t}.0")) for t in "xy"])


def test_inside_a_shared_model():
    shared, head = nn.Linear(3, 4), nn.Linear(4, 1)
    adapters = mtl.TaskSpecific(lambda task: nn.Linear(4, 4), ["x", "y"])
    streams = adapters({"y": ph.randn(2, 4), "x": shared(ph.randn(2, 3))})
    assert list(streams) == ["x", "y"]
    outputs = {t: head(h.relu()) for t, h in streams.items()}
    outputs["x"].sum().backward()
    assert shared.weight.grad is not None and head.weight.grad is not None
    assert adapters.layers["x"].weight.grad is not None and adapters.layers["y"].weight.grad is None
    with pytest.raises(ValueError, match="no input"):
        adapters({"x": ph.randn(2, 4)})


def test_rejects_a_factory_returning_no_module():
    with pytest.raises(TypeError, match="not an nn.Module"):
        mtl.TaskSpecific(lambda task: 3, ["x"])


def test_seeded_reproducibility(check_reproducible):
    check_reproducible(lambda: mtl.TaskSpecific(lambda t: nn.Linear(3, 2), ["x", "y"]), (2, 3))
