"""End to end: every registered weighting/gradient method trains a hard-sharing MLP on the bundled digits
to ≥ 0.90 test accuracy on both tasks (digit class, digit ≥ 5) — the gradient methods (and GradNorm) in both
modes, on the shared parameters and on the shared representation (except MoCo and DB-MTL, which refuse it).
The training is the comparison example's (``examples/compare_methods.py``, loaded by path), so the test also
runs that example."""

from __future__ import annotations

import numpy as np
import pytest

from polyhead import mtl

CLASSES = {cls._core_name: cls for cls in (getattr(mtl, name) for name in mtl.__all__)
           if isinstance(cls, type) and getattr(cls, "_core_name", None)}
REPRESENTATION_MODE = sorted(name for name, cls in CLASSES.items() if not cls._rep_grad_unsupported
                             and (cls.__name__ in mtl.gradient.__all__ or name == "gradnorm"))
CASES = [(name, False) for name in sorted(CLASSES)] + [(name, True) for name in REPRESENTATION_MODE]


def test_every_registered_method_has_a_python_class():
    assert sorted(CLASSES) == sorted(mtl.available_methods())
    # Every gradient method but the two that track gradients across steps (see their docstrings), and GradNorm.
    assert {name for name, cls in CLASSES.items() if cls._rep_grad_unsupported} == {"moco", "dbmtl"}
    assert len(REPRESENTATION_MODE) == len(mtl.gradient.__all__) - 2 + 1


@pytest.mark.parametrize("core_name, rep_grad", CASES, ids=[f"{n}-{'rep' if r else 'params'}" for n, r in CASES])
def test_method_trains_both_tasks_to_90_percent(core_name, rep_grad, load_example):
    method = CLASSES[core_name](2, rep_grad=rep_grad)
    digit_accuracy, large_accuracy, _ = load_example("compare_methods.py").train(method)
    assert digit_accuracy >= 0.90 and large_accuracy >= 0.90, (core_name, digit_accuracy, large_accuracy)
    assert len(method.last_step.weights) == 2 and np.all(np.isfinite(method.last_step.weights))
