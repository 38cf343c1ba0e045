"""Gradient-recording switches: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``is_grad_enabled``.

The setting is per thread and lives in the core, so it also governs ops called from other Python code.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional, TypeVar

from . import _core

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled"]

F = TypeVar("F", bound=Callable[..., Any])


def is_grad_enabled() -> bool:
    """True if operations are being recorded for autodiff on this thread."""
    return _core.is_grad_enabled()


class _GradMode:
    """Base of the context managers below: also usable as a function decorator."""

    _mode: bool = True

    def __enter__(self) -> None:
        self._previous = _core.set_grad_enabled(self._mode)

    def __exit__(self, *exc_info: Any) -> bool:
        _core.set_grad_enabled(self._previous)
        return False

    def clone(self) -> "_GradMode":
        """A fresh manager with the same mode (each decorated call gets its own)."""
        return type(self)()

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradMode):
    """Context manager and decorator that turns gradient recording off (results don't require grad).

    Usable as ``with polyhead.no_grad():``, ``@polyhead.no_grad()`` and ``@polyhead.no_grad``.

    Examples:
        >>> import polyhead
        >>> x = polyhead.ones(2, requires_grad=True)
        >>> with polyhead.no_grad():
        ...     y = x * 2
        >>> y.requires_grad
        False
    """

    _mode = False

    def __new__(cls, func: Optional[Callable[..., Any]] = None) -> Any:
        manager = super().__new__(cls)
        return manager if func is None else manager(func)


class enable_grad(_GradMode):
    """Context manager and decorator that turns gradient recording on (e.g. inside ``no_grad``).

    Examples:
        >>> import polyhead
        >>> with polyhead.no_grad():
        ...     with polyhead.enable_grad():
        ...         polyhead.is_grad_enabled()
        True
    """

    _mode = True

    def __new__(cls, func: Optional[Callable[..., Any]] = None) -> Any:
        manager = super().__new__(cls)
        return manager if func is None else manager(func)


class set_grad_enabled(_GradMode):
    """Sets gradient recording to ``mode``; as a function call it takes effect at once, as a context
    manager or decorator the previous setting is restored on exit.

    Args:
        mode: True to record operations, False not to.

    Examples:
        >>> import polyhead
        >>> with polyhead.set_grad_enabled(False):
        ...     polyhead.is_grad_enabled()
        False
        >>> polyhead.is_grad_enabled()
        True
    """

    def __init__(self, mode: bool) -> None:
        self._mode = bool(mode)
        self._previous = _core.set_grad_enabled(self._mode)

    def __enter__(self) -> None:
        pass

    def clone(self) -> "set_grad_enabled":
        """A manager that sets the same mode when entered."""
        manager = object.__new__(set_grad_enabled)
        manager._mode = self._mode
        return manager

    def __call__(self, func: F) -> F:
        _core.set_grad_enabled(self._previous)  # decorating must not change the current mode
        manager = self.clone()

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            previous = _core.set_grad_enabled(manager._mode)
            try:
                return func(*args, **kwargs)
            finally:
                _core.set_grad_enabled(previous)

        return wrapper  # type: ignore[return-value]
