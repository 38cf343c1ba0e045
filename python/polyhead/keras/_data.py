"""How ``polyhead.keras.Model`` turns the ``x``, ``y``, ``sample_weight``/``masks`` and ``validation_data`` it
is given into the per-input and per-output float32 tensors the core trainer takes."""

from __future__ import annotations

from typing import Any, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from .. import _core


def _as_tensor(array: Any) -> Any:
    """``array`` as a contiguous float32 polyhead tensor (a tensor is passed through)."""
    from .. import tensor as make_tensor
    if isinstance(array, _core.Tensor):
        return array
    return make_tensor(np.ascontiguousarray(np.asarray(array, dtype=np.float32)))


def per_input(names: List[str], x: Any, what: str, owner: str) -> List[Any]:
    """The items ``x`` gives for inputs ``names`` (one item, a list/tuple in order, or a dict by name), checked
    in number; ``what`` names the items and ``owner`` the model in errors."""
    if isinstance(x, Mapping):
        missing = [n for n in names if n not in x]
        if missing:
            raise ValueError(f"the {what} given to {owner} miss inputs {missing} (its inputs are {names})")
        return [x[n] for n in names]
    items = list(x) if isinstance(x, (list, tuple)) else [x]
    if len(items) != len(names):
        raise ValueError(f"{owner} has {len(names)} inputs {names}, got {len(items)} {what}")
    return items


class _DataHandling:
    """The data normalisation of :class:`~polyhead.keras.Model` (a mixin: it reads the model's ``_inputs``,
    ``output_names``, ``_output_shapes`` and ``_compiled``)."""

    def _inputs_of(self, x: Any) -> List[Any]:
        items = per_input([layer.name for layer in self._inputs], x, "arrays", "the model")
        return [_as_tensor(a) for a in items]

    def _listed(self, value: Any) -> List[Any]:
        """The per-output items of ``y`` or ``sample_weight`` given as one array or a list/tuple. With several
        outputs a list/tuple holds one item per output; with one output, as Keras, a list/tuple of arrays
        (``[y]``) is one item per output too, while a list of numbers or of lists is the array itself."""
        if not isinstance(value, (list, tuple)):
            return [value]
        if len(self.output_names) > 1 or (value and all(isinstance(v, (np.ndarray, _core.Tensor)) for v in value)):
            return list(value)
        return [value]

    def _targets_of(self, y: Any, what: str = "y") -> List[Any]:
        n = len(self.output_names)
        if isinstance(y, Mapping):
            missing = [name for name in self.output_names if name not in y]
            if missing:
                raise ValueError(f"{what} is missing outputs {missing}; the model's outputs are {self.output_names}")
            items = [y[name] for name in self.output_names]
        else:
            items = self._listed(y)
        if len(items) != n:
            raise ValueError(f"the model has {n} outputs {self.output_names}, got {len(items)} {what} arrays")
        result = []
        for k, item in enumerate(items):
            array = np.asarray(item.detach().numpy() if isinstance(item, _core.Tensor) else item, dtype=np.float32)
            shape = self._output_shapes[k]
            if array.ndim == 1 and len(shape) == 2 and shape[1] == 1 and not self._is_sparse(k):
                array = array.reshape(-1, 1)  # Keras accepts (N,) targets for a one-unit output
            result.append(_as_tensor(array))
        return result

    def _is_sparse(self, k: int) -> bool:
        return bool(self._compiled) and self._compiled["outputs"][k]["loss"] == "sparse_categorical_crossentropy"

    def _masks_of(self, masks: Any) -> Optional[List[Any]]:
        if masks is None:
            return None
        n = len(self.output_names)
        if isinstance(masks, Mapping):
            items = [masks.get(name) for name in self.output_names]
        elif isinstance(masks, (np.ndarray, _core.Tensor)):
            items = [masks] * n  # one array weights the samples of every output, as in Keras
        else:
            items = self._listed(masks)
        if len(items) != n:
            raise ValueError(f"sample_weight/masks has {len(items)} entries for {n} outputs {self.output_names}")
        if all(item is None for item in items):
            return None
        return [_as_tensor(np.ones(0, np.float32)) if item is None else _as_tensor(np.asarray(item, np.float32).reshape(-1))
                for item in items]

    @staticmethod
    def _check_lengths(x: List[Any], y: List[Any], masks: Optional[List[Any]], names: Sequence[str]) -> int:
        arrays = [(f"x[{i}]", t) for i, t in enumerate(x)] + [(f"y[{i}] ({names[i]})", t) for i, t in enumerate(y)]
        arrays += [(f"sample_weight[{i}]", t) for i, t in enumerate(masks or []) if t.shape[0] != 0]
        sizes = {label: (int(t.shape[0]) if len(t.shape) else 0, tuple(t.shape)) for label, t in arrays}
        counts = {n for n, _ in sizes.values()}
        if len(counts) > 1:
            detail = ", ".join(f"{label} shape {shape}" for label, (_, shape) in sizes.items())
            raise ValueError(f"Data cardinality is ambiguous: the arrays have different numbers of samples: {detail}")
        return counts.pop() if counts else 0

    def _fill_masks(self, masks: Optional[List[Any]], n: int) -> Optional[List[Any]]:
        if masks is None:
            return None
        return [_as_tensor(np.ones(n, np.float32)) if m.shape[0] == 0 else m for m in masks]

    def _data_of(self, x: Any, y: Any, masks: Any) -> Tuple[List[Any], List[Any], Optional[List[Any]], int]:
        """The input, target and mask tensors of ``x``, ``y`` and ``masks``/``sample_weight`` (masks of outputs
        given none filled with ones) and their number of samples, which must be the same for all."""
        inputs, targets = self._inputs_of(x), self._targets_of(y)
        mask_list = self._masks_of(masks)
        n = self._check_lengths(inputs, targets, mask_list, self.output_names)
        return inputs, targets, self._fill_masks(mask_list, n), n

    def _validation_of(self, validation_data: Any) -> List[Any]:
        """``[x, y, masks]`` of ``validation_data`` (``(x_val, y_val)`` or ``(x_val, y_val, sample_weight_val)``),
        or ``[None, None, None]``."""
        if validation_data is None:
            return [None, None, None]
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ValueError("validation_data must be (x_val, y_val) or (x_val, y_val, sample_weight_val)")
        vx, vy = self._inputs_of(validation_data[0]), self._targets_of(validation_data[1], "validation y")
        vm = self._masks_of(validation_data[2]) if len(validation_data) == 3 else None
        vn = self._check_lengths(vx, vy, vm, self.output_names)
        return [vx, vy, self._fill_masks(vm, vn)]
