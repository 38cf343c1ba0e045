"""Runs Polyhead's fuzz targets: hypothesis state machines whose every call is one logged line of Python.

A target is a module beside this file (``api_fuzz``: tensors, ops, layers, optimizers, multi-task methods;
``keras_fuzz``: ``polyhead.keras`` models, compile/fit/evaluate/predict, save/load) with

- ``PRELUDE``: the imports (and small helpers) its calls use — run in the worker's namespace and at the top of
  every reproducer, so a logged call sequence replays exactly;
- ``build_machine(base)``: its ``RuleBasedStateMachine``, a subclass of ``base`` (:func:`logged_machine`).

Every call is written to a log *before* it is ``exec``uted and must end in a result or a Python exception.
Batches run in subprocesses, so an interpreter crash (a signal, an abort, a Swift trap) kills only the worker;
the driver then writes the calls of the example that crashed as ``crash-<target>-seed<N>.py``.

    python fuzz_driver.py run --target keras --calls 20000 --out /tmp/fuzz-out     # a long run
    python fuzz_driver.py worker --target api --seed 3 --examples 20 --steps 60 --log l.py --stats s.json

The short CI run is Tests/python/test_fuzz_short.py (it imports this file by path).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

HERE = Path(__file__).resolve().parent
TARGETS = ("api", "keras")

# Exceptions that show a bug in the library even though the process survived: a C function that
# returned NULL without an exception (SystemError), or Python code of the package that is broken.
SUSPICIOUS = ("SystemError", "SyntaxError", "NameError", "UnboundLocalError", "AssertionError", "RecursionError")


def target_module(target: str) -> Any:
    """The module of a fuzz target (``api`` → ``api_fuzz``)."""
    if target not in TARGETS:
        raise ValueError(f"unknown fuzz target {target!r}; expected one of {TARGETS}")
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    return importlib.import_module(f"{target}_fuzz")


# ---------------------------------------------------------------------------------------------------------
# worker: the state machine base (imports hypothesis and polyhead only when it runs)
# ---------------------------------------------------------------------------------------------------------


@dataclass
class WorkerStats:
    calls: int = 0
    examples: int = 0
    exceptions: Dict[str, int] = field(default_factory=dict)
    suspicious: List[Dict[str, str]] = field(default_factory=list)
    leaks: List[Dict[str, Any]] = field(default_factory=list)
    samples: Dict[str, List[str]] = field(default_factory=dict)


def logged_machine(stats: WorkerStats, log_fd: int, prelude: str, pools: List[str]):
    """The base class of a target's machine: a namespace made by ``prelude`` with a dict ``v`` of live values,
    pools of keys into ``v`` (one per name in ``pools``), logged execution, and a leak check at teardown
    (the core's live objects back at the count the example started with)."""
    import gc
    import warnings

    from hypothesis.stateful import RuleBasedStateMachine

    import polyhead as ph
    from polyhead import _core

    warnings.simplefilter("ignore")
    default_threads = ph.get_num_threads()

    class LoggedMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            gc.collect()
            self.baseline = _core.debug_live_objects()
            self.ns: Dict[str, Any] = {}
            exec(prelude, self.ns)
            self.ns["v"] = {}
            self.next = 0
            self.pools: Dict[str, List[int]] = {name: [] for name in pools}
            stats.examples += 1
            os.write(log_fd, f"\n# --- example {stats.examples}\nv = {{}}\n".encode())

        def exec_line(self, line: str, count: bool = True) -> bool:
            """Logs and runs one line; True if it returned normally."""
            os.write(log_fd, (line + "\n").encode())
            if count:
                stats.calls += 1
            try:
                exec(line, self.ns)
                return True
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # every Python exception is a valid outcome …
                name = type(exc).__name__
                stats.exceptions[name] = stats.exceptions.get(name, 0) + 1
                samples = stats.samples.setdefault(name, [])
                if len(samples) < int(os.environ.get("POLYHEAD_FUZZ_SAMPLES", "8")):
                    samples.append(f"{line}  ->  {str(exc)[:160]}")
                if name in SUSPICIOUS and len(stats.suspicious) < 200:  # … but these point at a bug
                    stats.suspicious.append({"type": name, "message": str(exc)[:300], "line": line})
                return False

        def new_key(self) -> int:
            k = self.next
            self.next += 1
            return k

        def call(self, expr: str) -> None:
            """Runs ``v[k] = expr`` and files the result into the pools (:meth:`classify`)."""
            k = self.new_key()
            if self.exec_line(f"v[{k}] = {expr}"):
                self.classify(k, self.ns["v"][k])

        def classify(self, k: int, value: Any) -> None:
            """Files ``v[k]`` into a pool or drops it; targets override this."""
            self.drop(k)

        pool_sizes: Dict[str, int] = {}  # pools that keep more than 6 objects

        def add(self, pool: str, k: int) -> None:
            self.pools[pool].append(k)
            if len(self.pools[pool]) > self.pool_sizes.get(pool, 6):
                self.drop(self.pools[pool].pop(0))

        def drop(self, k: int) -> None:
            if k in self.ns["v"]:
                self.exec_line(f"del v[{k}]", count=False)

        def ref(self, pool: str, i: int, junk_expr: str = "None") -> str:
            """``v[k]`` for an object of the pool (chosen by i), or junk (sometimes, or if the pool is empty)."""
            items = self.pools[pool]
            if not items or i % 17 == 16:
                return f"({junk_expr})"  # parenthesised: `(7).copy_(…)`, not `7.copy_(…)`
            return f"v[{items[i % len(items)]}]"

        @staticmethod
        def data_expr(shape, dtype="float32", fill="normal", layout="c", seed=0, form="array") -> str:
            """The expression of a fuzz_data.make_data input (written out, so that the log replays)."""
            return f"make_data({tuple(shape)!r}, {dtype!r}, {fill!r}, {layout!r}, {seed}, {form!r})"

        def teardown(self) -> None:
            self.exec_line("v.clear()", count=False)
            ph.set_grad_enabled(True)
            ph.set_num_threads(default_threads)
            self.ns.clear()
            gc.collect()
            live = _core.debug_live_objects()
            if live > self.baseline and len(stats.leaks) < 20:
                stats.leaks.append({"example": stats.examples, "baseline": self.baseline, "live": live})

    return LoggedMachine


def worker_main(args: argparse.Namespace) -> int:
    """Runs ``args.examples`` examples of ``args.steps`` rules each (seeded), then writes the stats."""
    import faulthandler
    import resource

    from hypothesis import HealthCheck, Phase, Verbosity, seed, settings
    from hypothesis.stateful import get_state_machine_test

    faulthandler.enable()
    # A safety net for the machine (not for Polyhead: its own limits must fire far below this).
    # POLYHEAD_FUZZ_AS_LIMIT=0 turns it off (AddressSanitizer reserves terabytes of address space).
    limit = int(os.environ.get("POLYHEAD_FUZZ_AS_LIMIT", str(16 << 30)))
    if limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    target = target_module(args.target)
    stats = WorkerStats()
    log_fd = os.open(args.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.write(log_fd, f"# worker target={args.target} seed={args.seed}\n".encode())
    machine = target.build_machine(logged_machine(stats, log_fd, target.PRELUDE, target.POOLS))
    config = settings(max_examples=args.examples, stateful_step_count=args.steps, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck), phases=[Phase.generate], verbosity=Verbosity.quiet,
                      derandomize=False, print_blob=False)
    test = seed(args.seed)(get_state_machine_test(machine, settings=config))
    started = time.time()
    try:
        test()
    finally:
        os.close(log_fd)
        payload = dict(stats.__dict__, seconds=round(time.time() - started, 2))
        Path(args.stats).write_text(json.dumps(payload))
    return 0


# ---------------------------------------------------------------------------------------------------------
# driver: batches in subprocesses, crash detection and reproducers
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Crash:
    seed: int
    returncode: int
    reason: str
    reproducer: str
    stderr_tail: str


@dataclass
class Summary:
    calls: int = 0
    examples: int = 0
    batches: int = 0
    seconds: float = 0.0
    crashes: List[Crash] = field(default_factory=list)
    suspicious: List[Dict[str, str]] = field(default_factory=list)
    leaks: List[Dict[str, Any]] = field(default_factory=list)
    exceptions: Dict[str, int] = field(default_factory=dict)


def last_example(log_text: str, prelude: str) -> str:
    """The calls of the last example in a worker log, as a runnable script."""
    start = log_text.rfind("\n# --- example")
    body = log_text[start:] if start >= 0 else log_text
    header = ("# Reproducer written by Tests/fuzz/fuzz_driver.py: run with the python that has polyhead installed.\n"
              "import sys, warnings\n"
              f"sys.path.insert(0, {str(HERE)!r})\n" + prelude +
              "warnings.simplefilter('ignore')\n"
              "def run(line):\n    try:\n        exec(line, globals())\n    except BaseException as exc:\n"
              "        print(type(exc).__name__, str(exc)[:120])\n\n")
    lines, block = [], []
    for line in body.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith((" ", "\t")) and block:
            block.append(line)
            continue
        if block:
            lines.append(f"run({chr(10).join(block)!r})")
        block = [line]
    if block:
        lines.append(f"run({chr(10).join(block)!r})")
    return header + "\n".join(lines) + "\nprint('no crash')\n"


def run_worker(command: List[str], workdir: Path, timeout: float) -> tuple:
    """Runs a worker process in ``workdir`` (also its TMPDIR, so files it saves stay there); returns
    ``(returncode or None on a hang, stderr, why it failed or None)``."""
    env = dict(os.environ, TMPDIR=str(workdir))
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=workdir, env=env)
        returncode, stderr = proc.returncode, proc.stderr
    except subprocess.TimeoutExpired as expired:
        returncode, stderr = None, (expired.stderr or b"").decode(errors="replace") if isinstance(
            expired.stderr, bytes) else (expired.stderr or "")
    if returncode is None:
        reason = f"hang: no result within {timeout:.0f} s"
    elif returncode < 0:
        reason = f"killed by signal {signal.Signals(-returncode).name}"
    elif returncode != 0:
        reason = f"exit status {returncode}"
    else:
        reason = None
    return returncode, stderr, reason


