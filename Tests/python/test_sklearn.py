"""polyhead.sklearn: the multi-task estimators learn, predict, score and keep scikit-learn's estimator
contract (scikit-learn's own check suite is in test_sklearn_checks.py)."""

import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from polyhead import mtl
from polyhead.sklearn import MultiTaskClassifier, MultiTaskEstimator, MultiTaskRegressor, NotFittedError


def _data(n=600, seed=0):
    """Features and three targets: a binary and a 3-class label (both linearly separable with a margin) and
    a linear regression target on another scale."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 6)
    s, t = X[:, 0] + X[:, 1], X[:, 2] - X[:, 3]
    keep = (np.abs(s) > 0.2) & (np.abs(np.abs(t) - 0.6) > 0.2)  # margins around the class boundaries
    X, s, t = X[keep], s[keep], t[keep]
    binary = (s > 0).astype(np.int64)
    three = np.digitize(t, [-0.6, 0.6])
    value = 50.0 + 20.0 * (X[:, 4] - 0.5 * X[:, 5])
    return X, binary, three, value


def _accuracy(truth, predicted):
    return float(np.mean(np.asarray(truth) == np.asarray(predicted)))


def _r2(truth, predicted):
    truth, predicted = np.asarray(truth, np.float64), np.asarray(predicted, np.float64)
    return 1.0 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)


FAST = dict(hidden_layer_sizes=(32,), epochs=40, random_state=0)


def test_classifier_learns_two_separable_tasks():
    X, binary, three, _ = _data()
    Y = np.column_stack([binary, three])
    clf = MultiTaskClassifier(**FAST).fit(X[:400], Y[:400])
    assert clf.n_tasks_ == 2 and clf.n_features_in_ == 6 and clf.task_types_ == ["classification"] * 2
    assert [list(c) for c in clf.classes_] == [[0, 1], [0, 1, 2]]
    predicted = clf.predict(X[400:])
    assert predicted.shape == (len(X) - 400, 2) and predicted.dtype == Y.dtype
    assert _accuracy(binary[400:], predicted[:, 0]) > 0.95
    assert _accuracy(three[400:], predicted[:, 1]) > 0.9


def test_predict_proba_rows_sum_to_one_and_agree_with_predict():
    X, binary, three, _ = _data()
    clf = MultiTaskClassifier(**FAST).fit(X, np.column_stack([binary, three]))
    probabilities = clf.predict_proba(X)
    assert [p.shape for p in probabilities] == [(len(X), 2), (len(X), 3)]
    for k, p in enumerate(probabilities):
        assert p.dtype == np.float64 and (p >= 0).all()
        np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
        np.testing.assert_array_equal(clf.classes_[k][p.argmax(axis=1)], clf.predict(X)[:, k])


def test_score_is_the_mean_of_per_task_metrics():
    X, binary, three, value = _data()
    Y = np.column_stack([binary, three])
    clf = MultiTaskClassifier(**FAST).fit(X[:300], Y[:300])
    predicted = clf.predict(X[300:])
    expected = [_accuracy(Y[300:, k], predicted[:, k]) for k in range(2)]
    assert clf.score(X[300:], Y[300:]) == pytest.approx(np.mean(expected))
    np.testing.assert_allclose(clf.task_scores_, expected)

    reg = MultiTaskRegressor(**FAST).fit(X[:300], np.column_stack([value, -3 * value])[:300])
    predicted = reg.predict(X[300:])
    expected = [_r2(value[300:], predicted[:, 0]), _r2(-3 * value[300:], predicted[:, 1])]
    assert reg.score(X[300:], np.column_stack([value, -3 * value])[300:]) == pytest.approx(np.mean(expected))
    np.testing.assert_allclose(reg.task_scores_, expected)
    assert min(expected) > 0.95


def test_score_matches_sklearn_metrics():
    metrics = pytest.importorskip("sklearn.metrics")
    X, binary, _, value = _data()
    est = MultiTaskEstimator(["classification", "regression"], **FAST).fit(X[:300], [binary[:300], value[:300]])
    predicted = est.predict(X[300:])
    accuracy = metrics.accuracy_score(binary[300:], predicted[:, 0].astype(np.int64))
    r2 = metrics.r2_score(value[300:], predicted[:, 1].astype(np.float64))
    assert est.score(X[300:], [binary[300:], value[300:]]) == pytest.approx((accuracy + r2) / 2)


def test_regressor_predictions_are_float64_in_the_target_scale():
    X, _, _, value = _data()
    reg = MultiTaskRegressor(**FAST).fit(X, value)
    predicted = reg.predict(X)
    assert predicted.shape == (len(X),) and predicted.dtype == np.float64
    assert abs(predicted.mean() - value.mean()) < 1.0  # mapped back from the standardised scale
    assert not hasattr(reg, "predict_proba")


def test_mixed_estimator_with_string_labels_and_a_list_of_arrays():
    X, binary, _, value = _data()
    labels = np.where(binary == 1, "up", "down")
    est = MultiTaskEstimator(["classification", "regression"], **FAST).fit(X, [labels, value])
    predicted = est.predict(X)
    assert predicted.dtype == object and predicted.shape == (len(X), 2)
    assert set(predicted[:, 0]) <= {"up", "down"} and _accuracy(labels, predicted[:, 0]) > 0.95
    probabilities = est.predict_proba(X)
    assert probabilities[1] is None and probabilities[0].shape == (len(X), 2)
    assert list(est.classes_[0]) == ["down", "up"] and est.classes_[1] is None


def test_one_dimensional_y_gives_one_dimensional_predictions():
    X, _, three, _ = _data()
    clf = MultiTaskClassifier(**FAST).fit(X, three)
    assert clf.predict(X).shape == (len(X),) and clf.predict_proba(X).shape == (len(X), 3)
    assert list(clf.classes_) == [0, 1, 2]
    column = MultiTaskClassifier(**FAST).fit(X, three[:, None])
    np.testing.assert_array_equal(column.predict(X)[:, 0], clf.predict(X))  # same seed, same network


def test_missing_labels_are_masked():
    X, binary, three, value = _data()
    n = len(X)
    corrupted = np.where(np.arange(n) % 2 == 0, 1 - binary, binary).astype(np.float64)
    corrupted[::2] = np.nan  # the wrong labels are all marked missing
    noisy_value = value.copy()
    noisy_value[1::3] = np.nan
    est = MultiTaskEstimator(["classification", "regression"], **FAST).fit(X, np.column_stack([corrupted, noisy_value]))
    scores = est.score_tasks(X, np.column_stack([binary, value]))
    assert scores[0] > 0.95 and scores[1] > 0.95
    # the score leaves missing labels out
    assert est.score_tasks(X, np.column_stack([corrupted, noisy_value]))[0] == pytest.approx(
        _accuracy(corrupted[1::2], est.predict(X)[1::2, 0]))
    labels = np.array(["a" if b else "b" for b in binary], dtype=object)
    labels[:100] = None
    clf = MultiTaskClassifier(**FAST).fit(X, [labels, three])
    assert list(clf.classes_[0]) == ["a", "b"] and clf.score_tasks(X[:100], [np.where(binary[:100], "a", "b"), three[:100]])[0] > 0.9


def test_random_state_makes_fit_reproducible():
    X, binary, three, _ = _data()
    Y = np.column_stack([binary, three])
    a = MultiTaskClassifier(**FAST).fit(X, Y).predict_proba(X)
    b = MultiTaskClassifier(**FAST).fit(X, Y).predict_proba(X)
    c = MultiTaskClassifier(**dict(FAST, random_state=1)).fit(X, Y).predict_proba(X)
    for k in range(2):
        np.testing.assert_array_equal(a[k], b[k])
        assert not np.array_equal(a[k], c[k])


@pytest.mark.parametrize("weighting", ["pcgrad", "uncertainty", mtl.DWA()])
def test_weighting_methods(weighting):
    X, binary, three, _ = _data()
    clf = MultiTaskClassifier(**dict(FAST, weighting=weighting)).fit(X, np.column_stack([binary, three]))
    history = clf.history_.history
    assert len(history["loss"]) == 40 and len(history["task_1_weight"]) == 40
    assert history["task_0_loss"][-1] < history["task_0_loss"][0]
    assert clf.score(X, np.column_stack([binary, three])) > 0.9
    if not isinstance(weighting, str):
        assert weighting.num_tasks is None  # fit trained a copy


def test_get_params_set_params_round_trip():
    clf = MultiTaskClassifier(hidden_layer_sizes=(8, 4), weighting="mgda", epochs=3)
    params = clf.get_params()
    assert params["hidden_layer_sizes"] == (8, 4) and params["weighting"] == "mgda" and params["epochs"] == 3
    assert "task_types" not in params and "task_types" in MultiTaskEstimator().get_params()
    again = MultiTaskClassifier(**params)
    assert again.get_params() == params
    assert clf.set_params(epochs=5, learning_rate=0.01) is clf and clf.epochs == 5 and clf.learning_rate == 0.01
    with pytest.raises(ValueError, match="Invalid parameter"):
        clf.set_params(units=3)
    assert repr(MultiTaskEstimator(["regression"], epochs=3)) == "MultiTaskEstimator(epochs=3, task_types=['regression'])"


def test_sklearn_clone_pipeline_and_cross_validation():
    sklearn_base = pytest.importorskip("sklearn.base")
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    clf = MultiTaskClassifier(**FAST)
    cloned = sklearn_base.clone(clf)
    assert cloned is not clf and cloned.get_params() == clf.get_params()
    assert sklearn_base.is_classifier(clf) and sklearn_base.is_regressor(MultiTaskRegressor())
    X, binary, three, _ = _data()
    scores = cross_val_score(make_pipeline(StandardScaler(), clf), X, np.column_stack([binary, three]), cv=3)
    assert scores.shape == (3,) and scores.min() > 0.85


def test_pickle_round_trip_predicts_identically():
    X, binary, _, value = _data()
    est = MultiTaskEstimator(["classification", "regression"], **FAST).fit(X, [binary, value])
    loaded = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
    np.testing.assert_array_equal(loaded.predict_proba(X)[0], est.predict_proba(X)[0])
    assert loaded.history_.history == est.history_.history


def test_unfitted_estimator_raises_not_fitted():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        MultiTaskClassifier().predict(np.zeros((2, 3)))
    assert issubclass(NotFittedError, ValueError) and issubclass(NotFittedError, AttributeError)


@pytest.mark.parametrize("make, X, y, message", [
    (MultiTaskClassifier, np.zeros(5), [0, 1, 0, 1, 0], "Expected a 2D array"),
    (MultiTaskClassifier, [[np.nan, 1.0], [0.0, 1.0]], [0, 1], "Input X contains NaN"),
    (MultiTaskClassifier, [[np.inf, 1.0], [0.0, 1.0]], [0, 1], "Input X contains infinity"),
    (MultiTaskClassifier, [[1e39, 1.0], [0.0, 1.0]], [0, 1], "too large for dtype\\('float32'\\)"),
    (MultiTaskClassifier, np.zeros((0, 3)), [], "0 sample"),
    (MultiTaskClassifier, np.zeros((4, 2)), [0, 1, 0], "different numbers of samples"),
    (MultiTaskClassifier, np.zeros((4, 2)), None, "requires y"),
    (MultiTaskClassifier, np.zeros((4, 2)), np.zeros((4, 2, 1)), "y must have shape"),
    (MultiTaskClassifier, np.zeros((4, 2)), [0.5, 1.5, 0.2, 1.0], "Unknown label type: continuous"),
    (MultiTaskClassifier, np.zeros((4, 2)), [1, 1, 1, 1], "one class"),
    (MultiTaskClassifier, np.zeros((4, 2)), [np.nan] * 4, "every label of task 0 is missing"),
    (MultiTaskRegressor, np.zeros((4, 2)), [1.0, np.inf, 2.0, 3.0], "infinity"),
    (MultiTaskRegressor, np.zeros((4, 2)), np.array(["a", "b", "c", "d"]), "not numbers"),
    (lambda: MultiTaskEstimator(), np.zeros((4, 2)), [0, 1, 0, 1], "task_types is required"),
    (lambda: MultiTaskEstimator(["classification", "regresion"]), np.zeros((4, 2)), np.zeros((4, 2)), "'regresion'"),
    (lambda: MultiTaskEstimator(["regression"]), np.zeros((4, 2)), np.zeros((4, 2)), "names 1 tasks, but y has 2"),
    (lambda: MultiTaskRegressor(epochs=0), np.zeros((4, 2)), np.zeros(4), "epochs must be a positive int"),
    (lambda: MultiTaskRegressor(batch_size=2.5), np.zeros((4, 2)), np.zeros(4), "batch_size must be a positive int"),
    (lambda: MultiTaskRegressor(learning_rate=-1), np.zeros((4, 2)), np.zeros(4), "learning_rate"),
    (lambda: MultiTaskRegressor(hidden_layer_sizes=[8, 0]), np.zeros((4, 2)), np.zeros(4), "hidden_layer_sizes"),
    (lambda: MultiTaskRegressor(activation="swish"), np.zeros((4, 2)), np.zeros(4), "activation"),
    (lambda: MultiTaskRegressor(alpha=-1.0), np.zeros((4, 2)), np.zeros(4), "alpha"),
    (lambda: MultiTaskRegressor(optimizer="lbfgs"), np.zeros((4, 2)), np.zeros(4), "optimizer"),
    (lambda: MultiTaskRegressor(weighting="nope"), np.zeros((4, 2)), np.zeros(4), "weighting"),
    (lambda: MultiTaskRegressor(weighting=mtl.UncertaintyWeighting(3)), np.zeros((4, 2)), np.zeros((4, 2)),
     "made for 3 tasks; the model has 2 outputs"),
    (lambda: MultiTaskRegressor(random_state="seed"), np.zeros((4, 2)), np.zeros(4), "random_state"),
])
def test_bad_input_raises_value_error(make, X, y, message):
    with pytest.raises(ValueError, match=message):
        make().fit(X, y)


def test_predict_checks_the_features():
    reg = MultiTaskRegressor(epochs=1).fit(np.random.RandomState(0).randn(10, 3), np.arange(10.0))
    with pytest.raises(ValueError, match="X has 2 features, but MultiTaskRegressor is expecting 3 features"):
        reg.predict(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="y has 2 tasks"):
        reg.score(np.zeros((4, 3)), np.zeros((4, 2)))


def test_works_without_scikit_learn():
    # With scikit-learn hidden, the stand-in base class keeps the get_params/set_params contract.
    code = textwrap.dedent("""
        import sys
        sys.modules["sklearn"] = None  # import sklearn now raises ImportError
        import numpy as np
        from polyhead.sklearn import MultiTaskClassifier, NotFittedError
        clf = MultiTaskClassifier(hidden_layer_sizes=(16,), epochs=30, random_state=0)
        assert type(clf).__mro__[-2].__module__ == "polyhead.sklearn._base"
        assert clf.get_params()["epochs"] == 30 and clf.set_params(epochs=40) is clf
        assert repr(clf) == "MultiTaskClassifier(epochs=40, hidden_layer_sizes=(16,), random_state=0)"
        try:
            clf.set_params(nope=1)
            raise SystemExit("no error")
        except ValueError as error:
            assert "Invalid parameter 'nope'" in str(error)
        try:
            clf.predict(np.zeros((1, 2)))
            raise SystemExit("no error")
        except NotFittedError:
            pass
        rng = np.random.RandomState(0)
        X = rng.randn(300, 4)
        Y = np.column_stack([X[:, 0] > 0, X[:, 1] + X[:, 2] > 0]).astype(int)
        assert clf.fit(X, Y).score(X, Y) > 0.9
        assert type(clf)(**clf.get_params()).get_params() == clf.get_params()
        import pickle
        assert (pickle.loads(pickle.dumps(clf)).predict_proba(X)[1] == clf.predict_proba(X)[1]).all()
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
