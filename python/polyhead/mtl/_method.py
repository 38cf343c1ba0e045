"""``mtl.MultiTaskMethod``: the base of every loss-weighting and gradient method (LibMTL's ``AbsWeighting``).

A method turns T task losses into one update: ``method.backward(losses, shared_parameters=...)`` leaves
every parameter's ``.grad`` holding the step's contribution, ready for ``optimizer.step()``. The math runs in
the core (``_core.mtl_*``); this file only checks arguments and keeps the core object.

A subclass sets ``_core_name`` (a name from :func:`available_methods`) and translates its keyword arguments
(Pythonic names, LibMTL/torchjd defaults) to the core's option names in ``__init__``; it stores each keyword
argument as an attribute of the same name, so ``repr`` shows the non-default ones::

    class CAGrad(MultiTaskMethod):
        _core_name = "cagrad"

        def __init__(self, num_tasks=None, *, c=0.5, rep_grad=False):
            self.c = c
            super().__init__(num_tasks, rep_grad=rep_grad, c=c)

Options that depend on the task count (one value per task) go through ``_core_options(num_tasks)``.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, ClassVar, Dict, Iterable, List, Mapping, Optional, Sequence, Union

import numpy as np

from .. import _core
from .._convert import as_count
from ..autograd import no_grad

__all__ = ["MultiTaskMethod", "StepRecord", "available_methods"]

_shape = _core.Tensor.shape.__get__
_requires_grad = _core.Tensor.requires_grad.__get__


def available_methods() -> List[str]:
    """The names of the methods the core implements (the ``_core_name`` of each method class).

    Examples:
        >>> from polyhead import mtl
        >>> "linear" in mtl.available_methods()
        True
    """
    return _core.mtl_method_names()


@dataclass(frozen=True, eq=False)
class StepRecord:
    """What one :meth:`MultiTaskMethod.backward` step did, for logging.

    Attributes:
        weights: one weight per task (float64, shape ``(T,)``, read-only). Loss-level methods report the
            weights applied to the losses; gradient methods the effective weights of the combined update
            on the task gradients (e.g. PCGrad's projection coefficients, summed per task).
    """

    weights: np.ndarray


def _option_value(name: str, value: Any) -> float:
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"option {name!r} must be a real number, got {type(value).__name__}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"option {name!r} must be a real number, got {type(value).__name__}") from None


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # e.g. numpy arrays: ambiguous truth value
        return False


class MultiTaskMethod:
    """Base class of the multi-task methods: T task losses → one update of the model's gradients.

    ``backward`` checks its arguments, creates the core method on first use (when ``num_tasks`` was not
    given) and returns a :class:`StepRecord` with the task weights of the step (also kept as ``last_step``).

    Missing labels: a task whose batch has no labelled sample (its loss masked to 0, see ``mask=`` of the
    losses) is absent from the step: the update is the method's update over the present tasks alone (as if
    the method had been made for those tasks), the absent task gets weight 0 and its head no gradient, and
    state a method keeps per task (MoCo's tracked gradients, FAMO's logits, DWA's loss averages, GradNorm's
    weights, …) stays as it was for the absent task. With no task present there is no update. ``backward``'s
    ``present=`` says which tasks are present; without it the rule is: for gradient methods, a loss of exactly 0
    with an all-zero gradient; for loss-level methods, a loss of exactly 0 (the usual losses are ≥ 0, so their
    gradient is 0 there too) — what every masked loss gives for a batch without labels.

    Args:
        num_tasks: the number of tasks T. Default: None — taken from the first ``backward`` call (afterwards
            every call must pass T losses). Methods with learnable parameters need it at construction, so
            that ``parameters()`` can be given to an optimizer.
        rep_grad: combine the task gradients of the shared *representation* instead of the shared parameters
            (MGDA-UB style: T backward passes through the heads only, then one through the trunk with the
            combined representation gradient — cheaper for a big trunk, but it balances gradients of the
            representation, not of the parameters). ``backward`` then requires ``representation=``.
            Default: False.
        **core_options: numeric options under the core's names (subclasses translate their arguments).

    Attributes:
        num_tasks: T, or None until the first ``backward``.
        rep_grad: the mode (see above).
        last_step: the :class:`StepRecord` of the latest ``backward``, or None.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl
        >>> class EqualWeighting(mtl.MultiTaskMethod):
        ...     _core_name = "linear"
        >>> trunk, head_a, head_b = nn.Linear(3, 4), nn.Linear(4, 1), nn.Linear(4, 1)
        >>> h = trunk(polyhead.ones(2, 3))
        >>> method = EqualWeighting()
        >>> method.backward([head_a(h).sum(), head_b(h).mean()], shared_parameters=trunk.parameters()).weights
        array([1., 1.])
        >>> method
        EqualWeighting(num_tasks=2, rep_grad=False)
    """

    _core_name: ClassVar[str] = ""
    """The core's name of the method (see :func:`available_methods`); set by every subclass."""
    _needs_num_tasks: ClassVar[bool] = False
    """True for methods with learnable parameters: ``num_tasks`` is then required at construction."""
    _rep_grad_unsupported: ClassVar[str] = ""
    """Why the method refuses ``rep_grad=True`` (empty: it supports both modes); the core refuses it too."""

    def __init__(self, num_tasks: Optional[int] = None, *, rep_grad: bool = False, **core_options: float) -> None:
        name = type(self).__name__
        if not type(self)._core_name:
            raise TypeError(f"{name} is abstract: a subclass sets _core_name (one of {available_methods()})")
        if num_tasks is not None:
            num_tasks = as_count(num_tasks, "num_tasks", minimum=1)
        elif type(self)._needs_num_tasks:
            raise ValueError(f"{name} has learnable parameters: pass num_tasks (the number of tasks) when "
                             "creating it, so that its parameters() exist before the optimizer is made")
        if rep_grad and type(self)._rep_grad_unsupported:
            raise ValueError(f"{name} does not support rep_grad=True: {type(self)._rep_grad_unsupported}")
        self.num_tasks: Optional[int] = None
        self.rep_grad = bool(rep_grad)
        self.last_step: Optional[StepRecord] = None
        self._options: Dict[str, float] = {key: _option_value(key, value) for key, value in core_options.items()}
        self._core: Any = None
        self._parameters: List[_core.Tensor] = []
        if num_tasks is not None:
            self._create_core(num_tasks)

    # ------------------------------------------------------------ the core object

    def _core_options(self, num_tasks: int) -> Dict[str, float]:
        """The core options for ``num_tasks`` tasks (override for per-task options such as ``weight0``…)."""
        return self._options

    def _create_core(self, num_tasks: int) -> None:
        options = self._core_options(num_tasks)
        names = tuple(options)
        values = tuple(_option_value(key, options[key]) for key in names)
        self._core = _core.mtl_method(type(self)._core_name, num_tasks, names, values)
        self._parameters = _core.mtl_parameters(self._core)
        self.num_tasks = num_tasks

    # ------------------------------------------------------------ copying and pickling

    def __getstate__(self) -> Dict[str, Any]:
        """The attributes without the core object, plus copies of the learned parameters' values: enough
        to rebuild the method (``copy.deepcopy``, ``pickle``, scikit-learn's ``clone``). Step-to-step state
        kept inside the core (e.g. DWA's loss history, GradNorm's initial losses) is not carried over."""
        state = {key: value for key, value in self.__dict__.items() if key not in ("_core", "_parameters")}
        state["_parameters"] = [np.array(parameter) for parameter in self._parameters]
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        """Rebuilds the core method from the options (when the task count is known) and restores the learned
        parameters' values."""
        values = state["_parameters"]
        self.__dict__.update(state)
        self._core, self._parameters = None, []
        if self.num_tasks is not None:
            self._create_core(self.num_tasks)
            with no_grad():
                for parameter, value in zip(self._parameters, values):
                    _core.copy_(parameter, _core.from_buffer(value))

    # ------------------------------------------------------------ public API

    def parameters(self) -> List[_core.Tensor]:
        """The method's own learnable tensors (e.g. uncertainty weighting's log-variances), to give to the
        optimizer together with the model's parameters; empty for most methods."""
        return list(self._parameters)

    def backward(self, losses: Union[Sequence[_core.Tensor], Mapping[Any, _core.Tensor]],
                 shared_parameters: Optional[Iterable[_core.Tensor]] = None,
                 representation: Optional[_core.Tensor] = None,
                 present: Optional[Sequence[bool]] = None) -> StepRecord:
        """Back-propagates one multi-task step: afterwards every parameter's ``.grad`` holds (accumulates)
        the step's update; task-specific parameters get their own task's gradient.

        Args:
            losses: one scalar tensor per task, in task order (a sequence, or a mapping task → loss).
            shared_parameters: the parameters of the shared part (any iterable of tensors, e.g.
                ``model.trunk.parameters()``). Required unless ``representation`` is given.
            representation: the shared representation (the trunk's output); only with ``rep_grad=True``.
            present: which tasks have a labelled sample in this batch, one bool per task (e.g. ``[True,
                False]``); an absent task takes no part in the step (see the class's "Missing labels"). Default:
                None — a task is absent when its loss is exactly 0 (and, for gradient methods, its gradient).

        Returns:
            The step's :class:`StepRecord` (also stored as ``last_step``).

        Raises:
            TypeError: a loss or shared parameter is not a tensor.
            ValueError: no losses, a loss is not a scalar or does not require grad, the number of losses
                differs from ``num_tasks``, ``representation`` does not match ``rep_grad``, or ``present`` does
                not hold one flag per loss.
        """
        loss_list = self._check_losses(losses)
        shared = self._check_shared(shared_parameters, representation)
        flags = self._check_present(present, len(loss_list))
        if self._core is None:
            self._create_core(len(loss_list))
        elif len(loss_list) != self.num_tasks:
            raise ValueError(f"{type(self).__name__} was made for num_tasks={self.num_tasks} tasks, but backward "
                             f"got {len(loss_list)} losses")
        weights = np.array(_core.mtl_backward(self._core, loss_list, shared, representation, flags), dtype=np.float64)
        weights.flags.writeable = False
        self.last_step = StepRecord(weights)
        return self.last_step

    def end_epoch(self) -> None:
        """Tells the method an epoch ended (DWA and other epoch-level methods update their state here)."""
        if self._core is not None:
            _core.mtl_end_epoch(self._core)

    # ------------------------------------------------------------ argument checks

    def _check_losses(self, losses: Any) -> List[_core.Tensor]:
        if isinstance(losses, _core.Tensor):
            raise TypeError("losses must be a sequence with one scalar tensor per task, got a single Tensor "
                            "(pass [loss_a, loss_b, ...])")
        if isinstance(losses, Mapping):
            losses = list(losses.values())
        elif isinstance(losses, (str, bytes)) or not isinstance(losses, Iterable):
            raise TypeError(f"losses must be a sequence of scalar tensors, got {type(losses).__name__}")
        loss_list = list(losses)
        if not loss_list:
            raise ValueError("losses is empty: pass one scalar loss per task")
        for index, loss in enumerate(loss_list):
            if not isinstance(loss, _core.Tensor):
                raise TypeError(f"losses[{index}] must be a polyhead Tensor, got {type(loss).__name__}")
            if _core.numel(loss) != 1:
                raise ValueError(f"losses[{index}] must be a scalar (one element), got shape {_shape(loss)}")
            if not _requires_grad(loss):
                raise ValueError(f"losses[{index}] does not require grad (computed under no_grad() or from "
                                 "detached tensors?)")
        return loss_list

    @staticmethod
    def _check_present(present: Any, count: int) -> Optional[List[int]]:
        if present is None:
            return None
        if isinstance(present, (str, bytes, Mapping)) or not isinstance(present, Iterable):
            raise TypeError(f"present must be a sequence of bools (one per task), got {type(present).__name__}")
        flags = list(present)
        if any(not isinstance(flag, (bool, np.bool_)) for flag in flags):
            raise TypeError(f"present must hold bools (one per task), got {flags!r}")
        if len(flags) != count:
            raise ValueError(f"present has {len(flags)} flags for {count} losses")
        return [int(flag) for flag in flags]

    def _check_shared(self, shared_parameters: Any, representation: Any) -> List[_core.Tensor]:
        name = type(self).__name__
        if representation is not None:
            if not self.rep_grad:
                raise ValueError(f"representation= was given but {name} was made with rep_grad=False; create it "
                                 "with rep_grad=True to combine the task gradients of the representation")
            if not isinstance(representation, _core.Tensor):
                raise TypeError(f"representation must be a polyhead Tensor, got {type(representation).__name__}")
            if not _requires_grad(representation):
                raise ValueError("representation does not require grad: pass the shared trunk's output")
        elif self.rep_grad:
            raise ValueError(f"{name} was made with rep_grad=True: pass representation= (the shared trunk's "
                             "output) to backward")
        if shared_parameters is None:
            if representation is None:
                raise ValueError("shared_parameters is required (the parameters of the shared part, e.g. "
                                 "model.trunk.parameters()) unless representation= is given")
            return []
        if isinstance(shared_parameters, _core.Tensor):
            return [shared_parameters]
        if isinstance(shared_parameters, (str, bytes, Mapping)) or not isinstance(shared_parameters, Iterable):
            raise TypeError("shared_parameters must be an iterable of tensors, got "
                            f"{type(shared_parameters).__name__}")
        shared = list(shared_parameters)
        for index, parameter in enumerate(shared):
            if not isinstance(parameter, _core.Tensor):
                raise TypeError(f"shared_parameters[{index}] must be a polyhead Tensor, got "
                                f"{type(parameter).__name__}")
        if not shared and representation is None:
            raise ValueError("shared_parameters is empty (an exhausted generator?)")
        return shared

    # ------------------------------------------------------------ repr

    def extra_repr(self) -> str:
        """The options shown by ``repr``: the keyword arguments of the subclass's ``__init__`` whose
        same-named attribute differs from the default (the core options for a class without its own)."""
        init = type(self).__init__
        if init is MultiTaskMethod.__init__:
            return ", ".join(f"{key}={value!r}" for key, value in self._options.items())
        parts = []
        for parameter in inspect.signature(init).parameters.values():
            if parameter.name in ("self", "num_tasks", "rep_grad") or parameter.kind in (
                    parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            value = getattr(self, parameter.name, parameter.default)
            if parameter.default is parameter.empty or not _same(value, parameter.default):
                parts.append(f"{parameter.name}={value!r}")
        return ", ".join(parts)

    def __repr__(self) -> str:
        parts = [] if self.num_tasks is None else [f"num_tasks={self.num_tasks}"]
        parts.append(f"rep_grad={self.rep_grad}")
        extra = self.extra_repr()
        if extra:
            parts.append(extra)
        return f"{type(self).__name__}({', '.join(parts)})"
