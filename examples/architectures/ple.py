"""PLE on the digits: two extraction levels, each with one shared and one per-task expert.

Run:  python examples/architectures/ple.py
"""
import polyhead as ph
from polyhead import mtl, nn

from _digits import train_and_report

ph.manual_seed(0)
model = mtl.PLE(64, 32, {"digit": nn.Linear(32, 10), "large": nn.Linear(32, 1)},
                lambda width: nn.Sequential(nn.Linear(width, 32), nn.ReLU()), num_levels=2)
print(f"{len(model.shared_parameters())} shared and {len(model.task_parameters('digit'))} digit-only parameter tensors")
train_and_report(model)
