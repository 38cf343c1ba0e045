"""A data pipeline: a Dataset subclass returning dicts, ConcatDataset, WeightedRandomSampler to balance classes,
BatchSampler and batch_sampler=, SGD with Nesterov momentum + MultiStepLR, smooth_l1_loss.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import (Dataset, DataLoader, TensorDataset, ConcatDataset, WeightedRandomSampler,
                              BatchSampler, RandomSampler, SequentialSampler)

torch.manual_seed(7)

class MultiTaskDataset(Dataset):
    def __init__(self, n, seed):
        r = np.random.default_rng(seed)
        self.x = r.standard_normal((n, 5)).astype(np.float32)
        self.y = (self.x[:, 0] > 1.0).astype(np.int64)          # imbalanced
        self.z = self.x[:, 1].astype(np.float32)
    def __len__(self):
        return len(self.x)
    def __getitem__(self, idx):
        return {'x': torch.from_numpy(self.x[idx]), 'y': torch.tensor(self.y[idx]), 'z': torch.tensor(self.z[idx])}

ds = ConcatDataset([MultiTaskDataset(100, 0), MultiTaskDataset(60, 1)])
assert len(ds) == 160
labels = np.concatenate([d.y for d in ds.datasets])
class_count = np.bincount(labels)
weights = 1.0 / class_count[labels]
sampler = WeightedRandomSampler(weights=weights.tolist(), num_samples=len(weights), replacement=True)
loader = DataLoader(ds, batch_size=32, sampler=sampler)
seen = []
for batch in loader:
    assert batch['x'].shape[1] == 5 and batch['y'].dtype == torch.int64
    seen.append(batch['y'].float().mean().item())
assert 0.3 < np.mean(seen) < 0.7, np.mean(seen)

bs = BatchSampler(RandomSampler(range(10)), batch_size=4, drop_last=False)
batches = list(bs)
assert [len(b) for b in batches] == [4, 4, 2] and sorted(sum(batches, [])) == list(range(10))
assert list(BatchSampler(SequentialSampler(range(5)), 2, True)) == [[0, 1], [2, 3]]

tds = TensorDataset(torch.randn(40, 3), torch.randint(0, 2, (40,)))
loader2 = DataLoader(tds, batch_sampler=BatchSampler(SequentialSampler(tds), batch_size=16, drop_last=True))
sizes = [xb.shape[0] for xb, yb in loader2]
assert sizes == [16, 16] and len(loader2) == 2

model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 3))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[3, 6], gamma=0.1)
for epoch in range(8):
    for batch in loader:
        out = model(batch['x'])
        loss = F.cross_entropy(out[:, :2], batch['y']) + F.smooth_l1_loss(out[:, 2], batch['z'])
        opt.zero_grad(); loss.backward(); opt.step()
    sched.step()
assert abs(opt.param_groups[0]['lr'] - 0.05 * 0.01) < 1e-12
RESULT = loss.item()
