"""Early stopping on a validation split: random_split, BatchNorm1d, CrossEntropyLoss(label_smoothing=...),
BCEWithLogitsLoss(pos_weight=...), zero_grad(set_to_none=True), torch.max(out, 1), copy.deepcopy(state_dict), indexed item assignment `x[torch.arange(n), y] += 2.5`.
"""
import copy
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset, random_split

torch.manual_seed(0)
x = torch.randn(300, 8)
y1 = torch.randint(0, 3, (300,))
x[torch.arange(300), y1] += 2.5
y2 = (x[:, 4] + x[:, 5] > 0).float().unsqueeze(1)
full = TensorDataset(x, y1, y2)
n_val = int(0.2 * len(full))
train_set, val_set = random_split(full, [len(full) - n_val, n_val])
train_loader = DataLoader(train_set, batch_size=32, shuffle=True, num_workers=0)
val_loader = DataLoader(val_set, batch_size=64)

model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.BatchNorm1d(32), nn.Linear(32, 4))
criterion_cls = nn.CrossEntropyLoss(label_smoothing=0.0)
criterion_bin = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([1.0]))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
best_loss, best_state, patience, bad = float('inf'), None, 3, 0
history = {'train_loss': [], 'val_loss': [], 'val_acc': []}
for epoch in range(30):
    model.train()
    running = 0.0
    for xb, c, b in train_loader:
        out = model(xb)
        loss = criterion_cls(out[:, :3], c) + criterion_bin(out[:, 3:], b)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        running += loss.item() * xb.size(0)
    history['train_loss'].append(running / len(train_loader.dataset))
    model.eval()
    vl, correct = 0.0, 0
    with torch.no_grad():
        for xb, c, b in val_loader:
            out = model(xb)
            vl += (criterion_cls(out[:, :3], c) + criterion_bin(out[:, 3:], b)).item() * len(xb)
            _, predicted = torch.max(out[:, :3], 1)
            correct += (predicted == c).sum().item()
    vl /= len(val_set)
    history['val_loss'].append(vl); history['val_acc'].append(correct / len(val_set))
    if vl < best_loss:
        best_loss, bad = vl, 0
        best_state = copy.deepcopy(model.state_dict())
    else:
        bad += 1
        if bad >= patience:
            break
model.load_state_dict(best_state)
assert 'running_mean' in ''.join(best_state.keys())
RESULT = dict(epochs=epoch + 1, best=best_loss, acc=max(history['val_acc']))
assert RESULT['acc'] > 0.8, RESULT
