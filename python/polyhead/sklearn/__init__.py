"""scikit-learn-style multi-task estimators: one network, a shared trunk and one head per task.

``fit(X, y)`` takes one column of ``y`` per task (or a list of per-task label arrays) and trains the whole
network through :class:`polyhead.keras.Model` — the epoch loop runs in the Swift core::

    from polyhead.sklearn import MultiTaskClassifier

    clf = MultiTaskClassifier(hidden_layer_sizes=(64,), weighting="pcgrad", epochs=50, random_state=0)
    clf.fit(X_train, y_train)            # y_train: (n_samples, n_tasks)
    clf.predict(X_test)                  # (n_samples, n_tasks)
    clf.predict_proba(X_test)            # one (n_samples, n_classes) array per task
    clf.score(X_test, y_test)            # mean accuracy over tasks; clf.task_scores_ per task

With scikit-learn installed the estimators are ``sklearn.base.BaseEstimator`` subclasses (``clone``,
``Pipeline``, ``GridSearchCV`` work); without it they keep the same ``get_params``/``set_params`` contract.
"""

from ._base import NotFittedError
from ._estimator import MultiTaskClassifier, MultiTaskEstimator, MultiTaskRegressor

__all__ = ["MultiTaskClassifier", "MultiTaskRegressor", "MultiTaskEstimator", "NotFittedError"]
