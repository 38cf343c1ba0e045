"""``nn.Sequential``, ``nn.ModuleList``, ``nn.ModuleDict``."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import polyhead as ph
from polyhead import nn


def test_sequential_runs_modules_in_order():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    x = ph.randn(5, 3)
    expected = net[2](net[1](net[0](x)))
    np.testing.assert_array_equal(net(x).detach().numpy(), expected.detach().numpy())
    assert len(net) == 3 and [type(m).__name__ for m in net] == ["Linear", "ReLU", "Linear"]
    assert net[-1] is net[2] and isinstance(net[1:], nn.Sequential) and len(net[1:]) == 2
    with pytest.raises(IndexError):
        net[3]


def test_sequential_from_ordered_dict_keeps_names():
    net = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 3)), ("act", nn.Tanh())]))
    assert [n for n, _ in net.named_parameters()] == ["hidden.weight", "hidden.bias"]
    assert net.hidden is net[0]


def test_sequential_append_set_delete():
    net = nn.Sequential(nn.Linear(2, 2))
    net.append(nn.ReLU())
    net[0] = nn.Linear(2, 3)
    assert net[0].out_features == 3 and len(net) == 2
    del net[1]
    assert len(net) == 1
    with pytest.raises(TypeError, match="not a Module"):
        nn.Sequential(nn.ReLU(), "relu")


def test_module_list_registers_parameters():
    heads = nn.ModuleList([nn.Linear(4, 3), nn.Linear(4, 1)])
    owner = nn.Module()
    owner.heads = heads
    assert [n for n, _ in owner.named_parameters()] == ["heads.0.weight", "heads.0.bias", "heads.1.weight", "heads.1.bias"]
    heads.append(nn.Linear(4, 2))
    heads.insert(0, nn.Identity())
    assert len(heads) == 4 and isinstance(heads[0], nn.Identity) and heads[-1].out_features == 2
    del heads[0]
    assert [n for n, _ in heads.named_children()] == ["0", "1", "2"]
    assert isinstance(heads[:2], nn.ModuleList)
    heads += [nn.ReLU()]
    assert len(heads) == 4 and [type(m).__name__ for m in heads][-1] == "ReLU"


def test_module_dict():
    heads = nn.ModuleDict({"digit": nn.Linear(4, 10)})
    heads["parity"] = nn.Linear(4, 1)
    assert list(heads) == ["digit", "parity"] and len(heads) == 2 and "parity" in heads
    assert [n for n, _ in heads.named_parameters()][:2] == ["digit.weight", "digit.bias"]
    assert [k for k, _ in heads.items()] == list(heads.keys())
    assert heads.pop("digit").out_features == 10 and list(heads) == ["parity"]
    heads.update([("a", nn.ReLU())])
    assert list(heads.values())[-1].__class__ is nn.ReLU
    heads.clear()
    assert len(heads) == 0