def run_batch(target: str, seed: int, examples: int, steps: int, workdir: Path, timeout: float) -> tuple:
    """Runs one worker; returns (stats dict or None, Crash or None)."""
    log, stats_path = workdir / f"log-{target}-{seed}.py", workdir / f"stats-{target}-{seed}.json"
    for path in (log, stats_path):
        if path.exists():
            path.unlink()
    command = [sys.executable, str(HERE / "fuzz_driver.py"), "worker", "--target", target, "--seed", str(seed),
               "--examples", str(examples), "--steps", str(steps), "--log", str(log), "--stats", str(stats_path)]
    returncode, stderr, reason = run_worker(command, workdir, timeout)
    stats = json.loads(stats_path.read_text()) if stats_path.exists() else None
    crash = None
    if reason or stats is None:
        log_text = log.read_text(errors="replace") if log.exists() else ""
        crash = Crash(seed, returncode if returncode is not None else -1, reason or "no stats written",
                      last_example(log_text, target_module(target).PRELUDE), stderr[-3000:])
    else:
        log.unlink()
    return stats, crash


def run_fuzz(calls: int, workdir: Path, examples: int = 25, steps: int = 50, first_seed: int = 0,
             timeout: float = 300.0, time_budget: Optional[float] = None, progress: bool = False,
             target: str = "api") -> Summary:
    """Runs batches (one subprocess each) until ``calls`` calls were made or the time budget is spent."""
    workdir.mkdir(parents=True, exist_ok=True)
    summary, started, seed = Summary(), time.time(), first_seed
    while summary.calls < calls:
        if time_budget is not None and time.time() - started > time_budget:
            break
        stats, crash = run_batch(target, seed, examples, steps, workdir, timeout)
        summary.batches += 1
        if stats:
            summary.calls += stats["calls"]
            summary.examples += stats["examples"]
            summary.suspicious += stats["suspicious"]
            summary.leaks += [dict(leak, seed=seed) for leak in stats["leaks"]]
            for name, count in stats["exceptions"].items():
                summary.exceptions[name] = summary.exceptions.get(name, 0) + count
        if crash:
            summary.crashes.append(crash)
            path = workdir / f"crash-{target}-seed{seed}.py"
            path.write_text(crash.reproducer)
            if progress:
                print(f"CRASH seed={seed}: {crash.reason}; reproducer {path}", flush=True)
            summary.calls += crash.reproducer.count("\nrun(")  # calls made before the crash, roughly
        if progress:
            print(f"batch seed={seed}: total {summary.calls} calls, {summary.examples} examples, "
                  f"{len(summary.crashes)} crashes, {time.time() - started:.0f} s", flush=True)
        seed += 1
    summary.seconds = round(time.time() - started, 1)
    return summary


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    worker = sub.add_parser("worker", help="run one batch in this process")
    worker.add_argument("--target", choices=TARGETS, default="api")
    worker.add_argument("--seed", type=int, required=True)
    worker.add_argument("--examples", type=int, default=25)
    worker.add_argument("--steps", type=int, default=50)
    worker.add_argument("--log", required=True)
    worker.add_argument("--stats", required=True)
    run = sub.add_parser("run", help="run batches in subprocesses until --calls calls were made")
    run.add_argument("--target", choices=TARGETS, default="api")
    run.add_argument("--calls", type=int, default=100_000)
    run.add_argument("--out", default="fuzz-out")
    run.add_argument("--examples", type=int, default=25)
    run.add_argument("--steps", type=int, default=50)
    run.add_argument("--first-seed", type=int, default=0)
    run.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args(argv)
    if args.command == "worker":
        return worker_main(args)
    summary = run_fuzz(args.calls, Path(args.out).resolve(), args.examples, args.steps, args.first_seed,
                       args.timeout, progress=True, target=args.target)
    report = {k: v for k, v in summary.__dict__.items() if k != "crashes"}
    report["crashes"] = [{"seed": c.seed, "reason": c.reason, "stderr_tail": c.stderr_tail[-800:]}
                         for c in summary.crashes]
    (Path(args.out) / f"summary-{args.target}.json").write_text(json.dumps(report, indent=2))
    print(json.dumps({k: report[k] for k in ("calls", "examples", "batches", "seconds")}))
    print(f"exceptions: {summary.exceptions}")
    print(f"crashes: {len(summary.crashes)}, suspicious exceptions: {len(summary.suspicious)}, "
          f"examples ending with more live objects: {len(summary.leaks)}")
    for item in summary.suspicious[:20]:
        print("  suspicious:", item)
    return 1 if summary.crashes or summary.suspicious else 0


if __name__ == "__main__":
    sys.exit(main())
