"""``polyhead.save``/``load`` of whole training checkpoints (torch's idiom): nested dicts (str and int keys),
lists, tuples, Python scalars, numpy arrays and tensors of every dtype in one safetensors file; resuming a
model, its optimizer and LR schedulers bit for bit; unsupported objects and malformed structure documents.
Flat state dicts and the file layer: test_io_files.py.
"""

from __future__ import annotations

import json
import math
from collections import Counter, OrderedDict

import numpy as np
import pytest

import polyhead as ph
from polyhead import nn, optim
from polyhead.io import load_file, save_file

STRUCTURE_KEY = "polyhead.structure"


def _same(loaded, saved, where="obj"):
    """Asserts ``loaded`` rebuilds ``saved``: the same container types, keys, dtypes and values."""
    assert type(loaded) is type(saved) or (isinstance(saved, ph.Tensor) and isinstance(loaded, ph.Tensor)), where
    if isinstance(saved, dict):
        assert list(loaded) == list(saved), where
        for key in saved:
            _same(loaded[key], saved[key], f"{where}[{key!r}]")
    elif isinstance(saved, (list, tuple)):
        assert len(loaded) == len(saved), where
        for index, (a, b) in enumerate(zip(loaded, saved)):
            _same(a, b, f"{where}[{index}]")
    elif isinstance(saved, ph.Tensor):
        assert loaded.dtype is saved.dtype and loaded.shape == saved.shape, where
        assert not loaded.requires_grad, where
        np.testing.assert_array_equal(loaded.numpy(), saved.detach().numpy(), err_msg=where)
    elif isinstance(saved, (np.ndarray, np.generic)):
        assert loaded.dtype == saved.dtype and np.shape(loaded) == np.shape(saved), where
        np.testing.assert_array_equal(loaded, saved, err_msg=where)
    elif isinstance(saved, float) and math.isnan(saved):
        assert math.isnan(loaded), where
    else:
        assert loaded == saved, where


def test_a_checkpoint_of_every_supported_kind_loads_as_it_was_saved(tmp_path):
    shared = ph.randn(3)
    checkpoint = {
        "epoch": 7, "best_acc": 0.93, "tasks": ["seg", "depth"], "shape": (2, 3), "note": "\u00e9t\u00e9 \u2713",
        "flags": {"amsgrad": False, "foreach": None}, "floats": [math.inf, -math.inf, math.nan, -0.0, 1e-300],
        "huge": 2**100, "empty": {"list": [], "tuple": (), "dict": {}, "nested": [[()]]},
        "model": OrderedDict(w=ph.randn(2, 3), labels=ph.tensor([1, -2, 3]), i32=ph.tensor([4], dtype=ph.int32),
                             mask=ph.tensor([True, False]), scalar=ph.tensor(2.5), none=ph.zeros(0, 4)),
        "state": {0: {"step": ph.tensor(3.0)}, -1: {"step": ph.tensor(1.0)}, "0": "str key zero"},
        "counts": Counter({2: 1, 4: 2}),
        "arrays": [np.arange(4, dtype=np.float64) / 3, np.array([2**40, -1]), np.arange(6, dtype=np.uint8).reshape(2, 3),
                   np.array([0.5], dtype=np.float16), np.array([[True]]), np.float32(1.25), np.int64(-(2**50)),
                   np.bool_(True)],
        "a": {"b": ph.ones(1)}, "a.b": ph.zeros(1), "__metadata__": {"x": ph.ones(2)},
        "tied": [shared, shared], "param": nn.Parameter(ph.ones(2)),
    }
    path = tmp_path / "ckpt.pth"
    ph.save(checkpoint, path)
    loaded = ph.load(path)
    expected = dict(checkpoint, param=checkpoint["param"].detach())
    _same(loaded, expected)
    assert loaded["tied"][0] is loaded["tied"][1]
    assert type(loaded["empty"]["tuple"]) is tuple and type(loaded["state"]) is dict
    assert set(loaded["state"]) == {0, -1, "0"}
    # the tensors are ordinary safetensors tensors, named after their key paths
    from safetensors.numpy import load_file as reference
    arrays = reference(str(path))
    assert {"model.w", "model.labels", "state.0.step", "state.-1.step", "a.b", "a.b#1", "arrays.0",
            "tied.0"} <= set(arrays)
    np.testing.assert_array_equal(arrays["model.w"], checkpoint["model"]["w"].numpy())
    assert arrays["arrays.1"].dtype == np.int64 and arrays["arrays.1"][0] == 2**40


