"""MMoE written by hand: a ModuleList of experts, per-task softmax gates (torch.softmax), towers, BCEWithLogitsLoss,
Adam + CosineAnnealingLR; each gate mixes the experts with torch.einsum.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1)

class Expert(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(d_in, d_out), nn.ReLU())
    def forward(self, x):
        return self.fc(x)

class MMoE(nn.Module):
    def __init__(self, d_in, n_expert=4, d_expert=16, n_task=2):
        super().__init__()
        self.experts = nn.ModuleList([Expert(d_in, d_expert) for _ in range(n_expert)])
        self.gates = nn.ModuleList([nn.Linear(d_in, n_expert, bias=False) for _ in range(n_task)])
        self.towers = nn.ModuleList([nn.Sequential(nn.Linear(d_expert, 8), nn.ReLU(), nn.Linear(8, 1)) for _ in range(n_task)])
    def forward(self, x):
        expert_out = torch.stack([e(x) for e in self.experts], dim=1)   # B, E, D
        outs = []
        for i, (gate, tower) in enumerate(zip(self.gates, self.towers)):
            g = torch.softmax(gate(x), dim=1)                             # B, E
            mixed = torch.einsum('be,bed->bd', g, expert_out)            # B, D
            outs.append(tower(mixed).squeeze(-1))
        return outs

rng = np.random.default_rng(1)
X = rng.standard_normal((256, 10)).astype(np.float32)
y1 = (X[:, 0] > 0).astype(np.float32)
y2 = (X[:, 0] * X[:, 1] > 0).astype(np.float32)
x, t1, t2 = torch.tensor(X), torch.tensor(y1), torch.tensor(y2)
model = MMoE(10)
opt = torch.optim.Adam(model.parameters(), lr=5e-3)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=100, eta_min=1e-4)
crit = nn.BCEWithLogitsLoss()
for it in range(100):
    perm = torch.randperm(256)[:64]
    xb, a, b = x[perm], t1[perm], t2[perm]
    p1, p2 = model(xb)
    loss = crit(p1, a) + crit(p2, b)
    opt.zero_grad(); loss.backward(); opt.step(); sched.step()
model.eval()
with torch.no_grad():
    p1, p2 = model(x)
    acc1 = ((torch.sigmoid(p1) > 0.5).float() == t1).float().mean().item()
    acc2 = ((p2 > 0).float() == t2).float().mean().item()
assert abs(opt.param_groups[0]['lr'] - 1e-4) < 1e-9, opt.param_groups[0]['lr']
RESULT = (acc1, acc2)
assert acc1 > 0.9 and acc2 > 0.6, RESULT
