"""Fixtures of the loss-weighting tests: scalar leaf losses (their ``.grad`` after ``backward`` is
∂objective/∂Lᵢ) and a one-parameter shared part."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph


class Leaves:
    """Builds scalar leaf losses and runs one step of a method on them."""

    def __init__(self) -> None:
        self.shared = ph.tensor(np.ones(1, dtype=np.float32), requires_grad=True)

    def make(self, values):
        return [ph.tensor(np.float32(v), requires_grad=True) for v in values]

    def step(self, method, values):
        """(weights, ∂objective/∂Lᵢ) of one ``method.backward`` on leaves holding ``values`` (0 for a leaf the
        step left out: a loss of exactly 0 is an absent task, which gets no gradient)."""
        losses = self.make(values)
        record = method.backward(losses, shared_parameters=[self.shared])
        return record.weights, np.array([0.0 if loss.grad is None and value == 0 else float(loss.grad.numpy())
                                         for value, loss in zip(values, losses)])


    @staticmethod
    def softmax(x):
        """numpy softmax of a vector."""
        e = np.exp(np.asarray(x, dtype=np.float64) - np.max(x))
        return e / e.sum()

    @staticmethod
    def f32(values):
        """The values as float32 leaves hold them, in float64."""
        return np.asarray(values, dtype=np.float32).astype(np.float64)


@pytest.fixture
def leaves():
    """A :class:`Leaves` helper."""
    return Leaves()
