"""Dynamic Weight Average (Liu et al.) by hand: torch.softmax over loss ratios, LayerNorm/GELU/LeakyReLU trunk,
model.apply with nn.init.xavier_uniform_/zeros_, MSE/L1/SmoothL1 losses.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
T, K = 2.0, 3
rng = np.random.default_rng(5)
X = rng.standard_normal((240, 6)).astype(np.float32)
Y = np.stack([X[:, 0] + X[:, 1], X[:, 2] * 3, np.abs(X[:, 3])], 1).astype(np.float32)
loader = DataLoader(TensorDataset(torch.from_numpy(X), torch.from_numpy(Y)), batch_size=40, shuffle=True)

class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.shared = nn.Sequential(nn.Linear(6, 48), nn.LayerNorm(48), nn.GELU(), nn.Linear(48, 48), nn.LeakyReLU(0.1))
        self.heads = nn.ModuleList([nn.Linear(48, 1) for _ in range(K)])
        self.apply(self._init)
    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    def forward(self, x):
        h = self.shared(x)
        return torch.cat([head(h) for head in self.heads], dim=1)

model = Model()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
crits = [nn.MSELoss(), nn.L1Loss(), nn.SmoothL1Loss()]
avg_cost = np.zeros((30, K), dtype=np.float32)
lambda_weight = np.ones((K, 30))
for epoch in range(30):
    if epoch < 2:
        lambda_weight[:, epoch] = 1.0
    else:
        w = torch.tensor(avg_cost[epoch - 1] / avg_cost[epoch - 2])
        lambda_weight[:, epoch] = (K * torch.softmax(w / T, dim=0)).numpy()
    n = 0
    for xb, yb in loader:
        out = model(xb)
        losses = [crits[k](out[:, k], yb[:, k]) for k in range(K)]
        loss = sum(lambda_weight[k, epoch] * losses[k] for k in range(K))
        opt.zero_grad(); loss.backward(); opt.step()
        avg_cost[epoch] += np.array([l.item() for l in losses]) / len(loader)
RESULT = avg_cost[-1].tolist()
assert avg_cost[-1].sum() < 0.5 * avg_cost[0].sum(), RESULT
assert abs(lambda_weight[:, -1].sum() - K) < 1e-4
