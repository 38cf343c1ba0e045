"""Integer and bool tensors in safetensors files: ``polyhead.save``/``save_file`` write ``I64``/``I32``/``BOOL``
as PyTorch does, ``polyhead.load``/``load_file`` give the dtypes back, and files written by the ``safetensors``
package (numpy and torch) load with their integer dtypes."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

import polyhead
from polyhead.io import load_file, save_file


def _header(path):
    with open(path, "rb") as file:
        (length,) = struct.unpack("<Q", file.read(8))
        return length, json.loads(file.read(length))


def test_save_writes_integer_dtypes_and_load_restores_them(tmp_path):
    path = tmp_path / "mixed.safetensors"
    state = {"labels": polyhead.tensor([[3, -1], [0, 2**24]]), "mask": polyhead.tensor([True, False, True]),
             "counts": polyhead.tensor([5, 6], dtype=polyhead.int32), "w": polyhead.ones(2, 2),
             "step": polyhead.tensor(7)}
    polyhead.save(state, path)
    length, header = _header(path)
    assert length % 8 == 0 and header["__metadata__"] == {"format": "pt"}
    assert {name: entry["dtype"] for name, entry in header.items() if name != "__metadata__"} == \
        {"labels": "I64", "mask": "BOOL", "counts": "I32", "w": "F32", "step": "I64"}
    assert header["step"]["shape"] == [] and header["labels"]["data_offsets"] == [0, 32]
    loaded = polyhead.load(path)
    assert list(loaded) == list(state)
    for name, tensor in state.items():
        assert loaded[name].dtype is tensor.dtype and loaded[name].tolist() == tensor.tolist(), name


def test_files_of_integer_tensors_load_with_the_safetensors_package(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    path = str(tmp_path / "ours.safetensors")
    save_file({"ids": polyhead.tensor([9, -4]), "on": polyhead.tensor([False, True]), "x": [0.5, 1.5],
               "n": np.array([1, 2], np.int32)}, path, metadata={"k": "v"})
    arrays = st.load_file(path)
    assert {name: a.dtype for name, a in arrays.items()} == {"ids": np.int64, "on": np.bool_, "x": np.float32,
                                                             "n": np.int32}
    assert arrays["ids"].tolist() == [9, -4] and arrays["on"].tolist() == [False, True]
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file as torch_load_file

    tensors = torch_load_file(path)
    assert tensors["ids"].dtype == torch.int64 and tensors["on"].dtype == torch.bool
    assert tensors["n"].dtype == torch.int32 and tensors["ids"].tolist() == [9, -4]


def test_torch_written_integer_tensors_load_as_long(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file as torch_save_file

    path = str(tmp_path / "torch.safetensors")
    torch_save_file({"position_ids": torch.arange(4).reshape(1, 4), "num_batches_tracked": torch.tensor(12),
                     "keep": torch.tensor([True, False]), "small": torch.tensor([-3], dtype=torch.int8),
                     "w": torch.ones(2)}, path)
    loaded = polyhead.load(path)
    assert {name: t.dtype for name, t in loaded.items()} == {
        "position_ids": polyhead.int64, "num_batches_tracked": polyhead.int64, "keep": polyhead.bool,
        "small": polyhead.int64, "w": polyhead.float32}
    assert loaded["position_ids"].tolist() == [[0, 1, 2, 3]] and loaded["num_batches_tracked"].item() == 12
    assert loaded["keep"].tolist() == [True, False] and loaded["small"].tolist() == [-3]


def test_integers_beyond_float32_precision_refuse_to_load(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    path = str(tmp_path / "big.safetensors")
    st.save_file({"ok": np.array([2**24], np.int64), "seed": np.array([2**24 + 1], np.int64)}, path)
    with pytest.raises(ValueError, match="'seed'.*2\\*\\*24"):
        load_file(path)
    st.save_file({"u8": np.array([0, 255], np.uint8), "f64": np.array([0.25])}, path)
    loaded = load_file(path)
    assert loaded["u8"].dtype is polyhead.int64 and loaded["u8"].tolist() == [0, 255]
    assert loaded["f64"].dtype is polyhead.float32


def test_saving_integer_tensors_keeps_the_errors_and_atomicity(tmp_path):
    path = tmp_path / "t.safetensors"
    polyhead.save({"w": polyhead.ones(1)}, path)
    before = path.read_bytes()
    with pytest.raises(ValueError, match="__metadata__"):
        save_file({"__metadata__": polyhead.tensor([1])}, path)
    with pytest.raises(TypeError, match="'bad'"):
        save_file({"bad": ["a", "b"]}, path)
    with pytest.raises(ValueError, match="'big'"):
        save_file({"big": np.array([2**30])}, path)
    assert path.read_bytes() == before
