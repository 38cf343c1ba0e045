import numpy as np
import pytest

import polyhead as ph
from polyhead import mtl, nn

TASKS = ("a", "b")


def make():
    """Input (N, 1, 4, 4); stage 0 conv3×3 1→2 (ReLU) at 4×4, stage 1 max-pool 2 + conv3×3 2→3 (ReLU) at 2×2;
    heads flatten + Linear(12, 2) and Linear(12, 1)."""
    return mtl.MTAN([nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU()),
                     nn.Sequential(nn.MaxPool2d(2), nn.Conv2d(2, 3, 3, padding=1), nn.ReLU())],
                    channels=[2, 3],
                    heads={"a": nn.Sequential(nn.Flatten(), nn.Linear(12, 2)),
                           "b": nn.Sequential(nn.Flatten(), nn.Linear(12, 1))})


def test_shapes_and_partition(check_partition):
    model = make()
    assert [tuple(y.shape) for y in model(ph.randn(5, 1, 4, 4)).values()] == [(5, 2), (5, 1)]
    own = ["0.mask.0.weight", "0.mask.1.weight", "0.mask.1.bias", "0.mask.3.weight", "0.mask.4.weight", "0.mask.4.bias",
           "0.block.0.weight", "0.block.1.weight", "0.block.1.bias",
           "1.mask.0.weight", "1.mask.1.weight", "1.mask.1.bias", "1.mask.3.weight", "1.mask.4.weight", "1.mask.4.bias"]
    # Stage 0: conv 2→2 1×1, BN 2, conv 2→2 1×1, BN 2, f block conv3×3 2→3, BN 3; stage 1: conv 6→3, BN 3,
    # conv 3→3, BN 3.
    attention = (4 + 4 + 4 + 4 + 54 + 6) + (18 + 6 + 9 + 6)
    check_partition(model, (2, 1, 4, 4),
                    shared=["backbone.0.0.weight", "backbone.0.0.bias", "backbone.1.1.weight", "backbone.1.1.bias"],
                    tasks={t: [f"attention.{t}.{name}" for name in own] + [f"heads.{t}.1.weight", f"heads.{t}.1.bias"]
                           for t in TASKS},
                    scalars=(18 + 2) + (54 + 3) + 2 * attention + (24 + 2) + (12 + 1))


def test_gradients_against_numpy_float64(check_model_gradients, ref):
    model = make()

    def reference(p, x):
        def conv(h, prefix, padding=0):
            return ref.conv2d(h, p[f"{prefix}.weight"], p.get(f"{prefix}.bias"), padding=(padding, padding))

        def batch_norm(h, prefix):
            return ref.batch_norm_train(h, p[f"{prefix}.weight"], p[f"{prefix}.bias"])

        def attend(input, shared, prefix):
            hidden = ref.relu(batch_norm(conv(input, f"{prefix}.mask.0"), f"{prefix}.mask.1"))
            return ref.sigmoid(batch_norm(conv(hidden, f"{prefix}.mask.3"), f"{prefix}.mask.4")) * shared

        def pool(h):
            return ref.max_pool2d(h, (2, 2), (2, 2), (0, 0))

        s0 = ref.relu(conv(x, "backbone.0.0", padding=1))
        s1 = ref.relu(conv(pool(s0), "backbone.1.1", padding=1))
        outputs = []
        for t in TASKS:
            a0 = attend(s0, s0, f"attention.{t}.0")
            t0 = ref.relu(batch_norm(conv(a0, f"attention.{t}.0.block.0", padding=1), f"attention.{t}.0.block.1"))
            a1 = attend(np.concatenate([s1, pool(t0)], axis=1), s1, f"attention.{t}.1")
            outputs.append(ref.linear(a1.reshape(len(a1), -1), p, f"heads.{t}.1"))
        return outputs

    check_model_gradients(model, (2, 1, 4, 4), reference)


