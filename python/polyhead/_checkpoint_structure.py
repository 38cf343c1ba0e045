"""The structure document of a ``polyhead.save`` checkpoint: nested containers and scalars as JSON, tensors
and numpy arrays by the name under which the safetensors file holds them.

Every value is a node. ``null``, ``true``/``false``, JSON integers and finite floats, and strings stand for
themselves; everything else is an object with exactly one of these tags:

- ``{"float": "nan" | "inf" | "-inf"}``: a float JSON cannot write;
- ``{"list": [node, ...]}``, ``{"tuple": [node, ...]}``;
- ``{"dict": [[key, node], ...]}`` with str or int keys in order, plus ``"class": "OrderedDict"`` or
  ``"Counter"`` when the mapping was one of those;
- ``{"tensor": name}``: a Polyhead tensor of the file's dtype; ``{"ndarray": name}``: a numpy array of the
  file's dtype, read from its bytes exactly; ``{"numpy_scalar": name}``: a numpy scalar stored as a 0-d array.

The document is ``{"version": 1, "root": node}``. A name referenced twice is one object (a tensor shared by
two entries is saved once and loads shared).
"""

from __future__ import annotations

import json
import math
from collections import Counter, OrderedDict
from typing import Any, Dict, Mapping, Set, Tuple

import numpy as np

from . import _core

__all__ = ["STRUCTURE_KEY", "flatten", "parse", "array_names", "rebuild"]

STRUCTURE_KEY = "polyhead.structure"
"""The ``__metadata__`` key under which ``polyhead.save`` stores the structure document."""

_VERSION = 1
_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
_MAPPING_CLASSES = {"OrderedDict": OrderedDict, "Counter": Counter}
_ARRAY_KINDS = "biuf"  # bool, signed and unsigned integers, floats: the numpy types safetensors holds


def _describe(path: str) -> str:
    return "obj" + path


class _Flattener:
    """Turns an object into nodes, collecting its tensors and arrays under unique names."""

    def __init__(self) -> None:
        self.entries: Dict[str, Any] = {}
        self._names: Dict[int, Tuple[Any, str]] = {}  # id of a tensor or array saved → (it, kept alive; its name)
        self._open: Set[int] = set()  # ids of the containers being flattened (a cycle would revisit one)

    def _name(self, value: Any, parts: Tuple[str, ...], stored: Any) -> str:
        if id(value) in self._names:
            return self._names[id(value)][1]
        base = ".".join(parts) or "value"
        name, number = base, 1
        while name in self.entries or name == "__metadata__":
            name, number = f"{base}#{number}", number + 1
        self.entries[name] = stored
        self._names[id(value)] = (value, name)
        return name

    def _array(self, value: np.ndarray, path: str) -> np.ndarray:
        if value.dtype.kind not in _ARRAY_KINDS or value.dtype.itemsize > 8:
            raise TypeError(f"polyhead.save(): {_describe(path)} is a numpy array of dtype {value.dtype}; only "
                            "bool, integer and float16/32/64 arrays can be saved")
        return value

    def node(self, value: Any, path: str, parts: Tuple[str, ...]) -> Any:
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, np.generic):
            array = self._array(np.asarray(value), path)
            return {"numpy_scalar": self._name(value, parts, array)}
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            value = float(value)
            return value if math.isfinite(value) else {"float": str(value)}
        if isinstance(value, _core.Tensor):
            return {"tensor": self._name(value, parts, value.detach())}
        if isinstance(value, np.ndarray):
            return {"ndarray": self._name(value, parts, self._array(value, path))}
        if isinstance(value, Mapping) or type(value) in (list, tuple):
            if id(value) in self._open:
                raise ValueError(f"polyhead.save(): {_describe(path)} contains itself")
            self._open.add(id(value))
            try:
                return self._container(value, path, parts)
            finally:
                self._open.discard(id(value))
        raise TypeError(f"polyhead.save(): {_describe(path)} is of type {type(value).__name__}, which cannot be "
                        "saved (tensors, numpy arrays, dicts, lists, tuples, int, float, bool, str and None can; "
                        "save a module's state_dict(), not the module)")

    def _container(self, value: Any, path: str, parts: Tuple[str, ...]) -> Dict[str, Any]:
        if isinstance(value, Mapping):
            pairs = []
            for key, item in value.items():
                if isinstance(key, bool) or not isinstance(key, (str, int)):
                    raise TypeError(f"polyhead.save(): {_describe(path)} has the key {key!r} of type "
                                    f"{type(key).__name__}; keys must be str or int")
                pairs.append([key if isinstance(key, str) else int(key),
                              self.node(item, f"{path}[{key!r}]", parts + (str(key),))])
            node: Dict[str, Any] = {"dict": pairs}
            for name, cls in _MAPPING_CLASSES.items():
                if isinstance(value, cls):
                    node["class"] = name
                    break
            return node
        items = [self.node(item, f"{path}[{index}]", parts + (str(index),)) for index, item in enumerate(value)]
        return {"list" if isinstance(value, list) else "tuple": items}


