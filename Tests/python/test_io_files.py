"""polyhead.io's file layer: tensor dicts with names, order and metadata (``save_file``/``load_file``,
``ph.save``/``ph.load``), ``atomic_write``, malformed, crafted and hostile files, bad arguments, and atomic
saves under SIGKILL. Model weights: test_io.py.
"""

from __future__ import annotations

import doctest
import os
import pathlib
import pickle
import random
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import polyhead as ph
from polyhead import nn
from polyhead.io import atomic_write, load_file, save_file


def test_load_order_names_and_values(tmp_path):
    state = {"z.weight": ph.arange(6.0).reshape(2, 3), "a.bias": ph.tensor([-1.5, np.inf, -0.0]),
             "scalar": ph.tensor(3.0), "empty": ph.zeros(0, 4)}
    ph.save(state, tmp_path / "s.safetensors")
    loaded = ph.load(tmp_path / "s.safetensors")
    assert list(loaded) == list(state)
    for name, tensor in state.items():
        assert loaded[name].shape == tensor.shape
        np.testing.assert_array_equal(loaded[name].numpy(), tensor.numpy())
        assert not loaded[name].requires_grad


def test_save_file_load_file_with_metadata_and_arrays(tmp_path):
    path = tmp_path / "t.safetensors"
    save_file({"a": np.arange(4, dtype=np.float64), "b": [[1, 2]], "c": ph.ones(3)}, path,
              metadata={"format": "pt", "config": '{"layers": [1, 2]}', "ü": "✓"})
    tensors, metadata = load_file(path, with_metadata=True)
    assert metadata == {"format": "pt", "config": '{"layers": [1, 2]}', "ü": "✓"}
    np.testing.assert_array_equal(tensors["a"].numpy(), [0, 1, 2, 3])
    assert tensors["b"].shape == (1, 2)
    assert list(load_file(os.fsencode(path))) == ["a", "b", "c"]


def test_atomic_write_replaces_bytes(tmp_path):
    path = tmp_path / "config.json"
    atomic_write(path, b"old")
    atomic_write(path, memoryview(b'{"new": true}'))
    assert path.read_bytes() == b'{"new": true}'
    atomic_write(path, b"")
    assert path.read_bytes() == b""
    with pytest.raises(TypeError, match="bytes"):
        atomic_write(path, "text")


def test_docstring_examples():
    import polyhead.io
    import polyhead.serialization

    for module in (polyhead.io, polyhead.serialization):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0 and result.attempted > 0, module.__name__


def test_corrupted_examples_name_the_problem(tmp_path):
    def craft(header: bytes, data: bytes = b"") -> pathlib.Path:
        path = tmp_path / "crafted.safetensors"
        path.write_bytes(len(header).to_bytes(8, "little") + header + data)
        return path

    cases = [
        (b'{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}', b"\0" * 20, "needs 24 bytes"),
        (b'{"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}', b"\0" * 2, "unsupported dtype"),
        (b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
         b"\0" * 4, "duplicate name"),
        (b'{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}',
         b"\0" * 12, "overlap"),
        (b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', b"\0" * 9, "trailing"),
        (b'{"w": nonsense}', b"", "invalid JSON"),
    ]
    for header, data, problem in cases:
        path = craft(header, data)
        with pytest.raises(ValueError, match=problem) as info:
            load_file(path)
        assert str(path) in str(info.value)


def test_file_system_errors_are_oserrors(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.safetensors"):
        ph.load(tmp_path / "missing.safetensors")
    with pytest.raises(IsADirectoryError):
        load_file(tmp_path)
    with pytest.raises(FileNotFoundError, match="no-such-dir"):
        ph.save({"a": ph.ones(1)}, tmp_path / "no-such-dir" / "a.safetensors")


def test_objects_that_are_not_data_are_not_saved(tmp_path):
    path = tmp_path / "x.safetensors"
    with pytest.raises(TypeError, match=r"obj\['net'\] is of type Linear"):
        ph.save({"w": ph.ones(1), "net": nn.Linear(2, 2)}, path)
    with pytest.raises(TypeError, match="state_dict"):
        ph.save(nn.Linear(2, 2), path)
    with pytest.raises(TypeError, match="keys must be str or int"):
        ph.save({1.5: ph.ones(1)}, path)
    with open(os.devnull, "wb") as handle, pytest.raises(TypeError, match="file objects"):
        ph.save({"w": ph.ones(1)}, handle)
    with pytest.raises(ValueError, match="reserved"):
        save_file({"__metadata__": ph.ones(1)}, path)
    assert not path.exists()


def test_a_pickle_is_never_executed(tmp_path):
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"w": Exploit()}))
    with pytest.raises(ValueError, match="evil.pt"):
        ph.load(path)
    assert not marker.exists()


_CRASH_CHILD = textwrap.dedent("""
    import sys
    import numpy as np
    import polyhead as ph
    path, version = sys.argv[1], int(sys.argv[2])
    big = np.empty(8_000_000, np.float32)   # 32 MB per save
    print("ready", flush=True)
    while True:
        version += 1
        big.fill(version)
        ph.save({"big": ph.from_numpy(big), "version": ph.tensor([float(version)])}, path)
""")


def _check_consistent(path):
    state = ph.load(path)
    version = float(state["version"].item())
    big = state["big"].numpy()
    assert big.shape == (8_000_000,)
    assert big[0] == version and big[-1] == version and np.all(big == version), "mixed versions in one file"
    return int(version)


def test_sigkill_during_save_always_leaves_a_loadable_file(tmp_path):
    path = tmp_path / "checkpoint.safetensors"
    big = np.zeros(8_000_000, np.float32)
    ph.save({"big": ph.from_numpy(big), "version": ph.tensor([0.0])}, path)
    rng = random.Random(0)
    start, version, kills, leftovers = time.monotonic(), 0, 0, 0
    while kills < 20 and time.monotonic() - start < 16:
        child = subprocess.Popen([sys.executable, "-c", _CRASH_CHILD, str(path), str(version)],
                                 stdout=subprocess.PIPE, text=True)
        try:
            assert child.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.0, 0.3))
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.wait()
            child.stdout.close()
        kills += 1
        assert child.returncode == -signal.SIGKILL
        loaded = _check_consistent(path)
        assert loaded >= version
        version = loaded
        temps = [p for p in tmp_path.iterdir() if p.name.startswith(".checkpoint.safetensors.tmp-")]
        leftovers += len(temps)
        for temp in temps:
            temp.unlink()
    assert kills >= 10
    assert leftovers > 0, "no kill landed in the middle of a write"
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.safetensors"]
