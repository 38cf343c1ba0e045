"""Shared fixtures of the multi-task tests: a small hard-sharing model and its input, and a loader for the
example scripts whose training the tests reuse."""

from __future__ import annotations

import importlib.util
import pathlib

import numpy as np
import pytest

import polyhead as ph
from polyhead import nn


class TwoHeads(nn.Module):
    """Hard sharing: trunk (Linear + Tanh) → head_a (1 output), head_b (2 outputs)."""

    def __init__(self, n_in: int = 5, hidden: int = 6) -> None:
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(n_in, hidden), nn.Tanh())
        self.head_a = nn.Linear(hidden, 1)
        self.head_b = nn.Linear(hidden, 2)

    def forward(self, x):
        h = self.trunk(x)
        return h, self.head_a(h), self.head_b(h)

    def losses(self, x):
        """The shared representation and the two task losses (mean of a², mean of (b - 1)²)."""
        h, a, b = self(x)
        return h, [(a * a).mean(), ((b - 1.0) ** 2).mean()]


@pytest.fixture
def two_heads():
    """The TwoHeads class (to build more models)."""
    return TwoHeads


@pytest.fixture
def model():
    """A seeded TwoHeads(5, 6)."""
    ph.manual_seed(3)
    return TwoHeads()


@pytest.fixture
def x():
    """A fixed (4, 5) input."""
    return ph.tensor(np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32))


def _load_example(name: str):
    path = pathlib.Path(__file__).resolve().parents[3] / "examples" / name
    spec = importlib.util.spec_from_file_location(f"_example_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def load_example():
    """``load_example("compare_methods.py")``: the script in ``examples/`` as a module (its ``__main__`` part
    does not run)."""
    return _load_example
