"""Checkpoint fuzzer: mutated safetensors files (and Keras model configs) through every Polyhead loader.

Valid files are made first (``polyhead.save``, ``polyhead.io.save_file`` with metadata, empty and scalar
tensors, every dtype the ``safetensors`` package writes, a trained ``polyhead.keras`` model with its optimizer
state and its JSON config in the metadata), then mutated with seeded loops:

- truncations at every offset of each file;
- random bit flips and bytes set to interesting values (``{ " \\ 0x00 0xff 0x80 0xc0``);
- header length fields of 0, 1, 7, one off, the file size, 2**63, 2**64 - 1, 100,000,001;
- JSON header mutations: wrong or unknown dtypes, shapes whose product overflows, negative, float or string
  dimensions, offsets out of range, overlapping, reversed, unsorted (still valid), duplicate names, extra
  fields, non-object entries, non-string metadata, non-UTF-8 names, deep nesting, huge headers, trailing
  and missing data bytes, headers spliced onto another file's data;
- Keras model configs truncated, bit-flipped, with fields replaced by junk, or junk as a whole (not JSON, deep,
  huge), in the file's metadata and in the earlier ``<model>.json`` beside it (``keras_config_mutations.py``).

Every load must end in a valid result or in ``ValueError``/``OSError`` whose message names the file — never a
crash, a hang or a huge allocation. Loads that succeed are checked against the ``safetensors`` package
(same names, shapes and float32 values). Workers run in subprocesses under an address-space limit; the driver
keeps the file that crashed one as ``crash-checkpoint-<seed>.safetensors``.

    python checkpoint_fuzz.py run --mutations 50000 --out /tmp/ckpt-fuzz
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import struct
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from fuzz_driver import run_worker  # noqa: E402
from keras_config_mutations import keras_files  # noqa: E402
from structure_mutations import structure_files  # noqa: E402

INTERESTING_BYTES = b'{}"\\\x00\xff\x80\xc0[],:0 '
LENGTHS = [0, 1, 2, 7, 8, 2**31, 2**32 + 8, 2**63, 2**64 - 1, 100_000_001]
DTYPES = ["F32", "F64", "F16", "BF16", "I8", "U8", "I16", "U16", "I32", "U32", "I64", "U64", "BOOL", "F8_E4M3",
          "C64", "f32", "", "F32 ", "F3\u00e92"]
JUNK = [None, True, -1, 0, 1.5, 2**31, 2**62, 2**63, 2**64, -2**63, 1e400, "x", "", [], {}, [1, 2, 3], [[1]],
        {"a": 1}, [-1, 8], [2**62, 2**62], [2**31, 2**31, 0], [0, 2**63], [8, 0], [0, 4, 8], ["0", "4"]]


# ---------------------------------------------------------------------------------------------------------
# valid files and their mutations
# ---------------------------------------------------------------------------------------------------------


def make_valid_files(folder: Path) -> Dict[str, bytes]:
    """Small valid checkpoints (name → bytes): Polyhead's own and ones the ``safetensors`` package writes."""
    import numpy as np

    import polyhead as ph
    from polyhead import keras
    files: Dict[str, bytes] = {}
    ph.manual_seed(0)
    ph.save({"w": ph.randn(2, 3), "b": ph.randn(3)}, folder / "state.safetensors")
    ph.io.save_file({"scalar": ph.tensor(1.5), "empty": ph.zeros(0, 4), "v": ph.arange(5.0)},
                    folder / "meta.safetensors", metadata={"step": "7", "note": "\u00e9t\u00e9"})
    ph.nn.Linear(3, 2).save_weights(folder / "linear.safetensors")
    inputs = keras.Input(shape=(3,))
    outputs = keras.layers.Dense(2, activation="softmax")(keras.layers.Dense(4, activation="relu")(inputs))
    model = keras.Model(inputs, outputs)
    model.compile("adam", "categorical_crossentropy")  # saved with Adam's moments and step counts
    model.fit(np.ones((4, 3), np.float32), np.eye(2, dtype=np.float32)[[0, 1, 0, 1]], batch_size=2, verbose=0)
    model.save(folder / "model.safetensors")
    net = ph.nn.Linear(3, 2)
    opt = ph.optim.Adam(net.parameters())
    net(ph.randn(4, 3)).sum().backward()
    opt.step()
    ph.save({"epoch": 3, "model": net.state_dict(), "optimizer": opt.state_dict(), "best": float("inf"),
             "tasks": ("seg", "depth"), "arrays": [np.arange(3, dtype=np.float64), np.float32(0.5)],
             "labels": ph.tensor([1, 0, 2]), 7: None}, folder / "checkpoint.safetensors")
    for path in folder.glob("*.safetensors"):
        files[path.name] = path.read_bytes()
    try:
        from safetensors.numpy import save
    except ImportError:
        return files
    rng = np.random.default_rng(0)
    arrays = {"f64": rng.standard_normal((2, 2)), "f16": rng.standard_normal(3).astype(np.float16),
              "i8": np.arange(-3, 3, dtype=np.int8), "u8": np.arange(4, dtype=np.uint8),
              "i64": np.array([2**40, -5], dtype=np.int64), "b": np.array([True, False]),
              "u16": np.arange(3, dtype=np.uint16), "i32": np.arange(2, dtype=np.int32)}
    files["dtypes.safetensors"] = save(arrays, metadata={"format": "np"})
    return files


