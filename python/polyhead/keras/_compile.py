"""``Model.compile``: the losses, loss weights, metrics, optimizer and multi-task method of a
:class:`~polyhead.keras.Model`, checked and handed to a core trainer."""

from __future__ import annotations

import json
import warnings
from typing import Any, Dict, List, Mapping, Optional, Tuple

from .. import _core
from .._creation import zeros as _zeros
from . import _arguments
from . import losses as _losses
from . import metrics as _keras_metrics
from . import optimizers as _optimizers


def compile_from_config(model: Any, config: Dict[str, Any]) -> None:
    """Compiles ``model`` as a saved ``_compile_config`` says (for ``load_model``; the optimizer state, such as
    Adam's moments, starts afresh).

    Raises:
        KeyError, TypeError, ValueError: a malformed config.
    """
    name = config["optimizer"]["class_name"]
    if name not in _optimizers.__all__ or name in ("Optimizer", "get"):
        raise ValueError(f"unknown optimizer class {name!r}")
    optimizer = getattr(_optimizers, name)(**config["optimizer"]["config"])
    metrics = [[_keras_metrics.from_spec(core, shown) for core, shown in output] for output in config["metrics"]]
    model.compile(optimizer, [_losses.from_config(item) for item in config["loss"]], loss_weights=config["loss_weights"],
                  metrics=metrics, weighting=config["weighting"], rep_grad=config["rep_grad"],
                  representation=config["representation"])


