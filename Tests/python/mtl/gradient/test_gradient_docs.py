"""The ``Examples:`` in the docstrings of every ``polyhead.mtl.gradient`` module run and print what they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import polyhead.mtl.gradient as gradient

MODULES = sorted(f"{gradient.__name__}.{info.name}" for info in pkgutil.iter_modules(gradient.__path__)
                 if not info.name.startswith("_"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0
    assert result.attempted > 0, f"{name} has no examples"
