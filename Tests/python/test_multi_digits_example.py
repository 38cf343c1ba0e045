"""examples/multi_digits_conv.py --quick trains the shared conv net with summed losses, PCGrad and MGDA, and
MTAN, on the two-digit overlays, and prints a table in which every run is well above chance (0.1)."""
import pathlib
import re
import subprocess
import sys

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "multi_digits_conv.py"


def test_quick_run_prints_accuracies_well_above_chance():
    result = subprocess.run([sys.executable, str(EXAMPLE), "--quick"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    rows = {name: (float(left), float(right), float(seconds)) for name, left, right, seconds in
            re.findall(r"^(\w+) +(\d\.\d{3}) +(\d\.\d{3}) +(\d+\.\d{3})$", result.stdout, re.M)}
    assert list(rows) == ["plain", "pcgrad", "mgda", "mtan"], result.stdout
    assert min(rows["plain"][:2]) > 0.5, rows
    assert all(min(left, right) > 0.4 and seconds > 0 for left, right, seconds in rows.values()), rows
