"""DSelect-k on the digits: 8 shared experts, per-task gates that learn to use at most k = 2 of them for each example.
Prints the expert weights each task ends up with.

Run:  python examples/architectures/dselect_k.py
"""
import numpy as np

import polyhead as ph
from polyhead import mtl, nn
from polyhead.datasets import load_digits_multitask

from _digits import train_and_report

ph.manual_seed(0)
model = mtl.DSelectK(64, [nn.Sequential(nn.Linear(64, 32), nn.ReLU()) for _ in range(8)],
                     {"digit": nn.Linear(32, 10), "large": nn.Linear(32, 1)}, k=2)
train_and_report(model, epochs=30, lr=3e-3)
with ph.no_grad():
    weights = model.gate_weights(ph.tensor(load_digits_multitask().x_test))
for task, w in weights.items():
    print(f"mean expert weights of {task}: {np.round(w.numpy().mean(axis=0).astype(float), 2).tolist()}")
