"""``nn.LayerNorm``, ``nn.BatchNorm1d/2d`` and their functional forms: forward and gradients against float64
numpy references, running statistics like torch (momentum, unbiased variance, cumulative average), train/eval,
buffers in the state dict, errors."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
import polyhead.nn.functional as F
from polyhead import nn


@pytest.mark.parametrize("shape,normalized", [((4, 5), (5,)), ((2, 3, 2, 3), (2, 3)), ((3, 4), (3, 4))])
def test_layer_norm_forward_and_gradients(check_op, ref, shape, normalized):
    check_op([shape, normalized, normalized],
             lambda x, w, b: ref.layer_norm(x, len(normalized), w, b),
             lambda x, w, b: F.layer_norm(x, normalized, w, b), rtol=1e-4, atol=1e-4)


def test_layer_norm_without_affine_and_eps(check_op, ref):
    check_op([(3, 6)], lambda x: ref.layer_norm(x, 1, eps=0.5), lambda x: F.layer_norm(x, 6, eps=0.5),
             rtol=1e-4, atol=1e-4)


def test_layer_norm_module():
    m = nn.LayerNorm([2, 3])
    assert m.normalized_shape == (2, 3) and m.weight.shape == (2, 3) and m.bias.shape == (2, 3)
    np.testing.assert_array_equal(m.weight.detach().numpy(), np.ones((2, 3)))
    assert repr(m) == "LayerNorm((2, 3), eps=1e-05, elementwise_affine=True)"
    assert list(nn.LayerNorm(4, elementwise_affine=False).parameters()) == []
    assert [n for n, _ in nn.LayerNorm(4, bias=False).named_parameters()] == ["weight"]
    with pytest.raises(ValueError, match=r"\[layer_norm\].*\(2, 3\).*\(4, 5\)"):
        m(ph.randn(4, 5))


@pytest.mark.parametrize("shape", [(6, 3), (4, 2, 5), (3, 2, 3, 2)])
def test_batch_norm_training_forward_and_gradients(check_op, ref, shape):
    c = shape[1]
    check_op([shape, (c,), (c,)], lambda x, w, b: ref.batch_norm_train(x, w, b),
             lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), rtol=1e-4, atol=1e-4)


def test_batch_norm_evaluation_forward_and_gradients(check_op, ref):
    mean = np.array([0.5, -1.0], np.float32)
    var = np.array([2.0, 0.25], np.float32)
    shape = ref.channel_shape(np.zeros((3, 2, 4)))

    def reference(x, w, b):
        y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape).astype(np.float64) + 1e-5)
        return y * w.reshape(shape) + b.reshape(shape)

    check_op([(3, 2, 4), (2,), (2,)], reference,
             lambda x, w, b: F.batch_norm(x, ph.tensor(mean), ph.tensor(var), w, b, training=False),
             rtol=1e-4, atol=1e-4)


def test_running_statistics_follow_torch():
    rng = np.random.default_rng(0)
    m = nn.BatchNorm2d(3)
    running_mean, running_var = np.zeros(3), np.ones(3)
    for step in range(3):
        x = (rng.standard_normal((4, 3, 2, 2)) * (step + 1) + step).astype(np.float32)
        y = m(ph.tensor(x))
        np.testing.assert_allclose(y.detach().numpy(), ((x - x.mean((0, 2, 3), keepdims=True))
                                                        / np.sqrt(x.var((0, 2, 3), keepdims=True) + 1e-5)),
                                   rtol=1e-4, atol=1e-4)
        running_mean = 0.9 * running_mean + 0.1 * x.mean((0, 2, 3))
        running_var = 0.9 * running_var + 0.1 * x.var((0, 2, 3), ddof=1)
    np.testing.assert_allclose(m.running_mean.numpy(), running_mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m.running_var.numpy(), running_var, rtol=1e-5, atol=1e-6)
    assert m.num_batches_tracked.item() == 3
    m.eval()
    x = rng.standard_normal((2, 3, 2, 2)).astype(np.float32)
    expected = (x - running_mean.reshape(1, 3, 1, 1)) / np.sqrt(running_var.reshape(1, 3, 1, 1) + 1e-5)
    np.testing.assert_allclose(m(ph.tensor(x)).detach().numpy(), expected, rtol=1e-4, atol=1e-5)
    assert m.num_batches_tracked.item() == 3, "evaluation does not count"
    np.testing.assert_allclose(m.running_mean.numpy(), running_mean, rtol=1e-5, atol=1e-6)


def test_momentum_none_is_a_cumulative_average():
    m = nn.BatchNorm1d(1, momentum=None)
    m(ph.tensor([[0.0], [2.0]]))
    m(ph.tensor([[4.0], [6.0]]))
    m(ph.tensor([[8.0], [10.0]]))
    np.testing.assert_allclose(m.running_mean.numpy(), [5.0])
    np.testing.assert_allclose(m.running_var.numpy(), [2.0])


def test_state_dict_buffers_and_load():
    m = nn.BatchNorm1d(2)
    m(ph.randn(5, 2))
    state = m.state_dict()
    assert list(state) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert [name for name, _ in m.named_parameters()] == ["weight", "bias"]
    assert [name for name, _ in m.named_buffers()] == ["running_mean", "running_var", "num_batches_tracked"]
    other = nn.BatchNorm1d(2)
    other.load_state_dict(state)
    np.testing.assert_array_equal(other.running_var.numpy(), m.running_var.numpy())
    assert other.num_batches_tracked.item() == 1
    untracked = nn.BatchNorm1d(2, track_running_stats=False, affine=False)
    assert list(untracked.state_dict()) == [] and untracked.running_mean is None
    untracked.eval()
    np.testing.assert_allclose(untracked(ph.tensor([[1.0, 2.0], [3.0, 6.0]])).numpy(), [[-1, -1], [1, 1]], atol=1e-4)
    assert repr(m) == "BatchNorm1d(2, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"


def test_reset_running_stats_and_nested_eval():
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    net(ph.randn(4, 2))
    net.eval()
    assert not net[1].training
    net[1].reset_running_stats()
    np.testing.assert_array_equal(net[1].running_mean.numpy(), np.zeros(3))
    assert net[1].num_batches_tracked.item() == 0


def test_batch_norm_errors():
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        nn.BatchNorm1d(3)(ph.randn(2, 3, 2, 2))
    with pytest.raises(ValueError, match=r"expected 4D input \(got 2D input\)"):
        nn.BatchNorm2d(3)(ph.randn(2, 3))
    with pytest.raises(ValueError, match=r"more than 1 value per channel"):
        nn.BatchNorm1d(3)(ph.randn(1, 3))
    with pytest.raises(ValueError, match=r"running_mean \(4,\)"):
        F.batch_norm(ph.randn(2, 3), ph.zeros(4), ph.ones(3))
    with pytest.raises(ValueError, match=r"required in evaluation"):
        F.batch_norm(ph.randn(2, 3), None, None)
    with pytest.raises(ValueError, match="num_features"):
        nn.BatchNorm2d(0)
