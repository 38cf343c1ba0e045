"""The layers of issue 4 agree with PyTorch (forward, input and parameter gradients, running statistics) when
given the same weights. Skipped when torch is not installed."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import nn

torch = pytest.importorskip("torch")


def _copy_into_torch(module, torch_module):
    with torch.no_grad():
        for name, value in module.state_dict().items():
            torch_module.state_dict()[name].copy_(torch.from_numpy(np.array(value.numpy(), copy=True)))


def _compare(module, torch_module, x, atol=1e-4):
    """Same input through both: outputs, input gradients and parameter gradients (against a random upstream)."""
    _copy_into_torch(module, torch_module)
    ours = ph.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    out, torch_out = module(ours), torch_module(theirs)
    np.testing.assert_allclose(out.detach().numpy(), torch_out.detach().numpy(), rtol=1e-4, atol=atol)
    upstream = np.random.default_rng(1).standard_normal(tuple(torch_out.shape)).astype(np.float32)
    out.backward(ph.tensor(upstream))
    torch_out.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-4, atol=atol)
    torch_parameters = dict(torch_module.named_parameters())
    for name, parameter in module.named_parameters():
        np.testing.assert_allclose(parameter.grad.numpy(), torch_parameters[name].grad.numpy(), rtol=1e-4,
                                   atol=atol, err_msg=name)


def _images(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("args,kwargs", [
    ((3, 8, 3), {"padding": 1}), ((3, 4, (3, 2)), {"stride": (2, 1), "padding": (1, 0)}),
    ((3, 5, 1), {}), ((3, 4, 5), {"stride": 3, "padding": 2, "bias": False}), ((3, 6, 3), {"padding": "same"}),
])
def test_conv2d(args, kwargs):
    _compare(nn.Conv2d(*args, **kwargs), torch.nn.Conv2d(*args, **kwargs), _images(2, 3, 9, 8))


@pytest.mark.parametrize("ours,theirs", [
    (lambda: nn.MaxPool2d(2), lambda: torch.nn.MaxPool2d(2)),
    (lambda: nn.MaxPool2d(3, 2, 1), lambda: torch.nn.MaxPool2d(3, 2, 1)),
    (lambda: nn.AvgPool2d(3, 2, 1), lambda: torch.nn.AvgPool2d(3, 2, 1)),
    (lambda: nn.AvgPool2d(3, 2, 1, count_include_pad=False), lambda: torch.nn.AvgPool2d(3, 2, 1, count_include_pad=False)),
    (lambda: nn.GELU(), lambda: torch.nn.GELU()), (lambda: nn.GELU("tanh"), lambda: torch.nn.GELU("tanh")),
    (lambda: nn.LeakyReLU(0.2), lambda: torch.nn.LeakyReLU(0.2)), (lambda: nn.ELU(0.7), lambda: torch.nn.ELU(0.7)),
    (lambda: nn.LayerNorm([7, 6]), lambda: torch.nn.LayerNorm([7, 6])),
    (lambda: nn.Dropout(0.5).eval(), lambda: torch.nn.Dropout(0.5).eval()),
])
def test_parameter_free_and_norm_layers(ours, theirs):
    _compare(ours(), theirs(), _images(2, 3, 7, 6))


@pytest.mark.parametrize("cls,torch_cls,shape", [
    (nn.BatchNorm2d, torch.nn.BatchNorm2d, (4, 3, 5, 5)), (nn.BatchNorm1d, torch.nn.BatchNorm1d, (6, 3)),
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (4, 3, 7)),
])
def test_batch_norm_training_statistics_and_evaluation(cls, torch_cls, shape):
    ours, theirs = cls(3), torch_cls(3)
    for seed in range(3):
        _compare(ours, theirs, _images(*shape, seed=seed) * (seed + 1) + seed)
    for name, value in ours.state_dict().items():
        np.testing.assert_allclose(value.numpy(), theirs.state_dict()[name].numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=name)
    ours.eval()
    theirs.eval()
    _compare(ours, theirs, _images(*shape, seed=9))
    momentum_free, torch_momentum_free = cls(3, momentum=None), torch_cls(3, momentum=None)
    for seed in range(3):
        _compare(momentum_free, torch_momentum_free, _images(*shape, seed=seed) + seed)
    np.testing.assert_allclose(momentum_free.running_var.numpy(), torch_momentum_free.running_var.numpy(), rtol=1e-5)


def test_embedding():
    ours, theirs = nn.Embedding(7, 4, padding_idx=2), torch.nn.Embedding(7, 4, padding_idx=2)
    _copy_into_torch(ours, theirs)
    indices = np.array([[1, 2, 6], [2, 2, 0]])
    out, torch_out = ours(indices), theirs(torch.from_numpy(indices))
    np.testing.assert_array_equal(out.detach().numpy(), torch_out.detach().numpy())
    upstream = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)
    out.backward(ph.tensor(upstream))
    torch_out.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_conv_net_training_steps_match():
    """Two SGD steps of conv → BN → ReLU → pool → linear from the same weights give the same losses."""

    def build(lib):
        return lib.nn.Sequential(lib.nn.Conv2d(2, 4, 3, padding=1), lib.nn.BatchNorm2d(4), lib.nn.ReLU(),
                                 lib.nn.MaxPool2d(2), lib.nn.Flatten(), lib.nn.Linear(4 * 3 * 3, 3))

    ph.manual_seed(0)
    ours, theirs = build(ph), build(torch)
    _copy_into_torch(ours, theirs)
    x = _images(5, 2, 6, 6)
    labels = np.array([0, 1, 2, 1, 0])
    losses = []
    for lib, model in ((ph, ours), (torch, theirs)):
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
        inputs = lib.from_numpy(x) if lib is ph else torch.from_numpy(x)
        target = lib.tensor(labels) if lib is ph else torch.from_numpy(labels)
        run = []
        for _ in range(3):
            loss = lib.nn.functional.cross_entropy(model(inputs), target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            run.append(loss.item())
        losses.append(run)
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-4)
