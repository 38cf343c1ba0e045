"""ESMM-style CTR/CVR model: Embedding tables, torch.cat, sigmoid outputs multiplied, F.binary_cross_entropy,
a checkpoint of the epoch, the model and the optimizer (one torch.save file), and resumed steps that match.

Written as for PyTorch: nothing is changed but the imports.
"""
import os, tempfile
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)
N, U, I = 600, 20, 30
users = rng.integers(0, U, N); items = rng.integers(0, I, N)
click = ((users % 3 == 0) | (items % 2 == 0)).astype(np.float32)
buy = (click * (items % 4 == 0)).astype(np.float32)
ds = TensorDataset(torch.LongTensor(users), torch.LongTensor(items), torch.FloatTensor(click), torch.FloatTensor(buy))
loader = DataLoader(ds, batch_size=100, shuffle=True)

class ESMM(nn.Module):
    def __init__(self, n_user, n_item, dim=8):
        super().__init__()
        self.user_emb = nn.Embedding(n_user, dim)
        self.item_emb = nn.Embedding(n_item, dim)
        self.ctr = nn.Sequential(nn.Linear(2 * dim, 16), nn.ReLU(), nn.Linear(16, 1))
        self.cvr = nn.Sequential(nn.Linear(2 * dim, 16), nn.ReLU(), nn.Linear(16, 1))
    def forward(self, u, i):
        h = torch.cat([self.user_emb(u), self.item_emb(i)], dim=-1)
        p_ctr = torch.sigmoid(self.ctr(h)).squeeze(-1)
        p_cvr = torch.sigmoid(self.cvr(h)).squeeze(-1)
        return p_ctr, p_ctr * p_cvr

model = ESMM(U, I)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-2)
for epoch in range(15):
    for u, i, c, b in loader:
        p_ctr, p_ctcvr = model(u, i)
        loss = F.binary_cross_entropy(p_ctr, c) + F.binary_cross_entropy(p_ctcvr, b)
        optimizer.zero_grad(); loss.backward(); optimizer.step()
ckpt = os.path.join(tempfile.mkdtemp(), 'ckpt.pth')
torch.save({'epoch': epoch, 'model_state_dict': model.state_dict(),
            'optimizer_state_dict': optimizer.state_dict()}, ckpt)
checkpoint = torch.load(ckpt)
model2 = ESMM(U, I)
opt2 = torch.optim.Adam(model2.parameters(), lr=2e-2)
model2.load_state_dict(checkpoint['model_state_dict'])
opt2.load_state_dict(checkpoint['optimizer_state_dict'])
assert checkpoint['epoch'] == 14
# resumed training continues identically
u, i, c, b = ds[:100]
for m, o in ((model, optimizer), (model2, opt2)):
    for _ in range(3):
        p_ctr, p_ctcvr = m(u, i)
        l = F.binary_cross_entropy(p_ctr, c) + F.binary_cross_entropy(p_ctcvr, b)
        o.zero_grad(); l.backward(); o.step()
assert torch.allclose(model.ctr[0].weight, model2.ctr[0].weight, atol=1e-6)
with torch.no_grad():
    p_ctr, p_ctcvr = model(torch.LongTensor(users), torch.LongTensor(items))
acc = ((p_ctr > 0.5).float() == torch.FloatTensor(click)).float().mean().item()
RESULT = acc
assert acc > 0.9, acc
