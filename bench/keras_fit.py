"""Keras-style fit throughput on the DESIGN.md benchmark models, vs the equivalent PyTorch eager loop.

Workloads (``--model``; default: all four):

- ``mlp-hard``:  Input(784) -> Dense 256 relu -> Dense 128 relu -> {10 logits CE, 1 logit BCE}, batch 256
- ``mlp-wide``:  Input(784) -> Dense 1024 relu -> Dense 1024 relu -> {10 logits CE, 1 logit BCE}, batch 512
- ``mlp-small``: Input(32) -> Dense 64 relu -> Dense 64 relu -> {4 logits CE, 1 output MSE}, batch 64
- ``conv-hard``: Input(32, 32, 3) -> Conv2D 32 3x3 same relu -> Conv2D 64 3x3 same relu -> MaxPooling2D 2
  -> Flatten -> {10 logits CE, 1 logit BCE}, batch 64 (Keras is channels-last NHWC, PyTorch NCHW)

The losses are summed and Adam (lr 1e-3) updates every weight. Polyhead runs ``model.fit(x, [y1, y2],
epochs, batch_size, shuffle=True, verbose=0)``: the whole epoch loop (shuffle, row gathering, forward,
losses, backward, Adam, the logs) runs in the Swift core with the GIL released. PyTorch runs the equivalent
eager loop (randperm + indexing per batch, forward, both losses, zero_grad, backward, step). PyTorch starts
from Polyhead's initial weights (transposed to its layouts; the first dense layer after Flatten has its
rows permuted from NHWC to NCHW order), and both libraries' losses over the whole data set before training
are printed as a cross-check.

Each repetition trains --epochs epochs over --samples random samples; the figure is the median samples/s
over --reps repetitions after one untimed warm-up repetition each, alternating the libraries so both see
the same machine state (the protocol of bench/_harness.py).

    python bench/keras_fit.py                              # all four workloads, 2 threads
    python bench/keras_fit.py --model mlp-hard --reps 9
    python bench/keras_fit.py --model conv-hard --threads 1
    python bench/keras_fit.py --no-torch --json fit.json
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Tuple

import numpy as np

import polyhead as ph
from _harness import report, write_json


@dataclass(frozen=True)
class Workload:
    """One benchmark model: input shape (Keras layout), hidden layers, head sizes and losses, defaults."""
    input_shape: Tuple[int, ...]
    hidden: Tuple[int, ...]       # Dense widths, or Conv2D filters for a conv workload
    classes: int                  # width of the cross-entropy head
    second: str                   # the 1-wide head's loss: "bce" (from logits) or "mse"
    batch: int
    samples: int                  # per epoch (a multiple of the batch)
    epochs: int

    @property
    def conv(self) -> bool:
        return len(self.input_shape) == 3


WORKLOADS: Dict[str, Workload] = {
    "mlp-hard": Workload((784,), (256, 128), 10, "bce", batch=256, samples=8192, epochs=2),
    "mlp-wide": Workload((784,), (1024, 1024), 10, "bce", batch=512, samples=4096, epochs=2),
    "mlp-small": Workload((32,), (64, 64), 4, "mse", batch=64, samples=8192, epochs=2),
    "conv-hard": Workload((32, 32, 3), (32, 64), 10, "bce", batch=64, samples=512, epochs=1),
}


def make_data(w: Workload, samples: int, seed: int):
    """Random inputs (Keras layout), class labels and the second head's targets."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((samples,) + w.input_shape, dtype=np.float32)
    y1 = rng.integers(0, w.classes, samples).astype(np.int64)
    y2 = (rng.random((samples, 1)) < 0.5).astype(np.float32) if w.second == "bce" \
        else rng.standard_normal((samples, 1), dtype=np.float32)
    return x, y1, y2


def polyhead_model(w: Workload):
    """The compiled Keras-style model."""
    keras = ph.keras
    inputs = keras.Input(shape=w.input_shape)
    h = inputs
    if w.conv:
        for filters in w.hidden:
            h = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(h)
        h = keras.layers.Flatten()(keras.layers.MaxPooling2D(2)(h))
    else:
        for units in w.hidden:
            h = keras.layers.Dense(units, activation="relu")(h)
    first = keras.layers.Dense(w.classes, name="classes")(h)
    second = keras.layers.Dense(1, name="second")(h)
    model = keras.Model(inputs, [first, second])
    second_loss = keras.losses.BinaryCrossentropy(from_logits=True) if w.second == "bce" \
        else keras.losses.MeanSquaredError()
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=[keras.losses.SparseCategoricalCrossentropy(from_logits=True), second_loss])
    return model


