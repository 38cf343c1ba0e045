"""Per-task module arguments (``heads``, ``towers``…) of the ``polyhead.mtl`` architectures that are not a mapping
or ``(task, module)`` pairs raise a TypeError naming the architecture and the argument (found by the API
fuzzer: ``mtl.MTAN(..., heads=None)`` raised ``'NoneType' object is not iterable``)."""

from __future__ import annotations

import pytest

from polyhead import mtl, nn


@pytest.mark.parametrize("heads", [None, 3, [3, 4], [("a",)], [("a", nn.Identity(), 1)]])
def test_heads_that_are_not_task_module_pairs_raise_a_type_error_naming_them(heads):
    with pytest.raises(TypeError, match=r"\[MTAN\] heads must be a mapping or \(task, module\) pairs"):
        mtl.MTAN([nn.Conv2d(1, 4, 1)], channels=[4], heads=heads)
    with pytest.raises(TypeError, match=r"\[HardSharing\] heads must be a mapping or \(task, module\) pairs"):
        mtl.HardSharing(nn.Linear(2, 3), heads=heads)


def test_task_module_pairs_still_work():
    model = mtl.HardSharing(nn.Linear(2, 3), heads=[("a", nn.Linear(3, 1)), ("b", nn.Linear(3, 2))])
    assert model.tasks == ["a", "b"]
