"""DSelect-k on the digits: 8 shared experts and per-task gates that learn to use at most k = 2 of them, first
per example, then static (one choice per task) with the paper's entropy regulariser pushing every selector to a
single expert. Prints the expert weights each task ends up with.

Run:  python examples/architectures/dselect_k.py
"""
import numpy as np

import polyhead as ph
from polyhead import mtl, nn
from polyhead.datasets import load_digits_multitask

from _digits import train_and_report


def make(per_example):
    return mtl.DSelectK(64, [nn.Sequential(nn.Linear(64, 32), nn.ReLU()) for _ in range(8)],
                        {"digit": nn.Linear(32, 10), "large": nn.Linear(32, 1)}, k=2, per_example=per_example)


x_test = ph.tensor(load_digits_multitask().x_test)
ph.manual_seed(0)
model = make(per_example=True)
train_and_report(model, epochs=30, lr=3e-3)
with ph.no_grad():
    for task, w in model.gate_weights(x_test).items():
        print(f"mean expert weights of {task}: {np.round(w.numpy().mean(axis=0).astype(float), 2).tolist()}")

ph.manual_seed(0)
static = make(per_example=False)
train_and_report(static, epochs=30, lr=3e-3, extra_loss=lambda x: 1e-2 * static.entropy_penalty(x))
with ph.no_grad():
    print(f"static gates, entropy penalty at the end: {static.entropy_penalty(x_test).item():.1e}")
    for task, w in static.gate_weights(x_test).items():
        print(f"expert weights of {task}: {np.round(w.numpy()[0].astype(float), 2).tolist()}")
