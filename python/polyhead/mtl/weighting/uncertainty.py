"""``UncertaintyWeighting``: learnable homoscedastic-uncertainty weights (Kendall, Gal, Cipolla 2018)."""

from __future__ import annotations

from typing import Dict, Sequence, Union

from .._method import MultiTaskMethod
from .._options import as_tuple, per_task_options

__all__ = ["UncertaintyWeighting"]


class UncertaintyWeighting(MultiTaskMethod):
    r"""Uncertainty weighting (Kendall, Gal, Cipolla, "Multi-Task Learning Using Uncertainty to Weigh Losses
    for Scene Geometry and Semantics", CVPR 2018).

    Each task has a learnable log-variance :math:`s_i = \log \sigma_i^2` (``log_variances``, returned by
    :meth:`parameters` — give it to the optimizer with the model). The objective is the paper's negative
    log-likelihood with :math:`\log\sigma_i = s_i/2`:

    - classification task: :math:`e^{-s_i} L_i + \tfrac12 s_i`;
    - regression task: :math:`\tfrac12 e^{-s_i} L_i + \tfrac12 s_i`.

    The weights reported are the loss coefficients :math:`e^{-s_i}` (:math:`\tfrac12 e^{-s_i}` for
    regression). LibMTL and torchjd use the regression form for every task (pass ``regression=True``);
    the authors' example uses :math:`e^{-s}L + s`, twice the regression form (same optimum, and the same
    path under Adam). For a regression task the learned :math:`\sigma_i^2 = e^{s_i}` tends to the mean
    squared error.

    Args:
        num_tasks: the number of tasks T (required: the log-variances are created with the method).
        regression: True/False for every task, or one flag per task. Default: False (classification form).
        initial_log_variance: the starting :math:`s_i`, in [-30, 30]. Default: 0 (LibMTL uses -0.5).
        rep_grad: accepted for a uniform interface; ignored by this loss-level method. Default: False.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl, optim
        >>> trunk, head_a, head_b = nn.Linear(3, 4), nn.Linear(4, 1), nn.Linear(4, 1)
        >>> method = mtl.UncertaintyWeighting(2, regression=[True, False])
        >>> opt = optim.SGD(list(trunk.parameters()) + method.parameters(), lr=0.1)
        >>> h = trunk(polyhead.ones(2, 3))
        >>> method.backward([(head_a(h) ** 2).mean(), (head_b(h) ** 2).mean()],
        ...                 shared_parameters=trunk.parameters()).weights
        array([0.5, 1. ])
        >>> method.log_variances.shape
        polyhead.Size([2])
    """

    _core_name = "uncertainty"
    _needs_num_tasks = True

    def __init__(self, num_tasks: int = None, *, regression: Union[bool, Sequence[bool]] = False,
                 initial_log_variance: float = 0.0, rep_grad: bool = False) -> None:
        self.regression = regression if isinstance(regression, bool) else as_tuple(regression, "regression")
        self.initial_log_variance = initial_log_variance
        super().__init__(num_tasks, rep_grad=rep_grad, initial_log_variance=initial_log_variance)

    def _core_options(self, num_tasks: int) -> Dict[str, float]:
        flags = (self.regression,) * num_tasks if isinstance(self.regression, bool) else self.regression
        return {**self._options, **per_task_options("regression", [bool(f) for f in flags], num_tasks, "regression")}

    @property
    def log_variances(self):
        """The learnable log-variances :math:`s_i = \\log\\sigma_i^2`, shape ``(T,)``."""
        return self._parameters[0]

