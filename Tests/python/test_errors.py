"""Bad inputs raise the right exception class with a useful message and never crash the interpreter.

Cases that could take the process down (huge sizes, extreme indices, raw handles) run in a subprocess
whose exit code must not be a signal.
"""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
import polyhead.nn.functional as F
from polyhead import _core, nn

# ---------------------------------------------------------------- shapes → ValueError naming the shapes


@pytest.mark.parametrize("call,pattern", [
    (lambda: ph.zeros(2, 3) + ph.zeros(4), r"\(2, 3\).*\(4,\)"),
    (lambda: ph.zeros(2, 3) * np.zeros((3, 2)), r"\(2, 3\).*\(3, 2\)"),
    (lambda: ph.zeros(2, 3) @ ph.zeros(4, 2), r"\(2, 3\).*\(4, 2\)"),
    (lambda: ph.zeros(2, 2, 3) @ ph.zeros(2, 2), r"\(2, 2, 3\) and \(2, 2\)"),
    (lambda: F.linear(ph.zeros(5, 3), ph.zeros(4, 2)), r"\(5, 3\)|\(4, 2\)"),
    (lambda: F.mse_loss(ph.zeros(3), ph.zeros(2)), r"\(3,\).*\(2,\)"),
    (lambda: F.binary_cross_entropy_with_logits(ph.zeros(3, 1), ph.zeros(3)), r"\(3, 1\)|\(3,\)"),
    (lambda: F.cross_entropy(ph.zeros(2, 3), [0, 1, 2]), r"3 targets for 2 samples"),
    (lambda: ph.cat([ph.zeros(2, 3), ph.zeros(2, 4)]), r"\(2, 3\).*\(2, 4\)"),
    (lambda: ph.zeros(6).reshape(4, 2), r"\(4, 2\).*6"),
    (lambda: ph.zeros(2, 3).copy_(ph.zeros(4)), r"\(4,\)|\(2, 3\)"),
    (lambda: ph.split(ph.zeros(5), [1, 2]), r"\[1, 2\]"),
])
def test_shape_mismatches_raise_value_error_naming_shapes(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


# ---------------------------------------------------------------- wrong types → TypeError naming the argument


@pytest.mark.parametrize("call,pattern", [
    (lambda: ph.exp([1.0, 2.0]), "input"),
    (lambda: ph.sum(np.ones(3)), "input"),
    (lambda: ph.tensor("abc"), "data"),
    (lambda: ph.tensor(np.array(["a", "b"])), "data"),
    (lambda: ph.tensor(np.ones(2, dtype=np.complex64)), "data"),
    (lambda: ph.tensor({"a": 1}), "data"),
    (lambda: ph.zeros("a", 2), "size"),
    (lambda: ph.zeros(2.5), "size"),
    (lambda: ph.from_numpy([1.0, 2.0]), "np.ndarray"),
    (lambda: ph.from_numpy(np.array(["x"])), "ndarray"),
    (lambda: F.linear(ph.zeros(2, 3), "w"), "weight"),
    (lambda: F.mse_loss(ph.zeros(2), object()), "target"),
    (lambda: F.cross_entropy(ph.zeros(2, 3), "ab"), "target"),
    (lambda: F.cross_entropy(ph.zeros(2, 3), np.array(["a", "b"])), "target"),
    (lambda: F.cross_entropy([[0.0, 1.0]], [0]), "input"),
    (lambda: nn.Linear("a", 2), "in_features"),
    (lambda: nn.Linear(2, 2.0), "out_features"),
    (lambda: ph.ones(2).copy_("x"), "src"),
    (lambda: ph.ones(2).backward("x"), "gradient"),
    (lambda: ph.softmax(ph.ones(2), "x"), "dim"),
    (lambda: ph.ones(2, 2).sum(dim="x"), "dim"),
    (lambda: ph.cat(ph.ones(2)), "tensors"),
    (lambda: ph.ones(2).pow(ph.ones(2)), "exponent"),
])
def test_wrong_types_raise_type_error_naming_the_argument(call, pattern):
    with pytest.raises(TypeError, match=pattern):
        call()


def test_ragged_lists_raise_value_error():
    with pytest.raises(ValueError, match="rectangular"):
        ph.tensor([[1.0, 2.0], [3.0]])


# ---------------------------------------------------------------- autodiff misuse


def test_non_scalar_backward_and_double_backward_are_runtime_errors():
    x = ph.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError):
        (x * 2).backward()
    y = (x * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError):
        y.backward()