def split(data: bytes) -> Tuple[dict, bytes]:
    """The header (as a dict) and the data section of a valid file."""
    (length,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8:8 + length]), data[8 + length:]


def assemble(header: Any, body: bytes, pad: bool = True) -> bytes:
    """A file from a header (a dict, or JSON text/bytes) and data bytes, with a correct length field."""
    text = header if isinstance(header, bytes) else (header if isinstance(header, str) else json.dumps(header)).encode(
        "utf-8", "surrogateescape")
    if pad:
        text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + body


def json_mutations(data: bytes, rng: random.Random) -> Iterator[Tuple[str, bytes]]:
    """Structural mutations of the header of a valid file."""
    header, body = split(data)
    names = [n for n in header if n != "__metadata__"]
    if not names:
        return
    name = rng.choice(names)
    for field, values in (("dtype", DTYPES + JUNK), ("shape", JUNK), ("data_offsets", JUNK)):
        value = rng.choice(values)
        yield f"{name}.{field} = {value!r}", assemble(dict(header, **{name: dict(header[name], **{field: value})}), body)
    entry = header[name]
    yield f"{name} shifted by 4", assemble(dict(header, **{name: dict(entry, data_offsets=[
        entry["data_offsets"][0] + 4, entry["data_offsets"][1] + 4])}), body)
    yield f"{name} ends beyond the data", assemble(dict(header, **{name: dict(entry, data_offsets=[
        entry["data_offsets"][0], len(body) + 8])}), body)
    yield f"{name} reversed offsets", assemble(dict(header, **{name: dict(entry, data_offsets=entry["data_offsets"][::-1])}), body)
    yield f"{name} removed", assemble({k: v for k, v in header.items() if k != name}, body)
    yield f"{name} has an extra field", assemble(dict(header, **{name: dict(entry, extra=1)}), body)
    yield f"{name} is {rng.choice(JUNK)!r}", assemble(dict(header, **{name: rng.choice(JUNK)}), body)
    yield f"{name} overflows", assemble(dict(header, **{name: dict(entry, shape=[2**62, 2**62, 0 if rng.random() < 0.5 else 4])}), body)
    shuffled = list(header.items())
    rng.shuffle(shuffled)
    yield "entries shuffled (valid)", assemble(dict(shuffled), body)
    text = json.dumps(header)
    if len(names) > 1:
        other = rng.choice([n for n in names if n != name])
        yield f"duplicate name {name}", assemble(text.replace(json.dumps(other) + ":", json.dumps(name) + ":", 1), body)
    yield "non-UTF-8 name", assemble(text.encode().replace(json.dumps(name).encode(), b'"\xff\xfe' + name.encode() + b'"', 1), body)
    yield "lone surrogate escape", assemble(text.replace(json.dumps(name), '"\\ud800"', 1), body)
    yield "metadata not strings", assemble(dict(header, __metadata__={"k": rng.choice(JUNK)}), body)
    yield "metadata is " + repr(rng.choice(JUNK)), assemble(dict(header, __metadata__=rng.choice(JUNK)), body)
    depth = rng.choice([10, 63, 64, 65, 1000, 100_000])
    yield f"nested {depth} deep", assemble(dict(header, __metadata__={"k": "v"}).__repr__().replace("'", '"')[:-1]
                                           + ', "deep": ' + "[" * depth + "]" * depth + "}", body)
    yield "huge metadata (valid)", assemble(dict(header, __metadata__={"pad": "x" * rng.choice([10**5, 10**6])}), body)
    yield "many tensors (valid)", assemble(dict(header, **{f"e{i}": {"dtype": "F32", "shape": [0], "data_offsets": [
        0, 0]} for i in range(rng.choice([10, 5000]))}), body)
    yield "garbage after the JSON", assemble(text + rng.choice(["x", "}", "\x00", ",{}"]), body)
    yield "unpadded (valid)", assemble(header, body, pad=False)
    yield "trailing data bytes", assemble(header, body + b"\x00" * rng.choice([1, 4, 8]))
    yield "data missing its last bytes", assemble(header, body[:-rng.choice([1, 4])] if body else b"")
    yield "number forms", assemble(text.replace("[0, ", rng.choice(["[0.0, ", "[-0, ", "[0e0, ", "[00, ", "[1e400, "]), 1), body)


