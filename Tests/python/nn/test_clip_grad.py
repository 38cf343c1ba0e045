"""``nn.utils.clip_grad_norm_`` / ``clip_grad_value_``: against numpy float64 and, where installed, torch."""

from __future__ import annotations

import math

import numpy as np
import pytest

import polyhead as ph
from polyhead import nn

GRADS = [np.array([[3.0, -4.0], [1.0, 0.5]]), np.array([-2.0, 6.0, 0.25])]


def params_with_grads(module=ph):
    params = []
    for g in GRADS:
        p = module.nn.Parameter(module.zeros(*g.shape))
        (p * module.tensor(g.astype(np.float32))).sum().backward()
        params.append(p)
    return params


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [1.0, 100.0])
def test_clip_grad_norm_against_numpy(norm_type, max_norm):
    params = params_with_grads()
    flat = np.concatenate([g.ravel() for g in GRADS])
    p = float(norm_type)
    want = np.abs(flat).max() if p == math.inf else (np.abs(flat) ** p).sum() ** (1 / p)
    total = nn.utils.clip_grad_norm_(params, max_norm=max_norm, norm_type=norm_type)
    assert total.item() == pytest.approx(want, rel=1e-5)
    scale = min(1.0, max_norm / (want + 1e-6))
    for param, g in zip(params, GRADS):
        np.testing.assert_allclose(param.grad.numpy(), g * scale, rtol=1e-5)


def test_clip_grad_norm_matches_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = params_with_grads(), params_with_grads(torch)
    total = nn.utils.clip_grad_norm_(ours, 2.0)
    want = torch.nn.utils.clip_grad_norm_(theirs, 2.0)
    assert total.item() == pytest.approx(want.item(), rel=1e-6)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-6)


def test_clip_grad_norm_skips_params_without_grad_and_accepts_one_tensor():
    lone = nn.Parameter(ph.zeros(2))
    assert nn.utils.clip_grad_norm_([lone], 1.0).item() == 0.0 and lone.grad is None
    p = params_with_grads()[0]
    assert nn.utils.clip_grad_norm_(p, 1.0).item() == pytest.approx(math.sqrt(9 + 16 + 1 + 0.25), rel=1e-6)


def test_clip_grad_norm_nonfinite():
    p = nn.Parameter(ph.zeros(2))
    (p * ph.tensor([math.inf, 1.0])).sum().backward()
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


def test_clip_grad_value():
    params = params_with_grads()
    nn.utils.clip_grad_value_(params, clip_value=1.5)
    for param, g in zip(params, GRADS):
        np.testing.assert_allclose(param.grad.numpy(), np.clip(g, -1.5, 1.5), rtol=1e-6)


@pytest.mark.parametrize("call,error,message", [
    (lambda ps: nn.utils.clip_grad_norm_(ps, 1.0, norm_type=-1), ValueError, "norm_type"),
    (lambda ps: nn.utils.clip_grad_value_(ps, -1.0), ValueError, "clip_value must be >= 0"),
    (lambda ps: nn.utils.clip_grad_norm_([np.zeros(2)], 1.0), TypeError, "parameters must be tensors"),
])
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call(params_with_grads())
