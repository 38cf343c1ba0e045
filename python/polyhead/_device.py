"""``polyhead.device``: PyTorch's device objects, for scripts that pick a device before they run. Polyhead
computes on the CPU, so tensors and modules accept ``.to(device)`` for a CPU device and refuse others."""

from __future__ import annotations

from typing import Any, Optional

__all__ = ["device"]


class device(str):
    """A device name as ``torch.device`` parses it: ``device('cpu')``, ``device('cuda', 0)``, ``device('cuda:1')``.

    It is a ``str`` (``'cpu'``, ``'cuda:0'``), so it passes wherever a device string does; ``.type`` and
    ``.index`` give its parts. Creating a non-CPU device is allowed, as in PyTorch without a GPU; moving a tensor
    or module to it raises ``ValueError``.

    Examples:
        >>> import polyhead as torch
        >>> dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        >>> dev, dev.type, torch.zeros(2).to(dev).tolist()
        (device(type='cpu'), 'cpu', [0.0, 0.0])
    """

    type: str
    index: Optional[int]

    def __new__(cls, type: Any, index: Optional[int] = None) -> "device":
        if isinstance(type, device):
            if index is not None:
                raise ValueError(f"device(): an index cannot be given with a device object, got index={index!r}")
            return type
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a string like 'cpu' or 'cuda:0', got {type!r}")
        name, _, suffix = type.partition(":")
        if suffix:
            if index is not None:
                raise ValueError(f"device(): type (string) must not include an index because index was passed "
                                 f"explicitly: {type}")
            if not suffix.isdigit():
                raise ValueError(f"device(): invalid device string {type!r}")
            index = int(suffix)
        if not name.isidentifier():
            raise ValueError(f"device(): invalid device string {type!r}")
        if index is not None and (isinstance(index, bool) or not isinstance(index, int) or index < 0):
            raise ValueError(f"device(): the index must be an int >= 0, got {index!r}")
        self = super().__new__(cls, name if index is None else f"{name}:{index}")
        self.type, self.index = name, index
        return self

    def __repr__(self) -> str:
        extra = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{extra})"

    def __reduce__(self) -> Any:
        return device, (self.type, self.index)