def mutations(files: Dict[str, bytes], seed: int) -> Iterator[Tuple[str, str, bytes]]:
    """(base file, description, mutated bytes) for one seed: truncations of one file at every offset, then
    random byte-level and JSON mutations of every file."""
    rng = random.Random(seed)
    names = sorted(files)
    base = names[seed % len(names)]
    data = files[base]
    for offset in range(len(data)):
        yield base, f"truncated to {offset} bytes", data[:offset]
    for name in names:
        data = files[name]
        if name.endswith(".json"):
            continue
        for _ in range(40):
            mutated = bytearray(data)
            kind = rng.randrange(4)
            if kind == 0:
                positions = [rng.randrange(len(data)) for _ in range(rng.randint(1, 8))]
                for p in positions:
                    mutated[p] ^= 1 << rng.randrange(8)
                description = f"bits flipped at {positions}"
            elif kind == 1:
                p = rng.randrange(min(len(data), 8 + struct.unpack("<Q", data[:8])[0] + 8))
                mutated[p] = rng.choice(INTERESTING_BYTES)
                description = f"byte {p} = {mutated[p]:#x}"
            elif kind == 2:
                value = rng.choice(LENGTHS + [len(data) - 8, len(data) - 7, struct.unpack("<Q", data[:8])[0] + rng.choice([-1, 1])])
                mutated[:8] = struct.pack("<Q", value % 2**64)
                description = f"header length {value}"
            else:
                other = files[rng.choice([n for n in names if not n.endswith(".json")])]
                mutated = bytearray(data[:8 + struct.unpack("<Q", data[:8])[0]] + split(other)[1])
                description = "header spliced onto another file's data"
            yield name, description, bytes(mutated)
        for description, mutated in json_mutations(data, rng):
            yield name, description, mutated


# ---------------------------------------------------------------------------------------------------------
# worker: loads every mutation
# ---------------------------------------------------------------------------------------------------------


