"""``adaptive_avg_pool2d``/``adaptive_max_pool2d`` and ``smooth_l1_loss``/``huber_loss`` (functional and modules):
values and gradients against float64 numpy loops, and against torch where it is installed."""

from __future__ import annotations

import math

import numpy as np
import pytest

import polyhead as ph
import polyhead.nn.functional as F
from polyhead import nn


def _bin(k, count, length):
    return (k * length) // count, -(-((k + 1) * length) // count)


def reference_adaptive_avg(x, out_h, out_w, upstream):
    """Forward and input gradient of torch's adaptive average pooling, by loops in float64."""
    n, c, h, w = x.shape
    out, grad = np.zeros((n, c, out_h, out_w)), np.zeros_like(x, dtype=np.float64)
    for i in range(out_h):
        r0, r1 = _bin(i, out_h, h)
        for j in range(out_w):
            c0, c1 = _bin(j, out_w, w)
            size = (r1 - r0) * (c1 - c0)
            out[:, :, i, j] = x[:, :, r0:r1, c0:c1].astype(np.float64).mean(axis=(2, 3))
            grad[:, :, r0:r1, c0:c1] += upstream[:, :, i:i + 1, j:j + 1] / size
    return out, grad


@pytest.mark.parametrize("shape,output_size,expected", [
    ((2, 3, 7, 9), (3, 4), (3, 4)), ((1, 2, 6, 6), 1, (1, 1)), ((2, 1, 5, 8), (None, 3), (5, 3)),
    ((1, 1, 4, 4), 4, (4, 4)), ((2, 2, 3, 5), (5, 7), (5, 7)),
])
def test_adaptive_avg_pool_matches_loops(shape, output_size, expected):
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal(shape).astype(np.float32)
    upstream = rng.standard_normal(shape[:2] + expected)
    want, want_grad = reference_adaptive_avg(x_np, *expected, upstream)
    x = ph.tensor(x_np, requires_grad=True)
    out = nn.AdaptiveAvgPool2d(output_size)(x)
    out.backward(ph.tensor(upstream.astype(np.float32)))
    np.testing.assert_allclose(out.detach().numpy(), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), want_grad, rtol=1e-5, atol=1e-6)


def test_adaptive_pools_take_3d_input_and_max_pools_equal_bins():
    x = ph.arange(32.0).reshape(2, 4, 4)
    assert F.adaptive_avg_pool2d(x, 1).shape == (2, 1, 1)
    assert nn.AdaptiveMaxPool2d((2, 1))(x).tolist() == [[[7.0], [15.0]], [[23.0], [31.0]]]
    assert repr(nn.AdaptiveMaxPool2d(2)) == "AdaptiveMaxPool2d(output_size=2)"


def test_adaptive_pool_errors():
    with pytest.raises(NotImplementedError, match="unequal sizes"):
        F.adaptive_max_pool2d(ph.zeros(1, 1, 5, 5), 2)
    with pytest.raises(NotImplementedError, match="return_indices"):
        nn.AdaptiveMaxPool2d(2, return_indices=True)
    with pytest.raises(ValueError, match="positive ints"):
        F.adaptive_avg_pool2d(ph.zeros(1, 1, 4, 4), (0, 2))
    with pytest.raises(ValueError, match="int or a pair"):
        F.adaptive_avg_pool2d(ph.zeros(1, 1, 4, 4), (1, 2, 3))
    with pytest.raises(ValueError, match=r"3-D \(C, H, W\) or 4-D"):
        F.adaptive_avg_pool2d(ph.zeros(4, 4), 2)


def reference_smooth_l1(d, beta):
    a = np.abs(d)
    if beta == 0:
        return a, np.sign(d)
    return np.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta), np.where(a < beta, d / beta, np.sign(d))


D = np.array([[-3.0, -0.4, 0.0], [0.25, 0.9, 2.5]])


@pytest.mark.parametrize("beta", [1.0, 0.5, 0.0, 3.0])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_smooth_l1_and_huber_against_numpy(beta, reduction):
    target = np.full_like(D, 0.5)
    for name, scale in (("smooth_l1", 1.0), ("huber", beta)):
        if name == "huber" and beta == 0:
            continue
        values, slopes = reference_smooth_l1(D, beta)
        values, slopes = values * scale, slopes * scale
        x = ph.tensor((D + target).astype(np.float32), requires_grad=True)
        if name == "smooth_l1":
            loss = nn.SmoothL1Loss(reduction=reduction, beta=beta)(x, ph.tensor(target.astype(np.float32)))
        else:
            loss = nn.HuberLoss(reduction=reduction, delta=beta)(x, ph.tensor(target.astype(np.float32)))
        reduce = {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction]
        np.testing.assert_allclose(np.asarray(loss.detach().numpy()), reduce(values), rtol=1e-5, atol=1e-6)
        loss.sum().backward() if reduction == "none" else loss.backward()
        factor = 1 / D.size if reduction == "mean" else 1.0
        np.testing.assert_allclose(x.grad.numpy(), slopes * factor, rtol=1e-5, atol=1e-6)


def test_robust_losses_take_a_mask():
    x, y = ph.tensor([[5.0], [0.5], [9.0]]), ph.zeros(3, 1)
    assert F.smooth_l1_loss(x, y, mask=[1, 1, 0]).item() == pytest.approx((4.5 + 0.125) / 2)
    assert F.huber_loss(x, y, delta=2.0, mask=[0, 1, 0], reduction="sum").item() == pytest.approx(0.125)


def test_robust_loss_errors():
    with pytest.raises(ValueError, match="beta must be a number >= 0"):
        F.smooth_l1_loss(ph.zeros(2), ph.zeros(2), beta=-1.0)
    with pytest.raises(ValueError, match="delta must be > 0"):
        F.huber_loss(ph.zeros(2), ph.zeros(2), delta=0)
    with pytest.raises(ValueError, match=r"same shape, got \(2,\) and \(3,\)"):
        F.smooth_l1_loss(ph.zeros(2), ph.zeros(3))
    with pytest.raises(ValueError, match="reduction"):
        F.huber_loss(ph.zeros(2), ph.zeros(2), reduction="avg")


def test_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 11, 6)).astype(np.float32)
    for size in ((4, 4), (3, None), 1):
        np.testing.assert_allclose(F.adaptive_avg_pool2d(ph.tensor(x), size).numpy(),
                                   torch.nn.functional.adaptive_avg_pool2d(torch.tensor(x), size).numpy(),
                                   rtol=1e-5, atol=1e-6)
    a, b = rng.standard_normal((5, 4)).astype(np.float32) * 3, rng.standard_normal((5, 4)).astype(np.float32)
    assert F.smooth_l1_loss(ph.tensor(a), ph.tensor(b), beta=0.7).item() == pytest.approx(
        torch.nn.functional.smooth_l1_loss(torch.tensor(a), torch.tensor(b), beta=0.7).item(), rel=1e-5)
    assert F.huber_loss(ph.tensor(a), ph.tensor(b), delta=1.3).item() == pytest.approx(
        torch.nn.functional.huber_loss(torch.tensor(a), torch.tensor(b), delta=1.3).item(), rel=1e-5)
    assert not math.isnan(F.smooth_l1_loss(ph.tensor(a), ph.tensor(b), beta=0.0).item())
