"""Missing labels through every multi-task method: a task whose batch has no labelled sample (its loss masked
to 0, its gradient exactly 0) leaves every gradient and the step record finite — in both modes, on the first
step (no history yet) and later ones — its head gets no gradient, and the step is the method's step on the
other tasks alone: a three-task method with one task absent at every step trains exactly as the same method
made for the two present tasks (same weights, same gradients, step after step, state included)."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import mtl, nn
import polyhead.nn.functional as F

METHODS = sorted((getattr(mtl, name) for name in mtl.__all__
                  if isinstance(getattr(mtl, name), type) and issubclass(getattr(mtl, name), mtl.MultiTaskMethod)
                  and getattr(mtl, name) is not mtl.MultiTaskMethod), key=lambda cls: cls.__name__)
# Which tasks have no labelled sample at each of the four steps.
MISSING = [{1}, {2}, {1}, set()]


def make_problem(seed: int = 0):
    ph.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh()), [nn.Linear(4, 1) for _ in range(3)]


def batch(step_index):
    """The step's input (5, 3) and the three tasks' targets (3, 5, 1)."""
    rng = np.random.default_rng(step_index)
    return (ph.from_numpy(rng.standard_normal((5, 3)).astype(np.float32)),
            rng.standard_normal((3, 5, 1)).astype(np.float32))


def step(method, trunk, heads, missing, step_index):
    """One ``method.backward`` on the step's batch with the tasks in ``missing`` fully masked; returns the
    record and every parameter's gradient (trunk first, then the heads)."""
    x, targets = batch(step_index)
    parameters = list(trunk.parameters()) + [p for head in heads for p in head.parameters()]
    for p in parameters:
        p.grad = None
    h = trunk(x)
    losses = []
    for task, (head, target) in enumerate(zip(heads, targets)):
        mask = np.zeros(5) if task in missing else np.ones(5)
        losses.append(F.mse_loss(head(h), np.where(mask[:, None] > 0, target, np.nan), mask=mask))
    if method.rep_grad:
        record = method.backward(losses, representation=h)
    else:
        record = method.backward(losses, shared_parameters=trunk.parameters())
    return record, [None if p.grad is None else p.grad.numpy().copy() for p in parameters]


CASES = [(cls, rep_grad) for cls in METHODS for rep_grad in (False, True)
         if not (rep_grad and cls._rep_grad_unsupported)]


@pytest.mark.parametrize("cls, rep_grad", CASES,
                         ids=[f"{cls.__name__}-{'rep' if rep else 'params'}" for cls, rep in CASES])
def test_a_task_without_labels_keeps_every_method_finite(cls, rep_grad):
    trunk, heads = make_problem()
    method = cls(3, rep_grad=rep_grad)
    for index, missing in enumerate(MISSING):
        record, grads = step(method, trunk, heads, missing, index)
        assert np.all(np.isfinite(record.weights)), (index, record.weights)
        assert all(g is None or np.all(np.isfinite(g)) for g in grads), index
        for task in missing:  # the unlabelled task's head parameters (weight, bias) get nothing
            assert all(g is None or not g.any() for g in grads[2 + 2 * task: 4 + 2 * task]), (index, task)
    method.end_epoch()