def check_load(what: str, path: Path, loaders: List[Tuple[str, Callable[[Path], Any]]], stats: Dict[str, Any],
               reference: Callable[[bytes], Any], data: bytes, seconds: float = 2.0) -> None:
    """Runs each loader on ``path`` (the mutation ``what``); files outcomes into ``stats`` and problems into
    ``stats['findings']``. A MemoryError is accepted from ``load_model`` only: a config may ask for layers
    larger than the machine, which must be refused before allocating."""
    import numpy as np
    for label, load in loaders:
        started = time.perf_counter()
        try:
            result = load(path)
            outcome = "loaded"
        except (ValueError, OSError) as exc:
            outcome = type(exc).__name__
            if str(path) not in str(exc) and path.name not in str(exc):
                stats["findings"].append(f"{what}: {label} {type(exc).__name__} does not name the file: {str(exc)[:200]}")
            result = None
        except MemoryError as exc:
            outcome = "MemoryError"
            if label != "keras load_model":
                stats["findings"].append(f"{what}: {label} MemoryError: {str(exc)[:200]}")
            result = None
        except Exception as exc:  # anything else is not the documented contract
            outcome = type(exc).__name__
            stats["findings"].append(f"{what}: {label} {type(exc).__name__}: {str(exc)[:200]}")
            result = None
        elapsed = time.perf_counter() - started
        if elapsed > seconds:
            stats["findings"].append(f"{what}: {label} took {elapsed:.1f} s")
        stats["outcomes"][f"{label}: {outcome}"] = stats["outcomes"].get(f"{label}: {outcome}", 0) + 1
        if label != "load_file" or reference is None:
            continue
        try:
            expected = reference(data)
        except Exception:
            expected = None
        if (result is None) != (expected is None):
            key = "only polyhead loads" if expected is None else "only safetensors loads"
            stats["disagreements"][key] = stats["disagreements"].get(key, 0) + 1
            examples = stats["disagreements"].setdefault(key + " (examples)", [])
            if len(examples) < 5 and what.split(": ", 1)[1] not in [e.split(": ", 1)[1] for e in examples]:
                examples.append(what)
        elif result is not None:  # the same tensors (safetensors returns them in hash order)
            if set(result) != set(expected):
                stats["findings"].append(f"{what}: {label} names differ from safetensors: {sorted(result)[:5]} vs "
                                         f"{sorted(expected)[:5]}")
                continue
            with np.errstate(all="ignore"):
                differ = [k for k in result if not np.array_equal(
                    result[k].numpy(), np.asarray(expected[k]).astype(np.float32), equal_nan=True)]
            if differ:
                stats["findings"].append(f"{what}: {label} values of {differ[:3]} differ from safetensors")


