"""The seeds' task-relation network: Conv2d/BatchNorm2d/MaxPool2d/AdaptiveAvgPool2d trunk, a classification and a
binary head, random_split with a Generator, Subset, Adagrad + ReduceLROnPlateau on the validation loss.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset, random_split, Subset

torch.manual_seed(0)
rng = np.random.default_rng(0)
N = 160
imgs = rng.standard_normal((N, 1, 12, 12)).astype(np.float32)
bright = (imgs[:, 0, :6].mean((1, 2)) > imgs[:, 0, 6:].mean((1, 2))).astype(np.int64)
imgs[:, 0, :3, :3] += bright[:, None, None] * 2
size = (imgs[:, 0, 3:9, 3:9].mean((1, 2)) > 0).astype(np.float32)
ds = TensorDataset(torch.tensor(imgs), torch.tensor(bright), torch.tensor(size))
train_ds, val_ds = random_split(ds, [128, 32], generator=torch.Generator().manual_seed(42))
small = Subset(train_ds, list(range(64)))
assert len(small) == 64 and len(val_ds) == 32

class TaskRelationNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.shared = nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d((3, 3)), nn.Flatten())
        self.head_cls = nn.Sequential(nn.Linear(144, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 2))
        self.head_bin = nn.Linear(144, 1)
    def forward(self, x):
        h = self.shared(x)
        return self.head_cls(h), self.head_bin(h).view(-1)

model = TaskRelationNet()
opt = torch.optim.Adagrad(model.parameters(), lr=0.05)
sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode='min', factor=0.5, patience=1)
train_loader = DataLoader(train_ds, batch_size=32, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=32)
for epoch in range(8):
    model.train()
    for xb, yb, sb in train_loader:
        out_c, out_b = model(xb)
        loss = F.cross_entropy(out_c, yb) + F.binary_cross_entropy_with_logits(out_b, sb)
        opt.zero_grad(); loss.backward(); opt.step()
    model.eval()
    val_loss, correct = 0.0, 0
    with torch.no_grad():
        for xb, yb, sb in val_loader:
            out_c, out_b = model(xb)
            val_loss += (F.cross_entropy(out_c, yb, reduction='sum') + F.binary_cross_entropy_with_logits(out_b, sb, reduction='sum')).item()
            correct += (out_c.argmax(dim=1) == yb).sum().item()
    sched.step(val_loss / len(val_ds))
RESULT = dict(val_loss=val_loss / len(val_ds), acc=correct / len(val_ds), lr=opt.param_groups[0]['lr'])
assert correct / len(val_ds) > 0.7, RESULT
