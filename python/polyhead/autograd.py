"""Per-thread autodiff switches: gradient recording (``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``is_grad_enabled``) and anomaly detection (``detect_anomaly``, ``set_detect_anomaly``,
``is_anomaly_enabled``).

The settings live in the core, per thread, so they also govern ops called from other Python code on the
same thread (and the Keras-style ``fit``, which runs on its caller's thread).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional, TypeVar

from . import _core

__all__ = [
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
]

F = TypeVar("F", bound=Callable[..., Any])


def is_grad_enabled() -> bool:
    """True if operations are being recorded for autodiff on this thread."""
    return _core.is_grad_enabled()


def is_anomaly_enabled() -> bool:
    """True if anomaly detection is on for this thread (see :class:`detect_anomaly`)."""
    return _core.is_anomaly_enabled()


class _Switch:
    """Base of the context managers below: sets a per-thread core switch (``_set``, which returns the
    previous setting) to ``_mode`` on entry and restores it on exit; also usable as a function decorator."""

    _set: Callable[[bool], bool] = _core.set_grad_enabled
    _mode: bool = True

    def __enter__(self) -> None:
        self._previous = self._set(self._mode)

    def __exit__(self, *exc_info: Any) -> bool:
        self._set(self._previous)
        return False

    def clone(self) -> "_Switch":
        """A fresh manager with the same mode (each decorated call gets its own)."""
        return type(self)()

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _SetSwitch(_Switch):
    """A switch set to ``mode`` at once by the call; as a context manager or decorator the previous
    setting is restored on exit."""

    def __init__(self, mode: bool) -> None:
        self._mode = bool(mode)
        self._previous = self._set(self._mode)

    def __enter__(self) -> None:
        pass

    def clone(self) -> "_SetSwitch":
        """A manager that sets the same mode when entered."""
        manager = object.__new__(type(self))
        manager._mode = self._mode
        return manager

    def __call__(self, func: F) -> F:
        self._set(self._previous)  # decorating must not change the current mode
        manager = self.clone()

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            previous = manager._set(manager._mode)
            try:
                return func(*args, **kwargs)
            finally:
                manager._set(previous)

        return wrapper  # type: ignore[return-value]


class no_grad(_Switch):
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


class enable_grad(_Switch):
    """Context manager and decorator that turns gradient recording on (e.g. inside ``no_grad``).

    Examples:
        >>> import polyhead
        >>> with polyhead.no_grad():
        ...     with polyhead.enable_grad():
        ...         polyhead.is_grad_enabled()
        True
    """

    _mode = True


class set_grad_enabled(_SetSwitch):
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


class detect_anomaly(_Switch):
    """Context manager and decorator that turns anomaly detection on (``torch.autograd.detect_anomaly``).

    While it is on, every recorded op (one whose inputs require grad) checks its output, and every
    backward step the gradients it computes, for NaN and ±inf; the first non-finite value raises
    ``RuntimeError`` naming the op, the pass (forward or backward) and the output or input, e.g.
    ``[log] anomaly detected: the forward pass of log produced nan in its output (element 1 of shape
    (3,))``. It costs a scan of every recorded tensor, so use it to debug, not to train.

    Unlike PyTorch's process-wide switch, the setting is per thread (as grad mode): ops and
    ``backward()`` check when it is on in the thread that runs them. ``torch``'s ``check_nan`` argument
    does not exist: detection always means checking for NaN and ±inf.

    Examples:
        >>> import polyhead
        >>> x = polyhead.tensor([1.0, -1.0], requires_grad=True)
        >>> with polyhead.autograd.detect_anomaly():
        ...     x.log()
        Traceback (most recent call last):
            ...
        RuntimeError: [log] anomaly detected: the forward pass of log produced nan in its output (element 1 of shape (2,))
    """

    _set = _core.set_anomaly_enabled
    _mode = True


class set_detect_anomaly(_SetSwitch):
    """Turns anomaly detection on or off (``torch.autograd.set_detect_anomaly``); as a function call it
    takes effect at once, as a context manager or decorator the previous setting is restored on exit.
    See :class:`detect_anomaly` for what is checked; the setting is per thread.

    Args:
        mode: True to check every recorded op and backward step for NaN and ±inf, False not to.

    Examples:
        >>> import polyhead
        >>> with polyhead.autograd.set_detect_anomaly(True):
        ...     polyhead.autograd.is_anomaly_enabled()
        True
        >>> polyhead.autograd.is_anomaly_enabled()
        False
    """

    _set = _core.set_anomaly_enabled
