"""Copying ``polyhead.keras.Model`` weights to and from numpy arrays and safetensors files."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Sequence

import numpy as np


def _assign(tensor: Any, value: Any, name: str) -> None:
    """Copies ``value`` into the live weight ``tensor`` without recording gradients."""
    from .. import no_grad, tensor as make_tensor
    array = np.asarray(value, dtype=np.float32)
    if tuple(array.shape) != tuple(tensor.shape):
        raise ValueError(f"weight '{name}' has shape {tuple(tensor.shape)}, got an array of shape {array.shape}")
    with no_grad():
        tensor.copy_(make_tensor(array))


class _WeightsIO:
    """The weight I/O of :class:`~polyhead.keras.Model` (a mixin over the model's ``weights`` and
    ``_named_weights``)."""

    def get_weights(self) -> List[np.ndarray]:
        """Copies of the weights as numpy arrays."""
        return [t.detach().numpy().copy() for t in self.weights]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Copies arrays (as returned by :meth:`get_weights`) into the weights."""
        if len(weights) != len(self._named_weights):
            raise ValueError(f"the model has {len(self._named_weights)} weights, got {len(weights)} arrays")
        for (name, tensor), value in zip(self._named_weights, weights):
            _assign(tensor, value, name)

    def _weights_state(self) -> Dict[str, Any]:
        """The weights by name (``<layer>/kernel``…), detached: the tensors a saved file holds."""
        return {name: tensor.detach() for name, tensor in self._named_weights}

    def save_weights(self, filepath: Any) -> None:
        """Saves the weights as safetensors (keys ``<layer>/kernel``…), atomically."""
        from ..serialization import save
        save(self._weights_state(), filepath)

    def load_weights(self, filepath: Any) -> None:
        """Loads weights saved by :meth:`save_weights` or :meth:`save`: by name, or in order when the names differ
        but the number and shapes of the weights match (the same architecture built with other auto-generated
        names); the optimizer state a :meth:`save` file may hold is left out.

        Raises:
            ValueError: a weight is missing or has another shape (the message names it and the file).
        """
        from ..serialization import load
        from ._optimizer_state import is_optimizer_entry
        self._load_state({k: v for k, v in load(filepath).items() if not is_optimizer_entry(k)}, filepath)

    def _load_state(self, state: Mapping[str, Any], filepath: Any) -> None:
        """Copies the tensors of ``state`` (read from ``filepath``) into the weights, as :meth:`load_weights`
        describes."""
        missing = [name for name, _ in self._named_weights if name not in state]
        if not missing:
            values = [state[name] for name, _ in self._named_weights]
        elif len(state) == len(self._named_weights) and all(
                tuple(v.shape) == tuple(t.shape) for v, (_, t) in zip(state.values(), self._named_weights)):
            values = list(state.values())  # same architecture, other auto-generated layer names: by order
        else:
            raise ValueError(f"{filepath}: missing weights {missing} (the file has {list(state)})")
        for (name, tensor), value in zip(self._named_weights, values):
            _assign(tensor, value.numpy(), f"{name} (from {filepath})")
