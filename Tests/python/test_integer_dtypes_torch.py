"""Integer and bool dtypes as PyTorch infers and promotes them: creation from Python data, ``arange``/``full``,
bool and bitwise operators, ``cat``/``stack``/``where``, shape ops and indexing, reductions, numpy conversion
and the errors PyTorch raises. Every case states its expected dtype and values (written from PyTorch 2.x);
where torch is installed, each case is also run through torch, which must agree."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead

try:
    import torch
except ImportError:  # the expectations below still run; only the cross-check with torch is skipped
    torch = None


def _outcome(case, lib):
    """(dtype name, values) of ``case(lib)``, or the exception class for an error."""
    try:
        result = case(lib)
    except Exception as exc:  # noqa: BLE001 - the class is the outcome compared
        return type(exc)
    if isinstance(result, tuple):
        return tuple(_outcome(lambda _, r=r: r, lib) for r in result)
    return str(result.dtype).split(".")[-1], result.tolist()


def _b(lib):
    return lib.tensor([True, False, True])


def _l(lib):
    return lib.tensor([7, -7, 5])


CASES = {
    # creation: Python data decides the dtype
    "tensor ints": (lambda lib: lib.tensor([1, 2]), ("int64", [1, 2])),
    "tensor nested ints": (lambda lib: lib.tensor([[1, 2], [3, 4]]), ("int64", [[1, 2], [3, 4]])),
    "tensor int scalar": (lambda lib: lib.tensor(3), ("int64", 3)),
    "tensor bool scalar": (lambda lib: lib.tensor(True), ("bool", True)),
    "tensor bools": (lambda lib: lib.tensor([True, False]), ("bool", [True, False])),
    "tensor bool and int": (lambda lib: lib.tensor([True, 2]), ("int64", [1, 2])),
    "tensor int and float": (lambda lib: lib.tensor([1, 2.5]), ("float32", [1.0, 2.5])),
    "tensor numpy int32": (lambda lib: lib.tensor(np.array([1, 2], np.int32)), ("int32", [1, 2])),
    "tensor numpy int64 scalar": (lambda lib: lib.tensor(np.int64(4)), ("int64", 4)),
    "tensor of int tensors": (lambda lib: lib.tensor([lib.tensor(1), lib.tensor(2)]), ("int64", [1, 2])),
    "arange int": (lambda lib: lib.arange(4), ("int64", [0, 1, 2, 3])),
    "arange int step": (lambda lib: lib.arange(1, 7, 2), ("int64", [1, 3, 5])),
    "arange float step": (lambda lib: lib.arange(0, 1, 0.5), ("float32", [0.0, 0.5])),
    "arange float end": (lambda lib: lib.arange(3.0), ("float32", [0.0, 1.0, 2.0])),
    "full int": (lambda lib: lib.full((2,), 7), ("int64", [7, 7])),
    "full bool": (lambda lib: lib.full((2,), True), ("bool", [True, True])),
    "full float": (lambda lib: lib.full((2,), 1.5), ("float32", [1.5, 1.5])),
    "zeros stay float": (lambda lib: lib.zeros(2), ("float32", [0.0, 0.0])),
    # bool and bitwise operators
    "bool + bool": (lambda lib: _b(lib) + lib.tensor([True, True, False]), ("bool", [True, True, True])),
    "bool * bool": (lambda lib: _b(lib) * lib.tensor([True, True, False]), ("bool", [True, False, False])),
    "bool | bool": (lambda lib: _b(lib) | lib.tensor([False, True, False]), ("bool", [True, True, True])),
    "bool & bool": (lambda lib: _b(lib) & lib.tensor([False, True, True]), ("bool", [False, False, True])),
    "bool ^ bool": (lambda lib: _b(lib) ^ lib.tensor([True, True, False]), ("bool", [False, True, True])),
    "~bool": (lambda lib: ~_b(lib), ("bool", [False, True, False])),
    "bool + int": (lambda lib: _b(lib) + 1, ("int64", [2, 1, 2])),
    "bool * float": (lambda lib: _b(lib) * 2.5, ("float32", [2.5, 0.0, 2.5])),
    "bool sum": (lambda lib: _b(lib).sum(), ("int64", 2)),
    "~long": (lambda lib: ~_l(lib), ("int64", [-8, 6, -6])),
    "long | int": (lambda lib: _l(lib) | 2, ("int64", [7, -5, 7])),
    "long & long": (lambda lib: _l(lib) & lib.tensor([3, 3, 3]), ("int64", [3, 1, 1])),
    "int ^ long": (lambda lib: 1 ^ _l(lib), ("int64", [6, -8, 4])),
    "long | bool": (lambda lib: _l(lib) | _b(lib), ("int64", [7, -7, 5])),
    # arithmetic and reductions
    "long // int": (lambda lib: _l(lib) // 2, ("int64", [3, -4, 2])),
    "long % long": (lambda lib: _l(lib) % lib.tensor([3, 3, -3]), ("int64", [1, 2, -1])),
    "long / int": (lambda lib: _l(lib) / 2, ("float32", [3.5, -3.5, 2.5])),
    "long + float tensor": (lambda lib: _l(lib) + lib.tensor([0.5, 0.5, 0.5]), ("float32", [7.5, -6.5, 5.5])),
    "long ** 2": (lambda lib: _l(lib) ** 2, ("int64", [49, 49, 25])),
    "long ** -1": (lambda lib: _l(lib) ** -1, RuntimeError),
    "long ** 0.5": (lambda lib: lib.tensor([4, 9]) ** 0.5, ("float32", [2.0, 3.0])),
    "bool ** 2": (lambda lib: _b(lib) ** 2, ("int64", [1, 0, 1])),
    "int32 + int32": (lambda lib: lib.tensor([1, 2], dtype=lib.int32) * 3, ("int32", [3, 6])),
    "int32 sum": (lambda lib: lib.tensor([1, 2], dtype=lib.int32).sum(), ("int64", 3)),
    "add function": (lambda lib: lib.add(_l(lib), 1), ("int64", [8, -6, 6])),
    "mul method": (lambda lib: _l(lib).mul(lib.tensor([2, 2, 2], dtype=lib.int32)), ("int64", [14, -14, 10])),
    "sub method float": (lambda lib: _l(lib).sub(0.5), ("float32", [6.5, -7.5, 4.5])),
    "div method": (lambda lib: _l(lib).div(2), ("float32", [3.5, -3.5, 2.5])),
    "sum dtype float": (lambda lib: _l(lib).sum(dtype=lib.float32), ("float32", 5.0)),
    "sum dtype long of floats": (lambda lib: lib.sum(lib.tensor([1.5, 2.0]), dtype=lib.int64), ("int64", 3)),
    "bool sum dtype int32": (lambda lib: _b(lib).sum(dtype=lib.int32), ("int32", 2)),
    "nonzero": (lambda lib: lib.tensor([[0, 3], [5, 0]]).nonzero(), ("int64", [[0, 1], [1, 0]])),
    "nonzero as tuple": (lambda lib: lib.nonzero(_l(lib) > 0, as_tuple=True), (("int64", [0, 2]),)),
    "where of ints": (lambda lib: lib.where(lib.tensor([0, 4, 1])), (("int64", [1, 2]),)),
    "where method": (lambda lib: _l(lib).where(_b(lib), lib.tensor(0)), ("int64", [7, 0, 5])),
    "long max": (lambda lib: _l(lib).max(), ("int64", 7)),
    "long argmax": (lambda lib: _l(lib).argmax(), ("int64", 0)),
    "long mean with dtype": (lambda lib: _l(lib).mean(dtype=lib.float32), ("float32", pytest.approx(5 / 3))),
    "long compare": (lambda lib: _l(lib) > 0, ("bool", [True, False, True])),
    # joining, selecting, reshaping keep the dtype
    "cat long long": (lambda lib: lib.cat([_l(lib), lib.tensor([1])]), ("int64", [7, -7, 5, 1])),
    "cat long float": (lambda lib: lib.cat([_l(lib), lib.tensor([0.5])]), ("float32", [7.0, -7.0, 5.0, 0.5])),
    "cat bool bool": (lambda lib: lib.cat([_b(lib), _b(lib)]), ("bool", [True, False, True] * 2)),
    "cat bool long": (lambda lib: lib.cat([_b(lib), _l(lib)]), ("int64", [1, 0, 1, 7, -7, 5])),
    "cat int32 long": (lambda lib: lib.cat([lib.tensor([1], dtype=lib.int32), _l(lib)]), ("int64", [1, 7, -7, 5])),
    "stack bool": (lambda lib: lib.stack([_b(lib), _b(lib)], dim=1)[0], ("bool", [True, True])),
    "where long long": (lambda lib: lib.where(_b(lib), _l(lib), lib.tensor([0, 1, 2])), ("int64", [7, 1, 5])),
    "where long int": (lambda lib: lib.where(_b(lib), _l(lib), 0), ("int64", [7, 0, 5])),
    "where long float": (lambda lib: lib.where(_b(lib), _l(lib), 0.5), ("float32", [7.0, 0.5, 5.0])),
    "where bool bool": (lambda lib: lib.where(_b(lib), _b(lib), ~_b(lib)), ("bool", [True, True, True])),
    "where indices": (lambda lib: lib.where(_b(lib)), (("int64", [0, 2]),)),
    "index by mask": (lambda lib: _l(lib)[_b(lib)], ("int64", [7, 5])),
    "index by longs": (lambda lib: _l(lib)[lib.tensor([2, 0])], ("int64", [5, 7])),
    "index by int": (lambda lib: _l(lib)[1], ("int64", -7)),
    "slice": (lambda lib: _l(lib)[1:], ("int64", [-7, 5])),
    "reshape function": (lambda lib: lib.reshape(_l(lib), (3, 1))[2], ("int64", [5])),
    "flatten unsqueeze": (lambda lib: lib.flatten(lib.unsqueeze(_b(lib), 0)), ("bool", [True, False, True])),
    "squeeze transpose": (lambda lib: lib.squeeze(lib.transpose(lib.arange(3).reshape(1, 3), 0, 1)),
                          ("int64", [0, 1, 2])),
    "split": (lambda lib: lib.split(lib.arange(5), 3), (("int64", [0, 1, 2]), ("int64", [3, 4]))),
    "clone detach": (lambda lib: _b(lib).clone().detach(), ("bool", [True, False, True])),
    "arange rows": (lambda lib: lib.arange(6).reshape(2, 3)[1], ("int64", [3, 4, 5])),
    # errors PyTorch raises
    "long // 0": (lambda lib: _l(lib) // 0, RuntimeError),
    "long % zero tensor": (lambda lib: _l(lib) % lib.tensor([1, 0, 1]), RuntimeError),
    "long mean": (lambda lib: _l(lib).mean(), RuntimeError),
    "bool mean": (lambda lib: lib.mean(_b(lib)), RuntimeError),
    "bool - bool": (lambda lib: _b(lib) - _b(lib), RuntimeError),
    "long - bool": (lambda lib: _l(lib) - _b(lib), RuntimeError),
    "int - bool": (lambda lib: 1 - _b(lib), RuntimeError),
    "-bool": (lambda lib: -_b(lib), RuntimeError),
    "bool // bool": (lambda lib: _b(lib) // _b(lib), RuntimeError),
    "ints requiring grad": (lambda lib: lib.tensor([1, 2], requires_grad=True), RuntimeError),
}


def _matches(outcome, expected) -> bool:
    """An error matches its class or a subclass (torch releases differ between RuntimeError and its subclass
    NotImplementedError); a result matches its (dtype, values)."""
    if isinstance(expected, type):
        return isinstance(outcome, type) and issubclass(outcome, expected)
    return outcome == expected


@pytest.mark.parametrize("name", list(CASES))
def test_dtype_and_values_match_pytorch(name):
    case, expected = CASES[name]
    assert _matches(_outcome(case, polyhead), expected), _outcome(case, polyhead)
    if torch is not None:
        assert _matches(_outcome(case, torch), expected), "the expectation disagrees with the installed torch"


def test_bitwise_operators_refuse_floats():
    x = polyhead.tensor([1.0, 2.0])
    for op in (lambda: x | x, lambda: polyhead.tensor([1]) & x, lambda: x ^ 1):
        with pytest.raises(TypeError, match="integer or bool"):
            op()


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")  # torch's __array__
@pytest.mark.parametrize("lib", [polyhead, torch] if torch is not None else [polyhead])
def test_numpy_conversion_and_item_give_the_dtype(lib):
    long_, int_, mask = lib.tensor([4, -2]), lib.tensor([1, 2], dtype=lib.int32), lib.tensor([True, False])
    assert [np.asarray(t).dtype for t in (long_, int_, mask)] == [np.int64, np.int32, np.bool_]
    assert [t.numpy().dtype for t in (long_, int_, mask)] == [np.int64, np.int32, np.bool_]
    assert np.asarray(long_).tolist() == [4, -2] and np.array(mask).tolist() == [True, False]
    assert np.asarray(long_, dtype=np.float32).dtype == np.float32 and np.asarray(long_, np.float32).tolist() == [4, -2]
    assert type(long_[0].item()) is int and type(mask[0].item()) is bool and type(long_.float()[0].item()) is float
    assert long_.float().dtype == lib.float32 and lib.tensor([1.5]).long().dtype == lib.int64


def test_integer_tensors_export_no_float_buffer():
    with pytest.raises(BufferError, match="integer"):
        memoryview(polyhead.tensor([1, 2]))
    assert memoryview(polyhead.tensor([1.0])).format == "f"
    assert np.asarray(polyhead.tensor([3, 4]) + 0.5).dtype == np.float32


def test_where_gradients_flow_to_both_sides_with_broadcasting():
    mask = np.array([[True, False, True], [False, False, True]])
    x = polyhead.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = polyhead.tensor([[5.0], [6.0]], requires_grad=True)
    upstream = np.arange(1.0, 7.0).reshape(2, 3)
    out = polyhead.where(polyhead.tensor(mask), x, y)
    np.testing.assert_array_equal(out.detach().numpy(), np.where(mask, [1.0, -2.0, 3.0], [[5.0], [6.0]]))
    (out * polyhead.tensor(upstream, dtype=polyhead.float32)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.where(mask, upstream, 0).sum(axis=0))
    np.testing.assert_array_equal(y.grad.numpy(), np.where(mask, 0, upstream).sum(axis=1, keepdims=True))
    unpicked = polyhead.tensor([np.inf, np.nan], requires_grad=True)  # never mixed into the other branch
    result = polyhead.where(polyhead.tensor([False, False]), unpicked, 2.0)
    result.sum().backward()
    assert result.tolist() == [2.0, 2.0] and unpicked.grad.tolist() == [0.0, 0.0]


def test_where_errors():
    with pytest.raises(TypeError, match="bool"):
        polyhead.where(polyhead.tensor([1.0]), 1.0, 2.0)
    with pytest.raises(TypeError, match="both"):
        polyhead.where(polyhead.tensor([True]), 1.0)
    with pytest.raises(ValueError, match=r"condition \(2,\), input \(3,\)"):
        polyhead.where(polyhead.tensor([True, False]), polyhead.zeros(3), 0.0)


def test_labels_from_int_lists_work_downstream():
    import polyhead.nn.functional as F

    logits = polyhead.tensor([[0.1, 2.0, -1.0], [1.5, 0.2, 0.3]], requires_grad=True)
    labels = polyhead.tensor([1, 0])
    loss = F.cross_entropy(logits, labels)
    z = np.array([[0.1, 2.0, -1.0], [1.5, 0.2, 0.3]])
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    assert loss.item() == pytest.approx(-(log_p[0, 1] + log_p[1, 0]) / 2, abs=1e-6)
    loss.backward()
    assert (logits.argmax(1) == labels).sum().item() == 2
    table = polyhead.arange(6.0).reshape(3, 2)
    assert table[polyhead.tensor([2, 0])].tolist() == [[4.0, 5.0], [0.0, 1.0]]
    assert (polyhead.arange(3) * table[:, 0]).tolist() == [0.0, 2.0, 8.0]


IN_PLACE = {
    "long += int": (lambda t: t.__iadd__(2), ("int64", [9, -5, 7])),
    "long -= bool": (lambda t: t.sub_(t > 0), RuntimeError),
    "long -= long": (lambda t: t.sub_(t), ("int64", [0, 0, 0])),
    "long add_ alpha": (lambda t: t.add_(1, alpha=3), ("int64", [10, -4, 8])),
    "long *= long": (lambda t: t.__imul__(t), ("int64", [49, 49, 25])),
    "long copy_ floats truncates": (lambda t: t.copy_(t.float() * 0 + 1.7), ("int64", [1, 1, 1])),
    "long fill_": (lambda t: t.fill_(2.9), ("int64", [2, 2, 2])),
    "long += float": (lambda t: t.__iadd__(0.5), RuntimeError),
    "long /= int": (lambda t: t.div_(2), RuntimeError),
    "long data": (lambda t: t.data, ("int64", [7, -7, 5])),
}


@pytest.mark.parametrize("name", list(IN_PLACE))
def test_in_place_ops_follow_pytorch_casting(name):
    case, expected = IN_PLACE[name]
    for lib in [polyhead, torch] if torch is not None else [polyhead]:
        target = _l(lib)
        outcome = _outcome(lambda _: case(target), lib)
        assert _matches(outcome, expected), (lib.__name__, outcome)
        if not isinstance(expected, type):
            assert target.tolist() == expected[1] and str(target.dtype).endswith("int64"), lib.__name__


def test_bool_in_place_and_index():
    mask = polyhead.tensor([True, False])
    same = mask
    mask += polyhead.tensor([False, True])
    assert mask is same and mask.dtype is polyhead.bool and mask.tolist() == [True, True]
    mask.copy_(polyhead.tensor([0.0, 0.5]))
    assert mask.tolist() == [False, True]
    with pytest.raises(RuntimeError, match="can't be cast"):
        mask += 1
    assert ["a", "b", "c"][polyhead.tensor(2)] == "c" and list(range(polyhead.tensor([3]))) == [0, 1, 2]
    assert polyhead.zeros(polyhead.tensor(2)).shape == (2,)
    with pytest.raises(TypeError, match="single element"):
        ["a"][polyhead.tensor([0, 0])]
    with pytest.raises(TypeError):
        ["a"][polyhead.tensor(0.0)]


@pytest.mark.parametrize("lib", [polyhead, torch] if torch is not None else [polyhead])
def test_data_loader_collates_integer_labels_as_int64(lib):
    samples = [(np.full(2, i, np.float32), i % 3, i % 2 == 0, np.int32(i)) for i in range(4)]
    x, labels, flags, small = next(iter(lib.utils.data.DataLoader(samples, batch_size=4)))
    assert str(x.dtype).endswith("float32") and x.shape == (4, 2)
    assert str(labels.dtype).endswith("int64") and labels.tolist() == [0, 1, 2, 0]
    assert str(flags.dtype).endswith("bool") and flags.tolist() == [True, False, True, False]
    assert str(small.dtype).endswith("int32") and small.tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("lib", [polyhead, torch] if torch is not None else [polyhead])
def test_masks_over_leading_dimensions_and_formatting(lib):
    x = lib.tensor([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]])
    assert x[x > 0].tolist() == [1.0, 3.0, 5.0] and x[x < 0].shape == (3,)
    cube = lib.arange(12).reshape(2, 3, 2)
    picked = cube[lib.tensor([[True, False, False], [False, False, True]])]
    assert str(picked.dtype).endswith("int64") and picked.tolist() == [[0, 1], [10, 11]]
    with pytest.raises(IndexError):
        x[lib.tensor([[True, False], [False, True]])]
    assert f"{lib.tensor(3):d}|{lib.tensor(True)}|{lib.tensor(2.5):.1f}" == "3|True|2.5"


def test_mask_selection_passes_gradients():
    x = polyhead.tensor([[1.0, -2.0], [3.0, -4.0]], requires_grad=True)
    (x[x > 0] * polyhead.tensor([2.0, 5.0])).sum().backward()
    assert x.grad.tolist() == [[2.0, 0.0], [5.0, 0.0]]


SETITEM = {
    "remap labels": (lambda lib: lib.tensor([3, 255, 1, 255]), lambda t, lib: t.__setitem__(t == 255, -1),
                     ("int64", [3, -1, 1, -1])),
    "float into long truncates": (lambda lib: lib.tensor([1, 2, 3]), lambda t, lib: t.__setitem__(1, 7.9),
                                  ("int64", [1, 7, 3])),
    "column of a matrix": (lambda lib: lib.zeros(2, 3), lambda t, lib: t.__setitem__((slice(None), 1), 5.0),
                           ("float32", [[0.0, 5.0, 0.0], [0.0, 5.0, 0.0]])),
    "rows by long index": (lambda lib: lib.zeros(3, 2), lambda t, lib: t.__setitem__(lib.tensor([2, 0]),
                                                                                     lib.tensor([[1.0, 2.0]])),
                           ("float32", [[1.0, 2.0], [0.0, 0.0], [1.0, 2.0]])),
    "mask of bools": (lambda lib: lib.tensor([True, False]), lambda t, lib: t.__setitem__(0, 0),
                      ("bool", [False, False])),
    "leaf requiring grad": (lambda lib: lib.zeros(2, requires_grad=True), lambda t, lib: t.__setitem__(0, 1.0),
                            RuntimeError),
}


@pytest.mark.parametrize("name", list(SETITEM))
def test_item_assignment_follows_pytorch(name):
    make, assign, expected = SETITEM[name]
    for lib in [polyhead, torch] if torch is not None else [polyhead]:
        target = make(lib)
        try:
            assign(target, lib)
            outcome = str(target.dtype).split(".")[-1], target.tolist()
        except Exception as exc:  # noqa: BLE001 - the class is the outcome compared
            outcome = type(exc)
        assert _matches(outcome, expected), (lib.__name__, outcome)


def test_item_assignment_under_no_grad_and_into_recorded_results():
    weight = polyhead.zeros(2, requires_grad=True)
    with polyhead.no_grad():
        weight[1] = 3.0
    assert weight.tolist() == [0.0, 3.0] and weight.requires_grad
    with pytest.raises(RuntimeError, match="recorded"):
        (weight * 2)[0] = 1.0
    with pytest.raises(ValueError, match="2\\*\\*24"):
        polyhead.tensor([1, 2])[0] = 2**30
    with pytest.raises(ValueError, match="broadcast"):  # PyTorch: a RuntimeError
        polyhead.zeros(3)[0:2] = polyhead.ones(3)
