"""Input checks and per-task target encoders of the scikit-learn-style estimators.

``check_X`` turns X into a finite float32 matrix; ``split_targets`` turns y into one column per task;
a task's encoder (:class:`ClassificationTask`, :class:`RegressionTask`) knows its output layer and loss,
encodes its column for ``Model.fit`` (with a mask for missing labels) and decodes the model's output.
Missing labels: NaN in a regression column; NaN or None in a classification column (use a float or object
column, since integer arrays cannot hold NaN).
"""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

import numpy as np

TASK_TYPES = ("classification", "regression")


def _is_sparse(array: Any) -> bool:
    return type(array).__module__.startswith("scipy.sparse")


def check_X(X: Any, estimator: str) -> np.ndarray:
    """X as a C-contiguous float32 ``(n_samples, n_features)`` array.

    Raises:
        TypeError: X is sparse, or holds objects that are not numbers.
        ValueError: X is complex, not 2-D, empty, or has NaN or infinite values (also values too large for
            float32).
    """
    if X is None:
        raise ValueError(f"{estimator} needs X, an array of shape (n_samples, n_features); got None")
    if _is_sparse(X):
        raise TypeError(f"{estimator} does not support sparse input X; convert it with X.toarray()")
    array = np.asarray(X)
    if array.dtype.kind == "c":
        raise ValueError("Complex data not supported: X has a complex dtype")
    if array.dtype.kind not in "biuf":
        array = array.astype(np.float64)  # objects and strings that hold numbers; TypeError/ValueError otherwise
    if array.ndim != 2:
        raise ValueError(f"Expected a 2D array X of shape (n_samples, n_features), got {array.ndim}D array of "
                         f"shape {array.shape} instead. Reshape your data with X.reshape(-1, 1) for a single "
                         "feature or X.reshape(1, -1) for a single sample.")
    for axis, what in ((0, "sample"), (1, "feature")):
        if array.shape[axis] == 0:
            raise ValueError(f"Found array with 0 {what}(s) (shape={array.shape}) while a minimum of 1 is required.")
    with np.errstate(over="ignore"):  # values beyond float32's range become inf and are reported below
        array = np.ascontiguousarray(array, dtype=np.float32)
    if not np.isfinite(array).all():
        kind = "NaN" if np.isnan(array).any() else "infinity or a value too large for dtype('float32')"
        raise ValueError(f"Input X contains {kind}.")
    return array


def split_targets(y: Any, n_samples: int, estimator: str) -> Tuple[List[np.ndarray], bool]:
    """y as one 1-D column per task, and whether y was 1-D (a single task given as a vector).

    y is an array-like ``(n_samples,)`` or ``(n_samples, n_tasks)`` (scikit-learn's convention: a list of
    ``n_samples`` rows), or a list of ``n_tasks`` arrays of ``n_samples`` labels each (Keras's convention; a
    list whose length is ``n_samples`` is read as rows).
    """
    if y is None:
        raise ValueError(f"{estimator} requires y to be passed, but the target y is None")
    if _is_sparse(y):
        raise TypeError(f"{estimator} does not support sparse targets y; convert them with y.toarray()")
    if isinstance(y, (list, tuple)) and len(y) != n_samples and len(y) > 0 and all(
            np.ndim(item) >= 1 and len(item) == n_samples for item in y):
        columns = [np.asarray(item) for item in y]
        for k, column in enumerate(columns):
            if column.ndim == 2 and column.shape[1] == 1:
                columns[k] = column.ravel()
            elif column.ndim != 1:
                raise ValueError(f"y[{k}] must hold one label per sample, shape ({n_samples},); got {column.shape}")
        return columns, False
    array = np.asarray(y)
    if array.ndim not in (1, 2):
        raise ValueError(f"y must have shape (n_samples,) or (n_samples, n_tasks), got {array.ndim}D array of "
                         f"shape {array.shape}")
    if array.shape[0] != n_samples:
        raise ValueError(f"X and y have different numbers of samples: X has {n_samples}, y has shape {array.shape}")
    if array.ndim == 1:
        return [array], True
    if array.shape[1] == 0:
        raise ValueError(f"y has shape {array.shape}: no task")
    return [array[:, k] for k in range(array.shape[1])], False


def _missing(column: np.ndarray) -> np.ndarray:
    """True where a label is missing (NaN, or None in an object column)."""
    if column.dtype.kind == "f":
        return np.isnan(column)
    if column.dtype.kind == "O":
        return np.array([v is None or (isinstance(v, float) and v != v) for v in column], dtype=bool)
    return np.zeros(column.shape, dtype=bool)


def _present(column: np.ndarray, k: int) -> Tuple[np.ndarray, np.ndarray]:
    """The mask of present labels and the present labels; ValueError when every label is missing."""
    if column.dtype.kind == "c":
        raise ValueError(f"Complex data not supported: task {k} of y has a complex dtype")
    present = ~_missing(column)
    if not present.any():
        raise ValueError(f"Input y contains NaN only: every label of task {k} is missing")
    return present, column[present]


