"""Soft parameter sharing on the digits: a tower per task of one structure (64→64→64→11), pulled together by
an L2 penalty λ·Σ‖θ_digit − θ_large‖². The digit task reads logits 0–9 of its tower, the ">= 5" task logit 10.

Run:  python examples/architectures/soft_sharing.py
"""
import polyhead as ph
from polyhead import mtl, nn

from _digits import train_and_report

ph.manual_seed(0)
model = mtl.SoftSharing({task: nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 11))
                         for task in ("digit", "large")}, penalty=1e-3)
print(f"penalty at the start: {model.penalty().item():.4f}")
train_and_report(model, extra_loss=lambda x: model.penalty(),
                 select=lambda out: {"digit": out["digit"][:, :10], "large": out["large"][:, 10:]})
print(f"penalty at the end:   {model.penalty().item():.4f}")
