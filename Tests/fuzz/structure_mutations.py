"""The checkpoint fuzzer's table of ``polyhead.save`` structure-document mutations: the JSON document in a
checkpoint's ``polyhead.structure`` metadata (nested dicts, lists, tuples, scalars and references to the
file's tensors) bit-flipped, truncated, with nodes replaced by junk or by tagged nodes holding junk, with
references renamed, retagged or dropped, plus junk in place of the whole document. ``structure_files``
writes each into the checkpoint's metadata for ``polyhead.load``.
"""

from __future__ import annotations

import json
import random
import struct
from pathlib import Path
from typing import Any, Iterator, List, Sequence, Tuple

from keras_config_mutations import text_mutations, with_metadata

STRUCTURE_KEY = "polyhead.structure"
"""The metadata key under which ``polyhead.save`` stores the document."""

TAGS = ["dict", "list", "tuple", "float", "tensor", "ndarray", "numpy_scalar", "class", "set", "", "Tensor"]
"""Node tags, the known ones and some that are not."""

DOCUMENT_JUNK = ["", "{", "}", "null", "[]", "{}", '{"version": 1}', '{"version": 1, "root": NaN}',
                 '{"version": 1, "root": Infinity}', '{"version": 1, "root": 1e400}', '{"version": 1.0, "root": 1}',
                 '{"version": 1, "root": 1, "root": 2}', "\u00e9t\u00e9", "\x00", "[" * 100_000, '{"a":' * 50_000,
                 "x" * 1_000_000, '{"version": 1, "root": ' + '{"list": [' * 5_000 + "]}" * 5_000 + "}",
                 '{"version": 1, "root": ' + '{"dict": [["k", ' * 400 + "1]]}" * 400 + "}",
                 json.dumps({"version": 1, "root": {"list": [{"tensor": "w"}] * 5_000}}),
                 json.dumps({"version": 1, "root": {"dict": [[str(i), i] for i in range(5_000)]}}),
                 '{"version": 1, "root": ' + "9" * 5_000 + "}"]
"""Whole documents that are not a checkpoint's: empty, not JSON, non-finite, deeply nested, huge."""


def _nodes(node: Any, path: Tuple[Any, ...] = ()) -> Iterator[Tuple[Tuple[Any, ...], Any]]:
    """Every (path, node) under ``node``; a path is the keys/indices leading to it in the parsed JSON."""
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _nodes(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _nodes(value, path + (index,))


def _replaced(document: Any, path: Tuple[Any, ...], value: Any) -> Any:
    """A copy of the parsed ``document`` with the node at ``path`` replaced by ``value``."""
    copy = json.loads(json.dumps(document))
    if not path:
        return value
    parent = copy
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return copy


def structure_mutations(document: str, seed: int, junk: Sequence[Any]) -> Iterator[Tuple[str, str]]:
    """Mutations of a structure document (``junk``: values put in place of nodes and fields)."""
    rng = random.Random(seed)
    yield from text_mutations(document, rng, "document", truncations=3)
    parsed = json.loads(document)
    nodes: List[Tuple[Tuple[Any, ...], Any]] = list(_nodes(parsed))
    references = [(path, node) for path, node in nodes if isinstance(node, dict)
                  and set(node) & {"tensor", "ndarray", "numpy_scalar"}]
    names = [next(iter(node.values())) for _, node in references]
    for _ in range(40):
        path, _ = rng.choice(nodes)
        value = rng.choice(list(junk))
        kind = rng.randrange(4)
        if kind == 0:
            replacement = value
        elif kind == 1:
            replacement = {rng.choice(TAGS): value}
        elif kind == 2:
            replacement = {rng.choice(TAGS): value, rng.choice(TAGS): rng.choice(list(junk))}
        else:
            replacement = {"dict": [[value, rng.choice(list(junk))]] if rng.random() < 0.5 else [value],
                           **({"class": rng.choice(list(junk) + ["OrderedDict", "Counter", "defaultdict"])}
                              if rng.random() < 0.5 else {})}
        yield f"node {list(path)[:6]} = {replacement!r:.80}", json.dumps(_replaced(parsed, path, replacement))
    for path, node in references:
        tag, name = next(iter(node.items()))
        other_tag = rng.choice([t for t in ("tensor", "ndarray", "numpy_scalar") if t != tag])
        yield f"{name} retagged {other_tag}", json.dumps(_replaced(parsed, path, {other_tag: name}))
        other = rng.choice(names + ["", "__metadata__", name + "#1", name.upper()])
        yield f"{name} renamed {other!r}", json.dumps(_replaced(parsed, path, {tag: other}))
        yield f"{name} dropped", json.dumps(_replaced(parsed, path, None))
    for version in junk[:8]:
        yield f"version {version!r}", json.dumps(dict(parsed, version=version))
    for text in DOCUMENT_JUNK:
        yield f"document {text[:20]!r} ({len(text)} characters)", text


def structure_files(checkpoint: bytes, folder: Path, seed: int, junk: Sequence[Any]) -> Iterator[Tuple[str, Path]]:
    """For each mutation of the document in ``checkpoint`` (a file written by ``polyhead.save`` from a nested
    object): writes the file with the mutated document under ``folder`` and yields ``(what, its path)``; then
    the file with its document removed (a plain safetensors file, valid) and with the document not a string."""
    metadata = json.loads(checkpoint[8:8 + struct.unpack("<Q", checkpoint[:8])[0]])["__metadata__"]
    path = folder / "structure.safetensors"
    for what, text in structure_mutations(metadata[STRUCTURE_KEY], seed, junk):
        path.write_bytes(with_metadata(checkpoint, dict(metadata, **{STRUCTURE_KEY: text})))
        yield what, path
    others: List[Tuple[str, Any]] = [("no document (valid)", {"format": "pt"}),
                                     ("document not a string", dict(metadata, **{STRUCTURE_KEY: {"version": 1}}))]
    for what, pairs in others:
        path.write_bytes(with_metadata(checkpoint, pairs))
        yield what, path
