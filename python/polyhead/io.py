"""Tensors in safetensors files: ``save_file``/``load_file`` like the ``safetensors`` package, plus the
atomic-write primitive the higher-level savers build on.

The format is huggingface's safetensors (an 8-byte header length, a JSON header, raw little-endian data), so
files load with ``safetensors.numpy.load_file`` or ``safetensors.torch.load_file``, and files they write load
here. Nothing in a file is ever executed (no pickle).

Every write is atomic: the bytes go to a temporary file in the same directory, which is flushed to disk and
renamed over the target, so a crash at any instant leaves either the old file or the complete new one. Only
a process killed mid-write leaves a hidden ``.<name>.tmp-<pid>-<random>`` file behind.

Errors: ``OSError`` (``FileNotFoundError``, ``PermissionError``, ``IsADirectoryError``, …) for file-system
problems; ``ValueError`` naming the file and the problem for malformed files (truncated, bad header,
unsupported dtype, offsets out of range or overlapping, shape/offset mismatch, duplicate names).

Dtypes: float32 tensors are saved as ``F32``, integer tensors as ``I64``, ``I32`` and ``BOOL`` (as PyTorch
saves them); numpy arrays and lists are saved with the dtype ``polyhead.tensor`` gives them. Loading reads
``F32`` exactly and converts ``F64``, ``F16`` and ``BF16`` to float32; ``I64``, ``I32`` and ``BOOL`` give
tensors of those dtypes, and the other integer types int64 tensors (as ``polyhead.tensor`` does for numpy
arrays). Integers beyond 2**24 in magnitude cannot be held exactly and raise ``ValueError``.
"""

from __future__ import annotations

import json
import os
import struct
from typing import Any, Callable, Dict, Iterable, Mapping, Optional, Tuple, Union

import numpy as np

from . import _core
from ._creation import copy_as_tensor
from ._dtype import bool_, dtype_of, exact_integers, float32, int32, int64, numpy_dtype_of, with_dtype
from ._tensor import Tensor

__all__ = ["save_file", "load_file", "load_tensors_and_arrays", "atomic_write"]

PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]


def _check_path(filename: Any, function: str) -> None:
    if not isinstance(filename, (str, bytes, os.PathLike)):
        raise TypeError(f"{function}() expects a file path (str or os.PathLike), not {type(filename).__name__}; "
                        "file objects are not supported")


_SAFETENSORS_TYPES = {float32: ("F32", "<f4"), int64: ("I64", "<i8"), int32: ("I32", "<i4"), bool_: ("BOOL", "|b1")}
"""The safetensors dtype code and little-endian numpy type each tensor dtype is saved as."""

_NUMPY_TYPES = {"I8": "<i1", "I16": "<i2", "I32": "<i4", "I64": "<i8", "U8": "|u1", "U16": "<u2", "U32": "<u4",
                "U64": "<u8", "BOOL": "|b1"}
"""The numpy type of each integer safetensors dtype, which loads as an integer tensor."""

_ARRAY_TYPES = dict(_NUMPY_TYPES, F16="<f2", F32="<f4", F64="<f8")
"""The numpy type of each safetensors dtype a numpy array is saved and loaded as exactly."""

_ARRAY_CODES = {np.dtype(numpy_type): code for code, numpy_type in _ARRAY_TYPES.items()}
"""The safetensors dtype code of each little-endian numpy type."""


def save_file(tensors: Mapping[str, Any], filename: PathLike, metadata: Optional[Mapping[str, str]] = None) -> None:
    """Saves a dict of tensors to a safetensors file, atomically (in the dict's order, each with its dtype).

    Args:
        tensors: names (str) to tensors, numpy arrays or nested lists of numbers.
        filename: the file to create or replace.
        metadata: str → str pairs stored in the header. Default: None.

    Raises:
        TypeError: a name or metadata entry is not a str, or a value is not array-like.
        ValueError: the name ``"__metadata__"`` (reserved).
        OSError: the file cannot be written (the previous file is then left as it was).

    Examples:
        >>> import os, tempfile, polyhead
        >>> from polyhead.io import save_file, load_file
        >>> path = os.path.join(tempfile.mkdtemp(), "tensors.safetensors")
        >>> save_file({"w": polyhead.ones(2, 3), "b": [0.5, 1.5]}, path, metadata={"format": "pt"})
        >>> {name: tuple(t.shape) for name, t in load_file(path).items()}
        {'w': (2, 3), 'b': (2,)}
    """
    _check_path(filename, "save_file")
    if not isinstance(tensors, Mapping):
        raise TypeError(f"save_file() expects a dict of name → tensor, not {type(tensors).__name__}")
    names = list(tensors.keys())
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"save_file(): tensor names must be str, got {name!r} ({type(name).__name__})")
    values = [value if isinstance(value, _core.Tensor) else copy_as_tensor(value, f"tensor {name!r}")
              for name, value in ((name, tensors[name]) for name in names)]
    pairs = dict(metadata or {})
    for key, value in pairs.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"save_file(): metadata must map str to str, got {key!r}: {value!r}")
    if all(dtype_of(value) is float32 for value in values):
        _core.safetensors_save(filename, names, values, list(pairs.keys()), list(pairs.values()))
    else:
        _save_with_dtypes(filename, names, values, pairs)


