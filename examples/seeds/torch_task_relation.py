"""Seed example 2 — PyTorch shared layers and a task relation network.

Shared layers  Conv2d(3→64) → Conv2d(64→128) → Linear(→512)  read a 3×16×16 image; a task relation network
Linear(512→256) → Linear(256→2) turns the shared 512 features into the two task outputs together, trained
with the mean squared error and Adam. The data: small synthetic images, each with one bright 4×4 square on
noise; task 1 is the square's row, task 2 its column (both scaled to [0, 1]).

Shape bug of the seed code, fixed here: the seed's shared Linear did not produce the 512 features its task
relation network takes as input (and its input size ignored the conv stack's flattened 128·H·W output);
here the shared Linear maps 128·4·4 = 2048 features to 512, which Linear(512→256) accepts.

The code is PyTorch code: to run it on PyTorch change only the four marked import lines to
``import torch``, ``import torch.nn as nn``, ``import torch.nn.functional as F`` and
``from torch.utils.data import DataLoader, TensorDataset``.

Run:  python examples/seeds/torch_task_relation.py [--epochs 10] [--samples 1024] [--seed 0]
"""

import argparse

import numpy as np

import polyhead as torch  # PyTorch: import torch
import polyhead.nn as nn  # PyTorch: import torch.nn as nn
import polyhead.nn.functional as F  # PyTorch: import torch.nn.functional as F
from polyhead.utils.data import DataLoader, TensorDataset  # PyTorch: from torch.utils.data import DataLoader, TensorDataset


def make_squares(n, rng):
    """n noisy 3×16×16 images with one bright 4×4 square, and its (row, column) scaled to [0, 1]."""
    images = 0.1 * rng.randn(n, 3, 16, 16).astype("float32")
    position = rng.randint(0, 13, size=(n, 2))
    for i, (r, c) in enumerate(position):
        images[i, rng.randint(3), r:r + 4, c:c + 4] += 1.0
    return images, (position / 12.0).astype("float32")


class SharedLayers(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(64, 128, kernel_size=3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(128 * 4 * 4, 512)  # the seed's shape bug, fixed: 512 outputs for the relation network

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))  # 64 × 8 × 8
        x = self.pool(F.relu(self.conv2(x)))  # 128 × 4 × 4
        return F.relu(self.fc(torch.flatten(x, 1)))


class TaskRelationNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(512, 256)
        self.fc2 = nn.Linear(256, 2)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class MultiTaskNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.shared = SharedLayers()
        self.relation = TaskRelationNetwork()

    def forward(self, x):
        return self.relation(self.shared(x))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--samples", type=int, default=1024)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    images, positions = make_squares(args.samples + 256, np.random.RandomState(args.seed))
    images, positions = torch.from_numpy(images), torch.from_numpy(positions)
    order = torch.randperm(len(images))  # a random train/test split
    train, test = order[:args.samples], order[args.samples:]
    loader = DataLoader(TensorDataset(images[train], positions[train]), batch_size=32, shuffle=True)

    model = MultiTaskNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.MSELoss()
    for epoch in range(args.epochs):
        model.train()
        total = 0.0
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(inputs)
        print(f"epoch {epoch + 1}: train loss {total / len(loader.dataset):.4f}")

    model.eval()
    with torch.no_grad():
        predicted = model(images[test]).numpy()
    y_test = positions[test].numpy()
    mse = ((predicted - y_test) ** 2).mean(axis=0)
    baseline = ((y_test.mean(axis=0) - y_test) ** 2).mean(axis=0)
    print(f"test MSE: row {mse[0]:.4f}, column {mse[1]:.4f} (predicting the mean: {baseline[0]:.4f}, {baseline[1]:.4f})")


if __name__ == "__main__":
    main()
