"""``Optimizer.state_dict`` / ``load_state_dict``: a run interrupted, saved (deepcopy and pickle) and resumed
matches the uninterrupted run exactly; the layout and the buffers match torch's where it is installed."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import polyhead as ph
from polyhead import nn, optim

CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("Adam", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
    ("RMSprop", dict(lr=0.01)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
]
IDS = [f"{name}-{'-'.join(options)}" for name, options in CONFIGS]

rng = np.random.default_rng(0)
X = rng.standard_normal((16, 3)).astype(np.float32)
Y = rng.standard_normal((16, 2)).astype(np.float32)
W0 = rng.standard_normal((2, 3)).astype(np.float32)


def setup(module, name, options):
    """A 3→2 linear model (fixed weights) and the optimizer over two groups (weight, bias at half the lr)."""
    w = module.nn.Parameter(module.tensor(W0.copy()))
    b = module.nn.Parameter(module.zeros(2))
    opt = getattr(module.optim, name)([{"params": [w]}, {"params": [b], "lr": options["lr"] / 2}], **options)
    return (w, b), opt


def train(module, params, opt, steps, x=X, skip_bias_at=None):
    w, b = params
    for step in range(steps):
        opt.zero_grad()
        out = module.tensor(x) @ w.t()
        if step != skip_bias_at:
            out = out + b
        ((out - module.tensor(Y)) ** 2).mean().backward()
        opt.step()


@pytest.mark.parametrize("name,options", CONFIGS, ids=IDS)
@pytest.mark.parametrize("carry", ["deepcopy", "pickle"])
def test_resumed_run_matches_the_uninterrupted_one(name, options, carry):
    params, opt = setup(ph, name, options)
    train(ph, params, opt, 7, skip_bias_at=0)  # the bias misses its first update: per-parameter steps differ
    want = [p.detach().numpy().copy() for p in params]

    params, opt = setup(ph, name, options)
    train(ph, params, opt, 3, skip_bias_at=0)
    saved = copy.deepcopy(opt.state_dict()) if carry == "deepcopy" else pickle.loads(pickle.dumps(opt.state_dict()))
    weights = [p.detach().numpy().copy() for p in params]
    train(ph, params, opt, 2)  # the original optimizer moves on; the saved state must not follow it
    fresh, fresh_opt = setup(ph, name, options)
    for p, value in zip(fresh, weights):
        with ph.no_grad():
            p.copy_(ph.tensor(value))
    fresh_opt.load_state_dict(saved)
    train(ph, fresh, fresh_opt, 4)
    for got, expected in zip(fresh, want):
        np.testing.assert_array_equal(got.detach().numpy(), expected)


def test_layout_and_steps():
    params, opt = setup(ph, "Adam", dict(lr=0.01))
    train(ph, params, opt, 3, skip_bias_at=0)
    state = opt.state_dict()
    assert sorted(state["state"]) == [0, 1]
    assert state["state"][0]["step"].item() == 3 and state["state"][1]["step"].item() == 2
    assert state["state"][0]["exp_avg"].shape == (2, 3)
    assert [g["params"] for g in state["param_groups"]] == [[0], [1]]
    assert state["param_groups"][1]["lr"] == 0.005 and state["param_groups"][0]["betas"] == (0.9, 0.999)
    untouched = setup(ph, "SGD", dict(lr=0.1, momentum=0.9))[1].state_dict()
    assert untouched["state"] == {}


def test_loading_changed_options_rebuilds_the_group():
    params, opt = setup(ph, "SGD", dict(lr=0.1, momentum=0.9))
    train(ph, params, opt, 2)
    saved = opt.state_dict()
    saved["param_groups"][0]["lr"] = 0.05
    other_params, other = setup(ph, "SGD", dict(lr=0.1, momentum=0.5))
    other.load_state_dict(saved)
    assert other.param_groups[0]["momentum"] == 0.9 and other.param_groups[0]["lr"] == 0.05
    train(ph, other_params, other, 1)  # runs with the loaded options


@pytest.mark.parametrize("mutate,message", [
    (lambda s: s["param_groups"].pop(), "different number of parameter groups"),
    (lambda s: s["param_groups"][0]["params"].append(5), "doesn't match the size"),
])
def test_mismatched_state_is_refused(mutate, message):
    params, opt = setup(ph, "Adam", dict(lr=0.01))
    train(ph, params, opt, 1)
    saved = opt.state_dict()
    mutate(saved)
    with pytest.raises(ValueError, match=message):
        setup(ph, "Adam", dict(lr=0.01))[1].load_state_dict(saved)


def test_wrong_buffer_shape_is_refused():
    params, opt = setup(ph, "Adam", dict(lr=0.01))
    train(ph, params, opt, 1)
    saved = opt.state_dict()
    saved["state"][0]["exp_avg"] = ph.zeros(3)
    with pytest.raises(ValueError, match="must have shape"):
        setup(ph, "Adam", dict(lr=0.01))[1].load_state_dict(saved)


@pytest.mark.parametrize("name,options", CONFIGS, ids=IDS)
def test_matches_torch_state_dict(name, options):
    torch = pytest.importorskip("torch")
    ours, theirs = setup(ph, name, options), setup(torch, name, options)
    train(ph, *ours, 3, skip_bias_at=0)
    train(torch, *theirs, 3, skip_bias_at=0)
    mine, reference = ours[1].state_dict(), theirs[1].state_dict()
    assert sorted(mine["state"]) == sorted(reference["state"])
    for key, entry in reference["state"].items():
        present = {k for k, v in entry.items() if v is not None}
        assert set(mine["state"][key]) == present, (key, set(mine["state"][key]), present)
        for buffer in present:
            np.testing.assert_allclose(np.asarray(mine["state"][key][buffer].numpy()),
                                       entry[buffer].numpy(), rtol=1e-5, atol=1e-6, err_msg=buffer)
    for group, reference_group in zip(mine["param_groups"], reference["param_groups"]):
        assert group["params"] == reference_group["params"]
        for option in group:
            assert group[option] == reference_group[option], option
