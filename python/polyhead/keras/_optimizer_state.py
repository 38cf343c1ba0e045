"""The optimizer's state in a saved model file (``Model.save(include_optimizer=True)``), so that training resumes
exactly where it stopped: for every weight the optimizer updates, its state buffers (Adam's two moments, SGD's
momentum, RMSprop's averages…) as ``optimizer/<layer>/<weight>/<slot>`` float32 tensors shaped like the weight,
and its update count (Adam's bias correction) as the int64 scalar ``optimizer/<layer>/<weight>/step``. Layer
names hold no ``/``, so these names never clash with the weights' ``<layer>/<weight>``."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple

from .. import _core

PREFIX = "optimizer/"
"""The prefix of the optimizer's tensors in a saved model file."""


def _entries(model: Any) -> List[Tuple[int, Optional[int], str]]:
    """``(parameter index, state slot or None for the update count, tensor name)`` of every tensor of the
    compiled optimizer's state, weight by weight."""
    slots = _core.optimizer_state_slot_count(model.optimizer._core)
    return [(index, slot, f"{PREFIX}{weight}/{'step' if slot is None else slot}")
            for index, weight in enumerate(model._optimized_weights) for slot in [*range(slots), None]]


def optimizer_tensors(model: Any) -> Dict[str, Any]:
    """The state of the optimizer of the compiled ``model`` by tensor name."""
    from .. import int64, tensor
    core = model.optimizer._core
    return {name: _core.optimizer_state(core, slot, index) if slot is not None
            else tensor(_core.optimizer_parameter_step(core, index), dtype=int64)
            for index, slot, name in _entries(model)}


def restore_optimizer(model: Any, state: Mapping[str, Any], where: str) -> None:
    """Sets the state of ``model``'s freshly compiled optimizer from the tensors of a saved file (read from
    ``where``); nothing when the file holds no optimizer state.

    Raises:
        ValueError: the file's optimizer tensors are not those of the compiled optimizer (names, shapes, a step
        that is not a count), naming the file and the problem.
    """
    saved = {name for name in state if name.startswith(PREFIX)}
    if not saved:
        return
    entries = _entries(model)
    expected = {name for _, _, name in entries}
    if saved != expected:
        raise ValueError(f"{where}: the optimizer state does not match the compiled {type(model.optimizer).__name__}: "
                         f"missing {sorted(expected - saved)}, unexpected {sorted(saved - expected)}")
    core = model.optimizer._core
    try:
        for index, slot, name in entries:
            value = state[name]
            if slot is not None:
                _core.optimizer_set_state(core, slot, index, value)
                continue
            step = value.item() if tuple(value.shape) == () else None
            if step is None or step != int(step):
                raise ValueError(f"{name!r} must be a whole number, got {value.tolist()!r}")
            _core.optimizer_set_parameter_step(core, index, int(step))
    except (ValueError, TypeError, OverflowError) as error:
        raise ValueError(f"{where}: malformed optimizer state ({error})") from None