def _save_with_dtypes(filename: PathLike, names: list, values: list, metadata: Dict[str, str]) -> None:
    """Writes tensors of several dtypes as the core writes float32 ones (header: ``__metadata__`` first with
    sorted keys, then the tensors in order, padded with spaces to a multiple of 8 bytes), atomically. A numpy
    array among ``values`` keeps its own dtype (one of ``_ARRAY_TYPES``)."""
    if "__metadata__" in names:
        raise ValueError(f"save_file(): '{os.fsdecode(filename)}': the tensor name \"__metadata__\" is reserved "
                         "for the metadata")
    header: Dict[str, Any] = {"__metadata__": dict(sorted(metadata.items()))} if metadata else {}
    chunks, offset = [], 0
    for name, value in zip(names, values):
        if isinstance(value, np.ndarray):
            numpy_type = value.dtype.newbyteorder("<")
            code = _ARRAY_CODES[numpy_type]
        else:
            code, numpy_type = _SAFETENSORS_TYPES[dtype_of(value)]
        chunk = np.asarray(value).astype(numpy_type, copy=False).tobytes()
        header[name] = {"dtype": code, "shape": list(value.shape), "data_offsets": [offset, offset + len(chunk)]}
        chunks.append(chunk)
        offset += len(chunk)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    _core.file_write_atomic(filename, b"".join([struct.pack("<Q", len(text)), text, *chunks]))


def _read_arrays(filename: PathLike, numpy_type: Callable[[str, Any], Optional[str]]) -> Dict[str, np.ndarray]:
    """The tensors of ``filename`` (which the core has read, so its header is valid) for which
    ``numpy_type(name, entry)`` names a numpy type, read from their bytes as arrays of that type.

    Raises:
        ValueError: a header Python's JSON parser refuses (the core accepted it), naming the file.
    """
    arrays = {}
    with open(filename, "rb") as file:
        (length,) = struct.unpack("<Q", file.read(8))
        try:
            header = json.loads(file.read(length))
        except (ValueError, RecursionError) as exc:
            raise ValueError(f"[load_safetensors] '{os.fsdecode(filename)}': invalid JSON header: {exc}") from None
        for name, entry in header.items():
            chosen = numpy_type(name, entry)
            if chosen is None:
                continue
            begin, end = entry["data_offsets"]
            file.seek(8 + length + begin)
            arrays[name] = np.frombuffer(file.read(end - begin), dtype=chosen).reshape(entry["shape"])
    return arrays


def _with_file_dtypes(filename: PathLike, tensors: Dict[str, Tensor], skip: Iterable[str] = ()) -> Dict[str, Tensor]:
    """``tensors`` (as the core loaded them from ``filename``: float32) with each integer tensor of the file
    (but those named in ``skip``) read again from its bytes as an exact integer tensor.

    Raises:
        ValueError: an integer beyond 2**24 in magnitude (not exact in float32 storage), naming the file and
            the tensor; a header Python's JSON parser refuses (the core accepted it).
    """
    path = os.fsdecode(filename)
    skipped = set(skip)
    integers = _read_arrays(filename, lambda name, entry: _NUMPY_TYPES.get(entry.get("dtype"))
                            if name in tensors and name not in skipped else None)
    for name, values in integers.items():
        target = numpy_dtype_of(values)
        values = exact_integers(values, target, f"[load_safetensors] '{path}': tensor {name!r}")
        tensors[name] = with_dtype(_core.from_buffer(values), target)
    return tensors


