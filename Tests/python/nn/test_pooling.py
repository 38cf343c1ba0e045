"""``nn.MaxPool2d``/``nn.AvgPool2d`` and their functional forms against float64 numpy references."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
import polyhead.nn.functional as F
from polyhead import nn

CASES = [  # shape, kernel, stride, padding
    ((2, 3, 4, 4), (2, 2), (2, 2), (0, 0)),
    ((1, 2, 5, 6), (3, 2), (2, 1), (1, 1)),
    ((2, 1, 7, 5), (3, 3), (1, 2), (1, 0)),
]


def _distinct(shape, seed=0):
    """Values without ties (so the max's gradient is well defined for finite differences)."""
    rng = np.random.default_rng(seed)
    return (rng.permutation(int(np.prod(shape))).reshape(shape) * 0.1 - 3).astype(np.float32)


@pytest.mark.parametrize("shape,kernel,stride,padding", CASES)
def test_max_pool_forward_and_gradient(check_op, ref, shape, kernel, stride, padding):
    check_op([shape], lambda x: ref.max_pool2d(x, kernel, stride, padding),
             lambda x: F.max_pool2d(x, kernel, stride, padding), inputs=[_distinct(shape)])


@pytest.mark.parametrize("include_pad", [True, False])
@pytest.mark.parametrize("shape,kernel,stride,padding", CASES)
def test_avg_pool_forward_and_gradient(check_op, ref, shape, kernel, stride, padding, include_pad):
    check_op([shape], lambda x: ref.avg_pool2d(x, kernel, stride, padding, include_pad),
             lambda x: F.avg_pool2d(x, kernel, stride, padding, count_include_pad=include_pad))


def test_modules_default_stride_is_the_kernel_and_reprs():
    x = ph.arange(16.0).reshape(1, 1, 4, 4)
    assert nn.MaxPool2d(2)(x).tolist() == [[[[5.0, 7.0], [13.0, 15.0]]]]
    assert nn.AvgPool2d(2)(x).tolist() == [[[[2.5, 4.5], [10.5, 12.5]]]]
    assert nn.MaxPool2d(3, stride=1)(x).shape == (1, 1, 2, 2)
    assert nn.MaxPool2d((2, 1))(x).shape == (1, 1, 2, 4)
    assert nn.MaxPool2d(2)(ph.randn(3, 4, 4)).shape == (3, 2, 2), "unbatched (C, H, W) input"
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.AvgPool2d(3, 1, 1)) == "AvgPool2d(kernel_size=3, stride=1, padding=1)"
    assert list(nn.MaxPool2d(2).parameters()) == []
    pool = nn.AvgPool2d(2)
    pool.stride = 1
    assert pool(x).shape == (1, 1, 3, 3)


def test_max_pool_propagates_nan():
    x = ph.tensor([[[[1.0, float("nan")], [3.0, 2.0]]]])
    assert np.isnan(F.max_pool2d(x, 2).item())


def test_errors():
    x = ph.randn(1, 2, 4, 4)
    with pytest.raises(ValueError, match=r"padding \(2, 2\) should be at most half of the kernel size \(3, 3\)"):
        F.max_pool2d(x, 3, 1, 2)
    with pytest.raises(ValueError, match=r"kernel size \(5, 5\) is larger"):
        nn.AvgPool2d(5)(x)
    with pytest.raises(ValueError, match="4-D input"):
        F.avg_pool2d(ph.randn(4, 4), 2)
    with pytest.raises(NotImplementedError, match="ceil_mode"):
        nn.MaxPool2d(2, ceil_mode=True)
    with pytest.raises(NotImplementedError, match="return_indices"):
        F.max_pool2d(x, 2, return_indices=True)
    with pytest.raises(NotImplementedError, match="divisor_override"):
        nn.AvgPool2d(2, divisor_override=3)
    with pytest.raises(TypeError, match="kernel_size"):
        F.max_pool2d(x, 2.5)
