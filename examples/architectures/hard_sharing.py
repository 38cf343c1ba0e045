"""Hard parameter sharing on the digits: one shared trunk, a head per task.

Run:  python examples/architectures/hard_sharing.py
"""
import polyhead as ph
from polyhead import mtl, nn

from _digits import train_and_report

ph.manual_seed(0)
model = mtl.HardSharing(nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU()),
                        {"digit": nn.Linear(64, 10), "large": nn.Linear(64, 1)})
print("shared:", [name for name, _ in model.named_shared_parameters()])
print("digit: ", [name for name, _ in model.named_task_parameters("digit")])
train_and_report(model)
