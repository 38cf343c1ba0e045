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

Loading reads ``F32`` exactly and converts ``F64``, ``F16``, ``BF16``, ``I8``–``I64``, ``U8``–``U64`` and
``BOOL`` to float32 (Polyhead's only dtype); saving always writes ``F32``.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Mapping, Optional, Tuple, Union

from . import _core
from ._convert import as_tensor
from ._tensor import Tensor

__all__ = ["save_file", "load_file", "atomic_write"]

PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]


def _check_path(filename: Any, function: str) -> None:
    if not isinstance(filename, (str, bytes, os.PathLike)):
        raise TypeError(f"{function}() expects a file path (str or os.PathLike), not {type(filename).__name__}; "
                        "file objects are not supported")


def save_file(tensors: Mapping[str, Any], filename: PathLike, metadata: Optional[Mapping[str, str]] = None) -> None:
    """Saves a dict of tensors to a safetensors file, atomically (float32, in the dict's order).

    Args:
        tensors: names (str) to tensors, numpy arrays or nested lists of numbers (stored as float32).
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
    values = [as_tensor(tensors[name], f"tensor {name!r}") for name in names]
    pairs = dict(metadata or {})
    for key, value in pairs.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"save_file(): metadata must map str to str, got {key!r}: {value!r}")
    _core.safetensors_save(filename, names, values, list(pairs.keys()), list(pairs.values()))


def load_file(filename: PathLike, *, with_metadata: bool = False
              ) -> Union[Dict[str, Tensor], Tuple[Dict[str, Tensor], Dict[str, str]]]:
    """Loads every tensor of a safetensors file (as float32 tensors, in the file's data order).

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
    _check_path(filename, "load_file")
    items, metadata = _core.safetensors_load(filename)
    tensors = dict(items)
    return (tensors, metadata) if with_metadata else tensors


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
