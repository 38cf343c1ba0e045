"""Shared by the layer tests: float64 numpy references of the layer ops, written the obvious way (im2col in
numpy for convolution), offered as the `ref` fixture."""

from __future__ import annotations

import sys

import numpy as np
import pytest


def conv2d(x, w, b=None, stride=(1, 1), padding=(0, 0)):
    """Cross-correlation of x (N, C, H, W) with w (O, C, KH, KW) through an explicit im2col."""
    n, c, h, width = x.shape
    o, _, kh, kw = w.shape
    (sh, sw), (ph, pw) = stride, padding
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh, ow = (h + 2 * ph - kh) // sh + 1, (width + 2 * pw - kw) // sw + 1
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = padded[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
    out = np.einsum("ok,nkp->nop", w.reshape(o, -1), cols.reshape(n, c * kh * kw, oh * ow))
    out = out.reshape(n, o, oh, ow)
    return out if b is None else out + b.reshape(1, o, 1, 1)


def pool2d(x, kernel, stride, padding, reduce, fill):
    """Pooling of every window; padded cells hold `fill` (-inf for max, 0 for sums)."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    n, c, h, w = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    windows = np.stack([padded[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw] for i in range(kh) for j in range(kw)])
    return reduce(windows)


def max_pool2d(x, kernel, stride, padding):
    return pool2d(x, kernel, stride, padding, lambda v: v.max(axis=0), -np.inf)


def avg_pool2d(x, kernel, stride, padding, count_include_pad=True):
    total = pool2d(x, kernel, stride, padding, lambda v: v.sum(axis=0), 0.0)
    if count_include_pad:
        return total / (kernel[0] * kernel[1])
    ones = np.ones((1, 1) + x.shape[2:])
    return total / pool2d(ones, kernel, stride, padding, lambda v: v.sum(axis=0), 0.0)


def layer_norm(x, dims, w=None, b=None, eps=1e-5):
    axes = tuple(range(x.ndim - dims, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (x - mean) / np.sqrt(var + eps)
    return y * (1 if w is None else w) + (0 if b is None else b)


def channel_shape(x):
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def batch_norm_train(x, w=None, b=None, eps=1e-5):
    axes = (0,) + tuple(range(2, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (x - mean) / np.sqrt(var + eps)
    shape = channel_shape(x)
    return y * (1 if w is None else w.reshape(shape)) + (0 if b is None else b.reshape(shape))


@pytest.fixture
def ref():
    """The reference functions of this file (``ref.conv2d``, ``ref.max_pool2d``, …)."""
    return sys.modules[__name__]
