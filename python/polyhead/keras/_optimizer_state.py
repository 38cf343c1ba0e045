"""The optimizer's state in a saved model file (``Model.save(include_optimizer=True)``), so that training resumes
exactly where it stopped: for every weight the optimizer updates, its state buffers (Adam's two moments, SGD's
momentum, RMSprop's averages…) as ``optimizer/<layer>/<weight>/<slot>`` float32 tensors shaped like the weight,
and its update count (Adam's bias correction) as the int64 scalar ``optimizer/<layer>/<weight>/step``; the
optimizer's own step count (Keras's ``iterations``) is the int64 scalar ``optimizer/iterations``. Layer names
hold no ``/``, so these names never clash with the weights' ``<layer>/<weight>``."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple

from .. import _core

PREFIX = "optimizer/"
"""The prefix of the optimizer's tensors in a saved model file."""

ITERATIONS = PREFIX + "iterations"
"""The name of the optimizer's step count."""


def is_optimizer_entry(name: Any) -> bool:
    """Whether ``name`` (a key of a loaded file) names a tensor of the optimizer's state rather than a weight
    (``<layer>/<weight>``)."""
    return isinstance(name, str) and (name == ITERATIONS or name.startswith(PREFIX) and name.count("/") == 3)


def _entries(model: Any) -> List[Tuple[int, Optional[int], str]]:
    """``(parameter index, state slot or None for the update count, tensor name)`` of every tensor of the
    compiled optimizer's state, weight by weight (not the step count)."""
    slots = _core.optimizer_state_slot_count(model.optimizer._core)
    return [(index, slot, f"{PREFIX}{weight}/{'step' if slot is None else slot}")
            for index, weight in enumerate(model._optimized_weights) for slot in [*range(slots), None]]


def _count(value: Any, name: str) -> int:
    """The whole number held by the scalar tensor ``value`` (saved as ``name``).

    Raises:
        ValueError: ``value`` is not a scalar or not a whole number.
    """
    number = value.item() if tuple(value.shape) == () else None
    if number is None or number != int(number):
        raise ValueError(f"{name!r} must be a whole number, got {value.tolist()!r}")
    return int(number)


def optimizer_tensors(model: Any) -> Dict[str, Any]:
    """The state of the optimizer of the compiled ``model`` by tensor name."""
    from .. import int64, tensor
    core = model.optimizer._core
    state = {name: _core.optimizer_state(core, slot, index) if slot is not None
             else tensor(_core.optimizer_parameter_step(core, index), dtype=int64)
             for index, slot, name in _entries(model)}
    state[ITERATIONS] = tensor(_core.optimizer_step_count(core), dtype=int64)
    return state


def restore_optimizer(model: Any, state: Mapping[str, Any], where: str) -> None:
    """Sets the state of ``model``'s freshly compiled optimizer from the tensors of a saved file (read from
    ``where``); nothing when the file holds no optimizer state.

    Raises:
        ValueError: the file's optimizer tensors are not those of the compiled optimizer (names, shapes, a step
        that is not a count), naming the file and the problem.
    """
    saved = {name for name in state if is_optimizer_entry(name)}
    if not saved:
        return
    entries = _entries(model)
    expected = {name for _, _, name in entries} | {ITERATIONS}
    if saved != expected:
        raise ValueError(f"{where}: the optimizer state does not match the compiled {type(model.optimizer).__name__}: "
                         f"missing {sorted(expected - saved)}, unexpected {sorted(saved - expected)}")
    core = model.optimizer._core
    try:
        for index, slot, name in entries:
            if slot is None:
                _core.optimizer_set_parameter_step(core, index, _count(state[name], name))
            else:
                _core.optimizer_set_state(core, slot, index, state[name])
        _core.optimizer_set_step_count(core, _count(state[ITERATIONS], ITERATIONS))
    except (ValueError, TypeError, OverflowError) as error:
        raise ValueError(f"{where}: malformed optimizer state ({error})") from None
