"""CGC (the single-level PLE) on the digits: two shared experts, one expert per task, a gate per task.

Run:  python examples/architectures/cgc.py
"""
import numpy as np

import polyhead as ph
from polyhead import mtl, nn

from _digits import train_and_report


def expert():
    return nn.Sequential(nn.Linear(64, 32), nn.ReLU())


ph.manual_seed(0)
model = mtl.CGC(64, [expert(), expert()], {"digit": [expert()], "large": [expert()]},
                {"digit": nn.Linear(32, 10), "large": nn.Linear(32, 1)})
train_and_report(model)
x = ph.tensor(np.random.default_rng(0).random((200, 64), dtype=np.float32))
with ph.no_grad():
    for task, gate in model.extraction.task_gates.items():
        weights = ph.softmax(gate(x), dim=-1).numpy().mean(axis=0)
        print(f"mean gate of {task} over [own expert, shared 0, shared 1]: {np.round(weights.astype(float), 3).tolist()}")
