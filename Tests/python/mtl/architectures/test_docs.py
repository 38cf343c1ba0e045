"""The ``Examples:`` of the architecture modules run, and every public name of ``polyhead.mtl.architectures``
(and its public methods) has a docstring."""

import doctest
import importlib
import inspect

import pytest

from polyhead.mtl import architectures

MODULES = ["_base", "hard_sharing", "soft_sharing", "task_specific", "cross_stitch", "mmoe", "cgc", "ple", "dselect_k",
           "esmm", "task_relation", "mtan"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"polyhead.mtl.architectures.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0
    assert result.attempted > 0, f"{name} has no examples"


def test_every_public_symbol_has_a_docstring():
    missing = []
    for name in architectures.__all__:
        obj = getattr(architectures, name)
        if not (obj.__doc__ or "").strip():
            missing.append(name)
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if not attr.startswith("_") and callable(member) and not (member.__doc__ or "").strip():
                    missing.append(f"{name}.{attr}")
    assert missing == []
