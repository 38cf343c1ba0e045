"""Training steps through every layer of issue 4 (and their error paths) leave no library object behind, and
the bridge functions hold no extra Python references."""

from __future__ import annotations

import gc
import sys

import numpy as np
import pytest

import polyhead as ph
import polyhead.nn.functional as F
from polyhead import _core, nn


def live() -> int:
    gc.collect()
    return _core.debug_live_objects()


def _step():
    net = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.GELU(), nn.MaxPool2d(2),
                        nn.Conv2d(4, 4, 1), nn.LeakyReLU(), nn.AvgPool2d(2), nn.Flatten(), nn.Dropout(0.3),
                        nn.LayerNorm(4), nn.ELU(), nn.Linear(4, 3))
    embedding = nn.Embedding(5, 2, padding_idx=0)
    optimizer = ph.optim.SGD(list(net.parameters()) + list(embedding.parameters()), lr=0.1)
    x = ph.randn(3, 2, 4, 4)
    loss = net(x).sum() + embedding([[1, 0], [4, 4]]).sum()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    net.eval()
    net(x)


def test_training_steps_free_everything():
    _step()
    before = live()
    for _ in range(3):
        _step()
    assert live() == before


def test_failing_calls_free_everything():
    x = ph.randn(1, 2, 4, 4)
    before = live()
    for call in (lambda: F.conv2d(x, ph.randn(3, 5, 3, 3)), lambda: F.max_pool2d(x, 3, 1, 2),
                 lambda: F.embedding([9], ph.randn(3, 2)), lambda: F.batch_norm(x, None, None),
                 lambda: F.layer_norm(x, (3,)), lambda: F.dropout(x, 2.0)):
        with pytest.raises((ValueError, IndexError)):
            call()
    assert live() == before


def test_no_reference_leaks_in_the_bridge():
    x, w = ph.randn(1, 1, 3, 3), ph.randn(1, 1, 2, 2)
    indices = np.array([0, 1], dtype=np.int64)
    counts = [sys.getrefcount(obj) for obj in (x, w, indices)]
    for _ in range(20):
        _core.conv2d(x, w, None, 1, 1, 0, 0)
        _core.embedding(w.reshape(2, 2), indices, (2,), -1)
        _core.batch_norm(x, None, None, None, None, 1, 0.1, 1e-5)
    assert [sys.getrefcount(obj) for obj in (x, w, indices)] == counts
