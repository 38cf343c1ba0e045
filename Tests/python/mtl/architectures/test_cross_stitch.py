import numpy as np
import pytest

import polyhead as ph
from polyhead import mtl, nn

TASKS = ("a", "b", "c")


def make():
    """Three tasks, columns 3→4 (ReLU) → 4→4 (ReLU) → 4→(1, 2, 1)."""
    return mtl.CrossStitch({t: [nn.Sequential(nn.Linear(3, 4), nn.ReLU()), nn.Sequential(nn.Linear(4, 4), nn.ReLU()),
                                nn.Linear(4, out)] for t, out in zip(TASKS, (1, 2, 1))})


def test_alpha_starts_as_in_the_paper():
    model = make()
    assert len(model.stitches) == 2
    np.testing.assert_allclose(model.stitches[0].alpha.detach().numpy(), [[0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.05, 0.05, 0.9]],
                               rtol=1e-6)
    np.testing.assert_allclose(mtl.CrossStitchUnit(2, self_weight=0.8).alpha.detach().numpy(), [[0.8, 0.2], [0.2, 0.8]], rtol=1e-6)
    assert mtl.CrossStitchUnit(1).alpha.tolist() == [[1.0]]


def test_unit_mixes_and_checks_shapes():
    unit = mtl.CrossStitchUnit(2, self_weight=0.75)
    a, b = unit([ph.tensor([[1.0, 2.0]]), ph.tensor([[10.0, 20.0]])])
    np.testing.assert_allclose(a.detach().numpy(), [[3.25, 6.5]])
    np.testing.assert_allclose(b.detach().numpy(), [[7.75, 15.5]])
    with pytest.raises(ValueError, match="one shape"):
        unit([ph.zeros(2), ph.zeros(3)])
    with pytest.raises(ValueError, match="does not fit"):
        unit([ph.zeros(2)])


def test_shapes_and_partition(check_partition):
    model = make()
    assert [tuple(y.shape) for y in model(ph.randn(5, 3)).values()] == [(5, 1), (5, 2), (5, 1)]
    shared = [f"columns.{t}.{s}" for t in TASKS for s in ("0.0.weight", "0.0.bias", "1.0.weight", "1.0.bias")]
    shared += ["stitches.0.alpha", "stitches.1.alpha"]
    check_partition(model, (2, 3), shared=shared,
                    tasks={t: [f"columns.{t}.2.weight", f"columns.{t}.2.bias"] for t in TASKS},
                    scalars=3 * (12 + 4 + 16 + 4) + 2 * 9 + 5 + 10 + 5)


def test_gradients_against_numpy_float64(check_model_gradients, ref):
    model = make()
    with ph.no_grad():
        for stitch in model.stitches:  # away from the symmetric start so every entry matters
            stitch.alpha.add_(ph.arange(9).reshape(3, 3) * 0.01)

    def reference(p, x):
        streams = [ref.relu(ref.linear(x, p, f"columns.{t}.0.0")) for t in TASKS]
        streams = ref.mix_tasks(p["stitches.0.alpha"], streams)
        streams = [ref.relu(ref.linear(h, p, f"columns.{t}.1.0")) for t, h in zip(TASKS, streams)]
        streams = ref.mix_tasks(p["stitches.1.alpha"], streams)
        return [ref.linear(h, p, f"columns.{t}.2") for t, h in zip(TASKS, streams)]

    check_model_gradients(model, (2, 3), reference)


def test_seeded_reproducibility(check_reproducible):
    check_reproducible(make, (2, 3))


def test_rejects_bad_columns():
    with pytest.raises(ValueError, match="stages"):
        mtl.CrossStitch({"a": [nn.Linear(2, 2)], "b": [nn.Linear(2, 2), nn.Linear(2, 1)]})
    with pytest.raises(ValueError, match="stages"):
        mtl.CrossStitch({"a": []})
    with pytest.raises(ValueError, match="self_weight"):
        mtl.CrossStitchUnit(2, self_weight=1.5)
