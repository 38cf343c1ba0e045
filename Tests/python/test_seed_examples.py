"""The seeds' four examples (examples/seeds/) run as scripts with few epochs and learn their tasks."""

import pathlib
import re
import subprocess
import sys

import pytest

SEEDS = pathlib.Path(__file__).resolve().parents[2] / "examples" / "seeds"
pytestmark = pytest.mark.skipif(not SEEDS.exists(), reason="examples/ not present (not a source checkout)")


def _run(script, *args, prelude=""):
    """Runs a seed script (from another directory, against the installed package) and returns its stdout."""
    code = f"{prelude}import runpy, sys; sys.argv = [{script!r}, *{list(args)!r}]; runpy.run_path({script!r}, run_name='__main__')"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd="/")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _numbers(pattern, text):
    match = re.search(pattern, text)
    assert match, text
    return [float(g) for g in match.groups()]


def test_keras_hard_sharing():
    out = _run(str(SEEDS / "keras_hard_sharing.py"), "--epochs", "3")
    assert "Total params: 101,899" in out  # 784·128+128 + 128·10+10 + 128+1
    assert out.count("Epoch ") == 3
    digit, parity = _numbers(r"test accuracy: digit ([\d.]+), parity ([\d.]+)", out)
    assert digit > 0.9 and parity > 0.85, out


def test_torch_task_relation():
    out = _run(str(SEEDS / "torch_task_relation.py"), "--epochs", "4", "--samples", "256")
    first, last = _numbers(r"epoch 1: train loss ([\d.]+)", out)[0], _numbers(r"epoch 4: train loss ([\d.]+)", out)[0]
    assert last < first, out
    row, column, base_row, base_column = _numbers(
        r"test MSE: row ([\d.]+), column ([\d.]+) \(predicting the mean: ([\d.]+), ([\d.]+)\)", out)
    assert row < 0.5 * base_row and column < 0.5 * base_column, out


def test_torch_task_relation_runs_on_pytorch_with_only_imports_changed(tmp_path):
    pytest.importorskip("torch")
    lines = (SEEDS / "torch_task_relation.py").read_text().splitlines(keepends=True)
    marked = [i for i, line in enumerate(lines) if "# PyTorch: " in line]
    assert len(marked) == 4
    for i in marked:
        lines[i] = lines[i].split("# PyTorch: ")[1]
    script = tmp_path / "torch_task_relation_torch.py"
    script.write_text("".join(lines))
    out = _run(str(script), "--epochs", "4", "--samples", "256")
    row, column, base_row, base_column = _numbers(
        r"test MSE: row ([\d.]+), column ([\d.]+) \(predicting the mean: ([\d.]+), ([\d.]+)\)", out)
    assert row < 0.5 * base_row and column < 0.5 * base_column, out


def test_keras_two_output_regression():
    out = _run(str(SEEDS / "keras_two_output_regression.py"), "--epochs", "20")
    first, last = _numbers(r"training loss: first epoch ([\d.]+), last ([\d.]+)", out)
    assert last < 0.6 * first, out
    height, weight = _numbers(r"height ([\d.]+) cm, weight ([\d.]+) kg", out)
    # the noise has a 3 cm / 3 kg standard deviation (mean absolute error 2.4); predicting the mean gives ≈ 5 / 9
    assert height < 3.5 and weight < 4.0, out


@pytest.mark.parametrize("prelude", ["", "sys.modules['sklearn'] = None; "], ids=["sklearn-data", "numpy-data"])
def test_sklearn_two_binary_tasks(prelude):
    if not prelude:
        pytest.importorskip("sklearn")
    out = _run(str(SEEDS / "sklearn_two_binary_tasks.py"), "--epochs", "10", "--weighting", "pcgrad",
               prelude="import sys; " + prelude)
    task_a, task_b, mean = _numbers(r"task A ([\d.]+), task B ([\d.]+) \(mean ([\d.]+)\)", out)
    assert min(task_a, task_b) > 0.7 and mean == pytest.approx((task_a + task_b) / 2, abs=1e-3), out
