"""``nn.Conv2d`` and ``F.conv2d``: forward and gradients against a float64 numpy im2col reference, torch's init
and argument forms, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import polyhead as ph
import polyhead.nn.functional as F
from polyhead import nn

CASES = [  # x shape, w shape, stride, padding
    ((2, 3, 6, 6), (4, 3, 3, 3), (1, 1), (1, 1)),
    ((2, 2, 7, 5), (3, 2, 3, 2), (2, 1), (1, 0)),
    ((1, 2, 8, 8), (2, 2, 3, 3), (3, 2), (2, 1)),
    ((3, 4, 3, 4), (5, 4, 1, 1), (1, 1), (0, 0)),
    ((2, 1, 4, 4), (2, 1, 4, 4), (1, 1), (0, 0)),
]


@pytest.mark.parametrize("x_shape,w_shape,stride,padding", CASES)
def test_forward_and_gradients_against_numpy(check_op, ref, x_shape, w_shape, stride, padding):
    check_op([x_shape, w_shape, (w_shape[0],)],
             lambda x, w, b: ref.conv2d(x, w, b, stride, padding),
             lambda x, w, b: F.conv2d(x, w, b, stride=stride, padding=padding), rtol=1e-4, atol=1e-4)


def test_without_bias_and_unbatched_input(check_op, ref):
    check_op([(2, 5, 5), (3, 2, 3, 3)], lambda x, w: ref.conv2d(x[None], w, None, (1, 1), (1, 1))[0],
             lambda x, w: F.conv2d(x, w, padding=1), rtol=1e-4, atol=1e-4)


def test_module_matches_functional_and_torch_init_bounds(ref):
    ph.manual_seed(0)
    m = nn.Conv2d(4, 6, (3, 2), stride=2, padding=(1, 0))
    assert m.weight.shape == (6, 4, 3, 2) and m.bias.shape == (6,)
    assert [name for name, _ in m.named_parameters()] == ["weight", "bias"]
    bound = 1 / math.sqrt(4 * 3 * 2)
    values = np.concatenate([m.weight.detach().numpy().ravel(), m.bias.detach().numpy().ravel()])
    assert np.abs(values).max() <= bound and np.abs(values).max() > 0.8 * bound
    x = np.random.default_rng(0).standard_normal((2, 4, 7, 6)).astype(np.float32)
    out = m(ph.tensor(x))
    expected = ref.conv2d(x.astype(np.float64), m.weight.detach().numpy().astype(np.float64),
                          m.bias.detach().numpy().astype(np.float64), (2, 2), (1, 0))
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-4, atol=1e-5)
    out.sum().backward()
    assert m.weight.grad.shape == (6, 4, 3, 2) and m.bias.grad.shape == (6,)


def test_same_seed_same_layer_and_reset_parameters():
    ph.manual_seed(3)
    a = nn.Conv2d(2, 3, 3)
    ph.manual_seed(3)
    b = nn.Conv2d(2, 3, 3)
    np.testing.assert_array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())
    before = a.weight.detach().numpy().copy()
    a.reset_parameters()
    assert not np.array_equal(before, a.weight.detach().numpy())
    assert nn.Conv2d(2, 3, 3, bias=False).bias is None


def test_padding_strings_and_repr():
    x = ph.randn(1, 2, 5, 7)
    assert nn.Conv2d(2, 4, 3, padding="same")(x).shape == (1, 4, 5, 7)
    assert nn.Conv2d(2, 4, (3, 5), padding="valid")(x).shape == (1, 4, 3, 3)
    assert repr(nn.Conv2d(3, 16, 3, padding=1)) == "Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    assert repr(nn.Conv2d(3, 16, 5, stride=2, bias=False)) == "Conv2d(3, 16, kernel_size=(5, 5), stride=(2, 2), bias=False)"
    assert repr(nn.Conv2d(3, 16, 3, padding="same")) == "Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding='same')"
    m = nn.Conv2d(2, 4, 3, padding=1)
    m.padding, m.stride = (0, 0), (2, 2)  # attributes changed after construction are used, as in torch
    assert m(x).shape == (1, 4, 2, 3)


def test_errors():
    x = ph.randn(2, 3, 5, 5)
    with pytest.raises(ValueError, match=r"\[conv2d\].*\(4, 2, 3, 3\).*\(2, 3, 5, 5\)"):
        F.conv2d(x, ph.randn(4, 2, 3, 3))
    with pytest.raises(ValueError, match=r"kernel size \(6, 6\) is larger than the padded input"):
        F.conv2d(x, ph.randn(1, 3, 6, 6))
    with pytest.raises(ValueError, match=r"stride"):
        F.conv2d(x, ph.randn(1, 3, 3, 3), stride=0)
    with pytest.raises(ValueError, match=r"4-D input"):
        F.conv2d(ph.randn(5, 5), ph.randn(1, 3, 3, 3))
    with pytest.raises(ValueError, match="padding='same'"):
        nn.Conv2d(3, 3, 3, stride=2, padding="same")
    with pytest.raises(NotImplementedError, match="groups"):
        nn.Conv2d(4, 4, 3, groups=2)
    with pytest.raises(NotImplementedError, match="dilation"):
        F.conv2d(x, ph.randn(1, 3, 3, 3), dilation=2)
    with pytest.raises(TypeError, match="weight"):
        F.conv2d(x, np.zeros((1, 3, 3, 3), np.float32))
    with pytest.raises(ValueError, match=r"\[Conv2d\]"):
        nn.Conv2d(0, 3, 3)
