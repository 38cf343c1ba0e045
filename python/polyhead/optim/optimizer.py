"""``optim.Optimizer``: parameter groups over core optimizers (the update rules run in the core)."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union

from .. import _core
from .._convert import as_tensor
from .._creation import tensor
from ..autograd import enable_grad, no_grad

__all__ = ["Optimizer"]

ParamsT = Union[Iterable[_core.Tensor], Iterable[Dict[str, Any]]]

_LABELS = {"lr": "learning rate", "eps": "epsilon value"}


def _options(group: Dict[str, Any]) -> Dict[str, Any]:
    """A group's options other than its parameters and learning rate (a change rebuilds the core optimizer)."""
    return {key: value for key, value in group.items() if key not in ("params", "lr")}


def check_non_negative(group: Dict[str, Any], *keys: str) -> None:
    """Raises ValueError naming the first of ``keys`` whose value in ``group`` is not a number ≥ 0."""
    for key in keys:
        value = group[key]
        if not (isinstance(value, (int, float)) and value >= 0.0):
            raise ValueError(f"Invalid {_LABELS.get(key, key + ' value')}: {value}")


class Optimizer:
    """Base class of the optimizers: keeps torch's ``param_groups`` and one core optimizer per group.

    A subclass supplies ``_new_core(group)`` (build the core optimizer from a group's hyper-parameters) and
    ``_state_names(group)`` (torch's names of its state buffers). Between steps any option of a group may be
    changed (e.g. by a schedule): a new ``'lr'`` is pushed to the core at the next ``step()``; another changed
    option rebuilds the group's core optimizer there, keeping the buffers and steps of its parameters.

    Args:
        params: an iterable of tensors, or of dicts with a ``'params'`` entry plus per-group options.
        defaults: the options of groups that don't set them.
    """

    def __init__(self, params: ParamsT, defaults: Dict[str, Any]) -> None:
        self.defaults = defaults
        self.param_groups: List[Dict[str, Any]] = []
        self._cores: List[Any] = []
        self._pushed_lrs: List[float] = []
        self._fixed: List[Dict[str, Any]] = []
        if isinstance(params, (_core.Tensor, dict)) or not hasattr(params, "__iter__"):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {type(params).__name__}")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: Dict[str, Any]) -> None:
        """Adds a group of parameters (with its own options) and its core optimizer.

        Raises:
            TypeError: a parameter is not a tensor, or the parameters are given as a set.
            ValueError: a parameter is a non-leaf or already in a group.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, _core.Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering "
                            "of tensors in sets will change between runs. Please use a list instead.")
        else:
            params = list(params)
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        for p in params:
            if not isinstance(p, _core.Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
            if id(p) in seen:
                raise ValueError("some parameters appear more than once in the optimizer's parameter groups")
            seen.add(id(p))
        group = dict(param_group, params=params)
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._validate(group)
        self.param_groups.append(group)
        self._cores.append(self._new_core(group))
        self._pushed_lrs.append(group["lr"])
        self._fixed.append(_options(group))

    def _validate(self, group: Dict[str, Any]) -> None:
        """Raises ValueError for invalid hyper-parameters of ``group`` (subclasses)."""

    def _new_core(self, group: Dict[str, Any]) -> Any:
        """The core optimizer for ``group`` (subclasses)."""
        raise NotImplementedError

    def _sync(self, index: int) -> Any:
        """Pushes group ``index``'s changed lr to its core optimizer, or rebuilds the core when another option
        changed."""
        group, core = self.param_groups[index], self._cores[index]
        if any(group.get(key) != value for key, value in self._fixed[index].items()):
            return self._rebuild(index)
        lr = group["lr"]
        if lr != self._pushed_lrs[index]:
            if not lr >= 0.0:
                raise ValueError(f"Invalid learning rate: {lr}")
            _core.optimizer_set_lr(core, float(lr))
            self._pushed_lrs[index] = lr
        return core

    def _rebuild(self, index: int, keep_state: bool = True) -> Any:
        """Validates group ``index``'s options and replaces its core optimizer by one built from them, carrying
        over (``keep_state``) each parameter's buffers of the same name and its step (reset when a buffer is new,
        so that e.g. momentum switched on starts from the gradient, as in torch)."""
        group, old = self.param_groups[index], self._cores[index]
        self._validate(group)
        core = self._new_core(group)
        old_names, names = self._state_names(self._fixed[index]), self._state_names(group)
        for position in range(len(group["params"]) if keep_state else 0):
            step = _core.optimizer_parameter_step(old, position)
            if step == 0:
                continue
            for slot, name in enumerate(names):
                if name in old_names:
                    value = _core.optimizer_state(old, old_names.index(name), position)
                    _core.optimizer_set_state(core, slot, position, value)
            _core.optimizer_set_parameter_step(core, position, step if set(names) <= set(old_names) else 0)
        self._cores[index], self._pushed_lrs[index], self._fixed[index] = core, group["lr"], _options(group)
        return core

    @no_grad()
    def step(self, closure: Optional[Callable[[], Any]] = None) -> Any:
        """Applies one update to every parameter that has a gradient.

        Args:
            closure: called (with grad recording on) before the update to recompute the loss; its result
                is returned. Default: None.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for index in range(len(self._cores)):
            _core.optimizer_step(self._sync(index))
        return loss

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clears the gradients of all parameters (to None, or to zeros if ``set_to_none=False``)."""
        if set_to_none:
            for core in self._cores:
                _core.optimizer_zero_grad(core)
            return
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                if grad is not None:
                    grad.zero_()

    _counts_steps = True  # whether torch's state holds a "step" (SGD's does not)

    def _state_names(self, group: Dict[str, Any]) -> Tuple[str, ...]:
        """torch's names of the core's state slots for ``group`` (subclasses with state)."""
        return ()

    def state_dict(self) -> Dict[str, Any]:
        """The optimizer's state in torch's layout: ``'state'`` maps each parameter's position (counted over all
        groups) to its buffers (copies, e.g. Adam's ``'exp_avg'``, ``'exp_avg_sq'``) and ``'step'``, for the
        parameters updated at least once; ``'param_groups'`` holds each group's options with ``'params'`` as
        positions. Restore it with ``load_state_dict`` (``copy.deepcopy`` and pickle keep it)."""
        state: Dict[int, Dict[str, Any]] = {}
        groups, position = [], 0
        for group, core in zip(self.param_groups, self._cores):
            names = self._state_names(group)
            positions = list(range(position, position + len(group["params"])))
            for index, key in enumerate(positions):
                step = _core.optimizer_parameter_step(core, index)
                if step == 0:
                    continue
                entry = {"step": tensor(float(step))} if self._counts_steps else {}
                for slot, name in enumerate(names):
                    entry[name] = _core.optimizer_state(core, slot, index)
                if entry:  # plain SGD keeps no state, as in torch
                    state[key] = entry
            groups.append(dict({k: v for k, v in group.items() if k != "params"}, params=positions))
            position += len(positions)
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        """Restores a ``state_dict()`` (of an optimizer of this type over parameters of the same shapes): the
        groups' options (a changed option rebuilds that group's core optimizer), then every saved buffer and step.

        Raises:
            ValueError: a different number of groups or of parameters in a group, or a buffer of the wrong shape.
            KeyError: a saved parameter state lacks one of the buffers this optimizer keeps.
        """
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for group, saved in zip(self.param_groups, saved_groups):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                                 "optimizer's group")
        saved_state = state_dict["state"]
        for number, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            group.update({k: v for k, v in saved.items() if k != "params"})
            core = self._rebuild(number, keep_state=False)
            for position, key in enumerate(saved["params"]):
                entry = saved_state.get(key, saved_state.get(str(key)))
                if not entry:
                    continue
                for slot, name in enumerate(self._state_names(group)):
                    _core.optimizer_set_state(core, slot, position, as_tensor(entry[name], name))
                step = int(float(entry["step"])) if "step" in entry else 1
                _core.optimizer_set_parameter_step(core, position, step)

    def __repr__(self) -> str:
        text = type(self).__name__ + " ("
        for index, group in enumerate(self.param_groups):
            text += f"\nParameter Group {index}"
            for key in sorted(k for k in group if k != "params"):
                text += f"\n    {key}: {group[key]}"
        return text + "\n)"
