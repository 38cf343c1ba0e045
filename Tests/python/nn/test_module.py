"""``nn.Module``: registration, traversal, state dicts, modes, zero_grad, printing; ``nn.Parameter``."""

from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np
import pytest

import polyhead as ph
from polyhead import nn


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 6), nn.ReLU())
        self.digit = nn.Linear(6, 3)
        self.parity = nn.Linear(6, 1)
        self.scale = nn.Parameter(ph.ones(1))
        self.note = "plain attribute"

    def forward(self, x):
        h = self.trunk(x)
        return self.digit(h) * self.scale, self.parity(h)


NAMES = ["scale", "trunk.0.weight", "trunk.0.bias", "trunk.2.weight", "trunk.2.bias",
         "digit.weight", "digit.bias", "parity.weight", "parity.bias"]


def test_named_parameters_in_registration_order_with_dotted_names():
    net = TwoHeads()
    assert [n for n, _ in net.named_parameters()] == NAMES
    assert [p.shape for p in net.parameters()][:3] == [(1,), (8, 4), (8,)]
    assert [n for n, _ in net.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in net.named_parameters(prefix="model")][1] == "model.trunk.0.weight"


def test_children_and_modules():
    net = TwoHeads()
    assert [n for n, _ in net.named_children()] == ["trunk", "digit", "parity"]
    assert [type(m).__name__ for m in net.children()] == ["Sequential", "Linear", "Linear"]
    assert [n for n, _ in net.named_modules()] == ["", "trunk", "trunk.0", "trunk.1", "trunk.2", "trunk.3", "digit", "parity"]
    assert len(list(net.modules())) == 8


def test_attributes_resolve_and_plain_values_are_not_registered():
    net = TwoHeads()
    assert isinstance(net.digit, nn.Linear) and net.note == "plain attribute"
    assert "note" not in dict(net.named_parameters())
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        net.missing


def test_shared_parameters_are_listed_once():
    net = nn.Module()
    layer = nn.Linear(2, 2)
    net.a = layer
    net.b = layer
    assert len(list(net.parameters())) == 2


def test_reassignment_and_deletion():
    net = TwoHeads()
    net.digit = nn.Linear(6, 5)
    assert net.digit.out_features == 5 and [n for n, _ in net.named_children()] == ["trunk", "digit", "parity"]
    net.scale = None
    assert "scale" not in dict(net.named_parameters())
    with pytest.raises(TypeError, match="Parameter or None"):
        net.scale = ph.ones(1)
    del net.parity
    assert [n for n, _ in net.named_children()] == ["trunk", "digit"]


