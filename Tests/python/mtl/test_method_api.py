"""``mtl.MultiTaskMethod``: argument checks, lazy task count, step records, rep_grad, gradients, repr — the
base machinery, through small local subclasses over the core's "linear" and "pcgrad" and through every
method class ``polyhead.mtl`` exports. Threads, lifetimes and the ``_core.mtl_*`` functions: test_core_mtl.py."""

from __future__ import annotations

import dataclasses
import doctest
import inspect

import numpy as np
import pytest

import polyhead as ph
from polyhead import _core, mtl, nn

# ---------------------------------------------------------------- local methods (the model is in conftest.py)


class Equal(mtl.MultiTaskMethod):
    """Equal weights (the core's "linear" with its defaults)."""

    _core_name = "linear"


class Fixed(mtl.MultiTaskMethod):
    """Fixed weights, one core option per task (``weight0``, ``weight1``, …)."""

    _core_name = "linear"

    def __init__(self, num_tasks=None, *, weights=None, rep_grad=False):
        self.weights = weights
        super().__init__(num_tasks, rep_grad=rep_grad)

    def _core_options(self, num_tasks):
        return {f"weight{i}": w for i, w in enumerate(self.weights or [])}


class Surgery(mtl.MultiTaskMethod):
    """PCGrad under another name."""

    _core_name = "pcgrad"


def exported_method_classes():
    """Every MultiTaskMethod subclass ``polyhead.mtl`` exports (the other helpers' files)."""
    return [getattr(mtl, name) for name in mtl.__all__
            if isinstance(getattr(mtl, name), type) and issubclass(getattr(mtl, name), mtl.MultiTaskMethod)
            and getattr(mtl, name) is not mtl.MultiTaskMethod]


def grads(module):
    return [None if p.grad is None else p.grad.numpy().copy() for p in module.parameters()]


# ---------------------------------------------------------------- registry, construction


def test_available_methods_lists_the_core_names():
    names = mtl.available_methods()
    assert names == _core.mtl_method_names()
    assert {"linear", "pcgrad"} <= set(names)
    assert all(isinstance(n, str) for n in names)


def test_every_exported_method_class_names_a_registered_core_method():
    for cls in exported_method_classes():
        assert cls._core_name in mtl.available_methods(), cls


def test_the_base_class_is_abstract():
    with pytest.raises(TypeError, match="_core_name"):
        mtl.MultiTaskMethod()


@pytest.mark.parametrize("num_tasks,error", [(0, ValueError), (-2, ValueError), (1.5, TypeError), (True, TypeError),
                                             ("2", TypeError)])
def test_bad_num_tasks(num_tasks, error):
    with pytest.raises(error, match="num_tasks"):
        Equal(num_tasks)


def test_num_tasks_accepts_numpy_ints_and_creates_the_core_at_once():
    method = Equal(np.int64(3))
    assert method.num_tasks == 3 and isinstance(method.num_tasks, int)
    assert isinstance(method._core, _core.MtlMethod)


def test_methods_with_parameters_need_num_tasks_at_construction():
    class Learnable(Equal):
        _needs_num_tasks = True

    with pytest.raises(ValueError, match="num_tasks"):
        Learnable()
    assert Learnable(2).num_tasks == 2


def test_unknown_options_fail_at_construction_or_at_the_first_backward(model, x):
    with pytest.raises(ValueError, match="bogus"):
        Equal(2, bogus=1.0)
    lazy = Equal(bogus=1.0)
    _, losses = model.losses(x)
    with pytest.raises(ValueError, match="bogus"):
        lazy.backward(losses, shared_parameters=model.trunk.parameters())
    assert lazy.num_tasks is None and lazy.last_step is None


def test_option_values_must_be_numbers():
    with pytest.raises(TypeError, match="weight0"):
        Equal(2, weight0="1")
    with pytest.raises(ValueError, match="weight0"):
        Equal(2, weight0=-1.0)  # the core's range check
    assert Equal(2, weight0=np.float32(2.0), weight1=True)._options == {"weight0": 2.0, "weight1": 1.0}