def test_backward_on_a_constant_is_a_runtime_error():
    with pytest.raises(RuntimeError):
        ph.ones(2).sum().backward()


def test_item_of_several_elements_is_an_error():
    with pytest.raises(ValueError, match="3 elements"):
        ph.zeros(3).item()


# ---------------------------------------------------------------- class labels


@pytest.mark.parametrize("loss", [F.cross_entropy, F.nll_loss])
@pytest.mark.parametrize("labels", [[0, 3], [0, -1], np.array([0, 2**40]), ph.tensor([5.0, 0.0])])
def test_labels_out_of_range_raise_index_error(loss, labels):
    with pytest.raises(IndexError, match="out of bounds"):
        loss(ph.zeros(2, 3), labels)


# NaN labels are not here: they mark missing labels (see nn/test_masks.py).
@pytest.mark.parametrize("labels", [[0.5, 1.0], ph.tensor([0.0, 1.2]), np.array([np.inf, 1.0])])
def test_non_integer_labels_raise_value_error(labels):
    with pytest.raises(ValueError, match="integer"):
        F.cross_entropy(ph.zeros(2, 3), labels)


def test_two_dimensional_labels_raise_value_error():
    with pytest.raises(ValueError, match=r"1-D"):
        F.cross_entropy(ph.zeros(2, 3), np.zeros((2, 1), dtype=np.int64))


@pytest.mark.parametrize("reduction", ["avg", "", None, 1])
def test_bad_reduction_lists_the_valid_ones(reduction):
    with pytest.raises(ValueError, match="'none', 'mean' or 'sum'"):
        F.mse_loss(ph.zeros(2), ph.zeros(2), reduction=reduction)
    with pytest.raises(ValueError, match="'none', 'mean' or 'sum'"):
        nn.CrossEntropyLoss(reduction=reduction)


# ---------------------------------------------------------------- NaN and infinity propagate


def test_nan_propagates_through_ops_losses_and_backward():
    x = ph.tensor([[np.nan, 1.0], [0.5, -1.0]], requires_grad=True)
    y = (x.exp() * 2 + x.sigmoid()).tanh() @ ph.ones(2, 2)
    assert np.isnan(y.detach().numpy()[0]).all() and np.isfinite(y.detach().numpy()[1]).all()
    loss = F.cross_entropy(x, [0, 1]) + F.mse_loss(x, ph.zeros(2, 2)) + F.binary_cross_entropy_with_logits(x, ph.ones(2, 2))
    assert np.isnan(loss.item())
    loss.backward()
    assert np.isnan(x.grad.numpy()).any()
    assert np.isnan(ph.tensor([-1.0]).log().item())  # nan, not an error
    assert np.isnan(ph.tensor([-1.0]).sqrt().item())
    assert ph.tensor([0.0]).log().item() == -np.inf
    assert ph.tensor([np.inf]).softmax(0).numpy().shape == (1,)


def test_nan_in_optimizer_step_does_not_crash():
    p = nn.Parameter(ph.ones(3))
    opt = ph.optim.Adam([p], lr=0.1)
    p.grad = ph.tensor([np.nan, 1.0, np.inf])
    opt.step()
    assert np.isnan(p.detach().numpy()[0]) and np.isfinite(p.detach().numpy()[1])


# ---------------------------------------------------------------- could-crash cases, in a subprocess