class ClassificationTask:
    """A classification task: softmax over its classes (sigmoid for two) and cross-entropy.

    Attributes:
        classes: the sorted distinct labels seen in ``fit`` (at least two).
    """

    kind = "classification"

    def __init__(self, column: np.ndarray, k: int) -> None:
        present, labels = _present(column, k)
        if labels.dtype.kind == "f":
            if not np.isfinite(labels).all():
                raise ValueError(f"Input y contains infinity: task {k} has infinite labels")
            if (labels != np.round(labels)).any():
                raise ValueError(f"Unknown label type: continuous. Task {k} is a classification task but its labels "
                                 "are not integral; use a regression task for continuous targets")
        try:
            self.classes = np.unique(labels)
        except TypeError as error:
            raise ValueError(f"the labels of task {k} cannot be sorted (mixed types?): {error}") from None
        if len(self.classes) < 2:
            raise ValueError(f"task {k} has one class ({self.classes[0]!r}) in y: a classification task needs at "
                             "least 2 classes")
        self.k = k

    @property
    def binary(self) -> bool:
        return len(self.classes) == 2

    def output(self) -> Tuple[int, str, str]:
        """The output layer's units and activation, and the Keras loss name."""
        if self.binary:
            return 1, "sigmoid", "binary_crossentropy"
        return len(self.classes), "softmax", "sparse_categorical_crossentropy"

    def _indices(self, column: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Class indices (-1 for a missing label or one not in ``classes``) and the mask of present labels."""
        present = ~_missing(column)
        index = np.full(len(column), -1, dtype=np.int64)
        labels = column[present]
        position = np.clip(np.searchsorted(self.classes, labels), 0, len(self.classes) - 1)
        index[present] = np.where(self.classes[position] == labels, position, -1)
        return index, present

    def encode(self, column: np.ndarray) -> Tuple[np.ndarray, Optional[np.ndarray]]:
        """The target array for ``fit`` and the mask (None when no label is missing)."""
        index, present = self._indices(column)
        target = np.maximum(index, 0).astype(np.float32)
        return (target.reshape(-1, 1) if self.binary else target), (None if present.all() else present.astype(np.float32))

    def proba(self, output: np.ndarray) -> np.ndarray:
        """Class probabilities ``(n_samples, n_classes)`` in float64, rows summing to 1."""
        output = np.asarray(output, dtype=np.float64)
        if self.binary:
            p = output[:, 0]
            return np.column_stack([1.0 - p, p])
        return output / output.sum(axis=1, keepdims=True)  # float32 softmax rows, renormalised in float64

    def predict(self, output: np.ndarray) -> np.ndarray:
        """The most probable class of each sample."""
        return self.classes[np.argmax(self.proba(output), axis=1)]

    def score(self, column: np.ndarray, output: np.ndarray) -> float:
        """Accuracy over the present labels."""
        index, present = self._indices(column)
        return float(np.mean(np.argmax(self.proba(output), axis=1)[present] == index[present]))


class RegressionTask:
    """A regression task: one linear unit trained with the mean squared error on the standardised target
    (so tasks on different scales weigh alike); predictions are mapped back to the target's scale."""

    kind = "regression"

    def __init__(self, column: np.ndarray, k: int) -> None:
        present, values = _present(column, k)
        values = self._numbers(values, k)
        if not np.isfinite(values).all():
            raise ValueError(f"Input y contains infinity or a value too large for dtype('float64'): task {k}")
        self.mean = float(values.mean())
        self.scale = float(values.std()) or 1.0
        self.k = k

    @staticmethod
    def _numbers(column: np.ndarray, k: int) -> np.ndarray:
        try:
            return np.asarray(column, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"task {k} is a regression task but its targets are not numbers "
                             f"(dtype {column.dtype})") from None

    def output(self) -> Tuple[int, str, str]:
        """The output layer's units and activation, and the Keras loss name."""
        return 1, "linear", "mse"

    def _values(self, column: np.ndarray) -> np.ndarray:
        """The targets as float64, NaN where missing."""
        if column.dtype.kind == "O":
            column = np.where(_missing(column), np.nan, column)
        return self._numbers(column, self.k)

    def encode(self, column: np.ndarray) -> Tuple[np.ndarray, Optional[np.ndarray]]:
        """The standardised target ``(n, 1)`` (0 where missing) and the mask (None when none is missing)."""
        values = self._values(column)
        present = ~np.isnan(values)
        target = np.where(present, (values - self.mean) / self.scale, 0.0).astype(np.float32).reshape(-1, 1)
        return target, (None if present.all() else present.astype(np.float32))

    def predict(self, output: np.ndarray) -> np.ndarray:
        """Predictions in the target's scale (float64)."""
        return np.asarray(output, dtype=np.float64)[:, 0] * self.scale + self.mean

    def score(self, column: np.ndarray, output: np.ndarray) -> float:
        """R² over the present targets (1 − SS_res / SS_tot; for a constant target 1.0 if predicted exactly,
        else 0.0, as scikit-learn's ``r2_score``)."""
        values = self._values(column)
        present = ~np.isnan(values)
        truth, predicted = values[present], self.predict(output)[present]
        residual = float(np.sum((truth - predicted) ** 2))
        total = float(np.sum((truth - truth.mean()) ** 2))
        if total == 0.0:
            return 1.0 if residual == 0.0 else 0.0
        return 1.0 - residual / total


def make_task(kind: str, column: np.ndarray, k: int) -> Any:
    """The encoder of task ``k`` of type ``kind`` fitted on its column."""
    return (ClassificationTask if kind == "classification" else RegressionTask)(column, k)
