"""Task-specific layers inside a shared model: a shared input layer, one adapter per task
(``mtl.TaskSpecific``), then a shared output layer; the digit task reads logits 0–9, the ">= 5" task logit 10.

Run:  python examples/architectures/task_specific.py
"""
import polyhead as ph
from polyhead import mtl, nn

from _digits import train_and_report


class AdapterNet(mtl.MultiTaskModel):
    """Shared 64→64 (ReLU), per-task 64→64 (ReLU) adapters, shared 64→11."""

    def __init__(self):
        super().__init__()
        self.tasks = ["digit", "large"]
        self.shared_in = nn.Sequential(nn.Linear(64, 64), nn.ReLU())
        self.adapters = mtl.TaskSpecific(lambda task: nn.Sequential(nn.Linear(64, 64), nn.ReLU()), self.tasks)
        self.shared_out = nn.Linear(64, 11)

    def _parameter_task(self, name):  # the adapters are task-specific, the rest is shared
        return name.split(".")[2] if name.startswith("adapters.") else None

    def forward(self, x):
        streams = self.adapters(self.shared_in(x))
        return {"digit": self.shared_out(streams["digit"])[:, :10], "large": self.shared_out(streams["large"])[:, 10:]}


ph.manual_seed(0)
model = AdapterNet()
print("task 'large' owns:", [name for name, _ in model.named_task_parameters("large")])
train_and_report(model)
