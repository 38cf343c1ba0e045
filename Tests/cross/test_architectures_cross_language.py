"""Every multi-task architecture built from the same recipe and seed in Swift and in Python (through
``polyhead.mtl``) has the same parameter names and values, gives the same outputs, trains identically
for three Adam steps and ends with the same buffers (batch normalization's statistics, by name); and the
weights each language saves load strictly into the other's model, giving the same evaluation outputs.
The Swift side is ``polyhead-cross-check architectures <directory>``
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
    ("HardSharing", lambda: mtl.HardSharing(nn.Sequential(nn.Linear(5, 4), nn.BatchNorm1d(4), nn.ReLU()),
                                            [("a", nn.Linear(4, 2)), ("b", nn.Linear(4, 1))])),
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
    ("DSelectKStatic", lambda: mtl.DSelectK(5, [block() for _ in range(3)],
                                            [("a", nn.Linear(4, 1)), ("b", nn.Linear(4, 1))], k=2, gamma=0.5,
                                            per_example=False)),
]
INPUT_SHAPES = {"MTAN": (3, 1, 4, 4)}  # the others take (3, 5)


def python_report(directory):
    """The Swift report's lines, computed in Python; saves each trained model to ``<name>.python.safetensors``
    and returns, per recipe, the model and input too."""
    lines, trained = [], {}
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
        lines += [("buffer", n, b.numpy().ravel().tolist()) for n, b in model.named_buffers()]
        model.save_weights(directory / f"{name}.python.safetensors")
        model.eval()
        lines += [("eval", t, y.detach().numpy().ravel().tolist()) for t, y in model(x).items()]
        trained[name] = (model, x)
    return lines, trained


def swift_report(directory):
    subprocess.run(["swift", "build", "--product", "polyhead-cross-check"], cwd=ROOT, check=True, capture_output=True)
    bin_path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True, capture_output=True,
                              text=True).stdout.strip()
    output = subprocess.run([f"{bin_path}/polyhead-cross-check", "architectures", str(directory)], check=True,
                            capture_output=True, text=True).stdout
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
def test_architectures_match_swift(tmp_path):
    from_python, trained = python_report(tmp_path)
    from_swift = swift_report(tmp_path)
    assert [(k, n) for k, n, _ in from_python] == [(k, n) for k, n, _ in from_swift]
    for (kind, name, a), (_, _, b) in zip(from_python, from_swift):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6, err_msg=f"{kind} {name}")
    assert sum(kind == "buffer" for kind, _, _ in from_python) == 3 + 2 * 5 * 3  # HardSharing's BN, MTAN's
    for name, make in RECIPES:  # Swift's weights in a new Python model
        model, x = trained[name]
        loaded = make()
        loaded.load_weights(tmp_path / f"{name}.swift.safetensors")
        loaded.eval()
        for task, y in loaded(x).items():
            np.testing.assert_allclose(y.detach().numpy(), model(x)[task].detach().numpy(), rtol=0, atol=1e-6,
                                       err_msg=f"{name} {task}")
