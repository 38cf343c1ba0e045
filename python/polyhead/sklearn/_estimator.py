"""``MultiTaskClassifier``, ``MultiTaskRegressor`` and ``MultiTaskEstimator``: one network with a shared trunk
and one head per task, trained by :class:`polyhead.keras.Model` (the epoch loop runs in the core)."""

from __future__ import annotations

import copy
import numbers
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .. import keras, manual_seed, mtl
from ..keras import callbacks as _callbacks
from ._base import (BaseEstimator, ClassifierMixin, NotFittedError, RegressorMixin,
                    available_if_classifying)
from ._targets import TASK_TYPES, check_X, make_task, split_targets

_ACTIVATIONS = ("relu", "tanh", "sigmoid", "gelu", "elu", "linear")
_OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")


def _layer_sizes(value: Any, name: str) -> Tuple[int, ...]:
    sizes = (value,) if isinstance(value, numbers.Integral) else value
    try:
        sizes = tuple(sizes)
    except TypeError:
        raise TypeError(f"{name} must be an int or a sequence of ints, got {type(value).__name__}") from None
    if not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0 for s in sizes):
        raise ValueError(f"{name} must hold positive ints, got {value!r}")
    return tuple(int(s) for s in sizes)


def _positive(value: Any, name: str, kind: type) -> Any:
    valid = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)
    if kind is int:
        valid = valid and isinstance(value, numbers.Integral)
    if not valid or value <= 0:
        raise ValueError(f"{name} must be a positive {kind.__name__}, got {value!r}")
    return kind(value)


def _seed(random_state: Any) -> Optional[int]:
    if random_state is None:
        return None
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return int(random_state)
    raise ValueError(f"random_state must be None, an int or a numpy RandomState, got {random_state!r}")


