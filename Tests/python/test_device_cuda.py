"""``polyhead.device`` and ``polyhead.cuda``: the device-selection idioms of PyTorch scripts run on the CPU;
other devices can be named but not used."""

from __future__ import annotations

import pickle

import pytest

import polyhead as ph
from polyhead import nn


def test_device_idiom_selects_the_cpu():
    dev = ph.device("cuda" if ph.cuda.is_available() else "cpu")
    assert dev == "cpu" and dev.type == "cpu" and dev.index is None and repr(dev) == "device(type='cpu')"
    model = nn.Linear(3, 2).to(dev)
    assert model(ph.ones(4, 3).to(dev)).shape == (4, 2)
    assert ph.zeros(1).device == dev and ph.device(dev) is dev


def test_device_parsing_matches_torch():
    cuda1 = ph.device("cuda:1")
    assert (cuda1.type, cuda1.index, str(cuda1), repr(cuda1)) == ("cuda", 1, "cuda:1", "device(type='cuda', index=1)")
    assert ph.device("cuda", 0) == "cuda:0"
    assert pickle.loads(pickle.dumps(cuda1)).index == 1
    for bad in ("cuda:x", "", "cuda:0:1"):
        with pytest.raises(ValueError, match="invalid device string"):
            ph.device(bad)
    with pytest.raises(ValueError, match="must not include an index"):
        ph.device("cuda:0", 1)
    with pytest.raises(TypeError, match="expected a string"):
        ph.device(3)


def test_moving_to_a_gpu_is_a_clear_error():
    with pytest.raises(ValueError, match="CPU only"):
        ph.zeros(2).to(ph.device("cuda"))
    with pytest.raises(ValueError, match="CPU only"):
        nn.Linear(2, 2).to(ph.device("cuda", 0))


def test_cuda_module_reports_no_devices():
    assert ph.cuda.is_available() is False and ph.cuda.device_count() == 0
    ph.manual_seed(3)
    first = ph.randn(3).tolist()
    ph.manual_seed(3)
    ph.cuda.manual_seed_all(99)  # no CUDA generators: the CPU stream is untouched
    ph.cuda.manual_seed(99)
    assert ph.randn(3).tolist() == first
