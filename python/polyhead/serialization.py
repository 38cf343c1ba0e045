"""``polyhead.save`` / ``polyhead.load``: torch-style checkpoints as safetensors files.

``polyhead.save({'epoch': 3, 'model': model.state_dict(), 'optimizer': optimizer.state_dict()}, path)`` and
``polyhead.load(path)`` work as with torch, but nothing is pickled, so loading a file can never run code: the
tensors (and numpy arrays) are the file's tensors, and the dicts, lists, tuples and Python scalars around
them are a JSON document in the header's ``__metadata__`` (key ``polyhead.structure``, see
``_checkpoint_structure.py``). A flat dict of tensors (a state dict) is written without that document, so
``safetensors.torch.load_file`` reads it as it is; ``polyhead.load`` reads files written by
``safetensors.torch.save_file`` too.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from typing import Any, Mapping

import numpy as np

from . import _core
from ._checkpoint_structure import STRUCTURE_KEY, array_names, flatten, parse, rebuild
from .io import PathLike, _check_path, _save_with_dtypes, load_tensors_and_arrays, save_file

__all__ = ["save", "load"]


def _is_state_dict(obj: Any) -> bool:
    """Whether ``obj`` is a flat dict of str → tensor, written as a plain safetensors file."""
    return isinstance(obj, Mapping) and "__metadata__" not in obj and all(
        isinstance(key, str) and isinstance(value, _core.Tensor) for key, value in obj.items())


def save(obj: Any, f: PathLike) -> None:
    """Saves ``obj`` to the file ``f`` as safetensors, atomically, like ``torch.save`` without pickle.

    ``obj`` may nest dicts (str or int keys; ``OrderedDict`` and ``Counter`` are kept), lists and tuples
    around tensors (of any Polyhead dtype), numpy arrays and scalars (bool, integer and float16/32/64, kept
    exactly), and ``int``, ``float`` (also nan/inf), ``bool``, ``str`` and ``None``: a whole training
    checkpoint. A flat dict of tensors (``module.state_dict()``) is written as a plain safetensors file with
    the same names. The previous file at ``f`` survives any error or crash during the write. Tensors are
    saved detached; a tensor found twice is saved once and loads as one tensor.

    Args:
        obj: the object to save.
        f: the file path (str or os.PathLike).

    Raises:
        TypeError: a value that cannot be saved (a module, a function, an instance of another class), or a
            key that is neither str nor int; the message names its key path, e.g. ``obj['model']['fc']``.
        ValueError: a container that contains itself.
        OSError: the file cannot be written.

    Examples:
        >>> import os, tempfile, polyhead
        >>> from polyhead import nn, optim
        >>> net = nn.Linear(3, 2)
        >>> opt = optim.Adam(net.parameters(), lr=0.01)
        >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.safetensors")
        >>> polyhead.save({"epoch": 4, "model": net.state_dict(), "optimizer": opt.state_dict(),
        ...                "tasks": ("seg", "depth")}, path)
        >>> ckpt = polyhead.load(path)
        >>> nn.Linear(3, 2).load_state_dict(ckpt["model"])
        IncompatibleKeys(missing_keys=[], unexpected_keys=[])
        >>> ckpt["epoch"], ckpt["tasks"], ckpt["optimizer"]["param_groups"][0]["betas"]
        (4, ('seg', 'depth'), (0.9, 0.999))
    """
    _check_path(f, "polyhead.save")
    if _is_state_dict(obj):
        save_file(obj, f, metadata={"format": "pt"})
        return
    document, entries = flatten(obj)
    metadata = {"format": "pt", STRUCTURE_KEY: document}
    if any(isinstance(value, np.ndarray) for value in entries.values()):
        _save_with_dtypes(f, list(entries), list(entries.values()), metadata)
    else:
        save_file(entries, f, metadata=metadata)


def _check_map_location(map_location: Any) -> None:
    """Refuses a ``map_location`` asking for a device other than the CPU (the only one)."""
    targets = map_location.values() if isinstance(map_location, Mapping) else [map_location]
    for target in targets:
        if target is not None and not callable(target) and str(target) != "cpu":
            raise ValueError(f"polyhead.load(): tensors live on the CPU; map_location={map_location!r} is not "
                             "supported")


def load(f: PathLike, map_location: Any = None, weights_only: Any = None, **kwargs: Any) -> Any:
    """Loads what :func:`save` wrote: the same nesting of dicts, lists and tuples, with tensors of the saved
    dtypes (not requiring grad), numpy arrays and scalars. A file without structure (a plain safetensors
    file, e.g. from ``safetensors.torch.save_file``) loads as an ``OrderedDict`` of name → tensor in the
    file's order.

    Args:
        f: the file path (str or os.PathLike).
        map_location: as ``torch.load``: None, ``"cpu"`` (or a CPU device), a dict of location → ``"cpu"``, or a
            function ``fn(tensor, "cpu")`` applied to each loaded tensor (``lambda storage, loc: storage``).
            Tensors always live on the CPU; another device is a ValueError.
        weights_only: accepted for torch compatibility and ignored: loading never unpickles, so it is always
            as safe as torch's ``weights_only=True``, and still returns the numbers and strings saved.

    Raises:
        OSError: the file cannot be read (``FileNotFoundError`` if missing).
        ValueError: the file or its structure document is malformed (the message names the file and the
            problem), or a device other than the CPU is asked for.
        TypeError: an unknown keyword argument.
    """
    _check_map_location(map_location)
    if kwargs:
        raise TypeError(f"polyhead.load() got unexpected keyword arguments {sorted(kwargs)}")
    roots = []  # the structure's root node, parsed while the file is read

    def arrays_of(metadata: Mapping[str, str]) -> Any:
        if STRUCTURE_KEY in metadata:
            roots.append(_malformed(f, parse, metadata[STRUCTURE_KEY]))
            return array_names(roots[0])
        return ()

    tensors, arrays, _ = load_tensors_and_arrays(f, arrays_of)
    if callable(map_location):
        tensors = {name: _mapped(map_location, name, tensor) for name, tensor in tensors.items()}
    if not roots:
        return OrderedDict(tensors)
    return _malformed(f, rebuild, roots[0], tensors, arrays)


def _malformed(f: PathLike, function: Any, *args: Any) -> Any:
    """``function(*args)``, with a ValueError it raises naming the file ``f``."""
    try:
        return function(*args)
    except ValueError as exc:
        raise ValueError(f"polyhead.load(): '{os.fsdecode(f)}': malformed checkpoint structure: {exc}") from None


def _mapped(map_location: Any, name: str, tensor: Any) -> Any:
    """``map_location(tensor, "cpu")``, which must give a tensor."""
    result = map_location(tensor, "cpu")
    if not isinstance(result, _core.Tensor):
        raise TypeError(f"polyhead.load(): map_location returned {type(result).__name__} for the tensor {name!r}, "
                        "not a tensor")
    return result
