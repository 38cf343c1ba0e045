"""``optim.lr_scheduler``: every schedule against its closed form (float64) and, where torch is installed,
against torch's learning rates over 30 epochs with two parameter groups."""

from __future__ import annotations

import math

import pytest

import polyhead as ph
from polyhead import nn, optim
from polyhead.optim import lr_scheduler as S

EPOCHS = 30


def two_group_sgd(module):
    """An SGD optimizer with groups at lr 0.1 and 0.02 (``module`` is polyhead or torch)."""
    a = module.nn.Parameter(module.zeros(2))
    b = module.nn.Parameter(module.zeros(3))
    return module.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.02}], lr=0.1)


def lrs(module, make, epochs=EPOCHS, metrics=None):
    """The learning rates of both groups after construction and after each ``step()``."""
    opt = two_group_sgd(module)
    sched = make(module.optim.lr_scheduler, opt)
    history = [[g["lr"] for g in opt.param_groups]]
    for epoch in range(epochs):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[epoch])
        history.append([g["lr"] for g in opt.param_groups])
    return history


PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.96, 0.97, 0.5, 0.6, 0.6, 0.6, 0.6] * 3

SCHEDULES = {
    "StepLR": (lambda s, o: s.StepLR(o, step_size=4, gamma=0.5),
               lambda base, e: base * 0.5 ** (e // 4)),
    "MultiStepLR": (lambda s, o: s.MultiStepLR(o, milestones=[3, 7, 7, 20], gamma=0.1),
                    lambda base, e: base * 0.1 ** sum(m <= e for m in [3, 7, 7, 20])),
    "ExponentialLR": (lambda s, o: s.ExponentialLR(o, gamma=0.9), lambda base, e: base * 0.9 ** e),
    "LambdaLR": (lambda s, o: s.LambdaLR(o, lambda e: 1.0 / (1 + e)), lambda base, e: base / (1 + e)),
    "MultiplicativeLR": (lambda s, o: s.MultiplicativeLR(o, lambda e: 0.95), lambda base, e: base * 0.95 ** e),
    "CosineAnnealingLR": (lambda s, o: s.CosineAnnealingLR(o, T_max=10, eta_min=1e-3),
                          lambda base, e: 1e-3 + (base - 1e-3) * (1 + math.cos(math.pi * e / 10)) / 2),
    "LinearLR": (lambda s, o: s.LinearLR(o, start_factor=0.25, total_iters=8),
                 lambda base, e: base * (0.25 + 0.75 * min(e, 8) / 8)),
    "ConstantLR": (lambda s, o: s.ConstantLR(o, factor=0.5, total_iters=4),
                   lambda base, e: base * (0.5 if e < 4 else 1.0)),
    "PolynomialLR": (lambda s, o: s.PolynomialLR(o, total_iters=12, power=2.0),
                     lambda base, e: base * (1 - min(e, 12) / 12) ** 2),
    "CosineAnnealingWarmRestarts": (
        lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=1e-4),
        lambda base, e: 1e-4 + (base - 1e-4) * (1 + math.cos(math.pi * _sgdr(e)[0] / _sgdr(e)[1])) / 2),
}


def _sgdr(epoch, t0=3, mult=2):
    """(T_cur, T_i) of SGDR at an epoch (possibly fractional)."""
    period = t0
    while epoch >= period:
        epoch -= period
        period *= mult
    return epoch, period


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_matches_its_closed_form(name):
    make, closed_form = SCHEDULES[name]
    for epoch, (lr_a, lr_b) in enumerate(lrs(ph, make)):
        assert lr_a == pytest.approx(closed_form(0.1, epoch), rel=1e-9, abs=1e-15), epoch
        assert lr_b == pytest.approx(closed_form(0.02, epoch), rel=1e-9, abs=1e-15), epoch


TORCH_ONLY = {
    "SequentialLR": lambda s, o: s.SequentialLR(o, [s.LinearLR(o, start_factor=0.1, total_iters=5),
                                                    s.CosineAnnealingLR(o, T_max=15)], milestones=[5]),
    "ReduceLROnPlateau": lambda s, o: s.ReduceLROnPlateau(o, factor=0.5, patience=1, cooldown=1, min_lr=[0.01, 0.0]),
    "ReduceLROnPlateau-max-abs": lambda s, o: s.ReduceLROnPlateau(o, mode="max", threshold=0.05,
                                                                  threshold_mode="abs", patience=0),
}


@pytest.mark.parametrize("name", sorted(SCHEDULES) + sorted(TORCH_ONLY))
def test_schedule_matches_torch(name):
    torch = pytest.importorskip("torch")
    make = SCHEDULES[name][0] if name in SCHEDULES else TORCH_ONLY[name]
    metrics = PLATEAU_METRICS if name.startswith("ReduceLROnPlateau") else None
    want = lrs(torch, make, metrics=metrics)
    got = lrs(ph, make, metrics=metrics)
    for epoch, (g, w) in enumerate(zip(got, want)):
        assert g == pytest.approx(w, rel=1e-12, abs=1e-15), (epoch, g, w)


def test_warm_restarts_fractional_epochs_match_closed_form():
    opt = two_group_sgd(ph)
    sched = S.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2)
    for epoch in (0.5, 3.75, 4.0, 9.5, 12.25):
        sched.step(epoch)
        t_cur, t_i = _sgdr(epoch, t0=4)
        assert opt.param_groups[0]["lr"] == pytest.approx(0.05 * (1 + math.cos(math.pi * t_cur / t_i)))