CRASH_CASES = {
    "huge sizes": """
        expect(MemoryError, lambda: ph.zeros(2**40, 2**40))
        expect(MemoryError, lambda: ph.ones(2**62, 4))
        expect(MemoryError, lambda: ph.arange(0, 1e18))
        expect(MemoryError, lambda: ph.zeros(4).reshape(2**62, 2**62))
        expect(ValueError, lambda: ph.zeros(-1, 2))
        expect((ValueError, MemoryError), lambda: nn.Linear(2**40, 2**40))
        expect(ValueError, lambda: nn.Linear(0, -3))
    """,
    "extreme indices and axes": """
        expect(IndexError, lambda: _core.index_select(ph.zeros(3), np.array([2**63 - 1], dtype=np.int64)))
        expect(IndexError, lambda: _core.index_select(ph.zeros(3), np.array([-2**63], dtype=np.int64)))
        expect(IndexError, lambda: _core.sum(ph.zeros(2, 3), 2**31 - 1, 0))
        expect(IndexError, lambda: _core.max(ph.zeros(2), -5, 0))
        expect(IndexError, lambda: _core.concat([ph.zeros(2)], 7))
        expect(ValueError, lambda: _core.split(ph.zeros(5), [-1, 6], 0))
        expect(IndexError, lambda: ph.nn.functional.cross_entropy(ph.zeros(2, 3), np.array([2**62, -2**62])))
        expect(IndexError, lambda: ph.zeros(3, 2)[np.array([3, -4])])
        expect(ValueError, lambda: ph.zeros(0).max())
        expect(ValueError, lambda: ph.zeros(0).item())
        ok(lambda: ph.zeros(0, 3) @ ph.zeros(3, 0))
        ok(lambda: ph.zeros(0, 3).sum(0))
    """,
    "raw handles and None": """
        expect(TypeError, lambda: object.__new__(ph.Tensor))
        expect(TypeError, lambda: _core.Tensor.__new__(ph.Tensor, None))
        expect(TypeError, lambda: _core.Tensor.__new__(ph.Tensor))
        expect(TypeError, lambda: _core.Optimizer())
        expect(TypeError, lambda: _core.optimizer_step(None))
        expect(TypeError, lambda: _core.exp(None))
        expect(TypeError, lambda: _core.add(ph.zeros(1), None))
        expect(TypeError, lambda: _core.backward(None, None, 0))
        expect(TypeError, lambda: _core.set_tensor_class(int))
        expect(TypeError, lambda: _core.from_buffer(b"abcd"))
        expect(TypeError, lambda: _core.from_buffer_shared(np.frombuffer(b"abcdabcd", dtype=np.float32)))
        expect(TypeError, lambda: ph.optim.SGD(None))
        expect(TypeError, lambda: ph.optim.SGD([None], lr=0.1))
        expect(ValueError, lambda: ph.optim.SGD([], lr=0.1))
        t = ph.randn(3); view = t.numpy(); del t; ok(lambda: float(view.sum()))
    """,
    "non-finite values": """
        ok(lambda: ph.full((2,), float("nan")).exp().sum().item())
        ok(lambda: (ph.tensor([np.inf, -np.inf]) * 0).tolist())
        expect(ValueError, lambda: ph.nn.functional.binary_cross_entropy(ph.tensor([np.nan]), ph.tensor([1.0])))  # as torch
        ok(lambda: ph.nn.functional.binary_cross_entropy(ph.tensor([0.5]), ph.tensor([np.nan])))
        expect(ValueError, lambda: ph.optim.SGD([ph.nn.Parameter(ph.zeros(1))], lr=float("nan")))
        expect(ValueError, lambda: ph.arange(0, float("inf")))
        expect(ValueError, lambda: ph.arange(0, 1, 0))
        expect(ValueError, lambda: _core.uniform((2,), 1.0, 0.0))
    """,
}

_PRELUDE = """
import sys
import numpy as np
import polyhead as ph
from polyhead import _core, nn
failures = []
def expect(error, call):
    try:
        call()
    except error:
        return
    except Exception as exc:
        failures.append(f"expected {error}, got {type(exc).__name__}: {exc}")
        return
    failures.append(f"expected {error}, nothing raised")
def ok(call):
    try:
        call()
    except Exception as exc:
        failures.append(f"unexpected {type(exc).__name__}: {exc}")
"""


@pytest.mark.parametrize("name", sorted(CRASH_CASES))
def test_could_crash_cases_in_a_subprocess(name, run_python):
    import textwrap

    code = _PRELUDE + textwrap.dedent(CRASH_CASES[name]) + "\nprint('\\n'.join(failures)); sys.exit(1 if failures else 0)\n"
    result = run_python(code)
    assert result.returncode >= 0, f"killed by signal {-result.returncode}: {result.stderr[-2000:]}"
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
