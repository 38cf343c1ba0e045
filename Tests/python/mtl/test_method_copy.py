"""``copy.deepcopy``, ``pickle`` and scikit-learn's ``clone`` of multi-task methods: a copy is rebuilt from
the class, its options and the learned parameters' values, and owns a new core object."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

from polyhead import mtl, optim


def method_classes():
    return [getattr(mtl, name) for name in mtl.__all__
            if isinstance(getattr(mtl, name), type) and issubclass(getattr(mtl, name), mtl.MultiTaskMethod)
            and getattr(mtl, name) is not mtl.MultiTaskMethod]


def _copies(method):
    return copy.deepcopy(method), pickle.loads(pickle.dumps(method))


@pytest.mark.parametrize("cls", method_classes(), ids=lambda c: c.__name__)
def test_every_method_copies_before_and_after_a_step(cls, model, x):
    fresh = cls(2) if cls._needs_num_tasks else cls()
    for clone in _copies(fresh):
        assert type(clone) is cls and repr(clone) == repr(fresh) and clone.num_tasks == fresh.num_tasks
    _, losses = model.losses(x)
    fresh.backward(losses, shared_parameters=model.trunk.parameters())
    for clone in _copies(fresh):
        assert repr(clone) == repr(fresh) and clone.num_tasks == 2
        assert clone._core is not fresh._core
        np.testing.assert_array_equal(clone.last_step.weights, fresh.last_step.weights)
        model.zero_grad()
        _, losses = model.losses(x)
        assert clone.backward(losses, shared_parameters=model.trunk.parameters()).weights.shape == (2,)


def test_learned_loss_weights_are_carried_over_and_independent(model, x):
    method = mtl.UncertaintyWeighting(2, regression=[True, False], initial_log_variance=-0.5)
    optimizer = optim.SGD(list(model.parameters()) + method.parameters(), lr=0.5)
    for _ in range(3):
        optimizer.zero_grad()
        _, losses = model.losses(x)
        method.backward(losses, shared_parameters=model.trunk.parameters())
        optimizer.step()
    learned = method.log_variances.detach().numpy().copy()
    assert not np.allclose(learned, -0.5)
    for clone in _copies(method):
        assert clone.regression == (True, False) and clone.initial_log_variance == -0.5
        np.testing.assert_array_equal(clone.log_variances.detach().numpy(), learned)
        assert clone.log_variances.requires_grad and clone.parameters()[0] is not method.parameters()[0]
        _, losses = model.losses(x)  # the same state gives the same weights: e^{-s}/2 and e^{-s}
        np.testing.assert_allclose(clone.backward(losses, shared_parameters=model.trunk.parameters()).weights,
                                   [0.5 * np.exp(-learned[0]), np.exp(-learned[1])], rtol=1e-6)
        clone.log_variances.data = np.zeros(2, dtype=np.float32)
        np.testing.assert_array_equal(method.log_variances.detach().numpy(), learned)


def test_sklearn_clone_and_fit_with_a_method_object():
    from polyhead.sklearn import MultiTaskClassifier

    rng = np.random.RandomState(0)
    X = rng.randn(60, 4)
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(int)
    weighting = mtl.UncertaintyWeighting(2)
    clf = MultiTaskClassifier(hidden_layer_sizes=(8,), weighting=weighting, epochs=5, random_state=0)
    sklearn_base = pytest.importorskip("sklearn.base")
    cloned = sklearn_base.clone(clf)
    assert cloned.weighting is not weighting and repr(cloned.weighting) == repr(weighting)
    cloned.fit(X, Y)
    assert len(cloned.history_.history["task_1_weight"]) == 5
    np.testing.assert_array_equal(weighting.log_variances.detach().numpy(), [0.0, 0.0])  # fit trained a copy
