"""Cross-stitch units (Misra et al.) between two ModuleList columns, AdamW with a separate parameter group for the
stitch weights, ExponentialLR; the stitch matrix starts from torch.eye and mixes the columns with torch.einsum.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

class CrossStitch(nn.Module):
    def __init__(self, n_tasks=2):
        super().__init__()
        self.alpha = nn.Parameter(torch.eye(n_tasks) * 0.8 + 0.1)
    def forward(self, xs):
        return list(torch.einsum('ij,jbh->ibh', self.alpha, torch.stack(xs)).unbind(0))

class CrossStitchNet(nn.Module):
    def __init__(self, d_in, d_h):
        super().__init__()
        self.col1 = nn.ModuleList([nn.Linear(d_in, d_h), nn.Linear(d_h, d_h)])
        self.col2 = nn.ModuleList([nn.Linear(d_in, d_h), nn.Linear(d_h, d_h)])
        self.stitch = nn.ModuleList([CrossStitch(2), CrossStitch(2)])
        self.out1 = nn.Linear(d_h, 4)
        self.out2 = nn.Linear(d_h, 1)
    def forward(self, x):
        a, b = x, x
        for l1, l2, st in zip(self.col1, self.col2, self.stitch):
            a, b = F.relu(l1(a)), F.relu(l2(b))
            a, b = st([a, b])
        return self.out1(a), self.out2(b).squeeze(1)

rng = np.random.default_rng(0)
X = torch.tensor(rng.standard_normal((256, 8)).astype(np.float32))
y1 = (X[:, 0] > 0).long() * 2 + (X[:, 1] > 0).long()
y2 = X[:, 0] * 0.5 + X[:, 2]
net = CrossStitchNet(8, 24)
stitch_params = [p for n, p in net.named_parameters() if 'stitch' in n]
other = [p for n, p in net.named_parameters() if 'stitch' not in n]
assert len(stitch_params) == 2
opt = torch.optim.AdamW([{'params': other}, {'params': stitch_params, 'lr': 1e-2, 'weight_decay': 0.0}], lr=3e-3)
sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.99)
for it in range(200):
    o1, o2 = net(X)
    loss = F.cross_entropy(o1, y1) + F.mse_loss(o2, y2)
    opt.zero_grad(); loss.backward(); opt.step(); sched.step()
acc = (o1.argmax(-1) == y1).float().mean().item()
RESULT = dict(acc=acc, mse=F.mse_loss(o2, y2).item(), alpha=net.stitch[0].alpha.data.tolist())
assert acc > 0.9 and RESULT['mse'] < 0.1, RESULT
