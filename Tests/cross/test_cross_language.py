"""Same seed, model and data trained from Swift and from Python give the same losses (to 1e-5).

The Swift side is the `polyhead-cross-check` executable (Tests/cross/CrossCheck/main.swift); this file
follows its recipe step for step through the PyTorch-style Python API.
"""
import pathlib
import subprocess

import numpy as np
import pytest

import polyhead as ph
from polyhead import nn, optim
import polyhead.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parents[2]


def swift_losses() -> list:
    subprocess.run(["swift", "build", "--product", "polyhead-cross-check"], cwd=ROOT, check=True,
                   capture_output=True)
    bin_path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
    output = subprocess.run([f"{bin_path}/polyhead-cross-check"], check=True, capture_output=True,
                            text=True).stdout
    return [float(line) for line in output.split()]


def python_losses() -> list:
    ph.manual_seed(42)
    x = ph.randn(32, 8)
    rows = x.numpy()
    labels = np.argmax(rows[:, :3], axis=1)
    flags = ph.tensor((rows[:, 3:4] > 0).astype(np.float32))
    trunk = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU())
    digit_head, flag_head = nn.Linear(8, 3), nn.Linear(8, 1)
    params = list(trunk.parameters()) + list(digit_head.parameters()) + list(flag_head.parameters())
    optimizer = optim.Adam(params, lr=0.01)
    losses = []
    for _ in range(20):
        features = trunk(x)
        loss = F.cross_entropy(digit_head(features), labels) + \
            F.binary_cross_entropy_with_logits(flag_head(features), flags)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@pytest.mark.skipif(subprocess.run(["which", "swift"], capture_output=True).returncode != 0,
                    reason="needs the Swift toolchain")
def test_swift_and_python_train_identically():
    from_swift, from_python = swift_losses(), python_losses()
    assert len(from_swift) == len(from_python) == 20
    np.testing.assert_allclose(from_python, from_swift, rtol=0, atol=1e-5)
    assert from_python[-1] < from_python[0]  # it trains
