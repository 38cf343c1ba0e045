"""The docstring examples of the weighting modules run and print what they show; every class is exported."""

from __future__ import annotations

import doctest
import importlib

import pytest

from polyhead import mtl

MODULES = ["linear", "inverse_loss", "uncertainty", "dwa", "gradnorm", "rlw", "famo", "gls", "stch"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"polyhead.mtl.weighting.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0 and result.attempted > 0


def test_exports_and_core_names():
    expected = {"LinearWeighting": "linear", "InverseLossWeighting": "inverse_loss",
                "UncertaintyWeighting": "uncertainty", "DWA": "dwa", "GradNorm": "gradnorm", "RLW": "rlw",
                "FAMO": "famo", "GeometricLossStrategy": "gls", "STCH": "stch"}
    assert sorted(mtl.weighting.__all__) == sorted(expected)
    for name, core_name in expected.items():
        cls = getattr(mtl, name)
        assert cls is getattr(mtl.weighting, name) and cls._core_name == core_name
        assert core_name in mtl.available_methods()
        assert (cls.__doc__ or "").strip()