def worker_main(args: argparse.Namespace) -> int:
    limit = int(os.environ.get("POLYHEAD_FUZZ_AS_LIMIT", str(4 << 30)))
    if limit > 0:  # a huge allocation becomes a MemoryError (a finding), not a machine in swap
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import polyhead as ph
    from polyhead import keras
    try:
        from safetensors.numpy import load as reference
    except ImportError:
        reference = None
    folder = Path(args.log).parent / f"valid-{args.seed}"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    files = make_valid_files(folder)
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(keras.layers.Dense(4, activation="relu")(inputs)))
    linear = ph.nn.Linear(3, 2)
    loaders = [("load_file", lambda p: ph.io.load_file(p, with_metadata=True)[0]), ("polyhead.load", ph.load),
               ("Module.load_weights", linear.load_weights), ("keras load_weights", model.load_weights)]
    keras_loader = [("keras load_model", keras.load_model)]
    stats: Dict[str, Any] = {"loads": 0, "mutations": 0, "outcomes": {}, "findings": [], "disagreements": {}}
    target = Path(args.log).parent / f"mutant-{args.seed}.safetensors"
    log = open(args.log, "w")
    started = time.time()
    try:
        for index, (base, description, data) in enumerate(mutations(files, args.seed)):
            log.write(f"{index} {base}: {description}\n")
            log.flush()
            target.write_bytes(data)
            chosen = loaders[:1] + [loaders[1 + index % 3]] + (keras_loader if base == "model.safetensors" else [])
            check_load(f"{base}: {description}", target, chosen, stats, reference, data)
            stats["mutations"] += 1
            stats["loads"] += len(chosen)
        for description, size, length in (("header length over the 100 MB limit", 150_000_000, 100_000_001),
                                          ("100 MB header of zeros", 100_000_100, 99_999_992)):
            log.write(f"sparse file: {description}\n")
            log.flush()
            target.write_bytes(struct.pack("<Q", length) + b"{")
            os.truncate(target, size)  # sparse: no disk or memory is used for the zeros
            # reading 100 MB takes seconds on a busy machine: a hang, not the read, is the finding here
            check_load(f"sparse file: {description}", target, loaders[:1], stats, None, b"", seconds=30.0)
            stats["mutations"] += 1
            stats["loads"] += 1
        target.unlink()
        for kind, mutated, chosen in (("config", keras_files(files["model.safetensors"], folder, args.seed, JUNK),
                                       keras_loader),
                                      ("structure", structure_files(files["checkpoint.safetensors"], folder,
                                                                    args.seed, JUNK), loaders[1:2])):
            for description, path in mutated:
                log.write(f"{kind}: {description}\n")
                log.flush()
                check_load(f"{kind}: {description}", path, chosen, stats, None, b"")
                stats["mutations"] += 1
                stats["loads"] += 1
    finally:
        log.close()
        stats["seconds"] = round(time.time() - started, 2)
        stats["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        Path(args.stats).write_text(json.dumps(stats))
    return 0


# ---------------------------------------------------------------------------------------------------------
# driver
# ---------------------------------------------------------------------------------------------------------


def run_checkpoint_fuzz(mutation_count: int, workdir: Path, first_seed: int = 0, timeout: float = 300.0,
                        progress: bool = False) -> Dict[str, Any]:
    """Runs one worker per seed until ``mutation_count`` mutated files were loaded; returns the totals with
    ``crashes`` (reason, the last mutation logged, and the kept file) and ``findings``."""
    workdir.mkdir(parents=True, exist_ok=True)
    total: Dict[str, Any] = {"loads": 0, "mutations": 0, "batches": 0, "outcomes": {}, "findings": [],
                             "disagreements": {}, "crashes": [], "max_rss_mib": 0}
    started, seed = time.time(), first_seed
    while total["mutations"] < mutation_count:
        log, stats_path = workdir / f"ckpt-log-{seed}.txt", workdir / f"ckpt-stats-{seed}.json"
        command = [sys.executable, str(HERE / "checkpoint_fuzz.py"), "worker", "--seed", str(seed), "--log", str(log),
                   "--stats", str(stats_path)]
        _, stderr, reason = run_worker(command, workdir, timeout)
        total["batches"] += 1
        if reason or not stats_path.exists():
            last = log.read_text(errors="replace").splitlines()[-1:] if log.exists() else []
            mutant = workdir / f"mutant-{seed}.safetensors"
            kept = workdir / f"crash-checkpoint-{seed}.safetensors"
            if mutant.exists():
                mutant.rename(kept)
            total["crashes"].append({"seed": seed, "reason": reason or "no stats", "last": last, "file": str(kept),
                                     "stderr": stderr[-1500:]})
        if stats_path.exists():
            stats = json.loads(stats_path.read_text())
            for key in ("loads", "mutations"):
                total[key] += stats[key]
            total["findings"] += stats["findings"][:50]
            total["max_rss_mib"] = max(total["max_rss_mib"], stats["max_rss_mib"])
            for bucket in ("outcomes", "disagreements"):
                for key, count in stats[bucket].items():
                    total[bucket][key] = total[bucket].get(key, 0 if isinstance(count, int) else []) + count
            stats_path.unlink()
            log.unlink()
        if progress:
            print(f"seed {seed}: {total['mutations']} mutations, {total['loads']} loads, {len(total['crashes'])} "
                  f"crashes, {len(total['findings'])} findings, {time.time() - started:.0f} s", flush=True)
        seed += 1
    total["seconds"] = round(time.time() - started, 1)
    return total


def main(argv: List[str] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    worker = sub.add_parser("worker")
    worker.add_argument("--seed", type=int, required=True)
    worker.add_argument("--log", required=True)
    worker.add_argument("--stats", required=True)
    run = sub.add_parser("run")
    run.add_argument("--mutations", type=int, default=50_000)
    run.add_argument("--out", default="ckpt-fuzz-out")
    run.add_argument("--first-seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.command == "worker":
        return worker_main(args)
    total = run_checkpoint_fuzz(args.mutations, Path(args.out).resolve(), args.first_seed, progress=True)
    (Path(args.out) / "summary-checkpoint.json").write_text(json.dumps(total, indent=2))
    print(json.dumps({k: total[k] for k in ("mutations", "loads", "batches", "seconds", "max_rss_mib")}))
    print("outcomes:", total["outcomes"])
    print("disagreements with the safetensors package:", total["disagreements"])
    print(f"crashes: {len(total['crashes'])}, findings: {len(total['findings'])}")
    for item in total["crashes"][:5] + total["findings"][:30]:
        print("  ", item)
    return 1 if total["crashes"] or total["findings"] else 0


if __name__ == "__main__":
    sys.exit(main())