def test_assigning_before_init_fails_like_torch():
    class Broken(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Broken()


def test_call_runs_forward_and_missing_forward_raises():
    net = TwoHeads()
    a, b = net(ph.randn(5, 4))
    assert a.shape == (5, 3) and b.shape == (5, 1)
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(ph.ones(1))


def test_state_dict_holds_detached_tensors_sharing_storage():
    net = TwoHeads()
    state = net.state_dict()
    assert isinstance(state, OrderedDict) and list(state) == NAMES
    w = state["digit.weight"]
    assert not w.requires_grad and np.shares_memory(w.numpy(), net.digit.weight.detach().numpy())
    assert net.state_dict(keep_vars=True)["digit.weight"] is net.digit.weight


def test_load_state_dict_round_trip_with_tensors_and_numpy():
    source, target = TwoHeads(), TwoHeads()
    x = ph.randn(3, 4)
    result = target.load_state_dict(source.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    for a, b in zip(source(x), target(x)):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    arrays = {k: v.numpy() * 0 + 1 for k, v in source.state_dict().items()}
    params = list(target.parameters())
    target.load_state_dict(arrays)
    assert list(target.parameters())[0] is params[0]  # copied in place, same Parameter objects
    assert all(np.all(p.detach().numpy() == 1) for p in target.parameters())
    assert target.digit.weight.requires_grad and ph.is_grad_enabled()


def test_load_state_dict_errors_name_keys_and_shapes():
    net = TwoHeads()
    state = net.state_dict()
    bad = dict(state, **{"digit.weight": ph.zeros(4, 6)})
    with pytest.raises(RuntimeError, match=r"size mismatch for digit\.weight.*Size\(\[4, 6\]\).*Size\(\[3, 6\]\)"):
        net.load_state_dict(bad)
    missing = {k: v for k, v in state.items() if k != "parity.bias"}
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "parity.bias"'):
        net.load_state_dict(missing)
    with pytest.raises(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "extra"'):
        net.load_state_dict(dict(state, extra=ph.zeros(1)))
    with pytest.raises(RuntimeError, match=r"parity\.bias"):
        net.load_state_dict(dict(state, **{"parity.bias": "not a tensor"}))


def test_failed_load_changes_nothing_and_non_strict_reports_keys():
    net = TwoHeads()
    before = {k: v.numpy().copy() for k, v in net.state_dict().items()}
    bad = {k: np.zeros(v.shape) for k, v in net.state_dict().items()}
    bad["parity.bias"] = np.zeros(7)
    with pytest.raises(RuntimeError):
        net.load_state_dict(bad)
    for k, v in net.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k])
    partial = {"digit.bias": np.full(3, 2.0), "unknown": np.zeros(1)}
    result = net.load_state_dict(partial, strict=False)
    assert result.unexpected_keys == ["unknown"] and "digit.weight" in result.missing_keys
    np.testing.assert_array_equal(net.digit.bias.detach().numpy(), [2.0, 2.0, 2.0])


def test_train_eval_propagate():
    net = TwoHeads()
    assert net.training and net.trunk[1].training
    assert net.eval() is net
    assert not net.training and not net.trunk[1].training and not net.digit.training
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError):
        net.train("yes")


def test_zero_grad_to_none_and_to_zero():
    net = TwoHeads()
    a, b = net(ph.randn(2, 4))
    (a.sum() + b.sum()).backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_requires_grad_underscore_and_buffers():
    net = TwoHeads()
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    net.register_buffer("running", ph.zeros(2))
    net.register_buffer("scratch", ph.zeros(1), persistent=False)
    assert [n for n, _ in net.named_buffers()] == ["running", "scratch"]
    assert "running" in net.state_dict() and "scratch" not in net.state_dict()
    net.running = ph.ones(2)
    assert net.running.tolist() == [1.0, 1.0]


def test_repr_like_torch():
    assert repr(TwoHeads()) == (
        "TwoHeads(\n"
        "  (trunk): Sequential(\n"
        "    (0): Linear(in_features=4, out_features=8, bias=True)\n"
        "    (1): ReLU()\n"
        "    (2): Linear(in_features=8, out_features=6, bias=True)\n"
        "    (3): ReLU()\n"
        "  )\n"
        "  (digit): Linear(in_features=6, out_features=3, bias=True)\n"
        "  (parity): Linear(in_features=6, out_features=1, bias=True)\n"
        ")")


def test_apply_to_and_deepcopy():
    net = TwoHeads()
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen[-1] == "TwoHeads" and seen.count("Linear") == 4
    assert net.to("cpu") is net and net.float() is net and net.cpu() is net
    clone = copy.deepcopy(net)
    assert [n for n, _ in clone.named_parameters()] == NAMES
    clone.digit.weight.data = np.zeros((3, 6))
    assert net.digit.weight.detach().numpy().any()


def test_parameter_construction():
    p = nn.Parameter(np.array([1.0, 2.0]))
    assert isinstance(p, ph.Tensor) and p.requires_grad and p.is_leaf and p.tolist() == [1.0, 2.0]
    assert not nn.Parameter(ph.ones(1), requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)
    assert repr(nn.Parameter(ph.tensor([1.0]))) == "Parameter containing:\ntensor([1.0000], requires_grad=True)"
    assert type(p * 2) is ph.Tensor and type(p.detach()) is ph.Tensor
