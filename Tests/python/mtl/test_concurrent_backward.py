"""Threads training models that share a parameter call ``method.backward`` at once (the core releases the
GIL): every step's contribution to the shared gradient must land, for gradient-level methods (which add
their combined direction) and loss-level ones. (Without the lock around the methods' accumulation this
loses updates in every run: the threads meet at a barrier before each backward, and the shared weight is
large enough for the read-add-write of its gradient to overlap.)"""

from __future__ import annotations

import threading

import numpy as np
import pytest

import polyhead as ph
from polyhead import mtl, nn
import polyhead.nn.functional as F

FEATURES, THREADS, STEPS = 384, 4, 25


class Replica:
    """One thread's model: the shared weight, its own input, heads and targets."""

    def __init__(self, shared, rng):
        self.shared = shared
        self.x = ph.tensor(rng.standard_normal((2, FEATURES)).astype(np.float32))
        self.heads = [nn.Parameter(ph.tensor(rng.standard_normal((1, FEATURES)).astype(np.float32))) for _ in range(2)]
        self.targets = [ph.tensor(rng.standard_normal((2, 1)).astype(np.float32)) for _ in range(2)]

    def run(self, make_method, barrier=None):
        method = make_method()
        for _ in range(STEPS):
            h = F.linear(self.x, self.shared).relu()
            losses = [F.mse_loss(F.linear(h, head), target) for head, target in zip(self.heads, self.targets)]
            if barrier is not None:
                barrier.wait()  # every thread enters the core's backward (GIL released) at once
            method.backward(losses, shared_parameters=[self.shared])


@pytest.mark.parametrize("make_method", [mtl.MGDA, lambda: mtl.GradNorm(num_tasks=2)], ids=["mgda", "gradnorm"])
def test_concurrent_steps_all_land_on_the_shared_gradient(make_method):
    rng = np.random.default_rng(3)
    shared = nn.Parameter(ph.tensor(rng.standard_normal((FEATURES, FEATURES)).astype(np.float32)))
    replicas = [Replica(shared, rng) for _ in range(THREADS)]
    for replica in replicas:
        replica.run(make_method)
    expected = shared.grad.detach().numpy().copy()
    shared.grad = None

    errors, barrier = [], threading.Barrier(THREADS)

    def work(replica):
        try:
            replica.run(make_method, barrier)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(replica,)) for replica in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    np.testing.assert_allclose(shared.grad.detach().numpy(), expected, rtol=0, atol=1e-4 * np.abs(expected).max())