def flatten(obj: Any) -> Tuple[str, Dict[str, Any]]:
    """The structure document of ``obj`` (JSON text) and its tensors/arrays by name (in the order met).

    Raises:
        TypeError: a value or key that cannot be saved, naming its key path (``obj['model']['fc']``) and type.
        ValueError: a container that contains itself, or one nested too deeply.
    """
    flattener = _Flattener()
    try:
        root = flattener.node(obj, "", ())
        document = json.dumps({"version": _VERSION, "root": root}, separators=(",", ":"), allow_nan=False)
    except RecursionError:
        raise ValueError("polyhead.save(): the object is nested too deeply to save") from None
    return document, flattener.entries


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"the JSON constant {name} (non-finite floats are written as {{\"float\": ...}})")


class _Rebuilder:
    """Turns nodes back into objects, taking tensors and arrays by name."""

    def __init__(self, tensors: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
        self.tensors = tensors
        self.arrays = arrays
        self.used: Set[str] = set()

    def _named(self, name: Any, tag: str) -> Any:
        if not isinstance(name, str) or name not in self.tensors:
            raise ValueError(f"{tag} {_short(name)} is not a tensor of the file")
        self.used.add(name)
        if tag == "tensor":
            return self.tensors[name]
        array = self.arrays[name]
        if tag == "ndarray":
            return array
        if array.shape != ():
            raise ValueError(f"numpy_scalar {name!r} has the shape {list(array.shape)}, not []")
        return array[()]

    def node(self, node: Any) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if not isinstance(node, dict) or not node:
            raise ValueError(f"a node is {_short(node)}, not a value or a tagged object")
        tag = next(iter(node))
        value = node[tag]
        if tag == "dict" and set(node) <= {"dict", "class"}:
            return self._mapping(value, node.get("class"))
        if len(node) != 1:
            raise ValueError(f"a node has the fields {sorted(node)[:5]}, not one tag")
        if tag in ("list", "tuple"):
            if not isinstance(value, list):
                raise ValueError(f"a {tag} node holds {_short(value)}, not a JSON array")
            items = [self.node(item) for item in value]
            return items if tag == "list" else tuple(items)
        if tag == "float":
            if not isinstance(value, str) or value not in _NON_FINITE:
                raise ValueError(f"a float node holds {_short(value)}, not one of {sorted(_NON_FINITE)}")
            return _NON_FINITE[value]
        if tag in ("tensor", "ndarray", "numpy_scalar"):
            return self._named(value, tag)
        raise ValueError(f"a node has the unknown tag {_short(tag)}")

    def _mapping(self, pairs: Any, class_name: Any) -> Any:
        if class_name is not None and (not isinstance(class_name, str) or class_name not in _MAPPING_CLASSES):
            raise ValueError(f"a dict node has the unknown class {_short(class_name)}")
        if not isinstance(pairs, list):
            raise ValueError(f"a dict node holds {_short(pairs)}, not a JSON array of [key, value] pairs")
        result = _MAPPING_CLASSES[class_name]() if class_name else {}
        for pair in pairs:
            if not isinstance(pair, list) or len(pair) != 2:
                raise ValueError(f"a dict entry is {_short(pair)}, not a [key, value] pair")
            key = pair[0]
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise ValueError(f"a dict key is {_short(key)}, not a str or an int")
            if key in result:
                raise ValueError(f"the dict key {_short(key)} appears twice")
            result[key] = self.node(pair[1])
        return result


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def parse(document: str) -> Any:
    """The root node of a structure document (JSON text).

    Raises:
        ValueError: the document is not JSON (or too deeply nested), or not ``{"version": 1, "root": ...}``.
    """
    try:
        parsed = json.loads(document, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("the structure is nested too deeply") from None
    if not isinstance(parsed, dict) or set(parsed) != {"version", "root"}:
        raise ValueError(f"the document is {_short(parsed)}, not {{\"version\": ..., \"root\": ...}}")
    if parsed["version"] != _VERSION or isinstance(parsed["version"], bool):
        raise ValueError(f"version {_short(parsed['version'])} is not {_VERSION} (a newer Polyhead wrote it?)")
    return parsed["root"]


def array_names(root: Any) -> Set[str]:
    """The names that the nodes under ``root`` load as numpy arrays or scalars (malformed nodes skipped:
    :func:`rebuild` reports them)."""
    names, stack = set(), [root]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for tag, value in node.items():
                if tag in ("ndarray", "numpy_scalar") and isinstance(value, str):
                    names.add(value)
                else:
                    stack.append(value)
    return names


def rebuild(root: Any, tensors: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Any:
    """The object the root node of a structure document describes, with the file's ``tensors`` (name →
    tensor) and the exact numpy ``arrays`` of the names :func:`array_names` gave.

    Raises:
        ValueError: a malformed node, a reference to a tensor the file lacks, or one of the file's tensors
            left unreferenced (the message says which; the caller adds the file's name).
    """
    rebuilder = _Rebuilder(tensors, arrays)
    try:
        result = rebuilder.node(root)
    except RecursionError:
        raise ValueError("the structure is nested too deeply") from None
    unused = [name for name in tensors if name not in rebuilder.used]
    if unused:
        raise ValueError(f"the tensors {unused[:3]} of the file are not in the structure")
    return result
