"""Attention pooling over a sequence (3-D Linear, softmax over positions, torch.bmm), nll_loss + l1_loss, Adam with
custom betas/eps, precision/accuracy with & on bool tensors, probs.max(dim=1), topk, abs and x[:, :, 0].
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
N = 256
x = torch.randn(N, 4, 8)          # sequences of 4 tokens with 8 features
lab = (x.sum(2).sum(1) + x[:, :, 0].sum(1) > 0).long()
reg = x.mean(2).mean(1, keepdim=True)
loader = DataLoader(TensorDataset(x, lab, reg), batch_size=64, shuffle=True, drop_last=True)

class SeqMTL(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(8, 16)
        self.attn = nn.Linear(16, 1)
        self.cls = nn.Linear(16, 2)
        self.reg = nn.Linear(16, 1)
    def forward(self, x):
        h = torch.tanh(self.proj(x))                       # B, L, H
        a = F.softmax(self.attn(h).squeeze(-1), dim=-1)    # B, L
        pooled = torch.bmm(a.unsqueeze(1), h).squeeze(1)   # B, H
        return self.cls(pooled), self.reg(pooled)

model = SeqMTL()
opt = torch.optim.Adam(model.parameters(), lr=1e-2, betas=(0.9, 0.99), eps=1e-7)
for epoch in range(25):
    for xb, lb, rb in loader:
        logits, r = model(xb)
        loss = F.nll_loss(F.log_softmax(logits, dim=1), lb) + F.l1_loss(r, rb)
        opt.zero_grad(); loss.backward(); opt.step()
model.eval()
with torch.no_grad():
    logits, r = model(x)
    probs = logits.softmax(dim=-1)
    pred = probs.argmax(dim=-1)
    acc = (pred == lab).float().mean().item()
    tp = ((pred == 1) & (lab == 1)).sum().item()
    fp = ((pred == 1) & (lab == 0)).sum().item()
    precision = tp / max(tp + fp, 1)
    mae = (r - reg).abs().mean().item()
    values, indices = probs.max(dim=1)
    assert (indices == pred).sum().item() == len(pred)
    top_values, top_indices = probs.topk(1, dim=1)
    assert torch.equal(top_indices.squeeze(1), pred) and torch.equal(top_values.squeeze(1), values)
RESULT = dict(acc=acc, precision=precision, mae=mae)
assert acc > 0.85 and mae < 0.2, RESULT