def test_a_flat_state_dict_is_written_as_before_without_structure(tmp_path):
    state = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).state_dict()
    ph.save(state, tmp_path / "a.safetensors")
    save_file(state, tmp_path / "b.safetensors", metadata={"format": "pt"})
    assert (tmp_path / "a.safetensors").read_bytes() == (tmp_path / "b.safetensors").read_bytes()
    _, metadata = load_file(tmp_path / "a.safetensors", with_metadata=True)
    assert STRUCTURE_KEY not in metadata
    loaded = ph.load(tmp_path / "a.safetensors")
    assert type(loaded) is OrderedDict and list(loaded) == list(state)


def _mtl_model():
    ph.manual_seed(0)
    trunk = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU())
    return nn.ModuleDict({"trunk": trunk, "seg": nn.Linear(8, 3), "depth": nn.Linear(8, 1)})


def _parts(model, kind):
    if kind == "adam":
        opt = optim.Adam([{"params": model["trunk"].parameters()},
                          {"params": list(model["seg"].parameters()) + list(model["depth"].parameters()), "lr": 0.02}],
                         lr=0.01, weight_decay=1e-3)
        return opt, [optim.lr_scheduler.MultiStepLR(opt, milestones=[1, 1, 2], gamma=0.5)]
    if kind == "sgd":
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3)
        return opt, [optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=10)]
    opt = optim.AdamW(model.parameters(), lr=0.01)
    return opt, [optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5),
                 optim.lr_scheduler.CosineAnnealingLR(opt, T_max=5)]


def _train_step(model, opt, schedulers, step):
    x = ph.tensor(np.random.default_rng(step).standard_normal((16, 4)), dtype=ph.float32)
    features = model["trunk"](x)
    loss = (model["seg"](features) ** 2).mean() + ((model["depth"](features) - 1) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    for scheduler in schedulers:
        if isinstance(scheduler, optim.lr_scheduler.ReduceLROnPlateau):
            scheduler.step(1.0)  # never improves after the first: the LR halves each step
        else:
            scheduler.step()


@pytest.mark.parametrize("kind", ["adam", "sgd", "plateau"])
def test_resuming_from_a_checkpoint_matches_the_uninterrupted_run_bit_for_bit(tmp_path, kind):
    model = _mtl_model()
    opt, schedulers = _parts(model, kind)
    for step in range(4):
        _train_step(model, opt, schedulers, step)
    reference = {name: value.numpy().copy() for name, value in model.state_dict().items()}

    model = _mtl_model()
    opt, schedulers = _parts(model, kind)
    for step in range(2):
        _train_step(model, opt, schedulers, step)
    path = tmp_path / "ckpt.safetensors"
    ph.save({"epoch": 2, "model": model.state_dict(), "optimizer": opt.state_dict(),
             "schedulers": [s.state_dict() for s in schedulers], "tasks": ("seg", "depth")}, path)
    ckpt = ph.load(path)
    model = _mtl_model()
    opt, schedulers = _parts(model, kind)
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["optimizer"])
    for scheduler, state in zip(schedulers, ckpt["schedulers"]):
        scheduler.load_state_dict(state)
    assert ckpt["epoch"] == 2 and ckpt["tasks"] == ("seg", "depth")
    for step in range(2, 4):  # the second step after resuming takes the schedulers' learning rates
        _train_step(model, opt, schedulers, step)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), reference[name], err_msg=name)


class _Custom:
    pass


@pytest.mark.parametrize("obj, message", [
    ({"model": nn.Linear(2, 2)}, r"obj\['model'\] is of type Linear"),
    ({"opt": {"lr_lambda": lambda epoch: 0.5}}, r"obj\['opt'\]\['lr_lambda'\] is of type function"),
    ({"items": [1, (2, _Custom())]}, r"obj\['items'\]\[1\]\[1\] is of type _Custom"),
    ({"s": {1, 2}}, r"obj\['s'\] is of type set"),
    ({"b": b"bytes"}, r"obj\['b'\] is of type bytes"),
    ({"c": 1j}, r"obj\['c'\] is of type complex"),
    ({"k": {1.5: ph.ones(1)}}, r"obj\['k'\] has the key 1.5 of type float"),
    ({True: 1}, r"obj has the key True of type bool"),
    ({"a": np.array(["x"])}, r"obj\['a'\] is a numpy array of dtype <U1"),
    ({"a": np.array([1 + 2j])}, r"obj\['a'\] is a numpy array of dtype complex128"),
    (nn.Linear(2, 2), "obj is of type Linear"),
])
def test_unsupported_objects_raise_type_error_naming_the_key_path(tmp_path, obj, message):
    path = tmp_path / "x.safetensors"
    ph.save({"w": ph.ones(1)}, path)
    before = path.read_bytes()
    with pytest.raises(TypeError, match=message):
        ph.save(obj, path)
    assert path.read_bytes() == before


def test_a_container_that_contains_itself_is_refused(tmp_path):
    loop = {"a": []}
    loop["a"].append(loop)
    with pytest.raises(ValueError, match=r"obj\['a'\]\[0\] contains itself"):
        ph.save(loop, tmp_path / "x.safetensors")