def test_parameters_is_an_empty_list_for_methods_without_parameters():
    for method in (Equal(), Equal(2), Surgery(3)):
        params = method.parameters()
        assert params == [] and isinstance(params, list)


# ---------------------------------------------------------------- lazy task count and records


def test_lazy_task_count_is_fixed_by_the_first_backward(model, x):
    method = Equal()
    assert method.num_tasks is None and method._core is None
    h, losses = model.losses(x)
    record = method.backward(losses + [h.sum()], shared_parameters=model.trunk.parameters())
    assert method.num_tasks == 3 and len(record.weights) == 3
    _, losses = model.losses(x)
    with pytest.raises(ValueError, match=r"num_tasks=3.*2 losses"):
        method.backward(losses, shared_parameters=model.trunk.parameters())


def test_task_count_given_at_construction_must_match(model, x):
    _, losses = model.losses(x)
    with pytest.raises(ValueError, match=r"num_tasks=3.*2 losses"):
        Surgery(3).backward(losses, shared_parameters=model.trunk.parameters())


def test_step_record_holds_the_weights_read_only(model, x):
    method = Fixed(weights=[2.0, 0.5])
    _, losses = model.losses(x)
    record = method.backward(losses, shared_parameters=model.trunk.parameters())
    assert isinstance(record, mtl.StepRecord) and method.last_step is record
    assert record.weights.dtype == np.float64 and record.weights.shape == (2,)
    np.testing.assert_array_equal(record.weights, [2.0, 0.5])
    with pytest.raises(ValueError):
        record.weights[0] = 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.weights = np.zeros(2)


def test_fixed_weights_scale_the_gradients(model, x):
    _, losses = model.losses(x)
    (2.0 * losses[0] + 0.5 * losses[1]).backward()
    expected = grads(model)
    model.zero_grad()
    _, losses = model.losses(x)
    Fixed(weights=[2.0, 0.5]).backward(losses, shared_parameters=model.trunk.parameters())
    for got, want in zip(grads(model), expected):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


# ---------------------------------------------------------------- argument checks


def test_losses_must_be_a_sequence_of_tensors(model, x):
    method = Equal(2)
    shared = list(model.trunk.parameters())
    _, (la, lb) = model.losses(x)
    with pytest.raises(TypeError, match="single Tensor"):
        method.backward(la, shared_parameters=shared)
    with pytest.raises(TypeError, match="losses must be a sequence"):
        method.backward(3.0, shared_parameters=shared)
    with pytest.raises(TypeError, match="losses must be a sequence"):
        method.backward("ab", shared_parameters=shared)
    with pytest.raises(ValueError, match="empty"):
        method.backward([], shared_parameters=shared)
    with pytest.raises(TypeError, match=r"losses\[1\].*float"):
        method.backward([la, 1.0], shared_parameters=shared)


def test_losses_must_be_scalars_that_require_grad(model, x):
    method = Equal(2)
    shared = list(model.trunk.parameters())
    h, (la, _) = model.losses(x)
    with pytest.raises(ValueError, match=r"losses\[1\].*\(4, 6\)"):
        method.backward([la, h], shared_parameters=shared)
    with pytest.raises(ValueError, match=r"losses\[0\].*require grad"):
        method.backward([la.detach(), la], shared_parameters=shared)
    assert method.last_step is None


def test_losses_may_be_a_tuple_a_generator_or_a_mapping(model, x):
    method = Equal(2)
    for wrap in (tuple, iter, lambda ls: {"a": ls[0], "b": ls[1]}):
        _, losses = model.losses(x)
        assert len(method.backward(wrap(losses), shared_parameters=model.trunk.parameters()).weights) == 2


