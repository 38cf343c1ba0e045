"""Saving and loading model weights: polyhead.save/load of state dicts, Module.save_weights/load_weights.

Round trips give identical predictions; weight files interoperate with the ``safetensors`` package and
PyTorch (when installed); truncated or corrupted weight files and mismatched models raise errors naming the
file and keys; a failed save leaves the previous file intact. The file layer itself: test_io_files.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import nn
from polyhead.io import load_file, save_file


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU())
        self.digit = nn.Linear(8, 4)
        self.parity = nn.Linear(8, 1)

    def forward(self, x):
        h = self.trunk(x)
        return self.digit(h), self.parity(h)


def _predictions(model, x):
    with ph.no_grad():
        return [y.numpy().copy() for y in model(x)]


def _trained_model(seed=0):
    ph.manual_seed(seed)
    model = TwoHeads()
    opt = ph.optim.Adam(model.parameters(), lr=1e-2)
    rng = np.random.default_rng(seed)
    x = ph.tensor(rng.standard_normal((32, 6)).astype(np.float32))
    y = ph.tensor(rng.integers(0, 4, 32))
    for _ in range(5):
        digit, parity = model(x)
        loss = nn.functional.cross_entropy(digit, y) + parity.pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


@pytest.fixture
def x():
    return ph.tensor(np.random.default_rng(1).standard_normal((10, 6)).astype(np.float32))


# ---------------------------------------------------------------- round trips

def test_save_load_state_dict_gives_identical_predictions(tmp_path, x):
    model = _trained_model()
    path = tmp_path / "model.safetensors"
    ph.save(model.state_dict(), path)
    fresh = TwoHeads()
    assert not np.array_equal(_predictions(fresh, x)[0], _predictions(model, x)[0])
    fresh.load_state_dict(ph.load(path))
    for a, b in zip(_predictions(model, x), _predictions(fresh, x)):
        np.testing.assert_array_equal(a, b)


def test_save_weights_load_weights_copy_in_place(tmp_path, x):
    model = _trained_model()
    path = str(tmp_path / "weights.safetensors")
    model.save_weights(path)
    fresh = TwoHeads()
    before = [id(p) for p in fresh.parameters()]
    opt = ph.optim.SGD(fresh.parameters(), lr=0.1)
    assert fresh.load_weights(path) == ([], [])
    assert [id(p) for p in fresh.parameters()] == before
    assert all(p.requires_grad for p in fresh.parameters())
    for a, b in zip(_predictions(model, x), _predictions(fresh, x)):
        np.testing.assert_array_equal(a, b)
    # The optimizer still drives the same parameters.
    loss = sum(y.sum() for y in fresh(x))
    opt.zero_grad()
    loss.backward()
    opt.step()
    assert not np.array_equal(_predictions(fresh, x)[0], _predictions(model, x)[0])


def test_loading_does_not_leak_tensors(tmp_path):
    path = tmp_path / "m.safetensors"
    ph.save(_trained_model().state_dict(), path)
    ph.load(path)
    before = ph._core.debug_live_objects()
    for _ in range(20):
        ph.load(path)
    assert ph._core.debug_live_objects() == before


# ---------------------------------------------------------------- the safetensors package

def test_our_files_load_with_safetensors_numpy(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    from safetensors import safe_open

    model = _trained_model()
    path = str(tmp_path / "ours.safetensors")
    model.save_weights(path)
    arrays = st.load_file(path)
    state = model.state_dict()
    assert set(arrays) == set(state)
    for name, tensor in state.items():
        assert arrays[name].dtype == np.float32
        np.testing.assert_array_equal(arrays[name], tensor.numpy())
    assert arrays["digit.weight"].shape == (4, 8), "torch layout (out, in)"
    with safe_open(path, framework="np") as handle:
        assert handle.metadata() == {"format": "pt"}
    save_file({"s": ph.tensor(2.0), "e": ph.zeros(0, 3)}, path, metadata={"k": "v"})
    arrays = st.load_file(path)
    assert arrays["s"].shape == () and arrays["s"] == 2.0 and arrays["e"].shape == (0, 3)


def test_files_written_by_safetensors_numpy_load_here(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    rng = np.random.default_rng(0)
    arrays = {
        "f32": rng.standard_normal((3, 4)).astype(np.float32),
        "f64": rng.standard_normal(5),
        "f16": np.array([0.5, -2.0, 65504.0, 6e-8, np.inf], np.float16),
        "i64": np.array([-3, 0, 1 << 20], np.int64),
        "i32": np.array([[7, -7]], np.int32),
        "u8": np.array([0, 255], np.uint8),
        "bool": np.array([True, False, True]),
        "scalar": np.array(1.25, np.float32),
    }
    path = str(tmp_path / "theirs.safetensors")
    st.save_file(arrays, path, metadata={"origin": "safetensors"})
    tensors, metadata = load_file(path, with_metadata=True)
    assert metadata == {"origin": "safetensors"}
    assert set(tensors) == set(arrays)
    for name, array in arrays.items():
        assert tensors[name].shape == array.shape, name
        np.testing.assert_array_equal(tensors[name].numpy(), array.astype(np.float32), err_msg=name)
    # A model saved by safetensors loads into a polyhead model.
    model = _trained_model(3)
    st.save_file({k: v.numpy() for k, v in model.state_dict().items()}, path)
    fresh = TwoHeads()
    fresh.load_weights(path)
    x = ph.ones(2, 6)
    np.testing.assert_array_equal(_predictions(fresh, x)[0], _predictions(model, x)[0])


def test_weights_load_into_torch(tmp_path):
    torch = pytest.importorskip("torch")
    st_torch = pytest.importorskip("safetensors.torch")
    model = _trained_model()
    path = str(tmp_path / "for-torch.safetensors")
    model.save_weights(path)

    class TorchTwoHeads(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.trunk = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 8),
                                             torch.nn.ReLU())
            self.digit = torch.nn.Linear(8, 4)
            self.parity = torch.nn.Linear(8, 1)

        def forward(self, x):
            h = self.trunk(x)
            return self.digit(h), self.parity(h)

    twin = TorchTwoHeads()
    twin.load_state_dict(st_torch.load_file(path))
    x = np.random.default_rng(2).standard_normal((5, 6)).astype(np.float32)
    with torch.no_grad():
        theirs = [y.numpy() for y in twin(torch.from_numpy(x))]
    for a, b in zip(_predictions(model, ph.tensor(x)), theirs):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- errors

def _write_weights(tmp_path):
    path = tmp_path / "model.safetensors"
    _trained_model().save_weights(path)
    return path


def test_truncated_file_raises_value_error_naming_the_file(tmp_path):
    data = _write_weights(tmp_path).read_bytes()
    for cut in (0, 5, 8, 40, len(data) // 2, len(data) - 1):
        path = tmp_path / f"cut{cut}.safetensors"
        path.write_bytes(data[:cut])
        with pytest.raises(ValueError, match="truncated") as info:
            ph.load(path)
        assert str(path) in str(info.value)


@pytest.mark.parametrize("position", [0, 7, 8, 9, 20, 60])
def test_corrupted_header_raises_value_error(tmp_path, position):
    data = bytearray(_write_weights(tmp_path).read_bytes())
    data[position] ^= 0xFF
    path = tmp_path / "corrupt.safetensors"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError) as info:
        TwoHeads().load_weights(path)
    assert str(path) in str(info.value)


def test_mismatched_model_raises_value_error_naming_file_key_and_shapes(tmp_path):
    path = _write_weights(tmp_path)

    class Wider(TwoHeads):
        def __init__(self):
            super().__init__()
            self.digit = nn.Linear(8, 5)

    wider = Wider()
    before = wider.digit.weight.detach().numpy().copy()
    trunk_before = wider.trunk[0].weight.detach().numpy().copy()
    with pytest.raises(ValueError) as info:
        wider.load_weights(path)
    message = str(info.value)
    assert str(path) in message and "digit.weight" in message and "[4, 8]" in message and "[5, 8]" in message
    np.testing.assert_array_equal(wider.digit.weight.detach().numpy(), before)
    np.testing.assert_array_equal(wider.trunk[0].weight.detach().numpy(), trunk_before), "nothing copied on error"
    with pytest.raises(ValueError, match="Missing key"):
        nn.Sequential(nn.Linear(6, 16)).load_weights(path)
    partial = nn.ModuleDict({"trunk": nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 8)),
                             "extra": nn.Linear(1, 1)})
    missing, unexpected = partial.load_weights(path, strict=False)
    assert missing == ["extra.weight", "extra.bias"]
    assert unexpected == ["digit.weight", "digit.bias", "parity.weight", "parity.bias"]


# ---------------------------------------------------------------- atomicity

def test_failed_save_leaves_the_previous_file_byte_identical(tmp_path):
    path = _write_weights(tmp_path)
    original = path.read_bytes()
    with pytest.raises(TypeError):
        ph.save({"w": ph.ones(3), "bad": object()}, path)
    with pytest.raises(ValueError):
        save_file({"__metadata__": ph.ones(1)}, path)
    assert path.read_bytes() == original
    # A failure inside the core: the target's directory entry is a non-empty directory → rename fails.
    blocked = tmp_path / "blocked"
    (blocked / "inside").mkdir(parents=True)
    with pytest.raises(OSError, match="rename"):
        ph.save({"w": ph.ones(3)}, blocked)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocked", "model.safetensors"], "temp file removed"
    assert path.read_bytes() == original
