"""``polyhead.keras.Model``: a functional graph turned into a core model, trained by the core's loop."""

from __future__ import annotations

import json
import math
import threading
from typing import Any, Dict, List, Mapping, Optional, Tuple

from .. import _core
from . import _arguments
from . import callbacks as _callbacks
from ._compile import _Compiling
from ._data import _DataHandling
from ._introspection import _Introspection
from ._symbolic import call_on_tensors, is_symbolic
from ._weights import _WeightsIO
from .layers import InputLayer, KerasTensor, Layer

_EVENT_TRAIN_BEGIN, _EVENT_EPOCH_BEGIN, _EVENT_BATCH_END, _EVENT_EPOCH_END, _EVENT_TRAIN_END = range(5)


def _reference(tensor: KerasTensor, calls: Dict[int, List[int]]) -> Any:
    """How the core config names ``tensor``: its layer's name for the model's first call of it (or an
    input), else ``[name, call index among the model's calls]``."""
    if isinstance(tensor._source, InputLayer):
        return tensor.name
    index = calls[id(tensor._source)].index(tensor._call)
    return tensor.name if index == 0 else [tensor.name, index]


def _unique(name: str, taken: Any) -> str:
    candidate, suffix = name, 1
    while candidate in taken:
        candidate, suffix = f"{name}_{suffix}", suffix + 1
    return candidate


