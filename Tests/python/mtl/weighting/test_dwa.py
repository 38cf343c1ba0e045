"""DWA (Liu et al. 2019): weights after given loss histories, against numpy."""

from __future__ import annotations

import numpy as np
import pytest

from polyhead import mtl


def run_epoch(method, leaves, steps):
    weights = [leaves.step(method, values)[0] for values in steps]
    method.end_epoch()
    return weights


def test_weights_after_given_histories(leaves):
    method = mtl.DWA(3, temperature=2.0)
    h0 = [[2.0, 4.0, 1.0], [4.0, 8.0, 1.0]]            # averages (3, 6, 1)
    h1 = [[1.0, 6.0, 3.0], [2.0, 6.0, 1.0]]            # averages (1.5, 6, 2)
    for weights in run_epoch(method, leaves, h0) + run_epoch(method, leaves, h1):
        np.testing.assert_array_equal(weights, [1, 1, 1])
    rates = np.mean(h1, axis=0) / np.mean(h0, axis=0)
    expected = 3 * leaves.softmax(rates / 2.0)
    weights, grads = leaves.step(method, [1.0, 1.0, 1.0])
    np.testing.assert_allclose(weights, expected, rtol=1e-12)
    np.testing.assert_allclose(grads, expected, rtol=1e-6)
    method.end_epoch()                                  # epoch 2 average (1, 1, 1)
    later = 3 * leaves.softmax((np.ones(3) / np.mean(h1, axis=0)) / 2.0)
    np.testing.assert_allclose(leaves.step(method, [5.0, 5.0, 5.0])[0], later, rtol=1e-12)


def test_temperature_is_checked():
    with pytest.raises(ValueError, match="temperature=0"):
        mtl.DWA(2, temperature=0.0)
    assert repr(mtl.DWA(temperature=0.5)) == "DWA(rep_grad=False, temperature=0.5)"
