"""Shared test support for the Python suite (fixtures only: tests import the *installed* polyhead).

``check_op`` is the one gradient helper (after tinygrad's ``helper_test_op``): it compares an op's forward
with a float64 numpy reference and its backward with central finite differences of that reference.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Callable, Optional, Sequence

import numpy as np
import pytest

import polyhead as ph


def numeric_gradient(f: Callable[..., np.ndarray], inputs: Sequence[np.ndarray], upstream: np.ndarray,
                     eps: float = 1e-6) -> list:
    """Central finite differences (float64) of ``sum(f(*inputs) * upstream)`` with respect to each input."""
    grads = []
    for k, x in enumerate(inputs):
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            saved = x[i]
            x[i] = saved + eps
            plus = np.sum(f(*inputs) * upstream)
            x[i] = saved - eps
            minus = np.sum(f(*inputs) * upstream)
            x[i] = saved
            grad[i] = (plus - minus) / (2 * eps)
        grads.append(grad)
    return grads


def _check_op(shapes: Sequence[tuple], reference: Callable[..., np.ndarray], op: Callable[..., ph.Tensor],
              low: float = -2.0, high: float = 2.0, rtol: float = 1e-5, atol: float = 1e-5,
              inputs: Optional[Sequence[np.ndarray]] = None, seed: int = 0,
              grad_inputs: Optional[Sequence[int]] = None) -> None:
    """Forward of ``op`` against ``reference`` (float64 numpy) and its gradients against finite differences.

    Inputs are drawn uniformly in [low, high) and rounded to float32 (so both sides see equal values);
    the backward is seeded with a random upstream gradient so every output element matters.
    ``grad_inputs`` limits the gradient check to those input positions (default: all).
    """
    rng = np.random.default_rng(seed)
    if inputs is None:
        inputs = [rng.uniform(low, high, size=s).astype(np.float32) for s in shapes]
    arrays64 = [np.asarray(x, dtype=np.float64) for x in inputs]
    checked = range(len(inputs)) if grad_inputs is None else grad_inputs
    tensors = [ph.tensor(x, requires_grad=k in checked) for k, x in enumerate(inputs)]
    out = op(*tensors)
    expected = np.asarray(reference(*arrays64), dtype=np.float64)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=rtol, atol=atol, err_msg="forward")
    upstream = rng.uniform(0.5, 1.5, size=expected.shape)
    out.backward(ph.tensor(upstream))
    numeric = numeric_gradient(reference, [a.copy() for a in arrays64], upstream)
    for k, (t, g) in enumerate(zip(tensors, numeric)):
        if k not in checked:
            continue
        assert t.grad is not None, f"input {k} got no gradient"
        np.testing.assert_allclose(t.grad.numpy(), g, rtol=rtol * 10, atol=atol * 10, err_msg=f"grad of input {k}")


@pytest.fixture
def check_op():
    """The shared op checker: ``check_op(shapes, numpy_reference, polyhead_op, **options)``."""
    return _check_op


def _run_python(code: str, timeout: float = 60.0) -> subprocess.CompletedProcess:
    """Runs ``code`` in a fresh interpreter (for inputs that could crash the process)."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture
def run_python():
    """``run_python(code)`` → CompletedProcess of ``python -c code``."""
    return _run_python


@pytest.fixture(autouse=True)
def _grad_mode_restored():
    """Every test starts with grad recording on and must leave it on."""
    assert ph.is_grad_enabled()
    yield
    enabled = ph.is_grad_enabled()
    ph.set_grad_enabled(True)
    assert enabled, "test left grad recording disabled"
