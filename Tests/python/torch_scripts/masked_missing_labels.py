"""Multi-label BCE with missing labels (-1) masked out: reduction='none' * mask / count, torch.where, RMSprop; the count is mask.sum().clamp(min=1).
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(0)
rng = np.random.default_rng(3)
N, T = 300, 3
X = rng.standard_normal((N, 12)).astype(np.float32)
W = rng.standard_normal((12, T)).astype(np.float32)
Y = (X @ W > 0).astype(np.float32)
missing = rng.random((N, T)) < 0.4
Y[missing] = -1.0            # -1 marks a missing label
x = torch.from_numpy(X); y = torch.from_numpy(Y)

model = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, T))
opt = optim.RMSprop(model.parameters(), lr=1e-2, alpha=0.9)

def masked_bce(p, y):
    mask = (y >= 0).float()
    target = torch.where(y >= 0, y, torch.zeros_like(y))
    loss = (F.binary_cross_entropy_with_logits(p, target, reduction='none') * mask).sum() / mask.sum().clamp(min=1)
    return loss

for epoch in range(200):
    logits = model(x)
    loss = masked_bce(logits, y)
    opt.zero_grad()
    loss.backward()
    opt.step()

with torch.no_grad():
    pred = (model(x) > 0).float()
    mask = y >= 0
    per_task = []
    for t in range(T):
        m = mask[:, t]
        per_task.append((pred[:, t][m] == y[:, t][m]).float().mean().item())
RESULT = dict(loss=loss.item(), acc=per_task)
assert min(per_task) > 0.85, RESULT
# an all-missing batch gives 0, not nan
assert masked_bce(model(x[:4]), -torch.ones(4, T)).item() == 0.0