@pytest.mark.parametrize("rep_grad", [False, True], ids=["parameters", "representation"])
def test_with_equal_weights_the_unlabelled_task_contributes_nothing(rep_grad):
    trunk, heads = make_problem()
    _, with_missing = step(mtl.LinearWeighting(rep_grad=rep_grad), trunk, heads, {1}, 0)
    x, targets = batch(0)
    h = trunk(x)
    others = F.mse_loss(heads[0](h), targets[0]) + F.mse_loss(heads[2](h), targets[2])
    trunk.zero_grad()
    others.backward()
    alone = [p.grad.numpy() for p in trunk.parameters()]
    for got, want in zip(with_missing[:2], alone):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def train_steps(method, trunk, heads, tasks, missing, steps=6, flags=False):
    """``steps`` SGD steps of ``method`` on the heads ``tasks`` (their targets taken from the three-task batches)
    with the tasks in ``missing`` (positions in ``tasks``) fully masked — or, with ``flags``, unmasked and marked
    absent by ``present=`` — ending an epoch after each step; returns each step's weights and gradients (trunk
    first, then the heads in ``tasks`` order)."""
    parameters = list(trunk.parameters()) + [p for head in heads for p in head.parameters()]
    optimizer = ph.optim.SGD(parameters + method.parameters(), lr=0.1)
    history = []
    for index in range(steps):
        x, targets = batch(index)
        optimizer.zero_grad()
        h = trunk(x)
        losses = []
        for position, (head, task) in enumerate(zip(heads, tasks)):
            mask = np.zeros(5) if position in missing and not flags else np.ones(5)
            losses.append(F.mse_loss(head(h), targets[task], mask=mask))
        present = [position not in missing for position in range(len(tasks))] if flags else None
        if method.rep_grad:
            record = method.backward(losses, representation=h, present=present)
        else:
            record = method.backward(losses, shared_parameters=trunk.parameters(), present=present)
        history.append((record.weights.copy(), [None if p.grad is None else p.grad.numpy().copy() for p in parameters]))
        optimizer.step()
        method.end_epoch()
    return history


@pytest.mark.parametrize("tasks, absent, flags", [([0, 1, 2], 1, False), ([0, 1], 1, False), ([0, 1, 2], 1, True)],
                         ids=["3-tasks", "2-tasks", "3-tasks-present-flags"])
@pytest.mark.parametrize("cls, rep_grad", CASES,
                         ids=[f"{cls.__name__}-{'rep' if rep else 'params'}" for cls, rep in CASES])
def test_an_absent_task_leaves_the_step_of_the_present_tasks_alone(cls, rep_grad, tasks, absent, flags):
    """A method for ``tasks`` with task ``absent`` unlabelled at every step (masked, or flagged absent by
    ``present=`` with its loss left unmasked) against the same method made for the other tasks (with two tasks:
    one task alone, the methods' degenerate case)."""
    present = [task for task in tasks if task != absent]
    trunk, heads = make_problem()
    full = train_steps(cls(len(tasks), rep_grad=rep_grad), trunk, [heads[t] for t in tasks], tasks,
                       missing={tasks.index(absent)}, flags=flags)
    trunk, heads = make_problem()
    alone = train_steps(cls(len(present), rep_grad=rep_grad), trunk, [heads[t] for t in present], present, missing=set())
    for step_index, ((weights_full, grads_full), (weights_alone, grads_alone)) in enumerate(zip(full, alone)):
        assert weights_full[absent] == 0, (step_index, weights_full)
        np.testing.assert_allclose(weights_full[present], weights_alone, rtol=1e-5, atol=1e-7,
                                   err_msg=f"step {step_index}")
        absent_head = grads_full[2 + 2 * absent: 4 + 2 * absent]
        assert all(g is None or not g.any() for g in absent_head), step_index
        kept = grads_full[:2 + 2 * absent] + grads_full[4 + 2 * absent:]
        for got, want in zip(kept, grads_alone):
            np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6, err_msg=f"step {step_index}")


