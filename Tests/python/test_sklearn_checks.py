"""scikit-learn's own estimator checks (``parametrize_with_checks``) on the polyhead.sklearn estimators.

Every check applies and passes (scikit-learn 1.9.1, also tried with 1.6.1). Notes on the checks that touch
multi-task targets:

- ``check_supervised_y_no_nan`` fits an all-NaN (or all-inf) ``y``: that raises ``ValueError`` here too,
  because every label of the task is missing. A *partly* NaN column is accepted, unlike in single-output
  estimators: NaN marks a missing label, which is masked out of the loss.
- ``check_classifier_multioutput`` / ``check_regressor_multioutput`` / the multi-label checks run because the
  tags declare ``multi_output`` and ``multi_label``; ``predict_proba`` returns one array per task, the format
  scikit-learn expects of multi-output classifiers.
- ``check_classifiers_multilabel_output_format_decision_function`` skips: there is no ``decision_function``.
- ``check_*_data_not_an_array`` skip without pandas, ``check_array_api_input`` without ``SCIPY_ARRAY_API``.
- ``MultiTaskEstimator`` is checked with one task type for all tasks (``task_types="regression"`` or
  ``"classification"``): the checks' targets have no column per task type.
- ``score`` is the mean per-task score, not scikit-learn's subset accuracy for multi-output classifiers;
  no check depends on the difference.
"""

import pytest

sklearn = pytest.importorskip("sklearn")
estimator_checks = pytest.importorskip("sklearn.utils.estimator_checks")
if not hasattr(sklearn.base.BaseEstimator, "__sklearn_tags__"):
    pytest.skip("the estimators declare their tags with __sklearn_tags__ (scikit-learn >= 1.6)", allow_module_level=True)

from polyhead.sklearn import MultiTaskClassifier, MultiTaskEstimator, MultiTaskRegressor  # noqa: E402

ESTIMATORS = [MultiTaskClassifier(), MultiTaskRegressor(), MultiTaskEstimator("regression"),
              MultiTaskEstimator("classification")]


@estimator_checks.parametrize_with_checks(ESTIMATORS)
def test_sklearn_estimator_check(estimator, check):
    check(estimator)


def test_tags_declare_multi_output():
    tags = sklearn.utils.get_tags(MultiTaskClassifier())
    assert tags.estimator_type == "classifier" and tags.target_tags.multi_output and tags.target_tags.required
    assert tags.classifier_tags.multi_label
    assert sklearn.utils.get_tags(MultiTaskRegressor()).estimator_type == "regressor"
    assert sklearn.utils.get_tags(MultiTaskEstimator(["classification", "regression"])).estimator_type is None