def torch_model(torch, w: Workload, keras_weights: List[np.ndarray]):
    """The same model in PyTorch (NCHW for the conv workload) with the Keras model's weights."""
    nn = torch.nn
    layers: List[object] = []
    if w.conv:
        channels = w.input_shape[2]
        for filters in w.hidden:
            layers += [nn.Conv2d(channels, filters, 3, padding=1), nn.ReLU()]
            channels = filters
        layers += [nn.MaxPool2d(2), nn.Flatten()]
        features = channels * (w.input_shape[0] // 2) * (w.input_shape[1] // 2)
    else:
        features = w.input_shape[0]
        for units in w.hidden:
            layers += [nn.Linear(features, units), nn.ReLU()]
            features = units
    trunk = nn.Sequential(*layers)
    heads = nn.ModuleList([nn.Linear(features, w.classes), nn.Linear(features, 1)])
    params = [p for m in list(trunk) + list(heads) if hasattr(m, "weight") for p in (m.weight, m.bias)]
    with torch.no_grad():
        for p, value in zip(params, torch_layouts(w, keras_weights)):
            p.copy_(torch.from_numpy(value))
    return trunk, heads


def torch_layouts(w: Workload, weights: List[np.ndarray]) -> List[np.ndarray]:
    """Keras weights in PyTorch's layouts: Dense (in, out) -> (out, in), Conv2D (kh, kw, c, o) -> (o, c, kh, kw);
    after a channels-last Flatten, the head's input rows go from (h, w, c) to (c, h, w) order."""
    result = []
    for value in weights:
        if value.ndim == 4:
            value = value.transpose(3, 2, 0, 1)
        elif value.ndim == 2:
            if w.conv:  # every Dense of the conv workload is a head after the pooled Flatten
                height, width, c = w.input_shape[0] // 2, w.input_shape[1] // 2, w.hidden[-1]
                value = value.reshape(height, width, c, -1).transpose(2, 0, 1, 3).reshape(c * height * width, -1)
            value = value.T
        result.append(np.ascontiguousarray(value, dtype=np.float32))
    return result


def polyhead_runner(w: Workload, data, args) -> Tuple[Callable[[], None], float, List[np.ndarray]]:
    """The timed fit, the loss before training, and the initial weights."""
    ph.manual_seed(args.seed)
    model = polyhead_model(w)
    x, y1, y2 = data
    xt, t1, t2 = ph.tensor(x), ph.tensor(y1.astype(np.float32)), ph.tensor(y2)
    initial = model.get_weights()
    loss = float(model.evaluate(xt, [t1, t2], batch_size=args.batch, verbose=0, return_dict=True)["loss"])

    def run():
        model.fit(xt, [t1, t2], epochs=args.epochs, batch_size=args.batch, shuffle=True, verbose=0)
    return run, loss, initial


def torch_runner(torch, w: Workload, data, weights, args) -> Tuple[Callable[[], None], float]:
    """The timed eager loop and the loss before training."""
    torch.manual_seed(args.seed)
    trunk, heads = torch_model(torch, w, weights)
    nn = torch.nn
    optimizer = torch.optim.Adam(list(trunk.parameters()) + list(heads.parameters()), lr=1e-3)
    x, y1, y2 = data
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)) if w.conv else x)
    t1, t2 = torch.from_numpy(y1), torch.from_numpy(y2)
    second = nn.functional.binary_cross_entropy_with_logits if w.second == "bce" else nn.functional.mse_loss

    def loss_of(rows):
        h = trunk(xt[rows])
        return nn.functional.cross_entropy(heads[0](h), t1[rows]) + second(heads[1](h), t2[rows])

    with torch.no_grad():
        batches = [loss_of(torch.arange(s, min(s + args.batch, len(xt)))).item() * min(args.batch, len(xt) - s)
                   for s in range(0, len(xt), args.batch)]

    def run():
        for _ in range(args.epochs):
            order = torch.randperm(len(xt))
            for start in range(0, len(xt), args.batch):
                loss = loss_of(order[start:start + args.batch])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
    return run, sum(batches) / len(xt)


