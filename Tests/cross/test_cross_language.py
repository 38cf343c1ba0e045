"""Same seed, model and data trained from Swift and from Python give the same losses (to 1e-5).

The Swift side is the `polyhead-cross-check` executable (Tests/cross/CrossCheck/main.swift); this file
follows its recipes step for step through the PyTorch-style Python API: plain summed-loss training, and
training through several multi-task methods (loss-level and gradient-level, including ones that use the
seeded generator or iterative solvers).
"""
import pathlib
import shutil
import subprocess

import numpy as np
import pytest

import polyhead as ph
from polyhead import mtl, nn, optim
import polyhead.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parents[2]
METHODS = ["linear", "uncertainty", "rlw", "pcgrad", "mgda", "cagrad", "nash_mtl"]

pytestmark = pytest.mark.skipif(shutil.which("swift") is None, reason="needs the Swift toolchain")


@pytest.fixture(scope="module")
def cross_check_binary() -> str:
    subprocess.run(["swift", "build", "--product", "polyhead-cross-check"], cwd=ROOT, check=True,
                   capture_output=True)
    bin_path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
    return f"{bin_path}/polyhead-cross-check"


def swift_losses(binary: str, *arguments: str) -> list:
    output = subprocess.run([binary, *arguments], check=True, capture_output=True, text=True).stdout
    return [float(line) for line in output.split()]


def python_losses(method_name=None) -> list:
    ph.manual_seed(42)
    x = ph.randn(32, 8)
    rows = x.numpy()
    labels = np.argmax(rows[:, :3], axis=1)
    flags = ph.tensor((rows[:, 3:4] > 0).astype(np.float32))
    trunk = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU())
    digit_head, flag_head = nn.Linear(8, 3), nn.Linear(8, 1)
    method = None
    if method_name is not None:
        method = type("Method", (mtl.MultiTaskMethod,), {"_core_name": method_name})(2)
    params = list(trunk.parameters()) + list(digit_head.parameters()) + list(flag_head.parameters())
    optimizer = optim.Adam(params + (method.parameters() if method else []), lr=0.01)
    losses = []
    for _ in range(20 if method is None else 10):
        features = trunk(x)
        task_losses = [F.cross_entropy(digit_head(features), labels),
                       F.binary_cross_entropy_with_logits(flag_head(features), flags)]
        optimizer.zero_grad()
        if method is None:
            (task_losses[0] + task_losses[1]).backward()
        else:
            method.backward(task_losses, shared_parameters=trunk.parameters())
        optimizer.step()
        losses.append(task_losses[0].item() + task_losses[1].item())
    return losses


def test_swift_and_python_train_identically(cross_check_binary):
    from_swift, from_python = swift_losses(cross_check_binary), python_losses()
    assert len(from_swift) == len(from_python) == 20
    np.testing.assert_allclose(from_python, from_swift, rtol=0, atol=1e-5)
    assert from_python[-1] < from_python[0]  # it trains


@pytest.mark.parametrize("method_name", METHODS)
def test_multi_task_methods_train_identically(cross_check_binary, method_name):
    from_swift = swift_losses(cross_check_binary, method_name)
    from_python = python_losses(method_name)
    assert len(from_swift) == len(from_python) == 10
    np.testing.assert_allclose(from_python, from_swift, rtol=0, atol=1e-5)
    assert from_python[-1] < from_python[0]
