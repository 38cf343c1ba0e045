"""Batched products: ``matmul`` of operands of any rank (torch's broadcasting rules), ``bmm`` and ``einsum`` of one
or two operands.

A product with one unbatched (2-D) operand is one core GEMM over the reshaped batch; two batched operands (their
batch axes broadcast and merged into one) go through the core's batched GEMM (``_core.bmm``). ``einsum`` sums away
the letters only one operand has, then maps the rest onto one batched product: batch letters (both operands and the
output), contracted letters (both operands only), and each operand's own letters.
"""

from __future__ import annotations

import math
from typing import Any, List, Tuple

import numpy as np

from . import _core
from ._convert import as_tensor
from ._layout_ops import expand, permute

_CoreTensor = _core.Tensor
_shape = _core.Tensor.shape.__get__


def _product(a: _CoreTensor, b: _CoreTensor) -> _CoreTensor:
    """``a @ b`` for ``a`` (..., n, k) and ``b`` (..., k, m), both at least 2-D, batch axes broadcast."""
    (*batch_a, n, k), (*batch_b, k2, m) = _shape(a), _shape(b)
    if k != k2:
        raise ValueError(f"[matmul] inner dimensions differ: shapes {_shape(a)} and {_shape(b)}")
    if not batch_b:  # (..., n, k) @ (k, m): one GEMM over all rows
        rows = _core.matmul(_core.reshape(a, (-1, k)), b, 0, 0)
        return _core.reshape(rows, tuple(batch_a) + (n, m))
    if not batch_a:  # (n, k) @ (..., k, m): one GEMM against the batch's columns side by side
        columns = _core.reshape(permute(b, [len(batch_b)] + list(range(len(batch_b))) + [len(batch_b) + 1]), (k, -1))
        out = _core.reshape(_core.matmul(a, columns, 0, 0), (n,) + tuple(batch_b) + (m,))
        return permute(out, list(range(1, len(batch_b) + 1)) + [0, len(batch_b) + 1])
    try:
        batch = np.broadcast_shapes(tuple(batch_a), tuple(batch_b))
    except ValueError:
        raise ValueError(f"[matmul] batch dimensions do not broadcast: shapes {_shape(a)} and {_shape(b)}") from None
    size = math.prod(batch)
    left = _core.reshape(expand(a, batch + (n, k)), (size, n, k))
    right = _core.reshape(expand(b, batch + (k, m)), (size, k, m))
    return _core.reshape(_core.bmm(left, right, 0, 0), batch + (n, m))


def matmul(input: Any, other: Any) -> _CoreTensor:
    """Matrix product with torch's rules: 1-D operands are a row (left) or column (right) vector, dropped from the
    result; operands of 3 or more dimensions are stacks of matrices whose batch axes broadcast.

    Shape:
        (n, k) @ (k, m) → (n, m); (b, n, k) @ (k, m) → (b, n, m); (b, n, k) @ (b, k, m) → (b, n, m);
        (k,) @ (b, k, m) → (b, m); (k,) @ (k,) → ().

    Examples:
        >>> import polyhead
        >>> polyhead.matmul(polyhead.ones(4, 2, 3), polyhead.ones(4, 3, 5)).shape
        polyhead.Size([4, 2, 5])
    """
    a, b = as_tensor(input, "input"), as_tensor(other, "other")
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"[matmul] both operands need at least one dimension, got shapes {_shape(a)} and {_shape(b)}")
    left = _core.reshape(a, (1, -1)) if a.ndim == 1 else a
    right = _core.reshape(b, (-1, 1)) if b.ndim == 1 else b
    out = _product(left, right)
    shape = _shape(out)
    if a.ndim == 1:
        shape = shape[:-2] + shape[-1:]
    if b.ndim == 1:
        shape = shape[:-1]
    return _core.reshape(out, shape)


def bmm(input: _CoreTensor, mat2: _CoreTensor) -> _CoreTensor:
    """Batched matrix product of two 3-D tensors: ``(b, n, k) @ (b, k, m) → (b, n, m)``.

    Raises:
        ValueError: an operand is not 3-D, or the batch or inner dimensions differ.
    """
    a, b = as_tensor(input, "input"), as_tensor(mat2, "mat2")
    if a.ndim != 3 or b.ndim != 3 or _shape(a)[0] != _shape(b)[0] or _shape(a)[2] != _shape(b)[1]:
        raise ValueError(f"bmm(): expected (b, n, k) and (b, k, m) tensors, got shapes {_shape(a)} and {_shape(b)}")
    return _core.bmm(a, b, 0, 0)


