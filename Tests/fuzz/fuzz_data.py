"""Deterministic inputs for the API fuzzer and its reproducers.

Every value the fuzzer passes to Polyhead is written as a short Python expression over these helpers
(``make_data((2, 3), "float64", "nan", "strided", 7, "array")``), so that a logged call sequence is a
runnable script. Nothing here imports polyhead.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Tuple

import numpy as np

__all__ = ["make_data", "make_labels", "DTYPES", "FILLS", "LAYOUTS", "FORMS", "SPECIAL_FLOATS"]

DTYPES = ("float32", "float32", "float32", "float64", "float16", "int64", "int8", "uint8", "bool",
          "complex64", "object", "str", "datetime64")
FILLS = ("normal", "normal", "int", "zeros", "nan", "inf", "neg_inf", "denormal", "huge", "tiny_logit",
         "big_logit", "mixed", "labels")
LAYOUTS = ("c", "c", "fortran", "strided", "transposed", "readonly", "broadcast", "unaligned")
FORMS = ("array", "array", "array", "list", "scalar", "npscalar", "memoryview", "tuple", "ragged")
SPECIAL_FLOATS = ("0.0", "-0.0", "1.0", "-1.0", "0.5", "2.0", "1e-45", "1e-40", "3.4e38", "-3.4e38", "1e39",
                  "1e4", "-1e4", "50.0", "-50.0", "float('nan')", "float('inf')", "float('-inf')", "1e308",
                  "7", "-3", "True", "2**70")


def _values(shape: Tuple[int, ...], fill: str, rng: np.random.Generator) -> np.ndarray:
    """float64 values of ``shape`` for one fill pattern."""
    if fill == "int":
        return rng.integers(-3, 6, size=shape).astype(np.float64)
    if fill == "labels":
        return rng.integers(0, 4, size=shape).astype(np.float64)
    if fill == "zeros":
        return np.zeros(shape)
    base = rng.standard_normal(shape)
    specials = {"nan": math.nan, "inf": math.inf, "neg_inf": -math.inf, "denormal": 1e-40, "huge": 3.0e38,
                "tiny_logit": -1e4, "big_logit": 1e4}
    if fill in specials:
        mask = rng.random(shape) < 0.5
        return np.where(mask, specials[fill], base)
    if fill == "mixed":
        choices = np.array([math.nan, math.inf, -math.inf, 1e-40, -3.0e38, 0.0, -0.0, 1e4])
        mask = rng.random(shape) < 0.6
        return np.where(mask, choices[rng.integers(0, len(choices), size=shape)], base)
    return base


def _cast(values: np.ndarray, dtype: str) -> np.ndarray:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if dtype == "str":
            return values.astype(str)
        if dtype == "object":
            out = np.empty(values.shape, dtype=object)
            out[...] = values.tolist() if values.ndim else values.item()
            return out
        if dtype == "datetime64":
            return np.nan_to_num(values).astype(np.int64).astype("datetime64[s]")
        return values.astype(dtype)


def _layout(array: np.ndarray, layout: str) -> np.ndarray:
    """The same values with another memory layout (non-contiguous, read-only, zero strides, …)."""
    if array.ndim == 0:
        if layout == "readonly":
            array = array.copy()
            array.flags.writeable = False
        return array
    if layout == "fortran":
        return np.asfortranarray(array)
    if layout == "strided":
        doubled = np.repeat(array, 2, axis=-1)
        return doubled[..., ::2]
    if layout == "transposed":
        return np.ascontiguousarray(array.T).T
    if layout == "readonly":
        array = array.copy()
        array.flags.writeable = False
        return array
    if layout == "broadcast":
        return np.broadcast_to(array[..., :1], array.shape)
    if layout == "unaligned" and array.dtype.itemsize > 1 and array.dtype != object:
        raw = np.empty(array.nbytes + 1, dtype=np.uint8)[1:]
        out = raw.view(array.dtype).reshape(array.shape)
        out[...] = array
        return out
    return array


def make_data(shape: Tuple[int, ...], dtype: str = "float32", fill: str = "normal", layout: str = "c",
              seed: int = 0, form: str = "array") -> Any:
    """An input of the given shape, dtype, values, memory layout and Python form (deterministic in ``seed``).

    Forms: ``array`` (numpy), ``list``/``tuple`` (nested), ``scalar`` (a Python number: the first value),
    ``npscalar`` (a numpy scalar), ``memoryview`` (of the array), ``ragged`` (a nested list whose rows differ
    in length).
    """
    rng = np.random.default_rng(seed)
    array = _layout(_cast(_values(tuple(shape), fill, rng), dtype), layout)
    if form == "array":
        return array
    if form in ("list", "tuple"):
        listed = array.tolist()
        return tuple(listed) if form == "tuple" and isinstance(listed, list) else listed
    if form == "scalar":
        return array.flat[0].item() if array.size and hasattr(array.flat[0], "item") else 0.0
    if form == "npscalar":
        return array.flat[0] if array.size else np.float32(0)
    if form == "memoryview":
        try:
            return memoryview(array)
        except (ValueError, TypeError, BufferError):
            return memoryview(np.ascontiguousarray(array)) if array.dtype != object else array
    if form == "ragged":
        listed = array.tolist()
        if isinstance(listed, list) and listed:
            return [listed[0], listed] if len(listed) > 1 else [listed, [listed]]
        return [[1.0], [1.0, 2.0]]
    return array


def make_labels(n: int, low: int, high: int, seed: int = 0, dtype: str = "int64") -> np.ndarray:
    """``n`` class ids drawn from ``[low, high)`` (deterministic in ``seed``), as ``dtype``: a range beyond the
    classes of a model, or below 0, makes wrong labels."""
    rng = np.random.default_rng(seed)
    return _cast(rng.integers(low, max(high, low + 1), size=max(n, 0)).astype(np.float64), dtype)