def test_shared_parameters_are_required_without_a_representation(model, x):
    method = Surgery()
    _, losses = model.losses(x)
    with pytest.raises(ValueError, match="shared_parameters is required"):
        method.backward(losses)
    params = model.trunk.parameters()
    list(params)  # exhausted
    with pytest.raises(ValueError, match="empty"):
        method.backward(losses, shared_parameters=params)
    with pytest.raises(TypeError, match=r"shared_parameters\[1\].*str"):
        method.backward(losses, shared_parameters=[model.trunk[0].weight, "bias"])
    with pytest.raises(TypeError, match="iterable of tensors"):
        method.backward(losses, shared_parameters=5)
    with pytest.raises(TypeError, match="iterable of tensors"):
        method.backward(losses, shared_parameters=dict(model.trunk.named_parameters()))
    assert method.num_tasks is None  # nothing was created by failed calls


def test_a_single_shared_tensor_is_accepted(model, x):
    _, losses = model.losses(x)
    weight = model.trunk[0].weight
    Surgery().backward(losses, shared_parameters=weight)
    assert weight.grad is not None


def test_rep_grad_must_match_the_representation_argument(model, x):
    h, losses = model.losses(x)
    shared = list(model.trunk.parameters())
    with pytest.raises(ValueError, match="rep_grad=True"):
        Surgery(rep_grad=True).backward(losses, shared_parameters=shared)
    with pytest.raises(ValueError, match="rep_grad=False"):
        Surgery().backward(losses, shared_parameters=shared, representation=h)
    with pytest.raises(TypeError, match="representation must be"):
        Surgery(rep_grad=True).backward(losses, representation=np.zeros((4, 6)))
    with pytest.raises(ValueError, match="representation does not require grad"):
        Surgery(rep_grad=True).backward(losses, representation=h.detach())


@pytest.mark.parametrize("cls", [cls for cls in exported_method_classes() if cls._rep_grad_unsupported],
                         ids=lambda cls: cls.__name__)
def test_methods_tracking_gradients_refuse_the_representation_mode(cls, model, x):
    """MoCo and DBMTL (as LibMTL): at construction in Python, and in the core for a subclass that skips that."""
    with pytest.raises(ValueError, match=f"{cls.__name__} does not support rep_grad=True"):
        cls(rep_grad=True)
    unchecked = type("Unchecked", (cls,), {"_rep_grad_unsupported": ""})
    h, losses = model.losses(x)
    with pytest.raises(ValueError, match="representation mode"):
        unchecked(rep_grad=True).backward(losses, representation=h)


# ---------------------------------------------------------------- gradients through the bridge


def test_equal_weighting_gives_the_gradients_of_the_summed_loss(model, x):
    _, (la, lb) = model.losses(x)
    (la + lb).backward()
    expected = grads(model)
    classes = [Equal] + [cls for cls in exported_method_classes() if cls._core_name == "linear"]
    for cls in classes:
        model.zero_grad()
        _, losses = model.losses(x)
        record = cls().backward(losses, shared_parameters=model.trunk.parameters())
        np.testing.assert_array_equal(record.weights, [1.0, 1.0])
        for got, want in zip(grads(model), expected):
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7, err_msg=cls.__name__)


def test_gradients_accumulate_into_existing_grads(model, x):
    _, (la, lb) = model.losses(x)
    (la + lb).backward()
    once = grads(model)
    _, losses = model.losses(x)
    Equal().backward(losses, shared_parameters=model.trunk.parameters())
    for got, want in zip(grads(model), once):
        np.testing.assert_allclose(got, 2 * want, rtol=1e-6, atol=1e-7)


def _pcgrad(g):
    """PCGrad for two tasks (order does not matter for two): each gradient loses its component along the
    other's original one when they conflict; returns the sum of the projected gradients."""
    g1, g2 = g
    dot = g1 @ g2
    if dot < 0:
        return (g1 - dot / (g2 @ g2) * g2) + (g2 - dot / (g1 @ g1) * g1)
    return g1 + g2