def timed(run: Callable[[], None]) -> Tuple[float, float]:
    """Wall-clock and process CPU seconds for one repetition, after a short pause so the other library's
    spinning threads go idle."""
    time.sleep(0.05)
    start, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - start, time.process_time() - cpu


def bench(name: str, args, torch) -> Dict[str, object]:
    """Times one workload; prints and returns its figures."""
    w = WORKLOADS[name]
    batch = args.batch or w.batch
    samples = max(batch, (args.samples or w.samples) // batch * batch)
    run_args = argparse.Namespace(batch=batch, epochs=args.epochs or w.epochs, seed=args.seed)
    data = make_data(w, samples, args.seed)
    runners: Dict[str, Callable[[], None]] = {}
    runners["polyhead"], ph_loss, weights = polyhead_runner(w, data, run_args)
    line = f"loss before training: polyhead {ph_loss:.6f}"
    if torch is not None:
        runners["torch"], torch_loss = torch_runner(torch, w, data, weights, run_args)
        line += f", torch {torch_loss:.6f} (|diff| {abs(ph_loss - torch_loss):.1e})"
    steps = run_args.epochs * samples // batch
    print(f"\n{name} keras fit: {samples} samples, batch {batch}, {run_args.epochs} epoch(s) = {steps} steps "
          f"per rep x {args.reps} reps, {args.threads} threads")
    print(line)
    for run in runners.values():
        run()  # warm-up
    times: Dict[str, List[float]] = {lib: [] for lib in runners}
    cpu: Dict[str, List[float]] = {lib: [] for lib in runners}
    for _ in range(args.reps):
        for lib, run in runners.items():
            wall, used = timed(run)
            times[lib].append(wall)
            cpu[lib].append(used)
    results: Dict[str, object] = {"batch": batch, "samples": samples, "epochs": run_args.epochs}
    for lib in runners:
        results[lib] = report(lib, times[lib], batch, steps, "ms" if w.conv or batch >= 512 else "us")
        results[lib]["cpu_ms_per_step"] = 1e3 * statistics.median(cpu[lib]) / steps  # type: ignore[index]
    print("CPU time per step (all threads; with --threads 1 it hardly depends on other load): "
          + ", ".join(f"{lib} {results[lib]['cpu_ms_per_step']:.3f} ms" for lib in runners))  # type: ignore[index]
    if "torch" in results:
        ratio = results["polyhead"]["samples_per_s"] / results["torch"]["samples_per_s"]  # type: ignore[index]
        results["ratio_polyhead_over_torch"] = ratio
        print(f"ratio polyhead/torch: {ratio:.2f}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["all"] + list(WORKLOADS), default="all")
    parser.add_argument("--samples", type=int, help="samples per epoch (default: per workload)")
    parser.add_argument("--batch", type=int, help="batch size (default: per workload)")
    parser.add_argument("--epochs", type=int, help="epochs per repetition (default: per workload)")
    parser.add_argument("--reps", type=int, default=5, help="timed repetitions, median reported (default 5)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    args = parser.parse_args()
    if args.reps < 3 or args.threads < 1 or any(v is not None and v < 1 for v in (args.samples, args.batch, args.epochs)):
        parser.error("--reps must be >= 3; --threads, --samples, --batch and --epochs >= 1")
    ph.set_num_threads(args.threads)
    torch = None
    if not args.no_torch:
        try:
            import torch  # type: ignore[no-redef]
            torch.set_num_threads(args.threads)
        except ImportError:
            print("torch is not installed: Polyhead only")
    versions = f"polyhead {getattr(ph, '__version__', '?')}, numpy {np.__version__}"
    if torch is not None:
        versions += f", torch {torch.__version__}"
    print(f"{versions}; python {platform.python_version()} on {platform.machine()}")
    names = list(WORKLOADS) if args.model == "all" else [args.model]
    write_json({name: bench(name, args, torch) for name in names}, args.json)


if __name__ == "__main__":
    main()