class Model(_Compiling, _Introspection, _DataHandling, _WeightsIO):
    """A functional model: ``Model(inputs, outputs)`` with one or several inputs (a tensor or a list) and
    outputs (a tensor, a list, or a dict ``{name: tensor}`` whose keys become the output names).

    The weights are created (from ``polyhead.manual_seed``'s generator) when the model is built, except those
    of layers an earlier model already built: as in Keras, models over the same layers share their weights
    (``Model(model.input, model.get_layer("trunk").output)`` extracts the trained features). A model called on
    symbolic tensors (``features = trunk(inputs)``) adds its layers to the graph being built.
    """

    #: The optimizer given to :meth:`compile` (a :mod:`~polyhead.keras.optimizers` object); None before, as in Keras.
    optimizer: Any = None
    #: The last ``compile``'s arguments as :meth:`save` keeps them (None before, or with a method object).
    _compile_config: Optional[Dict[str, Any]] = None
    #: Log keys ``<output>_<core metric>`` of metric objects with their own ``name``, to ``<output>_<name>``.
    _metric_keys: Dict[str, str] = {}

    def __init__(self, inputs: Any = None, outputs: Any = None, name: str = "functional") -> None:
        if inputs is None or outputs is None:
            if "call" in dir(type(self)):
                raise NotImplementedError(
                    f"{type(self).__name__}: subclassed models (a Model subclass with call()) are not supported; the "
                    "core runs a layer graph, so build a functional Model(inputs, outputs) from keras.Input and layers")
            raise TypeError("Model() needs inputs and outputs: Model(inputs=keras.Input(...), outputs=...)")
        self.name = name
        self.stop_training = False
        self._single_input = isinstance(inputs, KerasTensor)
        input_list = [inputs] if self._single_input else list(inputs)
        if not input_list or not all(isinstance(t, KerasTensor) and isinstance(t._source, InputLayer) for t in input_list):
            raise TypeError("Model inputs must be tensors made by polyhead.keras.Input")
        self._output_kind = "dict" if isinstance(outputs, Mapping) else ("single" if isinstance(outputs, KerasTensor) else "list")
        if self._output_kind == "dict":
            named = [(str(k), v) for k, v in outputs.items()]
        else:
            named = [(None, t) for t in ([outputs] if self._output_kind == "single" else list(outputs))]
        if not named or not all(isinstance(t, KerasTensor) for _, t in named):
            raise TypeError("Model outputs must be symbolic tensors from polyhead.keras layers")
        self._inputs = [t._source for t in input_list]
        self.inputs, self.outputs = input_list, [t for _, t in named]
        layers, calls = self._collect([t for _, t in named])
        configs = [self._layer_config(layer, calls) for layer in layers]
        output_names: List[str] = []
        taken = {layer.name for layer in self._inputs + layers}
        for key, tensor in named:
            if isinstance(tensor._source, InputLayer):
                raise ValueError(f"output {key or tensor.name!r} is a model input; add a layer")
            name = key or tensor.name
            if key is None and calls[id(tensor._source)].index(tensor._call) != 0:
                name = _unique(f"{tensor.name}_{tensor._call}", taken)  # a later call of a shared layer
            if name != tensor.name or calls[id(tensor._source)].index(tensor._call) != 0:  # an identity node names it
                configs.append({"class_name": "Activation", "name": name, "config": {"activation": "linear"},
                                "inbound_nodes": [[_reference(tensor, calls)]]})
            taken.add(name)
            output_names.append(name)
        self.output_names = output_names
        self._output_shapes = [t.shape for _, t in named]
        self._layers: List[Layer] = list(self._inputs) + layers
        self._calls_used = calls
        self._config = {"inputs": [{"name": layer.name, "shape": list(layer.shape)} for layer in self._inputs],
                        "layers": configs, "outputs": output_names}
        shared = [(f"{layer.name}/{kind}", tensor) for layer in layers for kind, tensor in layer._weights.items()]
        self._core = _core.model_new(json.dumps(self._config), [n for n, _ in shared], [t for _, t in shared])
        named_weights = _core.model_weights(self._core)
        self._named_weights: List[Tuple[str, Any]] = [(n, t) for n, t, _ in named_weights]
        self._weight_kinds = [trainable for _, _, trainable in named_weights]
        by_layer = {layer.name: layer for layer in layers}
        for weight_name, tensor, _ in named_weights:
            layer_name, kind = weight_name.rsplit("/", 1)
            by_layer[layer_name]._weights[kind] = tensor
        self._trainer: Any = None
        self._compiled: Optional[Dict[str, Any]] = None
        # fit/evaluate/predict take it: other threads wait for a running fit; the fit's own callbacks (on its
        # thread, between steps) may predict and evaluate, but not fit again (``_fit_thread``).
        self._lock = threading.RLock()
        self._fit_thread: Optional[int] = None

    def _collect(self, outputs: List[KerasTensor]) -> Tuple[List[Layer], Dict[int, List[int]]]:
        """The layers the outputs depend on, in graph order, and for each (by id) the calls the model uses."""
        seen: Dict[int, Layer] = {}
        calls: Dict[int, List[int]] = {}
        inputs = {id(layer) for layer in self._inputs}
        stack = list(outputs)
        while stack:
            tensor = stack.pop()
            layer = tensor._source
            if isinstance(layer, InputLayer):
                if id(layer) not in inputs:
                    raise ValueError(f"the outputs depend on input '{layer.name}', which is not among the model's inputs")
                continue
            used = calls.setdefault(id(layer), [])
            if tensor._call in used:
                continue
            seen[id(layer)] = layer
            used.append(tensor._call)
            stack.extend(layer._calls[tensor._call][0])
        for used in calls.values():
            used.sort()
        return sorted(seen.values(), key=lambda layer: layer._order), calls

    @staticmethod
    def _layer_config(layer: Layer, calls: Dict[int, List[int]]) -> Dict[str, Any]:
        """A layer's core config: ``inbound`` names for a single first call, else Keras's ``inbound_nodes``."""
        config: Dict[str, Any] = {"class_name": type(layer).__name__, "name": layer.name,
                                  "config": dict(layer._config(), **layer._regularizer_config())}
        references = [[_reference(t, calls) for t in layer._calls[call][0]] for call in calls[id(layer)]]
        if all(isinstance(r, str) for node in references for r in node) and len(references) == 1:
            config["inbound"] = references[0]
        else:
            config["inbound_nodes"] = references
        return config

    def save(self, filepath: Any, include_optimizer: bool = True) -> None:
        """Saves the model as one safetensors file, atomically: the weights (and, with ``include_optimizer``,
        the optimizer's state: Adam's moments and step counts…) as its tensors, and the architecture, the
        frozen layers and the ``compile`` arguments as JSON in its metadata (see
        :func:`~polyhead.keras.models.save_model`); :func:`load_model` rebuilds the model, compiled alike, and
        ``fit`` resumes as if never interrupted. A model compiled with a ``polyhead.mtl`` method object (rather
        than its name) is saved uncompiled; a named method's own state (DWA's loss history, uncertainty
        weighting's parameters…) is not saved.
        """
        from ._saving import save_model
        save_model(self, filepath, include_optimizer)

    # ------------------------------------------------------------------ fit / evaluate / predict
    def _keras_keys(self, logs: Dict[str, Any]) -> Dict[str, Any]:
        """Keras's key names: metric objects log under their ``name``; a single-output model logs ``loss``,
        ``<metric>`` and ``val_...`` only."""
        single = len(self.output_names) == 1
        prefix = self.output_names[0] + "_"
        renamed: Dict[str, Any] = {}
        for key, value in logs.items():
            val = key.startswith("val_")
            base = key[4:] if val else key
            base = self._metric_keys.get(base, base)
            if single and base in (prefix + "loss", prefix + "weight"):
                continue
            if single and base.startswith(prefix):
                base = base[len(prefix):]
            renamed[("val_" if val else "") + base] = value
        return renamed


    def _require_compiled(self, what: str) -> None:
        if self._trainer is None:
            raise RuntimeError(f"you must compile the model before calling {what}()")

    def fit(self, x: Any = None, y: Any = None, batch_size: Optional[int] = None, epochs: int = 1,
            verbose: Any = "auto", callbacks: Optional[List[_callbacks.Callback]] = None,
            validation_split: Optional[float] = 0.0, validation_data: Any = None, shuffle: bool = True,
            sample_weight: Any = None, masks: Any = None, initial_epoch: int = 0, **kwargs: Any) -> _callbacks.History:
        """Trains for ``epochs`` epochs; the loop runs in the core with the GIL released.

        ``sample_weight`` / ``masks``: one weight per sample per output (a list or dict by output name,
        entries may be None; one array weights every output); 0 marks a missing label, which then counts in
        neither loss nor metrics. Each output's loss is the weighted mean ``Σ w·loss / Σ w`` over the batch
        (Keras divides by the batch size instead, so its loss of a partly labelled batch is smaller). Returns a
        :class:`~polyhead.keras.callbacks.History` whose ``history`` has Keras's keys (``loss``,
        ``<output>_loss``, ``<output>_<metric>``, ``val_...``) plus ``<output>_weight``
        (the task weights); a single-output model logs ``loss``, ``<metric>`` and ``val_...`` as Keras does.

        Callbacks may call :meth:`predict` and :meth:`evaluate` (they run between steps); calling ``fit`` there
        raises a RuntimeError. Other threads calling ``fit``, ``evaluate`` or ``predict`` meanwhile wait until
        this fit ends.
        """
        _arguments.no_other_arguments(kwargs, "fit")
        self._require_compiled("fit")
        if self._fit_thread == threading.get_ident():
            raise RuntimeError("fit() was called from a callback of this model's running fit(); a model cannot "
                               "train inside its own training (predict() and evaluate() can be called there)")
        if initial_epoch:
            raise ValueError("initial_epoch is not supported")
        if sample_weight is not None and masks is not None:
            raise ValueError("pass either sample_weight or masks, not both")
        inputs, targets, mask_list, n = self._data_of(x, y, masks if masks is not None else sample_weight)
        val = self._validation_of(validation_data)
        batch_size, epochs = _arguments.batch_size(batch_size), _arguments.integer(epochs, "epochs", 0)
        verbose = 1 if verbose == "auto" else int(verbose)
        validation_split = _arguments.validation_split(validation_split)
        history = _callbacks.History()
        user = list(callbacks or [])
        history_given = [cb for cb in user if isinstance(cb, _callbacks.History)]
        if history_given:
            history = history_given[0]
        active = [cb for cb in user if not isinstance(cb, _callbacks.History)]
        if verbose:
            active.append(_callbacks.ProgbarLogger(verbose))
        train_n = n - (n - math.ceil(n * (1 - validation_split))) if validation_data is None and validation_split else n
        params = {"epochs": epochs, "steps": math.ceil(train_n / batch_size),
                  "verbose": verbose, "batch_size": batch_size}
        for cb in active + [history]:
            cb.set_model(self)
            cb.set_params(params)
        fit_json = json.dumps({"epochs": epochs, "batch_size": batch_size, "shuffle": bool(shuffle),
                               "validation_split": float(validation_split)})
        self.stop_training = False

        def dispatch(event: int, epoch: int, batch: int, logs: Dict[str, float]) -> bool:
            logs = self._keras_keys(logs)
            for cb in active:
                if event == _EVENT_TRAIN_BEGIN:
                    cb.on_train_begin(logs)
                elif event == _EVENT_EPOCH_BEGIN:
                    cb.on_epoch_begin(epoch, logs)
                elif event == _EVENT_BATCH_END:
                    cb.on_train_batch_end(batch, logs)
                elif event == _EVENT_EPOCH_END:
                    cb.on_epoch_end(epoch, logs)
                elif event == _EVENT_TRAIN_END:
                    cb.on_train_end(logs)
            return self.stop_training

        with self._lock:
            self._fit_thread = threading.get_ident()
            try:
                text = _core.trainer_fit(self._trainer, inputs, targets, mask_list, val[0], val[1], val[2], fit_json,
                                         dispatch if active else None)
            finally:
                self._fit_thread = None
        result = json.loads(text)
        history.history = {k: list(v) for k, v in self._keras_keys(result["history"]).items()}
        self.metrics_names = [k for k in history.history if not k.startswith("val_") and not k.endswith("_weight")]
        history.epoch = list(range(result["epochs"]))
        history.params = params
        history.model = self
        self.history = history
        return history

    def evaluate(self, x: Any = None, y: Any = None, batch_size: Optional[int] = None, verbose: Any = "auto",
                 sample_weight: Any = None, masks: Any = None, return_dict: bool = False, **kwargs: Any) -> Any:
        """The loss and metrics on the data: a scalar (one output, no metrics), a list in the order of
        ``metrics_names`` (``loss``, the per-output losses, then the metrics output by output, as tf.keras), or
        the dict with ``return_dict=True``."""
        _arguments.no_other_arguments(kwargs, "evaluate")
        self._require_compiled("evaluate")
        inputs, targets, mask_list, _ = self._data_of(x, y, masks if masks is not None else sample_weight)
        with self._lock:
            text = _core.trainer_evaluate(self._trainer, inputs, targets, mask_list,
                                          _arguments.batch_size(batch_size))
        logs = self._keras_keys(json.loads(text))
        self.metrics_names = list(logs)
        if return_dict:
            return logs
        if len(logs) == 1:
            return logs["loss"]
        return list(logs.values())

    def predict(self, x: Any, batch_size: Optional[int] = None, verbose: Any = "auto", **kwargs: Any) -> Any:
        """The outputs as numpy arrays (one array, a list, or a dict by output name, like the outputs given
        to the model), computed in batches in the core."""
        _arguments.no_other_arguments(kwargs, "predict")
        inputs = self._inputs_of(x)
        with self._lock:
            outputs = _core.model_predict(self._core, inputs, _arguments.batch_size(batch_size))
        arrays = [o.numpy() for o in outputs]
        if self._output_kind == "single":
            return arrays[0]
        if self._output_kind == "dict":
            return dict(zip(self.output_names, arrays))
        return arrays

    def __call__(self, x: Any, training: Any = None) -> Any:
        """On symbolic tensors, the outputs of this model's layers called on them (to nest the model in another,
        sharing its weights); on data, the outputs as polyhead tensors (recorded for autodiff when ``training``;
        a BatchNormalization whose ``trainable`` is false runs in inference mode, as Keras)."""
        if is_symbolic(x):
            return call_on_tensors(self, x, training)
        frozen = [layer.name for layer in self._member_layers() if not layer.trainable]
        outputs = _core.model_call(self._core, self._inputs_of(x), 1 if training else 0, frozen)
        if self._output_kind == "single":
            return outputs[0]
        if self._output_kind == "dict":
            return dict(zip(self.output_names, outputs))
        return outputs

    def __repr__(self) -> str:
        return f"<Model name={self.name}, inputs={[l.name for l in self._inputs]}, outputs={self.output_names}>"
