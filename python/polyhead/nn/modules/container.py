"""Containers: ``Sequential``, ``ModuleList``, ``ModuleDict``."""

from __future__ import annotations

import operator
from collections import OrderedDict
from typing import Any, Dict, Iterable, Iterator, Mapping, Optional, Tuple, Union

from .module import Module

__all__ = ["Sequential", "ModuleList", "ModuleDict"]


def _index(index: Any, length: int) -> int:
    """``index`` in ``[-length, length)`` as a non-negative int; IndexError otherwise."""
    index = operator.index(index)
    if not -length <= index < length:
        raise IndexError(f"index {index} is out of range")
    return index % length


class _Registry(Module):
    """A container over one of the module's registries (``_modules`` or ``_parameters``, named by ``_store``)."""

    _store: str

    @property
    def _registry(self) -> Dict[str, Any]:
        return self.__dict__[self._store]


class RegistryList(_Registry):
    """Shared base of ``ModuleList`` and ``ParameterList``: entries registered under ``"0"``, ``"1"``, …; a
    subclass's ``_register(name, value)`` registers one."""

    def __init__(self, values: Optional[Iterable[Any]] = None) -> None:
        super().__init__()
        if values is not None:
            self.extend(values)

    def _register(self, name: str, value: Any) -> None:
        raise NotImplementedError

    def __getitem__(self, index: Union[int, slice]) -> Any:
        values = list(self._registry.values())
        if isinstance(index, slice):
            return type(self)(values[index])
        return values[_index(index, len(values))]

    def __setitem__(self, index: int, value: Any) -> None:
        self._register(str(_index(index, len(self))), value)

    def __len__(self) -> int:
        return len(self._registry)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._registry.values())

    def __iadd__(self, values: Iterable[Any]) -> "RegistryList":
        return self.extend(values)

    def append(self, value: Any) -> "RegistryList":
        """Adds ``value`` at the end; returns the list."""
        self._register(str(len(self)), value)
        return self

    def extend(self, values: Iterable[Any]) -> "RegistryList":
        """Adds every one of ``values`` at the end; returns the list."""
        for value in values:
            self.append(value)
        return self


class ModuleList(RegistryList):
    """A list of modules whose parameters are registered (names ``"0"``, ``"1"``, …). Has no ``forward``.

    Examples:
        >>> from polyhead import nn
        >>> heads = nn.ModuleList([nn.Linear(8, 10), nn.Linear(8, 1)])
        >>> len(heads), len(list(heads.parameters()))
        (2, 4)
    """

    _store = "_modules"

    def __init__(self, modules: Optional[Iterable[Module]] = None) -> None:
        super().__init__(modules)

    def _register(self, name: str, value: Any) -> None:
        self.add_module(name, value)

    def _renumber(self, modules: Iterable[Module]) -> None:
        self._modules.clear()
        for index, module in enumerate(modules):
            self.add_module(str(index), module)

    def __delitem__(self, index: Union[int, slice]) -> None:
        values = list(self._modules.values())
        if isinstance(index, slice):
            del values[index]
        else:
            del values[_index(index, len(values))]
        self._renumber(values)

    def insert(self, index: int, module: Module) -> None:
        """Inserts ``module`` before position ``index``."""
        values = list(self._modules.values())
        values.insert(index, module)
        self._renumber(values)


class Sequential(RegistryList):
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

    _store = "_modules"

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for index, module in enumerate(args):
                self.add_module(str(index), module)

    def _register(self, name: str, value: Any) -> None:
        self.add_module(name, value)

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


class RegistryDict(_Registry):
    """Shared base of ``ModuleDict`` and ``ParameterDict``: dict access to one of the module's registries (named
    by ``_store``); a subclass's ``__setitem__`` registers an entry."""

    def __init__(self, entries: Optional[Union[Mapping[str, Any], Iterable[Tuple[str, Any]]]] = None) -> None:
        super().__init__()
        if entries is not None:
            self.update(entries)

    def __setitem__(self, key: str, value: Any) -> None:
        raise NotImplementedError

    def __getitem__(self, key: str) -> Any:
        return self._registry[key]

    def __delitem__(self, key: str) -> None:
        del self._registry[key]

    def __len__(self) -> int:
        return len(self._registry)

    def __iter__(self) -> Iterator[str]:
        return iter(self._registry)

    def __contains__(self, key: object) -> bool:
        return key in self._registry

    def keys(self) -> Iterable[str]:
        """The names, in insertion order."""
        return self._registry.keys()

    def values(self) -> Iterable[Any]:
        """The entries, in insertion order."""
        return self._registry.values()

    def items(self) -> Iterable[Tuple[str, Any]]:
        """``(name, entry)`` pairs, in insertion order."""
        return self._registry.items()

    def update(self, entries: Union[Mapping[str, Any], Iterable[Tuple[str, Any]]]) -> None:
        """Adds or replaces entries from a mapping or from ``(name, entry)`` pairs."""
        pairs = entries.items() if isinstance(entries, Mapping) else entries
        for name, entry in pairs:
            self[name] = entry

    def pop(self, key: str) -> Any:
        """Removes and returns the entry named ``key``."""
        return self._registry.pop(key)

    def clear(self) -> None:
        """Removes every entry."""
        self._registry.clear()


class ModuleDict(RegistryDict):
    """An ordered dict of modules whose parameters are registered. Has no ``forward``.

    Examples:
        >>> from polyhead import nn
        >>> heads = nn.ModuleDict({"digit": nn.Linear(8, 10), "parity": nn.Linear(8, 1)})
        >>> list(heads.keys()), "digit" in heads
        (['digit', 'parity'], True)
    """

    _store = "_modules"

    def __init__(self, modules: Optional[Union[Mapping[str, Module], Iterable[Tuple[str, Module]]]] = None) -> None:
        super().__init__(modules)

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)
