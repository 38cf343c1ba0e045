"""The scikit-learn base classes when scikit-learn is installed, else stand-ins with the same contract.

With scikit-learn the estimators inherit ``sklearn.base.BaseEstimator`` and its mixins (so ``clone``,
pipelines, grid search, tags and ``check_estimator`` work as for any scikit-learn estimator). Without it they
inherit the small classes below, which keep ``BaseEstimator``'s contract: the constructor only stores its
keyword arguments; ``get_params`` reads them back by the constructor's signature; ``set_params`` sets them
(``ValueError`` for an unknown name); ``repr`` shows the arguments that differ from their defaults.
"""

from __future__ import annotations

import functools
import inspect
import types
from typing import Any, Callable, Dict, List

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.exceptions import NotFittedError
except ImportError:  # scikit-learn is optional

    class NotFittedError(ValueError, AttributeError):
        """An estimator was used before ``fit`` (as ``sklearn.exceptions.NotFittedError``)."""

    class ClassifierMixin:
        """Marks a classifier (as ``sklearn.base.ClassifierMixin``)."""

        _estimator_type = "classifier"

    class RegressorMixin:
        """Marks a regressor (as ``sklearn.base.RegressorMixin``)."""

        _estimator_type = "regressor"

    class BaseEstimator:
        """``get_params`` / ``set_params`` / ``repr`` from the constructor's keyword arguments."""

        @classmethod
        def _get_param_names(cls) -> List[str]:
            parameters = inspect.signature(cls.__init__).parameters.values()
            return sorted(p.name for p in parameters if p.name != "self" and p.kind != p.VAR_KEYWORD)

        def get_params(self, deep: bool = True) -> Dict[str, Any]:
            """The constructor arguments by name (``deep`` is accepted for scikit-learn compatibility: no
            argument of these estimators is itself an estimator)."""
            return {name: getattr(self, name) for name in self._get_param_names()}

        def set_params(self, **params: Any) -> "BaseEstimator":
            """Sets constructor arguments by name and returns the estimator.

            Raises:
                ValueError: a name is not a constructor argument.
            """
            valid = self._get_param_names()
            for name, value in params.items():
                if name not in valid:
                    raise ValueError(f"Invalid parameter {name!r} for estimator {type(self).__name__}. "
                                     f"Valid parameters are: {valid!r}.")
                setattr(self, name, value)
            return self

        def __repr__(self) -> str:
            defaults = {p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()}
            changed = [f"{name}={value!r}" for name, value in self.get_params().items()
                       if not _same(value, defaults.get(name))]
            return f"{type(self).__name__}({', '.join(changed)})"

    def _same(a: Any, b: Any) -> bool:
        try:
            return bool(a == b) and type(a) is type(b)
        except (TypeError, ValueError):  # e.g. numpy arrays: ambiguous truth value
            return False


class available_if_classifying:
    """Decorates ``predict_proba``: the method exists (``hasattr`` is true) only when the estimator has a
    classification task, as scikit-learn's ``available_if`` does for optional methods."""

    def __init__(self, method: Callable[..., Any]) -> None:
        self.method = method
        functools.update_wrapper(self, method)

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self.method
        if not obj._has_classification_task():
            raise AttributeError(f"{type(obj).__name__} has no classification task, so no {self.method.__name__}")
        return types.MethodType(self.method, obj)


__all__ = ["BaseEstimator", "ClassifierMixin", "RegressorMixin", "NotFittedError", "available_if_classifying"]
