"""Containers: ``Sequential``, ``ModuleList``, ``ModuleDict``."""

from __future__ import annotations

import operator
from collections import OrderedDict
from typing import Any, Iterable, Iterator, Mapping, Optional, Tuple, Union

from .module import Module

__all__ = ["Sequential", "ModuleList", "ModuleDict"]


def _index(index: Any, length: int) -> int:
    """``index`` in ``[-length, length)`` as a non-negative int; IndexError otherwise."""
    index = operator.index(index)
    if not -length <= index < length:
        raise IndexError(f"index {index} is out of range")
    return index % length


class Sequential(Module):
    """Calls its modules in order, feeding each one's output to the next.

    ``Sequential(m0, m1, …)`` names the modules ``"0"``, ``"1"``, …; ``Sequential(OrderedDict(...))``
    keeps the given names.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        >>> len(net), type(net[1]).__name__, net(polyhead.zeros(3, 4)).shape
        (3, 'ReLU', polyhead.Size([3, 2]))
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for index, module in enumerate(args):
                self.add_module(str(index), module)

    def forward(self, input: Any) -> Any:
        """Applies every module in order."""
        for module in self._modules.values():
            input = module(input)
        return input

    def __getitem__(self, index: Union[int, slice]) -> Union[Module, "Sequential"]:
        items = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(items[index]))
        return items[_index(index, len(items))][1]

    def __setitem__(self, index: int, module: Module) -> None:
        key = list(self._modules)[_index(index, len(self._modules))]
        self.add_module(key, module)

    def __delitem__(self, index: Union[int, slice]) -> None:
        keys = list(self._modules)
        for key in (keys[index] if isinstance(index, slice) else [keys[_index(index, len(keys))]]):
            del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> "Sequential":
        """Adds ``module`` at the end (named by its position)."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> "Sequential":
        """Appends every module of ``modules``."""
        for module in modules:
            self.append(module)
        return self


class ModuleList(Module):
    """A list of modules whose parameters are registered (names ``"0"``, ``"1"``, …). Has no ``forward``.

    Examples:
        >>> from polyhead import nn
        >>> heads = nn.ModuleList([nn.Linear(8, 10), nn.Linear(8, 1)])
        >>> len(heads), len(list(heads.parameters()))
        (2, 4)
    """

    def __init__(self, modules: Optional[Iterable[Module]] = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _renumber(self, modules: Iterable[Module]) -> None:
        self._modules.clear()
        for index, module in enumerate(modules):
            self.add_module(str(index), module)

    def __getitem__(self, index: Union[int, slice]) -> Union[Module, "ModuleList"]:
        values = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(values[index])
        return values[_index(index, len(values))]

    def __setitem__(self, index: int, module: Module) -> None:
        self.add_module(str(_index(index, len(self))), module)

    def __delitem__(self, index: Union[int, slice]) -> None:
        values = list(self._modules.values())
        if isinstance(index, slice):
            del values[index]
        else:
            del values[_index(index, len(values))]
        self._renumber(values)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __iadd__(self, modules: Iterable[Module]) -> "ModuleList":
        return self.extend(modules)

    def append(self, module: Module) -> "ModuleList":
        """Adds ``module`` at the end."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> "ModuleList":
        """Appends every module of ``modules``."""
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Inserts ``module`` before position ``index``."""
        values = list(self._modules.values())
        values.insert(index, module)
        self._renumber(values)


class ModuleDict(Module):
    """An ordered dict of modules whose parameters are registered. Has no ``forward``.

    Examples:
        >>> from polyhead import nn
        >>> heads = nn.ModuleDict({"digit": nn.Linear(8, 10), "parity": nn.Linear(8, 1)})
        >>> list(heads.keys()), "digit" in heads
        (['digit', 'parity'], True)
    """

    def __init__(self, modules: Optional[Union[Mapping[str, Module], Iterable[Tuple[str, Module]]]] = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> Iterable[str]:
        """The names, in insertion order."""
        return self._modules.keys()

    def values(self) -> Iterable[Module]:
        """The modules, in insertion order."""
        return self._modules.values()

    def items(self) -> Iterable[Tuple[str, Module]]:
        """``(name, module)`` pairs, in insertion order."""
        return self._modules.items()

    def update(self, modules: Union[Mapping[str, Module], Iterable[Tuple[str, Module]]]) -> None:
        """Adds or replaces modules from a mapping or from ``(name, module)`` pairs."""
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for name, module in pairs:
            self.add_module(name, module)

    def pop(self, key: str) -> Module:
        """Removes and returns the module named ``key``."""
        return self._modules.pop(key)

    def clear(self) -> None:
        """Removes every module."""
        self._modules.clear()