def load_file(filename: PathLike, *, with_metadata: bool = False
              ) -> Union[Dict[str, Tensor], Tuple[Dict[str, Tensor], Dict[str, str]]]:
    """Loads every tensor of a safetensors file (in the file's data order; integer and bool tensors keep
    their dtype, see the module's notes).

    Args:
        filename: the file to read.
        with_metadata: also return the header's ``__metadata__`` dict. Default: False.

    Returns:
        ``{name: tensor}``, or ``({name: tensor}, {key: value})`` with ``with_metadata=True``.

    Raises:
        OSError: the file cannot be read (``FileNotFoundError`` if it does not exist).
        ValueError: the file is malformed; the message names the file and the problem.

    Examples:
        >>> import os, tempfile, polyhead
        >>> from polyhead.io import save_file, load_file
        >>> path = os.path.join(tempfile.mkdtemp(), "t.safetensors")
        >>> save_file({"x": polyhead.arange(3.0)}, path, metadata={"step": "7"})
        >>> tensors, metadata = load_file(path, with_metadata=True)
        >>> tensors["x"].tolist(), metadata
        ([0.0, 1.0, 2.0], {'step': '7'})
    """
    tensors, _, metadata = load_tensors_and_arrays(filename, lambda metadata: ())
    return (tensors, metadata) if with_metadata else tensors


def load_tensors_and_arrays(filename: PathLike, array_names: Callable[[Dict[str, str]], Iterable[str]]
                            ) -> Tuple[Dict[str, Tensor], Dict[str, np.ndarray], Dict[str, str]]:
    """Loads a safetensors file as ``(tensors, arrays, metadata)``: the tensors that ``array_names(metadata)``
    names as numpy arrays of the file's dtypes, exactly (float64 stays float64, int64 beyond 2**24 stays
    exact), every other one as :func:`load_file` does (the arrays' names keep float32 tensors there too).

    Raises:
        OSError, ValueError: as :func:`load_file`; a ValueError too for an array of a dtype numpy lacks (BF16,
            F8…), naming the file and the tensor.
    """
    _check_path(filename, "load_file")
    items, metadata = _core.safetensors_load(filename)
    wanted = set(array_names(metadata)) & {name for name, _ in items}

    def numpy_type(name: str, entry: Any) -> Optional[str]:
        if name not in wanted:
            return None
        if entry.get("dtype") not in _ARRAY_TYPES:
            raise ValueError(f"'{os.fsdecode(filename)}': tensor {name!r} is of dtype {entry.get('dtype')}, which "
                             "numpy cannot hold exactly")
        return _ARRAY_TYPES[entry["dtype"]]

    arrays = {name: values.copy() for name, values in _read_arrays(filename, numpy_type).items()} if wanted else {}
    return _with_file_dtypes(filename, dict(items), wanted), arrays, metadata


def atomic_write(filename: PathLike, data: Any) -> None:
    """Replaces the file at ``filename`` with the bytes ``data`` (any bytes-like object) atomically.

    Afterwards the file holds either its old contents or exactly ``data``, even if the process dies in
    between. Meant for files saved next to weights, such as a model's JSON configuration.

    Raises:
        OSError: the file cannot be written (the previous file is then left as it was).

    Examples:
        >>> import os, tempfile
        >>> from polyhead.io import atomic_write
        >>> path = os.path.join(tempfile.mkdtemp(), "config.json")
        >>> atomic_write(path, b'{"layers": []}')
        >>> open(path, "rb").read()
        b'{"layers": []}'
    """
    _check_path(filename, "atomic_write")
    if isinstance(data, str):
        raise TypeError("atomic_write() expects bytes, not str (encode it first)")
    _core.file_write_atomic(filename, data)


def save_module_weights(module: Any, filename: PathLike) -> None:
    """``module.state_dict()`` (parameters and persistent buffers) to a safetensors file, atomically.
    The implementation of ``nn.Module.save_weights``."""
    save_file(module.state_dict(), filename, metadata={"format": "pt"})


def load_module_weights(module: Any, filename: PathLike, strict: bool = True) -> Any:
    """Loads a safetensors file into ``module`` with ``load_state_dict``; the implementation of
    ``nn.Module.load_weights``. Mismatches become a ValueError naming the file."""
    tensors = load_file(filename)
    try:
        return module.load_state_dict(tensors, strict=strict)
    except RuntimeError as exc:
        raise ValueError(f"cannot load the weights in '{os.fsdecode(filename)}' into {type(module).__name__}: "
                         f"{exc}") from None