def test_train_and_eval_reach_every_batch_norm():
    model = make()
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    assert len(norms) == 2 * 5, "five BatchNorms per task"
    x = ph.randn(4, 1, 4, 4)
    model(x)
    assert all(not np.allclose(m.running_mean.numpy(), 0) for m in norms), "training updates the statistics"

    model.eval()
    assert not any(m.training for m in norms)
    running = [np.concatenate([m.running_mean.numpy(), m.running_var.numpy()]) for m in norms]
    batch = model(x)
    for m, before in zip(norms, running):
        np.testing.assert_array_equal(np.concatenate([m.running_mean.numpy(), m.running_var.numpy()]), before)
    alone = model(x[0:1])  # running statistics: a sample's outputs do not depend on the rest of the batch
    for task in TASKS:
        np.testing.assert_allclose(alone[task].detach().numpy(), batch[task].detach().numpy()[0:1], atol=1e-5)

    model.train()
    assert all(m.training for m in norms)
    assert not np.allclose(model(x)["a"].detach().numpy(), batch["a"].detach().numpy()), "batch statistics again"


def test_seeded_reproducibility(check_reproducible):
    check_reproducible(make, (2, 1, 4, 4))


def test_rejects_bad_arguments():
    def stage():
        return nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU())

    def heads(width=32):
        return {"a": nn.Sequential(nn.Flatten(), nn.Linear(width, 1))}

    with pytest.raises(ValueError, match="channel count per backbone stage"):
        mtl.MTAN([stage()], [2, 3], heads())
    with pytest.raises(ValueError, match="channel count"):
        mtl.MTAN([], [], heads())
    with pytest.raises(ValueError, match="channel count"):
        mtl.MTAN([stage()], [0], heads())
    with pytest.raises(TypeError, match="channel counts must be integers, got float"):
        mtl.MTAN([stage()], [2.0], heads())
    assert mtl.MTAN([stage()], [np.int64(2)], heads()).channels == [2]
    with pytest.raises(ValueError, match="at least one task"):
        mtl.MTAN([stage()], [2], {})
    with pytest.raises(TypeError, match=r"backbone\[0\]"):
        mtl.MTAN([lambda x: x], [2], heads())
    with pytest.raises(ValueError, match=r"returned \(1, 2, 4, 4\), expected \(N, 3, H, W\)"):
        mtl.MTAN([stage()], [3], heads())(ph.zeros(1, 1, 4, 4))
    growing = mtl.MTAN([stage(), nn.Conv2d(2, 2, 1, padding=1)], [2, 2], heads(72))
    with pytest.raises(ValueError, match="6×6 is not a whole-number reduction of the previous stage's 4×4"):
        growing(ph.zeros(1, 1, 4, 4))


def test_saved_weights_keep_the_running_statistics(tmp_path):
    ph.manual_seed(1)
    trained, x = make(), ph.randn(4, 1, 4, 4)
    optimizer = ph.optim.SGD(trained.parameters(), lr=0.1)
    for _ in range(3):  # training mode: the batch statistics move too
        loss = sum((y * y).mean() for y in trained(x).values())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    trained.eval()
    expected = {task: y.detach().numpy() for task, y in trained(x).items()}
    buffers = [name for name, _ in trained.named_buffers()]
    assert buffers[:3] == [f"attention.a.0.mask.1.{n}" for n in ("running_mean", "running_var", "num_batches_tracked")]
    assert len(buffers) == 2 * 5 * 3
    trained.save_weights(tmp_path / "mtan.safetensors")
    ph.manual_seed(2)
    restored = make()
    restored.load_weights(tmp_path / "mtan.safetensors")
    restored.eval()
    for task, y in restored(x).items():
        np.testing.assert_array_equal(y.detach().numpy(), expected[task])
    ph.io.save_file(dict(trained.named_parameters()), tmp_path / "parameters.safetensors")
    with pytest.raises(ValueError, match='Missing key.*"attention.a.0.mask.1.running_mean"'):
        make().load_weights(tmp_path / "parameters.safetensors")
