"""LibMTL-style hard parameter sharing: a Sequential encoder, a ModuleDict of task decoders, a DataLoader with
shuffle/drop_last, Adam + StepLR, train/eval, no_grad metrics, save/load of the state_dict.

Written as for PyTorch except: LibMTL fills `train_losses = torch.zeros(T); train_losses[i] = ...`; item assignment
does not record gradients in Polyhead, so this uses torch.stack.
"""
import os, tempfile
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
device = 'cpu'
rng = np.random.default_rng(0)
X = rng.standard_normal((512, 16)).astype(np.float32)
y_a = (X[:, 0] + X[:, 1] > 0).astype(np.int64) + (X[:, 2] > 0.5).astype(np.int64)
y_b = (X[:, 3] * 2 - X[:, 4]).astype(np.float32)
ds = TensorDataset(torch.from_numpy(X), torch.from_numpy(y_a), torch.from_numpy(y_b))
train_loader = DataLoader(ds, batch_size=64, shuffle=True, drop_last=True)
test_loader = DataLoader(ds, batch_size=128, shuffle=False)

task_dict = {'cls': {'num_out': 3}, 'reg': {'num_out': 1}}

class Encoder(nn.Module):
    def __init__(self):
        super(Encoder, self).__init__()
        self.net = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 32), nn.ReLU())
    def forward(self, x):
        return self.net(x)

class HPS(nn.Module):
    def __init__(self, task_dict):
        super().__init__()
        self.task_name = list(task_dict.keys())
        self.encoder = Encoder()
        self.decoders = nn.ModuleDict({task: nn.Linear(32, task_dict[task]['num_out']) for task in self.task_name})
    def forward(self, inputs, task_name=None):
        out = {}
        rep = self.encoder(inputs)
        for tn, task in enumerate(self.task_name):
            if task_name is not None and task != task_name:
                continue
            out[task] = self.decoders[task](rep)
        return out

model = HPS(task_dict).to(device)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-5)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=5, gamma=0.5)
loss_fn = {'cls': nn.CrossEntropyLoss(), 'reg': nn.MSELoss()}

for epoch in range(12):
    model.train()
    epoch_loss = 0.0
    for batch_idx, (inputs, la, lb) in enumerate(train_loader):
        inputs, la, lb = inputs.to(device), la.to(device), lb.to(device)
        preds = model(inputs)
        train_losses = torch.stack([loss_fn['cls'](preds['cls'], la),
                                    loss_fn['reg'](preds['reg'].squeeze(-1), lb)])
        loss = train_losses.sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item()
    scheduler.step()
    model.eval()
    correct, total, se = 0, 0, 0.0
    with torch.no_grad():
        for inputs, la, lb in test_loader:
            preds = model(inputs)
            correct += (preds['cls'].argmax(1) == la).sum().item()
            total += la.size(0)
            se += ((preds['reg'].view(-1) - lb) ** 2).sum().item()
    acc = correct / total
assert optimizer.param_groups[0]['lr'] == 1e-2 * 0.25, optimizer.param_groups[0]['lr']
assert abs(scheduler.get_last_lr()[0] - 2.5e-3) < 1e-12
path = os.path.join(tempfile.mkdtemp(), 'hps.pt')
torch.save(model.state_dict(), path)
model2 = HPS(task_dict)
model2.load_state_dict(torch.load(path))
model2.eval()
with torch.no_grad():
    a = model(torch.from_numpy(X[:8]))['cls']; b = model2(torch.from_numpy(X[:8]))['cls']
assert torch.allclose(a, b)
RESULT = dict(acc=acc, mse=se / total)
assert acc > 0.8 and se / total < 0.5, RESULT