class _MultiTask:
    """The shared implementation (a mixin placed first, so its ``score`` overrides the scikit-learn mixins')."""

    def __init__(self, *, hidden_layer_sizes: Any = (100,), head_sizes: Any = (), activation: str = "relu",
                 weighting: Any = None, optimizer: str = "adam", learning_rate: float = 1e-3, alpha: float = 0.0,
                 epochs: int = 200, batch_size: int = 32, shuffle: bool = True, random_state: Any = None,
                 verbose: int = 0) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.head_sizes = head_sizes
        self.activation = activation
        self.weighting = weighting
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.alpha = alpha
        self.epochs = epochs
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ task types

    def _task_kinds(self, n_tasks: int) -> List[str]:
        """One task type per task (subclasses fix it; :class:`MultiTaskEstimator` reads ``task_types``)."""
        return [self._task_type] * n_tasks  # type: ignore[attr-defined]

    def _has_classification_task(self) -> bool:
        return self._task_type == "classification"  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ scikit-learn tags

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        if tags.classifier_tags is not None:
            tags.classifier_tags.multi_label = True
        return tags

    # ------------------------------------------------------------------ fit

    def _weighting_for(self, n_tasks: int) -> Any:
        weighting = self.weighting
        if weighting is None:
            return None
        if isinstance(weighting, str):
            if weighting not in mtl.available_methods():
                raise ValueError(f"weighting must be None, a polyhead.mtl method or one of {mtl.available_methods()}, "
                                 f"got {weighting!r}")
            return weighting
        if isinstance(weighting, mtl.MultiTaskMethod):
            return copy.deepcopy(weighting)  # fit must not change the parameter object
        raise ValueError(f"weighting must be None, a method name or a polyhead.mtl method, got {type(weighting).__name__}")

    def _build_model(self, n_features: int, tasks: Sequence[Any]) -> keras.Model:
        hidden = _layer_sizes(self.hidden_layer_sizes, "hidden_layer_sizes")
        heads = _layer_sizes(self.head_sizes, "head_sizes")
        if self.activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {_ACTIVATIONS}, got {self.activation!r}")
        alpha = self.alpha
        if not (isinstance(alpha, numbers.Real) and np.isfinite(alpha) and alpha >= 0):
            raise ValueError(f"alpha must be a finite number >= 0, got {alpha!r}")
        regularizer = keras.regularizers.l2(alpha) if alpha > 0 else None

        def dense(units: int, activation: str, name: Optional[str] = None) -> Any:
            return keras.layers.Dense(units, activation=activation, kernel_regularizer=regularizer, name=name)

        inputs = keras.Input(shape=(n_features,))
        h = inputs
        for units in hidden:
            h = dense(units, self.activation)(h)
        outputs = []
        for task in tasks:
            t = h
            for units in heads:
                t = dense(units, self.activation)(t)
            units, activation, _ = task.output()
            outputs.append(dense(units, activation, name=f"task_{task.k}")(t))
        return keras.Model(inputs, outputs)

    def fit(self, X: Any, y: Any) -> "_MultiTask":
        """Trains a new network on ``X`` ``(n_samples, n_features)`` and ``y``: ``(n_samples,)`` for one task,
        ``(n_samples, n_tasks)`` with one column per task, or a list of ``n_tasks`` label arrays (a list of
        ``n_samples`` items is read as rows, scikit-learn's convention).

        Missing labels (NaN in a regression column; NaN or None in a classification column) are masked: they
        count in neither the loss nor the metrics.

        Returns:
            The estimator.

        Raises:
            ValueError: bad shapes, NaN/inf in X, a task without labels or with a single class, continuous
                labels for a classification task, bad hyper-parameters or task types.
            TypeError: sparse X or y, or entries of X that are not numbers.
        """
        name = type(self).__name__
        X = check_X(X, name)
        columns, one_dimensional = split_targets(y, X.shape[0], name)
        kinds = self._task_kinds(len(columns))
        tasks = [make_task(kind, column, k) for k, (kind, column) in enumerate(zip(kinds, columns))]
        epochs = _positive(self.epochs, "epochs", int)
        batch_size = _positive(self.batch_size, "batch_size", int)
        learning_rate = _positive(self.learning_rate, "learning_rate", float)
        if self.optimizer not in _OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {_OPTIMIZERS}, got {self.optimizer!r}")
        weighting = self._weighting_for(len(tasks))
        seed = _seed(self.random_state)
        if seed is not None:
            manual_seed(seed)  # the core's global generator: weights, shuffling and random weightings
        model = self._build_model(X.shape[1], tasks)
        optimizer = keras.optimizers.get(self.optimizer)
        optimizer.learning_rate = learning_rate
        model.compile(optimizer=optimizer, loss=[task.output()[2] for task in tasks], weighting=weighting)
        encoded = [task.encode(column) for task, column in zip(tasks, columns)]
        targets = [target for target, _ in encoded]
        masks = [mask for _, mask in encoded]
        single = len(tasks) == 1  # Model.fit takes the array itself for a single output
        history = model.fit(X, targets[0] if single else targets,
                            masks=None if all(m is None for m in masks) else (masks[0] if single else masks),
                            epochs=epochs, batch_size=batch_size, shuffle=bool(self.shuffle), verbose=int(self.verbose))
        self.model_ = model
        self._tasks = tasks
        self._one_dimensional = one_dimensional
        self.n_features_in_ = X.shape[1]
        self.n_tasks_ = len(tasks)
        self.task_types_ = kinds
        classes = [getattr(task, "classes", None) for task in tasks]
        self.classes_ = classes[0] if one_dimensional else classes
        self.history_ = _callbacks.History()
        self.history_.history, self.history_.epoch = history.history, history.epoch
        return self

    # ------------------------------------------------------------------ predict

    def _outputs(self, X: Any) -> List[np.ndarray]:
        if not hasattr(self, "model_"):
            raise NotFittedError(f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                                 "appropriate arguments before using this estimator.")
        X = check_X(X, type(self).__name__)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                             f"{self.n_features_in_} features as input.")
        return self.model_.predict(X, batch_size=self.batch_size, verbose=0)

    def predict(self, X: Any) -> np.ndarray:
        """Predictions: ``(n_samples,)`` if ``fit`` got a 1-D ``y``, else ``(n_samples, n_tasks)`` (classes for
        classification tasks, float64 values for regression tasks; an object array when the tasks' dtypes
        differ)."""
        outputs = self._outputs(X)
        columns = [task.predict(output) for task, output in zip(self._tasks, outputs)]
        if self._one_dimensional:
            return columns[0]
        dtypes = {column.dtype for column in columns}
        return np.column_stack(columns) if len(dtypes) == 1 else np.column_stack([c.astype(object) for c in columns])

    @available_if_classifying
    def predict_proba(self, X: Any) -> Any:
        """Class probabilities (float64, rows summing to 1): ``(n_samples, n_classes)`` if ``fit`` got a 1-D
        ``y``, else a list with one such array per task (None for a regression task)."""
        outputs = self._outputs(X)
        probabilities = [task.proba(output) if task.kind == "classification" else None
                         for task, output in zip(self._tasks, outputs)]
        return probabilities[0] if self._one_dimensional else probabilities

    # ------------------------------------------------------------------ score

    def score_tasks(self, X: Any, y: Any) -> np.ndarray:
        """One score per task on labelled data: accuracy for a classification task, R² for a regression task
        (missing labels are left out)."""
        outputs = self._outputs(X)
        columns, _ = split_targets(y, len(outputs[0]), type(self).__name__)
        if len(columns) != self.n_tasks_:
            raise ValueError(f"y has {len(columns)} tasks, but {type(self).__name__} was fitted on {self.n_tasks_}")
        return np.array([task.score(column, output) for task, column, output in zip(self._tasks, columns, outputs)])

    def score(self, X: Any, y: Any) -> float:
        """The mean over tasks of :meth:`score_tasks` (for a multi-task classifier this is the mean per-task
        accuracy, not scikit-learn's subset accuracy); the per-task scores are kept in ``task_scores_``."""
        self.task_scores_ = self.score_tasks(X, y)
        return float(np.mean(self.task_scores_))

    # ------------------------------------------------------------------ pickling

    def __getstate__(self) -> Dict[str, Any]:
        getstate = getattr(super(), "__getstate__", None)
        state = dict(getstate() if getstate is not None else self.__dict__)
        if "model_" in state:  # the core model is rebuilt from the weights on unpickling
            state["model_"] = state["model_"].get_weights()
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        setstate = getattr(super(), "__setstate__", None)
        if setstate is not None:
            setstate(state)
        else:
            self.__dict__.update(state)
        if "model_" in state:
            self.model_ = self._build_model(self.n_features_in_, self._tasks)
            self.model_.set_weights(state["model_"])