def test_pcgrad_representation_mode_against_numpy(x):
    """rep_grad=True: heads get their own task's gradient; the trunk gets the pullback of the PCGrad
    combination of the task gradients of the representation."""
    ph.manual_seed(0)
    trunk = nn.Linear(5, 3)
    wa, wb = nn.Linear(3, 1, bias=False), nn.Linear(3, 1, bias=False)
    with ph.no_grad():
        wa.weight.copy_(ph.tensor([[1.0, 2.0, 0.5]]))
        wb.weight.copy_(ph.tensor([[-1.0, -1.5, 1.0]]))  # conflicts with head a
    h = trunk(x)
    losses = [wa(h).sum(), wb(h).sum()]
    record = Surgery(rep_grad=True).backward(losses, representation=h)
    ga, gb = np.tile(wa.weight.detach().numpy(), (4, 1)).ravel(), np.tile(wb.weight.detach().numpy(), (4, 1)).ravel()
    assert ga @ gb < 0
    direction = _pcgrad([ga.astype(np.float64), gb.astype(np.float64)]).reshape(4, 3)
    np.testing.assert_allclose(trunk.weight.grad.numpy(), direction.T @ x.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(trunk.bias.grad.numpy(), direction.sum(0), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(wa.weight.grad.numpy(), h.detach().numpy().sum(0, keepdims=True), rtol=1e-5)
    coefficient = (ga @ gb) / (ga @ ga), (ga @ gb) / (gb @ gb)
    np.testing.assert_allclose(record.weights, [1 - coefficient[0], 1 - coefficient[1]], rtol=1e-5)


def test_pcgrad_without_conflict_is_the_summed_gradient(model, x):
    _, (la, _) = model.losses(x)
    (2 * la).backward()
    expected = grads(model)
    model.zero_grad()
    _, (la, _) = model.losses(x)
    _, (la2, _) = model.losses(x)
    record = Surgery().backward([la, la2], shared_parameters=model.trunk.parameters())
    np.testing.assert_allclose(record.weights, [1.0, 1.0])
    for got, want in zip(grads(model), expected):
        if want is not None:
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- repr, end_epoch, docs


def test_repr_shows_the_mode_the_task_count_and_non_default_options(model, x):
    assert repr(Surgery()) == "Surgery(rep_grad=False)"
    assert repr(Surgery(2, rep_grad=True)) == "Surgery(num_tasks=2, rep_grad=True)"
    assert repr(Fixed()) == "Fixed(rep_grad=False)"
    assert repr(Fixed(weights=[2.0, 1.0])) == "Fixed(rep_grad=False, weights=[2.0, 1.0])"
    assert repr(Equal(weight1=3)) == "Equal(rep_grad=False, weight1=3.0)"
    method = Equal()
    _, losses = model.losses(x)
    method.backward(losses, shared_parameters=model.trunk.parameters())
    assert repr(method) == "Equal(num_tasks=2, rep_grad=False)"


@pytest.mark.parametrize("cls", exported_method_classes(), ids=lambda cls: cls.__name__)
def test_exported_classes_follow_the_base_conventions(cls):
    signature = inspect.signature(cls.__init__)
    assert list(signature.parameters)[1] == "num_tasks"
    assert signature.parameters["rep_grad"].default is False
    assert (cls.__doc__ or "").strip()
    if cls._needs_num_tasks:
        with pytest.raises(ValueError, match="num_tasks"):
            cls()
    method = cls(2)
    assert repr(method).startswith(f"{cls.__name__}(num_tasks=2, rep_grad=False")
    assert all(isinstance(p, ph.Tensor) and p.requires_grad for p in method.parameters())


def test_end_epoch_before_and_after_steps(model, x):
    method = Equal()
    method.end_epoch()
    _, losses = model.losses(x)
    method.backward(losses, shared_parameters=model.trunk.parameters())
    method.end_epoch()


def test_docstring_examples_run():
    import polyhead.mtl._method as module

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


def test_public_symbols_have_docstrings():
    for name in ["MultiTaskMethod", "StepRecord", "available_methods"]:
        obj = getattr(mtl, name)
        assert (obj.__doc__ or "").strip(), name
    for name in ["backward", "parameters", "end_epoch", "extra_repr"]:
        assert (getattr(mtl.MultiTaskMethod, name).__doc__ or "").strip(), name
