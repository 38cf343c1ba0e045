"""A task-relation network on the digits: shared trunk, a layer per task, a learned 2×2 relation matrix that
mixes the task representations, then the task outputs. Prints the learned relation.

Run:  python examples/architectures/task_relation.py
"""
import numpy as np

import polyhead as ph
from polyhead import mtl, nn

from _digits import train_and_report

ph.manual_seed(0)
model = mtl.TaskRelation(nn.Sequential(nn.Linear(64, 128), nn.ReLU()),
                         {task: nn.Sequential(nn.Linear(128, 64), nn.ReLU()) for task in ("digit", "large")},
                         {"digit": nn.Linear(64, 10), "large": nn.Linear(64, 1)})
train_and_report(model)
print("learned relation (rows: digit, large):", np.round(model.relation.tolist(), 3).tolist())
