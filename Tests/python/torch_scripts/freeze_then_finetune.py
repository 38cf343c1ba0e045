"""torch.device selection, freezing the backbone with requires_grad=False and filter(lambda p: p.requires_grad, ...),
SGD + LambdaLR, then unfreezing with two Adam groups, gradient accumulation and clip_grad_value_; torch.randn(...,
device=device) and torch.equal.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
torch.manual_seed(0)
np.random.seed(0)

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU())
        self.task_a = nn.Linear(32, 2)
        self.task_b = nn.Linear(32, 1)
    def forward(self, x):
        f = self.backbone(x)
        return self.task_a(f), self.task_b(f)

model = Net().to(device)
# stage 1: freeze the backbone, train the heads only
for name, param in model.named_parameters():
    if name.startswith('backbone'):
        param.requires_grad = False
trainable = filter(lambda p: p.requires_grad, model.parameters())
opt = torch.optim.SGD(trainable, lr=0.1, momentum=0.9)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda=lambda ep: 0.95 ** ep)
x = torch.randn(128, 10, device=device)
ya = (x[:, 0] > 0).long().to(device)
yb = x[:, 1:2].clone()
frozen_before = model.backbone[0].weight.clone()
for epoch in range(20):
    la, lb = model(x)
    loss = F.cross_entropy(la, ya) + F.mse_loss(lb, yb)
    opt.zero_grad(); loss.backward(); opt.step(); sched.step()
assert torch.equal(model.backbone[0].weight, frozen_before)
assert model.backbone[0].weight.grad is None
# stage 2: unfreeze, small lr for the backbone, accumulate gradients over 2 micro-batches
for p in model.backbone.parameters():
    p.requires_grad_(True)
opt = torch.optim.Adam([{'params': model.backbone.parameters(), 'lr': 1e-4},
                        {'params': list(model.task_a.parameters()) + list(model.task_b.parameters())}], lr=1e-2)
accum = 2
for step in range(40):
    for k, idx in enumerate(torch.arange(128).chunk(accum)):
        la, lb = model(x[idx])
        loss = (F.cross_entropy(la, ya[idx]) + F.mse_loss(lb, yb[idx])) / accum
        loss.backward()
    torch.nn.utils.clip_grad_value_(model.parameters(), clip_value=1.0)
    opt.step(); opt.zero_grad()
assert not torch.equal(model.backbone[0].weight, frozen_before)
model.eval()
with torch.no_grad():
    la, lb = model(x)
    acc = (la.argmax(1) == ya).float().mean().item()
RESULT = dict(acc=acc, sched_lr=sched.get_last_lr(), n_train=sum(p.numel() for p in model.parameters() if p.requires_grad))
assert acc > 0.8 and RESULT["n_train"] == 10 * 32 + 32 + 32 * 32 + 32 + 66 + 33, RESULT
