"""``polyhead.save`` / ``polyhead.load``: torch-style saving of state dicts, as safetensors files.

Unlike ``torch.save`` nothing is pickled: only tensors can be saved, so loading a file can never run code.
A file written by ``polyhead.save`` loads with ``safetensors.torch.load_file`` (and ``torch.load`` users
switch to that), and ``polyhead.load`` reads files written by ``safetensors.torch.save_file``.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Dict, Mapping

from . import _core
from .io import PathLike, _check_path, load_file, save_file

__all__ = ["save", "load"]


def _flatten(obj: Mapping[Any, Any], prefix: str, out: Dict[str, Any]) -> None:
    for key, value in obj.items():
        if not isinstance(key, str):
            raise TypeError(f"polyhead.save(): keys must be str, got {key!r} ({type(key).__name__})")
        name = prefix + key
        if isinstance(value, Mapping):
            _flatten(value, name + ".", out)
        elif isinstance(value, _core.Tensor):
            if name in out:
                raise ValueError(f"polyhead.save(): two entries flatten to the same name {name!r}")
            out[name] = value
        else:
            raise TypeError(f"polyhead.save() stores tensors only (safetensors, no pickle): {name!r} is of type "
                            f"{type(value).__name__}; keep other values in a separate file (e.g. JSON)")


def save(obj: Mapping[str, Any], f: PathLike) -> None:
    """Saves a state dict (``{name: tensor}``) to the file ``f`` as safetensors, atomically.

    Nested dicts are flattened with dots (``{"net": {"w": t}}`` is stored as ``"net.w"``); ``load``
    returns the flat dict. The previous file at ``f`` survives any error or crash during the write.

    Args:
        obj: a dict (e.g. ``module.state_dict()``) of str keys to tensors or nested dicts of them.
        f: the file path (str or os.PathLike).

    Raises:
        TypeError: ``obj`` is not a dict, or holds a value that is not a tensor (no pickling).
        OSError: the file cannot be written.

    Examples:
        >>> import os, tempfile, polyhead
        >>> from polyhead import nn
        >>> net = nn.Linear(3, 2)
        >>> path = os.path.join(tempfile.mkdtemp(), "net.safetensors")
        >>> polyhead.save(net.state_dict(), path)
        >>> nn.Linear(3, 2).load_state_dict(polyhead.load(path))
        IncompatibleKeys(missing_keys=[], unexpected_keys=[])
    """
    _check_path(f, "polyhead.save")
    if not isinstance(obj, Mapping):
        raise TypeError(f"polyhead.save() stores a dict of tensors (a state dict), not a {type(obj).__name__}; "
                        "use module.state_dict()")
    flat: Dict[str, Any] = {}
    _flatten(obj, "", flat)
    save_file(flat, f, metadata={"format": "pt"})


def load(f: PathLike, map_location: Any = None, weights_only: Any = None, **kwargs: Any) -> "OrderedDict[str, Any]":
    """Loads a safetensors file into an ``OrderedDict`` of name → tensor (in the file's order).

    Args:
        f: the file path (str or os.PathLike).
        map_location: accepted for torch compatibility; tensors always live on the CPU (None or "cpu").
        weights_only: accepted for torch compatibility; loading is always weights only.

    Raises:
        OSError: the file cannot be read (``FileNotFoundError`` if missing).
        ValueError: the file is malformed (the message names the file and the problem), or a device other
            than the CPU is asked for.
    """
    if map_location not in (None, "cpu") and str(map_location) != "cpu":
        raise ValueError(f"polyhead.load(): tensors live on the CPU; map_location={map_location!r} is not supported")
    if kwargs:
        raise TypeError(f"polyhead.load() got unexpected keyword arguments {sorted(kwargs)}")
    return OrderedDict(load_file(f))
