"""Shared helper for the optimizer tests: train one parameter on the quadratic sum((c * p)**2)."""

from __future__ import annotations

import pytest

import polyhead as ph
from polyhead import nn


@pytest.fixture
def run_optimizer():
    """``run(cls, steps, p0, c, **options)`` → the parameter after each of ``steps`` optimizer steps."""

    def run(cls, steps, p0, c, **options):
        p = nn.Parameter(ph.tensor(p0))
        opt = cls([p], **options)
        history = []
        for _ in range(steps):
            opt.zero_grad()
            ((p * ph.tensor(c)) ** 2).sum().backward()
            opt.step()
            history.append(p.detach().numpy().copy())
        return history

    return run