def _parse(equation: str, count: int) -> Tuple[List[str], str]:
    """The subscripts of each operand and of the output (implicit output: the letters seen once, sorted)."""
    equation = equation.replace(" ", "")
    inputs, arrow, output = equation.partition("->")
    terms = inputs.split(",")
    if len(terms) != count or "." in equation or not all(t.isalpha() for t in terms):
        raise ValueError(f"einsum(): equation {equation!r} needs one term of letters per operand ({count} given; "
                         "'...' is not supported)")
    if not arrow:
        output = "".join(sorted(c for c in set(inputs) - {","} if inputs.count(c) == 1))
    if not set(output) <= set(inputs) or len(set(output)) != len(output):
        raise ValueError(f"einsum(): output subscripts {output!r} must be distinct letters of the inputs")
    return terms, output


def _sum_letters(tensor: _CoreTensor, term: str, keep: str) -> Tuple[_CoreTensor, str]:
    """``tensor`` summed over the letters of ``term`` not in ``keep``; repeated letters (a diagonal) refused."""
    if len(set(term)) != len(term):
        raise ValueError(f"einsum(): repeated subscripts in one operand ({term!r}) are not supported")
    for axis in reversed(range(len(term))):
        if term[axis] not in keep:
            tensor = _core.sum(tensor, axis, 0)
    return tensor, "".join(c for c in term if c in keep)


def _arranged(tensor: _CoreTensor, term: str, groups: List[str]) -> _CoreTensor:
    """``tensor`` with its axes in the order of ``groups`` (strings of letters), each group merged into one axis."""
    order = "".join(groups)
    moved = permute(tensor, [term.index(c) for c in order]) if term != order else tensor
    sizes = dict(zip(term, _shape(tensor)))
    return _core.reshape(moved, tuple(math.prod(sizes[c] for c in group) for group in groups))


def einsum(equation: str, *operands: Any) -> _CoreTensor:
    """Sums of products over the letters of ``equation`` (``'bij,bjk->bik'``, ``'bi,bi->b'``, ``'be,bed->bd'``,
    ``'ij->ji'``, …), for one or two operands, as one batched product (see the module notes).

    Raises:
        ValueError: a malformed equation, ``...``, repeated letters within an operand, or sizes that disagree.

    Examples:
        >>> import polyhead
        >>> polyhead.einsum('be,bed->bd', polyhead.ones(2, 3), polyhead.ones(2, 3, 4)).shape
        polyhead.Size([2, 4])
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if len(operands) not in (1, 2):
        raise ValueError(f"einsum(): one or two operands are supported, got {len(operands)}")
    tensors = [as_tensor(t, f"operand {k}") for k, t in enumerate(operands)]
    terms, output = _parse(equation, len(tensors))
    sizes = {}
    for term, t in zip(terms, tensors):
        if len(term) != t.ndim:
            raise ValueError(f"einsum(): subscripts {term!r} do not fit an operand of shape {_shape(t)}")
        for letter, size in zip(term, _shape(t)):
            if sizes.setdefault(letter, size) != size:
                raise ValueError(f"einsum(): letter {letter!r} has sizes {sizes[letter]} and {size}")
    if len(tensors) == 1:
        out, term = _sum_letters(tensors[0], terms[0], output)
        return permute(out, [term.index(c) for c in output]) if term != output else out
    shared = set(terms[0]) & set(terms[1])
    (a, ta), (b, tb) = (_sum_letters(t, term, shared | set(output)) for t, term in zip(tensors, terms))
    batch = "".join(c for c in ta if c in tb and c in output)
    contracted = "".join(c for c in ta if c in tb and c not in output)
    own_a, own_b = "".join(c for c in ta if c not in tb), "".join(c for c in tb if c not in ta)
    product = _product(_arranged(a, ta, [batch, own_a, contracted]), _arranged(b, tb, [batch, contracted, own_b]))
    letters = batch + own_a + own_b
    spread = _core.reshape(product, tuple(sizes[c] for c in letters))
    return permute(spread, [letters.index(c) for c in output]) if letters != output else spread