def test_map_location_and_weights_only_as_torch_accepts_them(tmp_path):
    path = tmp_path / "c.safetensors"
    ph.save({"w": ph.ones(2), "epoch": 1}, path)
    for map_location in (None, "cpu", {"cuda:0": "cpu"}, lambda storage, loc: storage):
        assert ph.load(path, map_location=map_location, weights_only=True)["epoch"] == 1
    assert ph.load(path, weights_only=False)["w"].tolist() == [1.0, 1.0]
    assert ph.load(path, map_location=lambda t, loc: t * 2)["w"].tolist() == [2.0, 2.0]
    with pytest.raises(ValueError, match="cuda:0"):
        ph.load(path, map_location="cuda:0")
    with pytest.raises(ValueError, match="map_location"):
        ph.load(path, map_location={"cpu": "cuda:1"})
    with pytest.raises(TypeError, match="map_location returned int for the tensor 'w'"):
        ph.load(path, map_location=lambda t, loc: 0)
    with pytest.raises(TypeError, match="mmap"):
        ph.load(path, mmap=True)


_GOOD = {"version": 1, "root": {"dict": [["w", {"tensor": "w"}]]}}


@pytest.mark.parametrize("document, problem", [
    ("", "Expecting value"), ("{", "Expecting"), ("[]", "not {\"version\""), ("null", "not {\"version\""),
    (json.dumps({"version": 2, "root": None}), "version 2"), (json.dumps({"version": True, "root": None}), "version True"),
    (json.dumps({"root": None}), "not {\"version\""), (json.dumps(dict(_GOOD, extra=1)), "not {\"version\""),
    ('{"version": 1, "root": NaN}', "NaN"), ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    (json.dumps({"version": 1, "root": [1]}), "a node is \\[1\\]"),
    (json.dumps({"version": 1, "root": {}}), "a node is {}"),
    (json.dumps({"version": 1, "root": {"set": [1]}}), "unknown tag 'set'"),
    (json.dumps({"version": 1, "root": {"list": [], "tuple": []}}), "not one tag"),
    (json.dumps({"version": 1, "root": {"tuple": {"a": 1}}}), "tuple node holds {'a': 1}"),
    (json.dumps({"version": 1, "root": {"float": "NaN"}}), "float node holds 'NaN'"),
    (json.dumps({"version": 1, "root": {"dict": {"w": 1}}}), "not a JSON array of \\[key, value\\] pairs"),
    (json.dumps({"version": 1, "root": {"dict": [["w"]]}}), "not a \\[key, value\\] pair"),
    (json.dumps({"version": 1, "root": {"dict": [[1.5, 1]]}}), "a dict key is 1.5"),
    (json.dumps({"version": 1, "root": {"dict": [["w", {"tensor": "w"}], ["w", 1]]}}), "'w' appears twice"),
    (json.dumps({"version": 1, "root": {"dict": [], "class": "defaultdict"}}), "unknown class 'defaultdict'"),
    (json.dumps({"version": 1, "root": {"dict": [], "class": ["Counter"]}}), "unknown class \\['Counter'\\]"),
    (json.dumps({"version": 1, "root": {"tensor": "missing"}}), "tensor 'missing' is not a tensor of the file"),
    (json.dumps({"version": 1, "root": {"tensor": ["w"]}}), "tensor \\['w'\\] is not a tensor"),
    (json.dumps({"version": 1, "root": {"numpy_scalar": "w"}}), "numpy_scalar 'w' has the shape \\[2\\]"),
    (json.dumps({"version": 1, "root": None}), "tensors \\['w'\\] of the file are not in the structure"),
])
def test_malformed_structure_raises_value_error_naming_the_file(tmp_path, document, problem):
    path = tmp_path / "bad.safetensors"
    save_file({"w": ph.ones(2)}, path, metadata={STRUCTURE_KEY: document})
    with pytest.raises(ValueError, match=problem) as info:
        ph.load(path)
    assert str(path) in str(info.value)


def test_an_array_of_a_dtype_numpy_lacks_is_refused(tmp_path):
    from safetensors.numpy import save
    data = bytearray(save({"a": np.zeros(2, dtype=np.float16)}, metadata={
        STRUCTURE_KEY: json.dumps({"version": 1, "root": {"ndarray": "a"}})}))
    header = data.index(b'"F16"')
    data[header:header + 5] = b'"BF16"'[:5]  # same length: "BF16 → '"BF16' keeps the header the same size
    path = tmp_path / "bf16.safetensors"
    path.write_bytes(bytes(data).replace(b'"BF16,', b'"BF16",', 1))
    with pytest.raises(ValueError) as info:
        ph.load(path)
    assert str(path) in str(info.value)