_COMMON_DOC = """
    Parameters:
        hidden_layer_sizes: units of the shared trunk's Dense layers (an int or a sequence; ``()`` for none).
            Default: ``(100,)``.
        head_sizes: units of each task head's hidden Dense layers before its output layer. Default: ``()``.
        activation: of the hidden layers, one of ``relu``, ``tanh``, ``sigmoid``, ``gelu``, ``elu``,
            ``linear``. Default: ``"relu"``.
        weighting: how the task losses combine: None (their sum), a :mod:`polyhead.mtl` method name
            (``"uncertainty"``, ``"dwa"``, ``"pcgrad"``, ``"mgda"``… see ``polyhead.mtl.available_methods()``)
            or a method object created without ``num_tasks`` (copied at each ``fit``), as
            ``Model.compile(weighting=...)`` takes.
        optimizer: ``"adam"``, ``"adamw"``, ``"sgd"`` or ``"rmsprop"``. Default: ``"adam"``.
        learning_rate: the optimizer's learning rate. Default: 1e-3.
        alpha: L2 penalty ``alpha · Σ w²`` on every kernel, added to the loss (Keras ``l2``). Default: 0.
        epochs: passes over the training data. Default: 200.
        batch_size: samples per step (also the prediction batch). Default: 32.
        shuffle: reshuffle the samples every epoch. Default: True.
        random_state: None, an int or a numpy ``RandomState``. An int re-seeds Polyhead's global generator
            (``polyhead.manual_seed``) at the start of ``fit``, so weights and shuffling are reproducible.
        verbose: ``Model.fit``'s progress output (0 silent, 1 progress bar, 2 one line per epoch). Default: 0.

    Attributes:
        model_: the trained :class:`polyhead.keras.Model` (outputs ``task_0``, ``task_1``…).
        n_features_in_, n_tasks_: the number of features and tasks seen in ``fit``.
        task_types_: ``"classification"`` or ``"regression"`` per task.
        classes_: the classes of each task (a list; None for a regression task), or one array when ``fit``
            got a 1-D ``y``.
        history_: a :class:`polyhead.keras.callbacks.History` (``history_.history`` has ``loss``,
            ``task_<k>_loss`` and, with a weighting method, ``task_<k>_weight`` per epoch; ``plot()``).
        task_scores_: the per-task scores of the latest :meth:`score`.

    Missing labels are masked: NaN in a regression column, NaN or None in a classification column (use a float
    or object column). Regression targets are standardised for training (mean 0, variance 1 per task) and
    predictions mapped back. The estimators pickle (the weights are saved, the model is rebuilt).

    scikit-learn's ``check_estimator`` passes in full (``Tests/python/test_sklearn_checks.py``); where the
    multi-task targets differ from single-output estimators, and no check can tell: a partly NaN ``y`` column
    is accepted (NaN marks a missing label; an all-NaN column raises, as the checks require); ``score`` is the
    mean per-task score, not the subset accuracy of scikit-learn's multi-output classifiers; there is no
    ``decision_function`` (its multi-label check skips).
"""


