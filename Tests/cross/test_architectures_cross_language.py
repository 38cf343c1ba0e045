"""Every multi-task architecture built from the same recipe and seed in Swift and in Python (through
``polyhead.mtl``) has the same parameter names and values, gives the same outputs and trains identically
for three Adam steps. The Swift side is ``polyhead-cross-check architectures``
(Tests/cross/CrossCheck/Architectures.swift); the recipes here follow it step for step."""
import pathlib
import subprocess

import numpy as np
import pytest

import polyhead as ph
from polyhead import mtl, nn, optim

ROOT = pathlib.Path(__file__).resolve().parents[2]


def block(width=5):
    return nn.Sequential(nn.Linear(width, 4), nn.ReLU())


RECIPES = [
    ("HardSharing", lambda: mtl.HardSharing(block(), [("a", nn.Linear(4, 2)), ("b", nn.Linear(4, 1))])),
    ("SoftSharing", lambda: mtl.SoftSharing([(t, nn.Sequential(nn.Linear(5, 3), nn.Tanh(), nn.Linear(3, 1)))
                                             for t in "ab"], penalty=0.5)),
    ("TaskSpecific", lambda: mtl.TaskSpecific(lambda task: nn.Linear(5, 2), ["a", "b"])),
    ("CrossStitch", lambda: mtl.CrossStitch([(t, [block(), nn.Linear(4, 1)]) for t in "ab"])),
    ("MMoE", lambda: mtl.MMoE(5, [block() for _ in range(3)], [("a", nn.Linear(4, 1)), ("b", nn.Linear(4, 2))])),
    ("CGC", lambda: mtl.CGC(5, [block(), block()], [("a", [block()]), ("b", [block()])],
                            [("a", nn.Linear(4, 1)), ("b", nn.Linear(4, 1))])),
    ("PLE", lambda: mtl.PLE(5, 4, [("a", nn.Linear(4, 1)), ("b", nn.Linear(4, 1))], block, num_levels=2,
                            num_shared_experts=1, num_task_experts=1)),
    ("DSelectK", lambda: mtl.DSelectK(5, [block() for _ in range(3)], [("a", nn.Linear(4, 1)), ("b", nn.Linear(4, 1))],
                                      k=2, gamma=0.5)),
    ("ESMM", lambda: mtl.ESMM(block(), nn.Linear(4, 1), nn.Linear(4, 1))),
    ("TaskRelation", lambda: mtl.TaskRelation(block(), [("a", nn.Linear(4, 3)), ("b", nn.Linear(4, 3))],
                                              [("a", nn.Linear(3, 1)), ("b", nn.Linear(3, 1))])),
    ("MTAN", lambda: mtl.MTAN([nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU()),
                               nn.Sequential(nn.MaxPool2d(2), nn.Conv2d(2, 2, 3, padding=1), nn.ReLU())],
                              [2, 2], [("a", nn.Sequential(nn.Flatten(), nn.Linear(8, 2))),
                                       ("b", nn.Sequential(nn.Flatten(), nn.Linear(8, 1)))])),
]
INPUT_SHAPES = {"MTAN": (3, 1, 4, 4)}  # the others take (3, 5)


def python_report():
    lines = []
    for index, (name, make) in enumerate(RECIPES):
        ph.manual_seed(100 + index)
        model = make()
        x = ph.randn(*INPUT_SHAPES.get(name, (3, 5)))
        lines.append(("model", name, []))
        lines += [("param", n, p.detach().numpy().ravel().tolist()) for n, p in model.named_parameters()]
        lines += [("output", t, y.detach().numpy().ravel().tolist()) for t, y in model(x).items()]
        opt = optim.Adam(model.parameters(), lr=0.05)
        for _ in range(3):
            loss = ph.tensor(0.0)
            for y in model(x).values():
                loss = loss + (y * y).mean()
            if isinstance(model, mtl.SoftSharing):
                loss = loss + model.penalty()
            opt.zero_grad()
            loss.backward()
            opt.step()
            lines.append(("loss", "", [loss.item()]))
    return lines


def swift_report():
    subprocess.run(["swift", "build", "--product", "polyhead-cross-check"], cwd=ROOT, check=True, capture_output=True)
    bin_path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True, capture_output=True,
                              text=True).stdout.strip()
    output = subprocess.run([f"{bin_path}/polyhead-cross-check", "architectures"], check=True, capture_output=True,
                            text=True).stdout
    lines = []
    for line in output.splitlines():
        kind, *rest = line.split()
        if kind == "loss":
            lines.append(("loss", "", [float(rest[0])]))
        else:
            lines.append((kind, rest[0], [float(v) for v in rest[1:]]))
    return lines


@pytest.mark.skipif(subprocess.run(["which", "swift"], capture_output=True).returncode != 0,
                    reason="needs the Swift toolchain")
def test_architectures_match_swift():
    from_swift, from_python = swift_report(), python_report()
    assert [(k, n) for k, n, _ in from_python] == [(k, n) for k, n, _ in from_swift]
    for (kind, name, a), (_, _, b) in zip(from_python, from_swift):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6, err_msg=f"{kind} {name}")
