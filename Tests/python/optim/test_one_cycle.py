"""``OneCycleLR`` (learning rate and momentum/beta1 per batch) against torch's numbers and its closed form, and
options changed between steps (momentum, betas) taking effect with the optimizer state kept, as in torch."""

from __future__ import annotations

import math

import numpy as np
import pytest

import polyhead as ph
from polyhead.optim.lr_scheduler import OneCycleLR


def schedule(module, name, options, scheduler_options, steps):
    """(lr, momentum-or-beta1) of the first group after construction and after every step."""
    a = module.nn.Parameter(module.zeros(2))
    b = module.nn.Parameter(module.zeros(2))
    opt = getattr(module.optim, name)([{"params": [a]}, {"params": [b]}], **options)
    sched = module.optim.lr_scheduler.OneCycleLR(opt, **scheduler_options)
    key = "betas" if "betas" in opt.defaults else "momentum"

    def read():
        group = opt.param_groups[0]
        return group["lr"], group[key][0] if key == "betas" else group[key]

    history = [read()]
    for _ in range(steps):
        opt.step()
        sched.step()
        history.append(read())
    return history


CASES = [
    ("SGD", dict(lr=0.1, momentum=0.9), dict(max_lr=1.0, total_steps=20)),
    ("Adam", dict(lr=1e-3), dict(max_lr=[0.01, 0.02], epochs=4, steps_per_epoch=5, pct_start=0.25)),
    ("SGD", dict(lr=0.1, momentum=0.9), dict(max_lr=0.5, total_steps=20, three_phase=True, anneal_strategy="linear")),
    ("RMSprop", dict(lr=0.01, momentum=0.5), dict(max_lr=0.1, total_steps=20, cycle_momentum=False)),
]


@pytest.mark.parametrize("name,options,scheduler_options", CASES)
def test_one_cycle_matches_torch(name, options, scheduler_options):
    torch = pytest.importorskip("torch")
    ours = schedule(ph, name, options, scheduler_options, 19)
    theirs = schedule(torch, name, options, scheduler_options, 19)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_one_cycle_closed_form():
    history = schedule(ph, "SGD", dict(lr=0.1, momentum=0.9), dict(max_lr=1.0, total_steps=10, pct_start=0.3), 9)
    rise_end = 0.3 * 10 - 1  # step 2 reaches max_lr
    for step, (lr, momentum) in enumerate(history):
        if step <= rise_end:
            fraction, lr_from, lr_to, m_from, m_to = step / rise_end, 0.04, 1.0, 0.95, 0.85
        else:
            fraction, lr_from, lr_to, m_from, m_to = (step - rise_end) / (9 - rise_end), 1.0, 0.04 / 1e4, 0.85, 0.95
        cosine = (math.cos(math.pi * fraction) + 1) / 2
        assert lr == pytest.approx(lr_to + (lr_from - lr_to) * cosine)
        assert momentum == pytest.approx(m_to + (m_from - m_to) * cosine)


def test_one_cycle_drives_training_and_stops_at_its_end():
    p = ph.nn.Parameter(ph.tensor([3.0]))
    opt = ph.optim.Adam([p], lr=0.1)
    sched = OneCycleLR(opt, max_lr=0.5, total_steps=30)
    for _ in range(30):
        opt.zero_grad()
        (p * p).sum().backward()
        opt.step()
        sched.step()  # the 30th call computes step 30 > total_steps - 1: allowed once, as in torch
    assert abs(p.item()) < 1.0 and opt.param_groups[0]["betas"][0] == pytest.approx(0.95, abs=1e-3)
    with pytest.raises(ValueError, match="Tried to step 31 times"):
        sched.step()


def test_one_cycle_errors():
    sgd = ph.optim.SGD([ph.nn.Parameter(ph.zeros(1))], lr=0.1)
    with pytest.raises(ValueError, match="total_steps OR"):
        OneCycleLR(sgd, max_lr=1.0)
    with pytest.raises(ValueError, match="anneal_strategy"):
        OneCycleLR(sgd, max_lr=1.0, total_steps=5, anneal_strategy="step")
    with pytest.raises(ValueError, match="expected 1 max_lr"):
        OneCycleLR(sgd, max_lr=[1.0, 2.0], total_steps=5)


def train_with_changes(module, steps=6):
    """SGD without momentum, momentum switched on at step 2 and changed at 4; Adam's betas changed at step 3."""
    w = module.nn.Parameter(module.tensor([1.0, -2.0]))
    v = module.nn.Parameter(module.tensor([0.5, 0.25]))
    sgd, adam = module.optim.SGD([w], lr=0.1), module.optim.Adam([v], lr=0.1)
    for step in range(steps):
        if step == 2:
            sgd.param_groups[0]["momentum"] = 0.9
        if step == 4:
            sgd.param_groups[0]["momentum"] = 0.5
        if step == 3:
            adam.param_groups[0]["betas"] = (0.5, 0.9)
        for opt, p in ((sgd, w), (adam, v)):
            opt.zero_grad()
            (p * p * module.tensor([1.0, 3.0])).sum().backward()
            opt.step()
    return w.detach().numpy(), v.detach().numpy()


def test_changed_options_match_torch():
    torch = pytest.importorskip("torch")
    for ours, theirs in zip(train_with_changes(ph), train_with_changes(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
