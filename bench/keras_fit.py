"""Keras-style fit throughput on the DESIGN.md "mlp-hard" model, vs a PyTorch eager loop.

Model: Input(784) -> Dense(256, relu) -> Dense(128, relu) shared, a 10-logit head (sparse categorical
cross-entropy from logits) and a 1-logit head (binary cross-entropy from logits), summed, Adam lr 1e-3.
Polyhead runs ``model.fit(x, [y1, y2], epochs, batch_size, shuffle=True, verbose=0)``: the whole epoch loop
(shuffle, row gathering, forward, losses, backward, Adam, metrics) runs in Swift with the GIL released.
PyTorch runs the equivalent eager loop (randperm + index per batch, forward, both losses, zero_grad,
backward, step). Each repetition trains --epochs epochs over --samples random samples; the figure is the
median samples/s over --reps repetitions, alternating the libraries, after one warm-up repetition each.

    python bench/keras_fit.py                         # 8192 samples, batch 256, 2 epochs x 5 reps, 2 threads
    python bench/keras_fit.py --batch 64 --no-torch
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import polyhead as ph

IN, H1, H2, CLASSES = 784, 256, 128, 10


def polyhead_runner(x, y1, y2, args):
    ph.manual_seed(args.seed)
    inputs = ph.keras.Input(shape=(IN,))
    h = ph.keras.layers.Dense(H1, activation="relu")(inputs)
    h = ph.keras.layers.Dense(H2, activation="relu")(h)
    digit = ph.keras.layers.Dense(CLASSES, name="digit")(h)
    parity = ph.keras.layers.Dense(1, name="parity")(h)
    model = ph.keras.Model(inputs, [digit, parity])
    model.compile(optimizer=ph.keras.optimizers.Adam(1e-3),
                  loss=[ph.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                        ph.keras.losses.BinaryCrossentropy(from_logits=True)])
    xt, t1, t2 = ph.tensor(x), ph.tensor(y1.astype(np.float32)), ph.tensor(y2)

    def run():
        model.fit(xt, [t1, t2], epochs=args.epochs, batch_size=args.batch, shuffle=True, verbose=0)
    return run


def torch_runner(torch, x, y1, y2, args):
    torch.manual_seed(args.seed)
    nn = torch.nn
    trunk = nn.Sequential(nn.Linear(IN, H1), nn.ReLU(), nn.Linear(H1, H2), nn.ReLU())
    heads = nn.ModuleList([nn.Linear(H2, CLASSES), nn.Linear(H2, 1)])
    optimizer = torch.optim.Adam(list(trunk.parameters()) + list(heads.parameters()), lr=1e-3)
    xt, t1, t2 = torch.from_numpy(x), torch.from_numpy(y1), torch.from_numpy(y2)

    def run():
        for _ in range(args.epochs):
            order = torch.randperm(len(xt))
            for start in range(0, len(xt), args.batch):
                rows = order[start:start + args.batch]
                h = trunk(xt[rows])
                loss = (nn.functional.cross_entropy(heads[0](h), t1[rows])
                        + nn.functional.binary_cross_entropy_with_logits(heads[1](h), t2[rows]))
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=8192)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-torch", action="store_true")
    args = parser.parse_args()
    ph.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    x = rng.standard_normal((args.samples, IN)).astype(np.float32)
    y1 = rng.integers(0, CLASSES, args.samples).astype(np.int64)
    y2 = (rng.random((args.samples, 1)) < 0.5).astype(np.float32)
    runners = {"polyhead": polyhead_runner(x, y1, y2, args)}
    if not args.no_torch:
        try:
            import torch
            torch.set_num_threads(args.threads)
            runners["torch"] = torch_runner(torch, x, y1, y2, args)
        except ImportError:
            print("torch is not installed: Polyhead only")
    print(f"mlp-hard keras fit: {args.samples} samples, batch {args.batch}, {args.epochs} epochs x {args.reps} reps, "
          f"{args.threads} threads")
    for run in runners.values():
        run()  # warm-up
    rates = {name: [] for name in runners}
    for _ in range(args.reps):
        for name, run in runners.items():
            start = time.perf_counter()
            run()
            rates[name].append(args.samples * args.epochs / (time.perf_counter() - start))
    medians = {name: statistics.median(values) for name, values in rates.items()}
    for name, values in rates.items():
        print(f"{name:9s} {medians[name]:12,.0f} samples/s (reps {min(values):,.0f} .. {max(values):,.0f})")
    if "torch" in medians:
        print(f"ratio polyhead/torch: {medians['polyhead'] / medians['torch']:.2f}")


if __name__ == "__main__":
    main()
