"""Every script in examples/architectures runs and prints what it promises (accuracies ≥ 0.9 on the digits, well
above chance on the two-digit overlays; DSelect-k's static gates settle on one expert per task)."""

import functools
import pathlib
import re
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[4] / "examples" / "architectures"
DIGITS = ["hard_sharing", "soft_sharing", "task_specific", "cross_stitch", "cgc", "ple", "dselect_k", "task_relation"]


@functools.lru_cache(maxsize=None)  # the DSelect-k script's output serves two tests
def run(script, *args):
    result = subprocess.run([sys.executable, str(EXAMPLES / f"{script}.py"), *args], capture_output=True, text=True,
                            timeout=300, cwd=EXAMPLES.parent.parent)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("script", DIGITS)
def test_digits_example(script):
    accuracies = [float(a) for a in re.findall(r"accuracy (\d\.\d+)", run(script))]
    assert len(accuracies) == (4 if script == "dselect_k" else 2) and min(accuracies) >= 0.9, accuracies


def test_dselect_k_static_gates_settle_on_one_expert():
    rows = re.findall(r"^expert weights of \w+: \[(.*)\]$", run("dselect_k"), re.M)
    assert len(rows) == 2 and all(max(float(w) for w in row.split(",")) == 1.0 for row in rows), rows


def test_esmm_example():
    errors = [float(e) for e in re.findall(r": +(\d\.\d+)", run("esmm"))]
    assert len(errors) == 3 and max(errors) < 0.1, errors


def test_mmoe_example():
    rows = re.findall(r"^ *(-?\d\.\d) +(\d+\.\d+) +(\d+\.\d+)", run("mmoe", "--seeds", "1"), re.M)
    assert [r[0] for r in rows] == ["1.0", "0.5", "0.0"]
    assert all(float(hard) < 1.3 and float(mmoe) < 1.3 for _, hard, mmoe in rows)  # both learn (label variance ≈ 1.3)


def test_mtan_example():
    accuracies = [float(a) for a in re.findall(r"accuracy (\d\.\d+)", run("mtan"))]
    assert len(accuracies) == 2 and min(accuracies) > 0.5, accuracies