class _Compiling:
    """``compile`` of :class:`~polyhead.keras.Model` (a mixin over the model's ``output_names``, ``_core``,
    weights and layers)."""


    def _per_output(self, value: Any, what: str, default: Any) -> List[Any]:
        n = len(self.output_names)
        if value is None:
            return [default] * n
        if isinstance(value, Mapping):
            unknown = set(value) - set(self.output_names)
            if unknown:
                raise ValueError(f"{what} names unknown outputs {sorted(unknown)}; outputs are {self.output_names}")
            return [value.get(name, default) for name in self.output_names]
        if isinstance(value, (list, tuple)):
            if len(value) != n:
                raise ValueError(f"{what} has {len(value)} entries for {n} outputs {self.output_names}")
            return list(value)
        return [value] * n

    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, loss_weights: Any = None, metrics: Any = None,
                weighting: Any = None, rep_grad: Optional[bool] = None, representation: Optional[str] = None,
                **kwargs: Any) -> None:
        """Configures training: ``optimizer`` (name or :mod:`~polyhead.keras.optimizers` object), ``loss``
        (one for all outputs, a list or a dict by output name; Keras names or loss objects), ``loss_weights``
        (list or dict), ``metrics`` (for every output, a list of lists, or a dict by output name: names
        ``accuracy``/``acc``, ``binary_accuracy``…, ``mae``, ``mse``, ``f1``, ``auc``, or
        :mod:`~polyhead.keras.metrics` objects, logged under their ``name``) and ``weighting`` (``None``, a
        ``polyhead.mtl`` method name such as ``"uncertainty"`` or ``"pcgrad"``, or a ``polyhead.mtl`` method
        object). Keras's execution switches ``run_eagerly`` and ``jit_compile`` change nothing: the loop always
        runs in the core. Custom Python loss functions are not supported (a NotImplementedError).

        With a weighting method the task losses it combines are ``loss_weight · loss``; the shared part
        (whose task gradients gradient methods combine) is the weights of the layers that feed more than one
        output. ``rep_grad=True`` (or a method object made with ``rep_grad=True``) selects the representation
        mode: gradient methods combine the task gradients of the shared representation instead, which is
        the output of the layer named ``representation`` or, by default, the last tensor every output
        depends on (it must separate the shared trunk from the heads).
        """
        unsupported = sorted(set(kwargs) - {"run_eagerly", "jit_compile", "steps_per_execution"})
        if unsupported:
            raise TypeError(f"compile() got unsupported arguments {unsupported}")
        if kwargs.get("steps_per_execution", 1) not in (1, "auto"):
            raise NotImplementedError(f"compile(steps_per_execution={kwargs['steps_per_execution']!r}): callbacks run "
                                      "after every step; only 1 or 'auto' is supported")
        if loss is None:
            raise ValueError("compile() needs a loss")
        opt = _optimizers.get(optimizer)
        losses = [_losses.get(item) for item in self._per_output(loss, "loss", None)]
        weights = [_arguments.loss_weight(w, name)
                   for w, name in zip(self._per_output(loss_weights, "loss_weights", 1.0), self.output_names)]
        if (metrics is not None and isinstance(metrics, (list, tuple))
                and all(isinstance(m, (str, _keras_metrics.Metric)) for m in metrics)):
            metrics = [list(metrics)] * len(self.output_names)  # one list for every output
        specs = [_arguments.metric_specs(m, name)
                 for m, name in zip(self._per_output(metrics, "metrics", []), self.output_names)]
        per_metrics = [[core for core, _ in output] for output in specs]
        for output, names in zip(self.output_names, per_metrics):
            if len(set(names)) != len(names):
                raise ValueError(f"output {output!r} has the metric {names} twice; give each kind once")
        method_core, method_params, method_rep = self._method(weighting)
        if rep_grad is None:
            rep_grad = method_rep
        elif method_rep and not rep_grad:
            raise ValueError(f"the weighting method was made with rep_grad=True but compile got rep_grad={rep_grad!r}")
        if rep_grad and method_core is None:
            raise ValueError("rep_grad=True needs a weighting method (e.g. weighting='pcgrad')")
        if representation is not None and not rep_grad:
            raise ValueError("representation= names the shared representation of rep_grad=True; pass rep_grad=True")
        spec: Dict[str, Any] = {"outputs": [dict(l._spec(), loss_weight=w, metrics=m)
                                            for l, w, m in zip(losses, weights, per_metrics)]}
        if rep_grad:
            spec.update(rep_grad=True, representation=representation)
        frozen = [layer.name for layer in self._member_layers() if not layer.trainable]
        if frozen:
            spec["frozen"] = frozen
        parameters = self.trainable_weights + method_params
        if not parameters:  # every layer frozen: fit computes the losses and changes nothing, as Keras
            warnings.warn("the model has no trainable weights (every layer is frozen); fit will not change it",
                          stacklevel=2)
            parameters = [_zeros(0, requires_grad=True)]  # the core optimizer needs a parameter: one never updated
        core_optimizer = opt.build(parameters)
        self._optimized_weights = [name for name, _, trained in self._weight_table() if trained]  # for Model.save
        self._trainer = _core.trainer_new(self._core, json.dumps(spec), core_optimizer, method_core)
        self.optimizer, self.loss, self.metrics_names = opt, losses, []
        self._compiled = spec
        self._metric_keys = {f"{output}_{core}": f"{output}_{shown}" for output, pairs in zip(self.output_names, specs)
                             for core, shown in pairs if core != shown}
        # What Model.save keeps so that load_model compiles alike (not for a method object: it has state).
        self._compile_config = None if weighting is not None and not isinstance(weighting, str) else {
            "optimizer": {"class_name": type(opt).__name__, "config": opt.get_config()},
            "loss": [item.get_config() for item in losses], "loss_weights": weights,
            "metrics": [[list(pair) for pair in output] for output in specs], "weighting": weighting,
            "rep_grad": bool(rep_grad), "representation": representation}

    def _method(self, weighting: Any) -> Tuple[Any, List[Any], bool]:
        """The core method, its parameters, and whether it was made for the representation mode."""
        if weighting is None:
            return None, [], False
        n = len(self.output_names)
        if isinstance(weighting, str):
            core = _core.mtl_method(weighting, n, (), ())
            return core, _core.mtl_parameters(core), False
        if hasattr(weighting, "_create_core"):
            if weighting._core is None:
                weighting._create_core(n)
            if weighting.num_tasks != n:
                raise ValueError(f"{type(weighting).__name__} was made for {weighting.num_tasks} tasks; the model has {n} outputs")
            return weighting._core, weighting.parameters(), bool(getattr(weighting, "rep_grad", False))
        raise TypeError(f"weighting must be None, a method name or a polyhead.mtl method, got {type(weighting).__name__}")
