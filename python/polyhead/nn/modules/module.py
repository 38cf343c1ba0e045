"""``nn.Module``: the base class of layers and models (parameters, sub-modules, state dicts, modes)."""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Set, Tuple

from ... import _core
from ..._convert import as_tensor
from ..._size import Size
from ..._dtype import check_to_arguments
from ..._tensor import Tensor
from ...autograd import no_grad
from ...io import load_module_weights, save_module_weights
from ..parameter import Parameter

__all__ = ["Module"]

_shape = _core.Tensor.shape.__get__
_IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


class Module:
    """Base class of all layers and models.

    Subclasses call ``super().__init__()``, assign ``Parameter``s and sub-``Module``s as attributes
    (registered in assignment order) and implement ``forward``; calling the module calls ``forward``.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> class TwoHeads(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.trunk = nn.Linear(4, 8)
        ...         self.a = nn.Linear(8, 3)
        ...         self.b = nn.Linear(8, 1)
        ...     def forward(self, x):
        ...         h = self.trunk(x).relu()
        ...         return self.a(h), self.b(h)
        >>> net = TwoHeads()
        >>> [name for name, _ in net.named_parameters()][:3]
        ['trunk.weight', 'trunk.bias', 'a.weight']
        >>> [y.shape for y in net(polyhead.zeros(2, 4))]
        [polyhead.Size([2, 3]), polyhead.Size([2, 1])]
    """

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_modules", OrderedDict())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation of the module; subclasses override it."""
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------ registration

    def register_parameter(self, name: str, param: Optional[Parameter]) -> None:
        """Registers ``param`` (a ``Parameter`` or None) under ``name``."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name(name, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                            "(polyhead.nn.Parameter or None required)")
        self._forget(name, self._parameters)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Optional[Tensor], persistent: bool = True) -> None:
        """Registers a non-parameter tensor (saved in ``state_dict`` if ``persistent``)."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name(name, "buffer")
        if tensor is not None and not isinstance(tensor, _core.Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                            "(polyhead Tensor or None required)")
        self._forget(name, self._buffers)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: Optional["Module"]) -> None:
        """Registers the sub-module ``module`` (or None) under ``name``."""
        if "_modules" not in self.__dict__:
            raise AttributeError("cannot assign module before Module.__init__() call")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_name(name, "module")
        self._forget(name, self._modules)
        self._modules[name] = module

    register_module = add_module

    def _check_name(self, name: Any, kind: str) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if name == "" or "." in name:
            raise KeyError(f'{kind} name can\'t be empty or contain ".", got: {name!r}')

    def _forget(self, name: str, keep: Dict[str, Any]) -> None:
        """Removes ``name`` from the instance dict and every registry but ``keep`` (where re-registering it
        keeps its position)."""
        self.__dict__.pop(name, None)
        for store in (self._parameters, self._buffers, self._modules):
            if store is not keep:
                store.pop(name, None)

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        if isinstance(value, Parameter):
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            self.add_module(name, value)
        elif name in d.get("_parameters", ()):
            self.register_parameter(name, value)
        elif name in d.get("_modules", ()):
            self.add_module(name, value)
        elif name in d.get("_buffers", ()):
            self.register_buffer(name, value, name not in self._non_persistent_buffers)
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            registry = d.get(store)
            if registry is not None and name in registry:
                return registry[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                return
        object.__delattr__(self, name)

    # ------------------------------------------------------------ traversal

    def named_modules(self, memo: Optional[Set[int]] = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[Tuple[str, "Module"]]:
        """``(dotted name, module)`` for this module ("") and every sub-module, depth first."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def modules(self) -> Iterator["Module"]:
        """This module and every sub-module, depth first."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[Tuple[str, "Module"]]:
        """``(name, module)`` for the direct sub-modules."""
        seen: Set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator["Module"]:
        """The direct sub-modules."""
        for _, module in self.named_children():
            yield module

    def _named_members(self, store: str, prefix: str, recurse: bool) -> Iterator[Tuple[str, Any]]:
        seen: Set[int] = set()
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, store).items():
                if value is None or id(value) in seen:
                    continue
                seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[Tuple[str, Parameter]]:
        """``(dotted name, parameter)`` for every parameter (each once), in registration order."""
        return self._named_members("_parameters", prefix, recurse)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter (each once), in registration order.

        Args:
            recurse: include the parameters of sub-modules. Default: True.
        """
        for _, parameter in self.named_parameters(recurse=recurse):
            yield parameter

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[Tuple[str, Tensor]]:
        """``(dotted name, buffer)`` for every buffer."""
        return self._named_members("_buffers", prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer."""
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def apply(self, fn: Callable[["Module"], None]) -> "Module":
        """Calls ``fn`` on every sub-module (children first) and then on this module; returns self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------ state

    def state_dict(self, destination: Optional[Dict[str, Any]] = None, prefix: str = "",
                   keep_vars: bool = False) -> "OrderedDict[str, Tensor]":
        """An ``OrderedDict`` from dotted names to parameters and persistent buffers (detached, sharing
        storage, unless ``keep_vars``).

        Examples:
            >>> from polyhead import nn
            >>> list(nn.Linear(2, 3).state_dict().items())[0][1].shape
            polyhead.Size([3, 2])
        """
        if destination is None:
            destination = OrderedDict()
        for name, value in self._parameters.items():
            if value is not None:
                destination[prefix + name] = value if keep_vars else _core.detach(value)
        for name, value in self._buffers.items():
            if value is not None and name not in self._non_persistent_buffers:
                destination[prefix + name] = value if keep_vars else _core.detach(value)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination, prefix + name + ".", keep_vars)
        return destination  # type: ignore[return-value]

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> _IncompatibleKeys:
        """Copies values (tensors or numpy arrays) into the parameters and buffers of the same names.

        Nothing is copied unless every shape matches (and, if ``strict``, the keys match exactly).

        Returns:
            ``(missing_keys, unexpected_keys)``.

        Raises:
            RuntimeError: listing missing/unexpected keys (``strict``) and shape mismatches, like torch.
        """
        own = self.state_dict(keep_vars=True)
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        errors: List[str] = []
        if strict and unexpected:
            errors.append("Unexpected key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in unexpected)))
        if strict and missing:
            errors.append("Missing key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in missing)))
        copies = []
        for key, target in own.items():
            if key not in state_dict:
                continue
            try:
                source = as_tensor(state_dict[key], key)
            except (TypeError, ValueError) as exc:
                errors.append(f'While copying the parameter named "{key}": {exc}')
                continue
            if _shape(source) != _shape(target):
                errors.append(f"size mismatch for {key}: copying a param with shape {Size(_shape(source))} "
                              f"from checkpoint, the shape in current model is {Size(_shape(target))}.")
                continue
            copies.append((target, source))
        if errors:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                type(self).__name__, "\n\t".join(errors)))
        with no_grad():
            for target, source in copies:
                _core.copy_(target, source)
        return _IncompatibleKeys(missing, unexpected)

    def save_weights(self, filepath: Any) -> None:
        """Saves ``state_dict()`` to a safetensors file, atomically (torch layouts, so
        ``safetensors.torch.load_file`` reads it into the matching torch model). See ``polyhead.io``."""
        save_module_weights(self, filepath)

    def load_weights(self, filepath: Any, strict: bool = True) -> _IncompatibleKeys:
        """Loads a safetensors file into the parameters and buffers, in place (like ``load_state_dict``).

        Raises:
            ValueError: naming the file, for missing/unexpected keys (``strict``), shape mismatches or a
                malformed file. OSError: the file cannot be read.
        """
        return load_module_weights(self, filepath, strict)

    # ------------------------------------------------------------ modes and gradients

    def train(self, mode: bool = True) -> "Module":
        """Sets training mode (``mode=True``) or evaluation mode on this module and all sub-modules."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> "Module":
        """Sets evaluation mode (``train(False)``)."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        """Sets ``requires_grad`` of every parameter."""
        for parameter in self.parameters():
            parameter.requires_grad = requires_grad
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clears the gradients of every parameter (to None, or to zeros if ``set_to_none=False``)."""
        for parameter in self.parameters():
            if set_to_none:
                parameter.grad = None
            else:
                grad = parameter.grad
                if grad is not None:
                    grad.zero_()

    def to(self, *args: Any, **kwargs: Any) -> "Module":
        """Returns self for device ``"cpu"`` and dtype ``float32`` (raises for anything else)."""
        check_to_arguments(args, kwargs)
        return self

    def float(self) -> "Module":
        """Returns self (parameters are float32 already)."""
        return self

    def cpu(self) -> "Module":
        """Returns self (parameters live on the CPU)."""
        return self

    def cuda(self, device: Any = None) -> "Module":
        """Raises ValueError: Polyhead computes on the CPU only (``torch.cuda.is_available()`` is False)."""
        raise ValueError("Module.cuda(): polyhead runs on the CPU only; use .to(device) with a device chosen by "
                         "torch.device('cuda' if torch.cuda.is_available() else 'cpu')")

    # ------------------------------------------------------------ printing

    def extra_repr(self) -> str:
        """The module's own settings for ``repr`` (e.g. ``in_features=2, out_features=3, bias=True``)."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + _addindent(repr(module), 2) for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"
