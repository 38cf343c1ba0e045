"""The ``Examples:`` of PCGrad, MGDA, CAGrad, IMTL, AlignedMTL and NashMTL run and print what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("name", ["pcgrad", "mgda", "cagrad", "imtl", "aligned_mtl", "nash_mtl"])
def test_docstring_examples(name):
    module = importlib.import_module(f"polyhead.mtl.gradient.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0
    assert result.attempted > 0
