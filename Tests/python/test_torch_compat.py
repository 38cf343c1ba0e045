"""Code written for PyTorch runs with only its imports changed (within Polyhead's feature set)."""

from __future__ import annotations

import textwrap

import numpy as np

TORCH_SCRIPT = textwrap.dedent('''
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    import torch.optim as optim

    torch.manual_seed(0)
    torch.set_num_threads(1)

    class Net(nn.Module):
        def __init__(self, n_in, n_classes):
            super().__init__()
            self.trunk = nn.Sequential(nn.Linear(n_in, 32), nn.ReLU(), nn.Linear(32, 16), nn.Tanh())
            self.heads = nn.ModuleDict({"cls": nn.Linear(16, n_classes), "bin": nn.Linear(16, 1)})

        def forward(self, x):
            h = self.trunk(x)
            return self.heads["cls"](h), self.heads["bin"](h).squeeze(1)

    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((128, 8)).astype(np.float32)
    y_np = (x_np[:, 0] > 0).astype(np.int64) + 2 * (x_np[:, 1] > 0).astype(np.int64)
    x = torch.from_numpy(x_np)
    y = torch.tensor(y_np)
    t = torch.tensor((x_np[:, 2] > 0).astype(np.float32), dtype=torch.float32)

    model = Net(8, 4)
    opt = optim.Adam([{"params": model.trunk.parameters()},
                      {"params": model.heads.parameters(), "lr": 3e-3}], lr=1e-2, weight_decay=0.0)
    criterion = nn.CrossEntropyLoss()
    history = []
    for epoch in range(60):
        model.train()
        for xb, yb, tb in zip(torch.split(x, 32), torch.split(y, 32), torch.split(t, 32)):
            logits, logit = model(xb)
            loss = criterion(logits, yb) + 0.5 * F.binary_cross_entropy_with_logits(logit, tb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        for group in opt.param_groups:
            group["lr"] *= 0.99
        history.append(loss.item())

    model.eval()
    with torch.no_grad():
        logits, logit = model(x)
        accuracy = (logits.argmax(dim=1).numpy() == y_np).mean()
        probs = F.softmax(logits, dim=-1)
    assert logits.shape == (128, 4) and x.size(0) == 128 and logits.dim() == 2
    assert abs(probs.sum(dim=1).numpy() - 1).max() < 1e-5
    assert not logits.requires_grad

    # manual SGD on a copy, the classic pattern
    clone = Net(8, 4)
    clone.load_state_dict(model.state_dict())
    out, _ = clone(x[:4])
    out.sum().backward()
    with torch.no_grad():
        for p in clone.parameters():
            if p.grad is not None:
                p -= 0.1 * p.grad
                p.grad.zero_()
    weight = clone.trunk[0].weight.detach().numpy()
    features = torch.cat([x[:2], x[2:4]], dim=0).mean(0, keepdim=True).detach().cpu().numpy()
    result = dict(first=history[0], last=history[-1], accuracy=float(accuracy), weight_shape=weight.shape,
                  features_shape=features.shape, params=sum(p.numel() for p in model.parameters()))
''')


def run(script: str) -> dict:
    polyhead_script = (script.replace("import torch.nn.functional as F", "import polyhead.nn.functional as F")
                       .replace("import torch.nn as nn", "import polyhead.nn as nn")
                       .replace("import torch.optim as optim", "import polyhead.optim as optim")
                       .replace("import torch\n", "import polyhead as torch\n"))
    assert polyhead_script.count("polyhead") == 4
    namespace: dict = {}
    exec(compile(polyhead_script, "<torch script>", "exec"), namespace)
    return namespace["result"]


def test_pytorch_training_script_runs_with_only_imports_changed():
    result = run(TORCH_SCRIPT)
    assert result["last"] < 0.5 * result["first"]
    assert result["accuracy"] > 0.9
    assert result["weight_shape"] == (32, 8) and result["features_shape"] == (1, 8)
    assert result["params"] == 8 * 32 + 32 + 32 * 16 + 16 + 16 * 4 + 4 + 16 + 1
