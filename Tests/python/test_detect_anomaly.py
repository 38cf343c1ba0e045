"""Anomaly detection (``polyhead.autograd.detect_anomaly``): the first op whose forward output or backward
gradient holds NaN or ±inf raises RuntimeError naming it; off by default; per thread."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import polyhead as ph
from polyhead import autograd, nn


@pytest.fixture(autouse=True)
def _anomaly_off():
    yield
    autograd.set_detect_anomaly(False)


def test_log_of_a_negative_number_names_log_in_the_forward_pass():
    x = ph.tensor([1.0, -2.0, 3.0], requires_grad=True)
    assert np.isnan(x.log().detach().numpy()[1]), "off by default: the NaN flows through"
    with pytest.raises(RuntimeError, match=r"^\[log\] anomaly detected: the forward pass of log produced nan "
                                           r"in its output \(element 1 of shape \(3,\)\)"):
        with autograd.detect_anomaly():
            x.log()
    assert not autograd.is_anomaly_enabled(), "the context restores the setting after an error"


def test_sqrt_at_zero_names_sqrt_in_the_backward_pass():
    x = ph.tensor([0.0, 4.0], requires_grad=True)
    with autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match=r"\[sqrt\] .*backward pass of sqrt produced inf in the gradient of input 0"):
            x.sqrt().sum().backward()
        # 0 · ∞: the upstream gradient is 0 and d√x/dx is ∞ at 0.
        with pytest.raises(RuntimeError, match=r"\[sqrt\] .*backward pass of sqrt produced nan"):
            (x.sqrt() * 0.0).sum().backward()
    assert x.grad is None
    (x.sqrt() * 0.0).sum().backward()
    assert np.isnan(x.grad.numpy()[0]), "off: the NaN reaches the gradient silently"


def test_a_nan_input_to_a_two_layer_net_names_the_first_layer():
    ph.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    x = ph.tensor(np.array([[1.0, np.nan, 2.0], [0.5, -1.0, 1.0]], dtype=np.float32))
    assert np.isnan(net(x).sum().item())
    with pytest.raises(RuntimeError, match=r"^\[linear\] .*forward pass of linear produced nan .*shape \(2, 4\)"):
        with autograd.detect_anomaly():
            net(x)


def test_set_detect_anomaly_as_call_context_and_decorator():
    assert autograd.is_anomaly_enabled() is False
    autograd.set_detect_anomaly(True)
    assert autograd.is_anomaly_enabled() is True
    with autograd.set_detect_anomaly(False):
        assert autograd.is_anomaly_enabled() is False
    assert autograd.is_anomaly_enabled() is True
    autograd.set_detect_anomaly(False)

    @autograd.detect_anomaly()
    def checked():
        return autograd.is_anomaly_enabled()

    @autograd.set_detect_anomaly(True)
    def also_checked():
        return autograd.is_anomaly_enabled()

    assert autograd.is_anomaly_enabled() is False, "decorating does not switch it on"
    assert checked() is True and also_checked() is True
    assert autograd.is_anomaly_enabled() is False


def test_anomaly_detection_is_per_thread():
    seen = []
    with autograd.detect_anomaly():
        thread = threading.Thread(target=lambda: seen.append(autograd.is_anomaly_enabled()))
        thread.start()
        thread.join()
        assert autograd.is_anomaly_enabled()
    assert seen == [False]


def test_finite_training_is_unchanged_under_detection():
    ph.manual_seed(1)
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    x = ph.tensor(np.linspace(-1, 1, 15, dtype=np.float32).reshape(5, 3))
    net(x).sum().backward()
    expected = [p.grad.numpy().copy() for p in net.parameters()]
    net.zero_grad()
    with autograd.detect_anomaly():
        net(x).sum().backward()
    for p, e in zip(net.parameters(), expected):
        np.testing.assert_array_equal(p.grad.numpy(), e)