class MultiTaskClassifier(_MultiTask, ClassifierMixin, BaseEstimator):
    __doc__ = """A multi-task classifier: a shared trunk of Dense layers and one softmax (sigmoid for two
    classes) head per task, trained jointly on the tasks' cross-entropies by ``polyhead.keras``.

    ``fit(X, y)`` takes one column of labels per task; ``predict`` returns one column of classes per task,
    ``predict_proba`` a list of probability arrays, ``score`` the mean per-task accuracy.
    """ + _COMMON_DOC

    _task_type = "classification"


class MultiTaskRegressor(_MultiTask, RegressorMixin, BaseEstimator):
    __doc__ = """A multi-task regressor: a shared trunk of Dense layers and one linear unit per task, trained
    jointly on the tasks' mean squared errors by ``polyhead.keras``; ``score`` is the mean per-task R².
    """ + _COMMON_DOC

    _task_type = "regression"


class MultiTaskEstimator(_MultiTask, BaseEstimator):
    __doc__ = """A multi-task estimator mixing classification and regression tasks: ``task_types`` names the
    type of each column of ``y`` (``["classification", "regression"]``), or one type for every task.
    ``score`` is the mean over tasks of accuracy (classification) and R² (regression).
    """ + _COMMON_DOC

    def __init__(self, task_types: Any = None, *, hidden_layer_sizes: Any = (100,), head_sizes: Any = (),
                 activation: str = "relu", weighting: Any = None, optimizer: str = "adam",
                 learning_rate: float = 1e-3, alpha: float = 0.0, epochs: int = 200, batch_size: int = 32,
                 shuffle: bool = True, random_state: Any = None, verbose: int = 0) -> None:
        self.task_types = task_types
        super().__init__(hidden_layer_sizes=hidden_layer_sizes, head_sizes=head_sizes, activation=activation,
                         weighting=weighting, optimizer=optimizer, learning_rate=learning_rate, alpha=alpha,
                         epochs=epochs, batch_size=batch_size, shuffle=shuffle, random_state=random_state,
                         verbose=verbose)

    def _task_kinds(self, n_tasks: int) -> List[str]:
        types = self.task_types
        if types is None:
            raise ValueError(f"task_types is required: a list with one of {TASK_TYPES} per task, or one of them "
                             "for every task")
        try:
            kinds = [types] * n_tasks if isinstance(types, str) else list(types)
        except TypeError:
            raise ValueError(f"task_types must be a str or a list of str, got {types!r}") from None
        unknown = [kind for kind in kinds if kind not in TASK_TYPES]
        if unknown:
            raise ValueError(f"task_types must hold {TASK_TYPES[0]!r} or {TASK_TYPES[1]!r}, got {unknown}")
        if len(kinds) != n_tasks:
            raise ValueError(f"task_types names {len(kinds)} tasks, but y has {n_tasks} (one column per task)")
        return kinds

    def _has_classification_task(self) -> bool:
        types = self.task_types
        return types == "classification" or (not isinstance(types, str) and types is not None
                                             and "classification" in list(types))