def train_digits_with_missing_labels(method, model_class, epochs=25):
    """Trains the comparison example's digits model with ``method``, masking one task's labels in every third
    batch (the digit task, then the ≥ 5 task, in turn); returns both tasks' test accuracy."""
    from polyhead.datasets import load_digits_multitask

    data = load_digits_multitask(seed=0)
    ph.manual_seed(0)
    net = model_class()
    optimizer = ph.optim.Adam(list(net.parameters()) + method.parameters(), lr=2e-3)
    rng = np.random.default_rng(0)
    for _ in range(epochs):
        order = rng.permutation(len(data.x_train))
        for index, first in enumerate(range(0, len(order), 64)):
            rows = order[first:first + 64]
            absent = (index // 3) % 2 if index % 3 == 2 else None
            masks = [np.full(len(rows), 0.0 if absent == task else 1.0) for task in range(2)]
            _, digit, large = net(ph.from_numpy(data.x_train[rows]))
            losses = [F.cross_entropy(digit, data.y_digit_train[rows], mask=masks[0]),
                      F.binary_cross_entropy_with_logits(large, data.y_large_train[rows], mask=masks[1])]
            optimizer.zero_grad()
            method.backward(losses, shared_parameters=net.trunk.parameters())
            optimizer.step()
        method.end_epoch()
    with ph.no_grad():
        _, digit, large = net(ph.from_numpy(data.x_test))
    return (np.mean(digit.numpy().argmax(axis=1) == data.y_digit_test),
            np.mean((large.numpy() > 0) == (data.y_large_test > 0.5)))


# The methods a missing task used to stall (no or a much smaller shared update), and equal weighting.
@pytest.mark.parametrize("cls", [mtl.MGDA, mtl.FAMO, mtl.GeometricLossStrategy, mtl.SDMGrad, mtl.LinearWeighting],
                         ids=lambda cls: cls.__name__)
def test_digits_train_with_one_task_missing_in_every_third_batch(cls, load_example):
    digit, large = train_digits_with_missing_labels(cls(2), load_example("compare_methods.py").HardSharing)
    assert digit >= 0.96 and large >= 0.96, (cls.__name__, digit, large)


def test_keras_fit_steps_on_the_present_task_when_the_other_has_no_label():
    """The trainer's masked losses make a batch without labels of one task absent: with MGDA that batch's
    step is the other task's own step (MGDA on one task is its gradient), not a stall."""
    from polyhead.datasets import load_digits_multitask

    data = load_digits_multitask(seed=0)
    x, y = data.x_train[:100], [np.eye(10, dtype=np.float32)[data.y_digit_train[:100]], data.y_large_train[:100]]
    mask = np.r_[np.ones(50), np.zeros(50)].astype(np.float32)  # the second batch has no "large" label

    def model(weights=None):
        ph.manual_seed(0)
        inputs = ph.Input(shape=(64,))
        h = ph.layers.Dense(16, activation="relu")(inputs)
        net = ph.Model(inputs=inputs, outputs=[ph.layers.Dense(10, activation="softmax", name="digit")(h),
                                               ph.layers.Dense(1, activation="sigmoid", name="large")(h)])
        if weights is not None:
            net.set_weights(weights)
        return net

    def fit(net, rows, **compile_options):
        net.compile(optimizer="sgd", loss=["categorical_crossentropy", "binary_crossentropy"], **compile_options)
        net.fit(x[rows], [y[0][rows], y[1][rows]], masks=[None, mask[rows]], epochs=1, batch_size=50,
                shuffle=False, verbose=0)
        return net.get_weights()

    both = fit(model(), slice(0, 100), weighting="mgda")
    first = fit(model(), slice(0, 50), weighting="mgda")
    digit_only = fit(model(first), slice(50, 100), loss_weights=[1.0, 0.0])
    for got, want in zip(both, digit_only):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert not np.array_equal(both[0], first[0])  # the trunk moved on the second batch
    np.testing.assert_array_equal(both[4], first[4])  # the "large" head did not


def test_present_flags_are_checked_and_override_the_zero_loss_rule():
    trunk, heads = make_problem()
    x, targets = batch(0)
    h = trunk(x)
    # Task 1 masked (loss and gradient 0), but flagged present: it counts, and MGDA's min-norm point of a hull
    # holding 0 is 0 — no shared step, as the method's own rule says.
    losses = [F.mse_loss(head(h), target, mask=np.zeros(5) if task == 1 else np.ones(5))
              for task, (head, target) in enumerate(zip(heads, targets))]
    method = mtl.MGDA()
    with pytest.raises(ValueError, match="present has 2 flags for 3 losses"):
        method.backward(losses, shared_parameters=trunk.parameters(), present=[True, False])
    with pytest.raises(TypeError, match="present must hold bools"):
        method.backward(losses, shared_parameters=trunk.parameters(), present=[1, 0, 1])
    record = method.backward(losses, shared_parameters=trunk.parameters(), present=[True, True, True])
    assert record.weights[1] > 0.99 and not any(p.grad.numpy().any() for p in trunk.parameters())
