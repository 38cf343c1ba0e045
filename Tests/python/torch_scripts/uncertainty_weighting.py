"""Kendall et al. uncertainty weighting as a module with nn.Parameter(torch.zeros(2)), three Adam parameter groups with
their own lr/weight_decay, clip_grad_norm_.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

class UncertaintyLoss(nn.Module):
    """Kendall et al. 2018."""
    def __init__(self, num_tasks=2):
        super().__init__()
        self.log_vars = nn.Parameter(torch.zeros(num_tasks))
    def forward(self, losses):
        total = 0
        for i, loss in enumerate(losses):
            precision = torch.exp(-self.log_vars[i])
            total = total + precision * loss + self.log_vars[i]
        return total

net = nn.Sequential(nn.Linear(6, 32), nn.Tanh())
head_a = nn.Linear(32, 1)
head_b = nn.Linear(32, 1)
weighting = UncertaintyLoss(2)
optimizer = torch.optim.Adam([
    {'params': net.parameters()},
    {'params': list(head_a.parameters()) + list(head_b.parameters()), 'lr': 2e-2},
    {'params': weighting.parameters(), 'lr': 5e-2, 'weight_decay': 0},
], lr=1e-2)
rng = np.random.default_rng(0)
X = torch.tensor(rng.standard_normal((200, 6)), dtype=torch.float32)
ya = X[:, :1] * 2.0
yb = X[:, 1:2] * 10.0 + torch.randn(200, 1) * 3.0
norms = []
for step in range(150):
    h = net(X)
    la = F.mse_loss(head_a(h), ya)
    lb = F.mse_loss(head_b(h), yb)
    loss = weighting([la, lb])
    optimizer.zero_grad()
    loss.backward()
    total_norm = torch.nn.utils.clip_grad_norm_(list(net.parameters()) + list(head_a.parameters()) + list(head_b.parameters()), max_norm=5.0)
    norms.append(float(total_norm))
    optimizer.step()
lv = weighting.log_vars.detach().cpu().numpy()
RESULT = dict(log_vars=lv.tolist(), la=la.item(), lb=lb.item())
assert lv[1] > lv[0] + 1.0, RESULT
assert len(optimizer.param_groups) == 3 and optimizer.param_groups[2]['lr'] == 5e-2