def test_plateau_reduces_after_patience_and_respects_min_lr():
    opt = two_group_sgd(ph)
    sched = S.ReduceLROnPlateau(opt, factor=0.5, patience=2, min_lr=0.015)
    for value in (1.0, 1.0, 1.0):
        sched.step(value)
    assert sched.get_last_lr() == [0.1, 0.02]
    sched.step(ph.tensor(1.0))  # a one-element tensor metric, as torch accepts
    assert sched.get_last_lr() == [0.05, 0.015]


def test_scheduled_lr_reaches_the_update():
    p = nn.Parameter(ph.tensor([1.0]))
    opt = optim.SGD([p], lr=1.0)
    sched = S.StepLR(opt, step_size=1, gamma=0.5)
    deltas = []
    for _ in range(3):
        before = p.item()
        opt.zero_grad()
        p.sum().backward()  # gradient 1
        opt.step()
        sched.step()
        deltas.append(before - p.item())
    assert deltas == [1.0, 0.5, 0.25]


def test_state_dict_round_trip_resumes_the_schedule():
    opt = two_group_sgd(ph)
    sched = S.CosineAnnealingLR(opt, T_max=10)
    for _ in range(4):
        sched.step()
    state = sched.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 4
    fresh_opt = two_group_sgd(ph)
    for group, saved in zip(fresh_opt.param_groups, opt.param_groups):
        group["lr"], group["initial_lr"] = saved["lr"], saved["initial_lr"]
    fresh = S.CosineAnnealingLR(fresh_opt, T_max=10)
    fresh.load_state_dict(state)
    sched.step()
    fresh.step()
    assert fresh.get_last_lr() == sched.get_last_lr()


def test_bad_arguments_raise_clear_errors():
    opt = two_group_sgd(ph)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        S.StepLR("adam", step_size=2)
    with pytest.raises(ValueError, match="step_size"):
        S.StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        S.ReduceLROnPlateau(opt, factor=2.0)
    with pytest.raises(ValueError, match="expected 2 min_lrs"):
        S.ReduceLROnPlateau(opt, min_lr=[0.1])
    with pytest.raises(ValueError, match="expected 2 lr_lambdas"):
        S.LambdaLR(opt, [lambda e: 1.0])
    with pytest.raises(KeyError, match="initial_lr"):
        S.StepLR(two_group_sgd(ph), step_size=2, last_epoch=5)
    with pytest.raises(ValueError, match="one more than the number of milestone"):
        S.SequentialLR(opt, [S.ConstantLR(opt)], milestones=[3])
    with pytest.raises(AttributeError, match="CyclicLR is not implemented"):
        S.CyclicLR
