"""Shared checks for the architecture tests (fixtures; the helpers are plain functions behind them).

* ``check_model_gradients(model, x_shape, reference)``: the forward against a numpy float64
  re-implementation ``reference(params, x) -> [outputs]`` and the gradients of Σ_t Σ out_t · W_t (random W)
  w.r.t. every parameter and the input against central differences of that reference.
* ``check_partition(model, x_shape, shared, tasks, scalars)``: unique names, expected shared/per-task names,
  the hand count of scalars, and one backward per task showing each output depends on all of its task's
  parameters, none of another task's, and otherwise only on shared ones.
* ``check_reproducible(make, x_shape)``: the same seed gives the same parameters and outputs.
* ``ref``: numpy float64 building blocks (``linear``, ``relu``, ``softmax``, ``mix_experts``, ``mix_tasks``, and the
  layer references of ``Tests/python/nn/conftest.py``: ``conv2d``, ``max_pool2d``, ``batch_norm_train``).
"""

from __future__ import annotations

import importlib.util
import pathlib
import types
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
import pytest

import polyhead as ph


def _linear(x, p, prefix):
    return x @ p[f"{prefix}.weight"].T + p[f"{prefix}.bias"]


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _mix_experts(gate, experts):
    return np.einsum("ne,end->nd", gate, np.stack(experts))


def _mix_tasks(alpha, inputs):
    stacked = np.stack(inputs)
    return list(np.tensordot(alpha, stacked, axes=1))


def _layer_references():
    """The float64 layer references of the nn tests (loaded by path: conftest files are not importable)."""
    spec = importlib.util.spec_from_file_location(
        "_nn_layer_references", pathlib.Path(__file__).resolve().parents[2] / "nn" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_LAYERS = _layer_references()
REF = types.SimpleNamespace(linear=_linear, relu=lambda z: np.maximum(z, 0), softmax=_softmax,
                            sigmoid=lambda z: 1 / (1 + np.exp(-z)), mix_experts=_mix_experts, mix_tasks=_mix_tasks,
                            conv2d=_LAYERS.conv2d, max_pool2d=_LAYERS.max_pool2d,
                            batch_norm_train=_LAYERS.batch_norm_train)


@pytest.fixture
def ref():
    """numpy float64 building blocks for reference forwards."""
    return REF


def parameters64(model) -> Dict[str, np.ndarray]:
    return {name: p.detach().numpy().astype(np.float64) for name, p in model.named_parameters()}


def _check_model_gradients(model, x_shape: Sequence[int], reference: Callable, seed: int = 0,
                           rtol: float = 1e-3, eps: float = 1e-6) -> None:
    rng = np.random.default_rng(seed)
    x32 = rng.uniform(-1, 1, size=x_shape).astype(np.float32)
    model.zero_grad()
    x = ph.tensor(x32, requires_grad=True)
    outputs = list(model(x).values())
    weights = [rng.uniform(-1, 1, size=tuple(out.shape)) for out in outputs]
    objective = sum((out * ph.tensor(w.astype(np.float32))).sum() for out, w in zip(outputs, weights))
    objective.backward()

    params = parameters64(model)
    x64 = x32.astype(np.float64)
    expected = reference(params, x64)
    assert len(expected) == len(outputs)
    for out, exp in zip(outputs, expected):
        np.testing.assert_allclose(out.detach().numpy(), exp, rtol=1e-4, atol=1e-5, err_msg="forward vs float64")

    def value(p, xv):
        return sum(float(np.sum(o * w)) for o, w in zip(reference(p, xv), weights))

    def numeric(array, evaluate):
        grad = np.zeros_like(array)
        for i in np.ndindex(array.shape):
            saved = array[i]
            array[i] = saved + eps
            up = evaluate()
            array[i] = saved - eps
            down = evaluate()
            array[i] = saved
            grad[i] = (up - down) / (2 * eps)
        return grad

    def compare(analytic, expected_grad, what):
        bound = rtol * np.maximum(np.abs(expected_grad), 0.1)
        bad = np.abs(analytic - expected_grad) > bound
        assert not bad.any(), f"{what}: analytic {analytic[bad]} vs numeric {expected_grad[bad]}"

    for name, parameter in model.named_parameters():
        grad = parameter.grad.detach().numpy() if parameter.grad is not None else np.zeros(tuple(parameter.shape))
        compare(grad, numeric(params[name], lambda: value(params, x64)), f"gradient of {name}")
    compare(x.grad.detach().numpy(), numeric(x64, lambda: value(params, x64)), "gradient of the input")


@pytest.fixture
def check_model_gradients():
    """``check_model_gradients(model, x_shape, reference)`` (see the module docstring)."""
    return _check_model_gradients


def _check_partition(model, x_shape: Sequence[int], shared: Optional[List[str]], tasks: Optional[Dict[str, List[str]]],
                     scalars: Optional[int]) -> None:
    owned = list(model.named_owned_parameters())
    names = [name for name, _, _ in owned]
    assert len(set(names)) == len(names)
    assert len({id(p) for _, p, _ in owned}) == len(owned), "a tensor is listed twice"
    assert names == [name for name, _ in model.named_parameters()]
    if shared is not None:
        assert [name for name, _ in model.named_shared_parameters()] == shared
    if tasks is not None:
        assert set(tasks) == set(model.tasks)
        for task in model.tasks:
            assert [name for name, _ in model.named_task_parameters(task)] == tasks[task], task
    listed = len(model.shared_parameters()) + sum(len(model.task_parameters(t)) for t in model.tasks)
    assert listed == len(owned), "shared + task parameters cover every parameter once"
    if scalars is not None:
        assert sum(p.numel() for _, p, _ in owned) == scalars, "hand count of scalars"
    with pytest.raises(ValueError, match="unknown task"):
        model.task_parameters("no such task")

    x = ph.tensor(np.random.default_rng(3).uniform(-1, 1, size=x_shape).astype(np.float32))
    reached: Dict[str, set] = {name: set() for name in names}
    for task in model.tasks:
        model.zero_grad()
        model(x)[task].sum().backward()
        for name, p, _ in owned:
            if p.grad is not None:
                reached[name].add(task)
    model.zero_grad()
    for name, _, owner in owned:
        if owner is None:
            assert len(reached[name]) >= 2, f"shared {name} reaches only {reached[name]}"
        else:
            assert reached[name] == {owner}, f"{name} belongs to {owner} but reaches {reached[name]}"


@pytest.fixture
def check_partition():
    """``check_partition(model, x_shape, shared, tasks, scalars)`` (see the module docstring)."""
    return _check_partition


def _check_reproducible(make: Callable, x_shape: Sequence[int]) -> None:
    x = ph.tensor(np.random.default_rng(5).uniform(-1, 1, size=x_shape).astype(np.float32))

    def build(seed):
        ph.manual_seed(seed)
        model = make()
        return ([p.detach().numpy().copy() for p in model.parameters()],
                [out.detach().numpy().copy() for out in model(x).values()])

    (p1, o1), (p2, o2), (p3, _) = build(11), build(11), build(12)
    for a, b in zip(p1 + o1, p2 + o2):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b) for a, b in zip(p1, p3)), "another seed gives other parameters"


@pytest.fixture
def check_reproducible():
    """``check_reproducible(make, x_shape)`` (see the module docstring)."""
    return _check_reproducible
