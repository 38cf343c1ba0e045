"""``nn.ParameterList`` and ``nn.ParameterDict``: parameters held in a list or a dict and registered with the
module (e.g. one learnable weight per task)."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional, Tuple, Union

from ... import _core
from ..parameter import Parameter
from .container import RegistryDict, RegistryList

__all__ = ["ParameterList", "ParameterDict"]


def _as_parameter(value: Any) -> Any:
    """Tensors become ``Parameter`` s (as torch does); a ``Parameter`` or None stays."""
    if isinstance(value, _core.Tensor) and not isinstance(value, Parameter):
        return Parameter(value)
    if value is not None and not isinstance(value, Parameter):
        raise TypeError(f"ParameterList/ParameterDict entries must be tensors, got {type(value).__name__}")
    return value


class ParameterList(RegistryList):
    """A list of parameters registered under ``"0"``, ``"1"``, … (tensors are wrapped as ``Parameter``).

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> log_vars = nn.ParameterList([nn.Parameter(polyhead.zeros(1)) for _ in range(3)])
        >>> len(log_vars), [name for name, _ in log_vars.named_parameters()]
        (3, ['0', '1', '2'])
    """

    _store = "_parameters"

    def _register(self, name: str, value: Any) -> None:
        self.register_parameter(name, _as_parameter(value))


class ParameterDict(RegistryDict):
    """A dict of parameters registered under their (string) keys, in insertion order (tensors are wrapped as
    ``Parameter``).

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> weights = nn.ParameterDict({"digit": nn.Parameter(polyhead.ones(1)), "parity": polyhead.ones(1)})
        >>> list(weights.keys()), weights["parity"].requires_grad
        (['digit', 'parity'], True)
    """

    _store = "_parameters"

    def __init__(self, parameters: Optional[Union[Mapping[str, Any], Iterable[Tuple[str, Any]]]] = None) -> None:
        super().__init__(parameters)

    def __setitem__(self, key: str, value: Any) -> None:
        self.register_parameter(key, _as_parameter(value))
