"""The base class of the multi-task architectures and the helpers they share: task-name checks, the
parameter partition (shared vs. task-specific) and the two mixing operations (task streams mixed by a
T×T matrix; expert outputs mixed by per-sample gate weights).

Everything here composes ``polyhead`` ops (each one runs in the Swift core); the Swift types in
``Sources/Polyhead/Multitask/Architectures`` do the same ops in the same order, so equal seeds give
equal numbers in both languages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from ... import _core
from ...nn import Module

__all__ = ["MultiTaskModel"]

_shape = _core.Tensor.shape.__get__


class MultiTaskModel(Module):
    """Base class of the multi-task architectures: a module with one output per task.

    ``forward(x)`` returns a dict from task name to output, in task order (``self.tasks``). The parameters
    split into **shared** ones (several tasks' outputs depend on them) and **task-specific** ones (exactly
    one task's outputs do); every parameter is in exactly one set. Gradient methods combine the per-task
    gradients of :meth:`shared_parameters`; each task's own parameters only receive that task's gradient.

    Subclasses set ``self.tasks`` and implement ``forward`` and ``_parameter_task(name)``, which maps a
    dotted parameter name to its task (None for shared).

    Examples:
        >>> import polyhead
        >>> from polyhead import mtl, nn
        >>> model = mtl.HardSharing(nn.Sequential(nn.Linear(4, 8), nn.ReLU()),
        ...                         {"a": nn.Linear(8, 2), "b": nn.Linear(8, 1)})
        >>> [name for name, _ in model.named_shared_parameters()]
        ['trunk.0.weight', 'trunk.0.bias']
        >>> [name for name, _ in model.named_task_parameters("b")]
        ['heads.b.weight', 'heads.b.bias']
        >>> {task: tuple(out.shape) for task, out in model(polyhead.zeros(3, 4)).items()}
        {'a': (3, 2), 'b': (3, 1)}
    """

    tasks: List[str]

    def _parameter_task(self, name: str) -> Optional[str]:
        raise NotImplementedError(f"{type(self).__name__} does not say which task owns {name!r}")

    def named_owned_parameters(self) -> Iterator[Tuple[str, Any, Optional[str]]]:
        """``(dotted name, parameter, task or None)`` for every parameter, in ``named_parameters`` order."""
        for name, parameter in self.named_parameters():
            yield name, parameter, self._parameter_task(name)

    def named_shared_parameters(self) -> List[Tuple[str, Any]]:
        """``(name, parameter)`` for the parameters several tasks depend on."""
        return [(name, p) for name, p, task in self.named_owned_parameters() if task is None]

    def shared_parameters(self) -> List[Any]:
        """The parameters several tasks depend on (a list, in model order)."""
        return [p for _, p in self.named_shared_parameters()]

    def named_task_parameters(self, task: str) -> List[Tuple[str, Any]]:
        """``(name, parameter)`` for the parameters only ``task`` depends on.

        Raises:
            ValueError: for an unknown task.
        """
        if task not in self.tasks:
            raise ValueError(f"[{type(self).__name__}] unknown task {task!r}; tasks are {self.tasks}")
        return [(name, p) for name, p, owner in self.named_owned_parameters() if owner == task]

    def task_parameters(self, task: str) -> List[Any]:
        """The parameters only ``task`` depends on (a list, in model order)."""
        return [p for _, p in self.named_task_parameters(task)]

    def extra_repr(self) -> str:
        """The task names."""
        return f"tasks={self.tasks}"


# ---------------------------------------------------------------- argument helpers


def check_tasks(names: Sequence[Any], owner: str) -> List[str]:
    """``names`` as a list after checking they are at least one, unique, non-empty strings without dots."""
    names = list(names)
    if not names:
        raise ValueError(f"[{owner}] needs at least one task")
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"[{owner}] task names must be strings, got {type(name).__name__}")
        if not name or "." in name:
            raise ValueError(f'[{owner}] task name "{name}" must be non-empty and contain no "."')
    if len(set(names)) != len(names):
        raise ValueError(f"[{owner}] task names repeat: {names}")
    return names


def named_modules(items: Any, owner: str, what: str) -> List[Tuple[str, Module]]:
    """A mapping or an iterable of ``(task, module)`` pairs as a checked list of pairs (the task order)."""
    try:
        pairs = list(items.items()) if isinstance(items, Mapping) else [tuple(pair) for pair in items]
    except TypeError:
        pairs = None  # not iterable, or an item is not a pair
    if pairs is None or any(len(pair) != 2 for pair in pairs):
        raise TypeError(f"[{owner}] {what} must be a mapping or (task, module) pairs, got {type(items).__name__}")
    check_tasks([task for task, _ in pairs], owner)
    for task, module in pairs:
        if not isinstance(module, Module):
            raise TypeError(f"[{owner}] {what}[{task!r}] must be an nn.Module, got {type(module).__name__}")
    return pairs


def same_tasks(pairs: Sequence[Tuple[str, Any]], tasks: Sequence[str], owner: str, what: str) -> None:
    """Raises unless ``pairs`` are for ``tasks`` in the same order."""
    names = [task for task, _ in pairs]
    if names != list(tasks):
        raise ValueError(f"[{owner}] {what} are for tasks {names}, expected {list(tasks)}")


def prefix_task(name: str, prefix: str) -> Optional[str]:
    """The task in ``<prefix>.<task>.…`` names, else None."""
    if name.startswith(prefix + "."):
        return name[len(prefix) + 1:].split(".", 1)[0]
    return None


# ---------------------------------------------------------------- mixing


def mix_tasks(alpha: Any, inputs: Sequence[Any], owner: str) -> List[Any]:
    """``y_i = Σ_j alpha[i, j] x_j`` for T equally shaped tensors and a (T, T) ``alpha``: one GEMM on the
    flattened inputs stacked as rows."""
    if not inputs:
        return []
    shape = _shape(inputs[0])
    if any(_shape(x) != shape for x in inputs):
        raise ValueError(f"[{owner}] the task streams must have one shape to be mixed, got "
                         + ", ".join(str(_shape(x)) for x in inputs))
    if _shape(alpha) != (len(inputs), len(inputs)):
        raise ValueError(f"[{owner}] mixing matrix {_shape(alpha)} does not fit {len(inputs)} tasks")
    width = _core.numel(inputs[0])
    stacked = _core.concat([_core.reshape(x, (1, width)) for x in inputs], 0)
    mixed = _core.matmul(alpha, stacked, 0, 0)
    return [_core.reshape(piece, shape) for piece in _core.split(mixed, [1] * len(inputs), 0)]


def stack_experts(outputs: Sequence[Any], owner: str) -> Any:
    """E expert outputs, each (N, D), stacked into one (N, E, D) tensor."""
    shape = _shape(outputs[0]) if outputs else ()
    if len(shape) != 2 or any(_shape(x) != shape for x in outputs):
        raise ValueError(f"[{owner}] experts must all return one 2-D shape (N, D), got "
                         + ", ".join(str(_shape(x)) for x in outputs))
    return _core.concat([_core.reshape(x, (shape[0], 1, shape[1])) for x in outputs], 1)


def mix_experts(gate: Any, experts: Any, owner: str) -> Any:
    """``Σ_e gate[:, e] · experts[:, e, :]`` for gate weights (N, E), or (1, E) for one mixture of every sample,
    and stacked experts (N, E, D): (N, D)."""
    g, e = _shape(gate), _shape(experts)
    if len(g) != 2 or len(e) != 3 or g[0] not in (1, e[0]) or g[1] != e[1]:
        raise ValueError(f"[{owner}] gate {g} does not fit experts {e}")
    return _core.sum(_core.mul(_core.reshape(gate, (g[0], g[1], 1)), experts), 1, 0)


def softmax(x: Any) -> Any:
    """Softmax along the last axis."""
    return _core.softmax(x, -1)


def outputs_dict(tasks: Iterable[str], outputs: Iterable[Any]) -> Dict[str, Any]:
    """``{task: output}`` in task order."""
    return dict(zip(tasks, outputs))
