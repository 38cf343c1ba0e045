"""The checkpoint fuzzer's table of Keras model-config mutations: a saved model's JSON description (architecture
and compile arguments) truncated, bit-flipped and with fields replaced by junk, plus junk in place of the whole
description. ``keras_files`` writes each one as ``load_model`` reads it: in the metadata of one safetensors file
(the format ``Model.save`` writes) and in the ``<weights>.json`` beside a weights-only file (the earlier format).
"""

from __future__ import annotations

import json
import random
import struct
from pathlib import Path
from typing import Any, Iterator, List, Sequence, Tuple

CONFIG_KEY = "polyhead.keras.config"
"""The metadata key under which ``Model.save`` stores the description."""

DESCRIPTION_JUNK = ["", "{", "}", "null", "[]", '"model"', "0", "{\"model\": null}", "\u00e9t\u00e9", "\x00",
                    "[" * 100_000, "{\"a\":" * 50_000, "x" * 1_000_000, json.dumps({"model": {"layers": [{}] * 10_000}})]
"""Whole descriptions that are not a model: empty, not JSON, deeply nested, huge."""


def text_mutations(text: str, rng: random.Random, what: str, truncations: int = 1) -> Iterator[Tuple[str, str]]:
    """20 copies of ``text`` with 1-4 bits flipped, then ``truncations`` random truncations of it."""
    data = text.encode()
    for _ in range(20):
        mutated = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            mutated[rng.randrange(len(mutated))] ^= 1 << rng.randrange(8)
        yield f"{what} bits flipped", mutated.decode("utf-8", "surrogateescape")
    for _ in range(truncations):
        yield f"{what} truncated", text[:rng.randrange(len(text))]


def config_mutations(config: str, seed: int, junk: Sequence[Any]) -> Iterator[Tuple[str, str]]:
    """Mutations of a Keras model's JSON description (``junk``: values put in place of fields)."""
    rng = random.Random(seed)
    yield from text_mutations(config, rng, "config")
    meta = json.loads(config)
    layers = meta["model"]["layers"]
    for _ in range(20):
        layer = rng.choice(layers)
        key = rng.choice(["class_name", "name", "inbound", "config"])
        options = dict(layer["config"])
        if options and rng.random() < 0.6:
            option = rng.choice(sorted(options))
            options[option] = rng.choice(junk)
            changed = dict(layer, config=options)
            what = f"{layer['name']}.config.{option} = {options[option]!r}"
        else:
            changed = dict(layer, **{key: rng.choice(list(junk) + ["Dense", "Lambda", "__import__"])})
            what = f"{layer['name']}.{key} = {changed[key]!r}"
        copy = json.loads(config)
        copy["model"]["layers"] = [changed if item is layer else item for item in layers]
        yield what, json.dumps(copy)
    for value in junk[:8]:
        copy = json.loads(config)
        copy["model"]["inputs"][0]["shape"] = value
        yield f"input shape {value!r}", json.dumps(copy)
        copy["model"] = value
        yield f"model {value!r}", json.dumps(copy)
    for text in DESCRIPTION_JUNK:
        yield f"description {text[:20]!r} ({len(text)} characters)", text


def with_metadata(data: bytes, metadata: Any) -> bytes:
    """The valid safetensors file ``data`` with its ``__metadata__`` replaced (None removes it)."""
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    header.pop("__metadata__", None)
    if metadata is not None:
        header = dict(__metadata__=metadata, **header)
    text = json.dumps(header).encode("utf-8", "surrogateescape")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data[8 + length:]


def keras_files(model_file: bytes, folder: Path, seed: int, junk: Sequence[Any]) -> Iterator[Tuple[str, Path]]:
    """For each mutation of the description in ``model_file`` (a file written by ``Model.save``): writes it in
    the one-file and the two-file format under ``folder`` and yields ``(what, the path to load_model)``; then
    the file without its description (no ``.json`` beside it either)."""
    metadata = json.loads(model_file[8:8 + struct.unpack("<Q", model_file[:8])[0]])["__metadata__"]
    one, two = folder / "keras-one.safetensors", folder / "keras-two.safetensors"
    two.write_bytes(with_metadata(model_file, None))
    for what, text in config_mutations(metadata[CONFIG_KEY], seed, junk):
        one.write_bytes(with_metadata(model_file, dict(metadata, **{CONFIG_KEY: text})))
        yield f"one file, {what}", one
        Path(f"{two}.json").write_bytes(text.encode("utf-8", "surrogateescape"))
        yield f"two files, {what}", two
    Path(f"{two}.json").unlink()
    yield "no description", two
    others: List[Tuple[str, Any]] = [("metadata without the format key", {CONFIG_KEY: metadata[CONFIG_KEY]}),
                                     ("description and a huge key", dict(metadata, pad="x" * 10**6))]
    for what, pairs in others:  # still valid
        one.write_bytes(with_metadata(model_file, pairs))
        yield what, one
