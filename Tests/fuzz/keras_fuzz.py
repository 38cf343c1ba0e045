"""Fuzz target ``keras`` (run by fuzz_driver.py): ``polyhead.keras`` models built, compiled and trained at random.

A hypothesis state machine builds small functional and ``Sequential`` models (dense, two-input, conv with
any pool, embedding, BatchNormalization over any axis, Dense on rank-3 inputs, shared layers, regularized
kernels and biases; one to three outputs as a tensor, list or dict, written both as ``keras.*`` and ``tf.keras.*`` with
``import polyhead as tf``), compiles them with random losses, loss weights, metrics, optimizers and
multi-task weighting methods (every name of ``polyhead.mtl.available_methods()``, method objects for the
wrong number of tasks, junk; ``rep_grad``/``representation`` good and bad), and calls ``fit``/``evaluate``/``predict`` with mismatched x/y lengths, class ids
beyond the classes or negative, wrong dtypes and shapes, empty arrays, batch sizes 0/negative/huge,
NaN/inf data, edge ``validation_split`` values, callbacks that raise (an ``Exception`` or a bare
``BaseException``), stop training, save checkpoints or call the model back re-entrantly, and sample weights
of the wrong length. Weights are saved, reloaded and set from junk in between.

    python fuzz_driver.py run --target keras --calls 20000 --out /tmp/fuzz-out
"""

from __future__ import annotations

from typing import Any, Dict

POOLS = ["model"]
PRELUDE = ("import os\nimport numpy as np\nimport polyhead as ph\nimport polyhead as tf\nfrom polyhead import keras, mtl\n"
           "from fuzz_data import make_data, make_labels\n"
           "class Stop(BaseException):\n    'raised by a callback: not an Exception'\n"
           "def boom(*args):\n    raise RuntimeError('boom from a callback')\n"
           "def stop(*args):\n    raise Stop('stop from a callback')\n"
           "tmp = os.path.join(os.environ.get('TMPDIR', '/tmp'), f'polyhead-keras-fuzz-{os.getpid()}')\n"
           "os.makedirs(tmp, exist_ok=True)\n")

# Layers after a conv in the "pools" architecture ({k}: a pool size)
POOL_LAYERS = ["MaxPooling2D({k})", "AveragePooling2D({k})", "AveragePooling2D({k}, strides=1, padding='same')",
               "MaxPooling2D(2, padding='same')", "AveragePooling2D((2, 1), strides=(1, 2))", "GlobalAveragePooling2D()",
               "GlobalMaxPooling2D()", "GlobalAveragePooling2D(keepdims=True)", "AveragePooling2D(9)",
               "AveragePooling2D(0)", "GlobalMaxPooling2D(keepdims='x')"]
AXES = ["-1", "-1", "1", "2", "3", "-2", "0", "4", "-5", "None", "1.5", "[1, 2]"]
REGULARIZERS = ["kernel_regularizer=keras.regularizers.l1({x})", "kernel_regularizer=keras.regularizers.l2(0.01)",
                "kernel_regularizer=keras.regularizers.l1_l2(l1=0.01, l2={x})", "bias_regularizer=keras.regularizers.l1(0.1)",
                "bias_regularizer=keras.regularizers.L1L2({x}, {x})", "kernel_regularizer='l2', bias_regularizer='l1'",
                "kernel_regularizer='l1_l2'", "kernel_regularizer='bogus'", "bias_regularizer=3",
                "kernel_regularizer=keras.regularizers.L2(-1)", "kernel_regularizer=keras.regularizers.get('l1')",
                "activity_regularizer=keras.regularizers.l2({x})", "activity_regularizer=keras.regularizers.L1L2({x}, {x})",
                "activity_regularizer='bogus'", "trainable=False", "trainable=False, activity_regularizer='l1'"]
REPRESENTATIONS = ["None", "'trunk'", "'bogus'", "'x0'", "'o0'", "3"]
FLOATS = ["0.0", "1.0", "0.5", "-1.0", "1e-3", "float('nan')", "float('inf')", "-float('inf')", "1e30", "2**70"]
ACTIVATIONS = ["'relu'", "'relu'", "'relu'", "'tanh'", "'sigmoid'", "'softmax'", "None", "'linear'", "'gelu'", "'bogus'"]
LOSS_NAMES = ["'sparse_categorical_crossentropy'", "'categorical_crossentropy'", "'binary_crossentropy'", "'mse'",
              "'mae'", "'huber'", "'mean_squared_error'", "keras.losses.SparseCategoricalCrossentropy(from_logits=True)",
              "keras.losses.BinaryCrossentropy(from_logits=True)", "keras.losses.Huber({x})",
              "keras.losses.CategoricalCrossentropy(from_logits=True)", "'bogus'", "None", "3", "ph.nn.MSELoss()"]
METRICS = ["None", "['accuracy']", "['mae', 'mse']", "['f1', 'auc']", "['accuracy', 'f1', 'auc', 'mae']",
           "['bogus']", "'accuracy'", "[['accuracy']] * {t}", "[['mae']] * ({t} + 1)", "{{'o0': ['auc']}}",
           "{{'zz': ['mae']}}", "[None] * {t}", "[3]"]
OPTIMIZERS = ["'adam'", "'sgd'", "'rmsprop'", "'adamw'", "'ADAM'", "keras.optimizers.SGD(learning_rate={x}, momentum=0.9)",
              "keras.optimizers.Adam(learning_rate={x})", "keras.optimizers.RMSprop(learning_rate={x}, momentum={x})",
              "keras.optimizers.AdamW(weight_decay={x})", "keras.optimizers.SGD(nesterov=True, momentum={x})",
              "'bogus'", "None", "ph.optim.SGD"]
BATCH_SIZES = ["None", "1", "2", "3", "32", "0", "-1", "2**31", "2**63", "2**64", "1.5", "'4'", "np.int64(2)", "True"]
EPOCHS = ["1", "1", "2", "3", "0", "-1", "2.5", "None", "'1'", "2**63", "2**64", "-2**63"]
SPLITS = ["0.0", "0.0", "0.2", "0.5", "0.99", "1.0", "-0.1", "1.5", "float('nan')", "float('inf')", "'0.1'", "None"]
CALLBACKS = ["None", "None", "[keras.callbacks.LambdaCallback(on_epoch_end=boom)]",
             "[keras.callbacks.LambdaCallback(on_train_batch_end=boom)]",
             "[keras.callbacks.LambdaCallback(on_train_begin=stop)]", "[keras.callbacks.LambdaCallback(on_epoch_begin=stop)]",
             "[keras.callbacks.LambdaCallback(on_train_end=boom)]",
             "[keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: setattr({m}, 'stop_training', True))]",
             "[keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: {m}.set_weights({m}.get_weights()))]",
             "[keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: {m}.save_weights(tmp + '/cb.safetensors'))]",
             "[keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: logs.clear())]",
             "[keras.callbacks.EarlyStopping(monitor='loss', patience=0, restore_best_weights=True)]",
             "[keras.callbacks.EarlyStopping(monitor='val_loss')]", "[keras.callbacks.TerminateOnNaN()]",
             "[keras.callbacks.ModelCheckpoint(tmp + '/ck-{{epoch}}.safetensors', monitor='loss', save_best_only=True)]",
             "[keras.callbacks.ModelCheckpoint(tmp + '/ck-{{bogus}}')]",
             "[keras.callbacks.LearningRateScheduler(lambda epoch, lr: float('nan'))]",
             "[keras.callbacks.LearningRateScheduler(lambda epoch, lr: 'x')]",
             "[keras.callbacks.LearningRateScheduler(lambda epoch, lr: -lr)]",
             "[keras.callbacks.ReduceLROnPlateau(monitor='loss', patience=0, factor=0.5)]",
             "[keras.callbacks.CSVLogger(tmp + '/log.csv')]", "[keras.callbacks.History()]", "[object()]", "'x'",
             "[keras.callbacks.Callback()] * 3"]
# Callbacks that call the model back while fit runs: predict/evaluate work there, a nested fit raises a
# RuntimeError.
CALLBACKS += ["[keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: {m}.predict({x}))]",
              "[keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: {m}.evaluate({x}, verbose=0))]",
              "[keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: {m}.fit({x}, verbose=0))]"]


def build_machine(base):
    """The ``KerasMachine`` class over ``base`` (fuzz_driver.logged_machine)."""
    from hypothesis import strategies as st
    from hypothesis.stateful import initialize, rule

    from polyhead import keras, mtl

    from fuzz_data import DTYPES, FILLS, LAYOUTS

    methods = [repr(name) for name in mtl.available_methods()]
    method_classes = mtl.weighting.__all__ + mtl.gradient.__all__
    gradient_methods = [name for name in mtl.available_methods() if name in {"pcgrad", "cagrad", "mgda", "graddrop",
                                                                              "gradvac", "imtl", "upgrad", "aligned_mtl"}]
    floats = st.sampled_from(FLOATS)
    # an output: (kind, units): "class" (softmax over units classes), "binary" (one sigmoid unit), "reg" (linear)
    output_st = st.tuples(st.sampled_from(["class", "class", "binary", "reg"]), st.integers(1, 4))

    class KerasMachine(base):
        """A pool of ``polyhead.keras`` models (with what the machine knows of their inputs and outputs) and
        rules that compile, train, evaluate, predict, save and load them with good and bad arguments."""

        def __init__(self) -> None:
            super().__init__()
            self.meta: Dict[int, Dict[str, Any]] = {}

        def classify(self, k: int, value: Any) -> None:
            if isinstance(value, keras.Model):
                self.add("model", k)
            else:
                self.drop(k)

        def model(self, i: int) -> tuple:
            """``(v[k], meta)`` of a pooled model, or a junk expression with empty meta."""
            expr = self.ref("model", i, "keras.Sequential()")
            key = int(expr[2:-1]) if expr.startswith("v[") else None
            return expr, self.meta.get(key, {"inputs": [(3,)], "outputs": [("reg", 1)], "embedding": 0})

        # ---------------------------------------------------------------- data expressions
        def x_expr(self, meta: Dict[str, Any], n: int, wrong: int, dtype: str, fill: str, layout: str, seed: int) -> str:
            """The inputs of a model for ``n`` samples; ``wrong`` picks a defect (0 = none)."""
            arrays = []
            for index, shape in enumerate(meta["inputs"]):
                rows = n + 1 if wrong == 1 and index == len(meta["inputs"]) - 1 else n
                dims = shape[:-1] + (shape[-1] + 1,) if wrong == 2 else shape
                if meta.get("embedding"):
                    arrays.append(f"make_labels({rows} * {dims[0]}, {-1 if wrong == 3 else 0}, "
                                  f"{meta['embedding'] + (2 if wrong == 3 else 0)}, {seed}, {dtype!r})"
                                  f".reshape({rows}, {dims[0]})")
                else:
                    arrays.append(self.data_expr((rows,) + dims, dtype, fill, layout, seed))
            if wrong == 4:
                return "None"
            if wrong == 5:
                return "[" + ", ".join(arrays) + ", " + arrays[0] + "]"
            return arrays[0] if len(arrays) == 1 and wrong != 6 else "[" + ", ".join(arrays) + "]"

        def y_expr(self, meta: Dict[str, Any], n: int, wrong: int, fill: str, seed: int, dtype: str, form: int) -> str:
            """The targets for ``n`` samples (labels, one-hot rows or values by output kind); ``wrong`` picks a
            defect: other lengths, class ids ≥ classes or negative, float labels, wrong widths."""
            items = []
            for index, (kind, units) in enumerate(meta["outputs"]):
                rows = n + 1 if wrong == 1 and index == 0 else (0 if wrong == 2 else n)
                if kind == "class":
                    low, high = {3: (0, units + 3), 4: (-2, units)}.get(wrong, (0, units))
                    labels = f"make_labels({rows}, {low}, {high}, {seed + index}, {dtype!r})"
                    items.append(f"np.eye({units + (1 if wrong == 6 else 0)}, dtype=np.float32)[make_labels({rows}, 0, "
                                 f"{units}, {seed})]" if form == 1 else labels)
                elif kind == "binary":
                    items.append(self.data_expr((rows, 1 + (wrong == 6)), dtype, "labels" if wrong != 5 else fill, "c",
                                                seed + index) + (" % 2" if wrong not in (5, 3) and dtype != "str" else ""))
                else:
                    items.append(self.data_expr((rows, units + (wrong == 6)), dtype, fill, "c", seed + index))
            names = [f"'o{t}'" for t in range(len(items))]
            if wrong == 7:
                return "{" + ", ".join(f"'zz{t}': {y}" for t, y in enumerate(items)) + "}"
            if wrong == 8:
                items = items + items[:1]
            if meta.get("dict") and form != 2:
                return "{" + ", ".join(f"{name}: {y}" for name, y in zip(names, items)) + "}"
            return items[0] if len(items) == 1 and form != 3 else "[" + ", ".join(items) + "]"

        def compile_line(self, model: str, meta: Dict[str, Any], weighting: str, metrics: str, extra: str = "") -> str:
            """A well-formed ``compile`` for the model's outputs (so that ``fit`` reaches the core's checks);
            ``extra`` adds arguments (``rep_grad=True, representation=...``)."""
            losses = {"class": "'sparse_categorical_crossentropy'", "binary": "'binary_crossentropy'", "reg": "'mse'"}
            loss = "[" + ", ".join(losses[kind] for kind, _ in meta["outputs"]) + "]"
            return f"{model}.compile(optimizer='adam', loss={loss}, metrics={metrics}, weighting={weighting}{extra})"

        # ---------------------------------------------------------------- rules: models
        @initialize(outputs=st.lists(output_st, min_size=1, max_size=3), weighting=st.sampled_from(methods + ["None"]))
        def first_model(self, outputs, weighting):
            """A valid compiled multi-output model, so that every example trains something."""
            k = self.new_key()
            heads = ", ".join(f"keras.layers.Dense({units}, activation='softmax')(h)" if kind == "class" else
                              f"keras.layers.Dense(1, activation='sigmoid')(h)" if kind == "binary" else
                              f"keras.layers.Dense({units})(h)" for kind, units in outputs)
            meta = {"inputs": [(3,)], "outputs": [(kind, 1 if kind == "binary" else units) for kind, units in outputs],
                    "dict": False, "embedding": 0}
            if self.exec_line(f"x0 = keras.Input(shape=(3,))\nh = keras.layers.Dense(4, activation='relu')(x0)\n"
                              f"v[{k}] = keras.Model(x0, [{heads}])\n"
                              + self.compile_line(f"v[{k}]", meta, weighting, "['accuracy']")):
                self.meta[k] = meta
                self.classify(k, self.ns["v"][k])

        @rule(arch=st.sampled_from(["mlp", "mlp", "two_inputs", "sequential", "sequential_late", "conv", "embedding",
                                    "tf", "bad", "pools", "batchnorm", "rank3", "shared", "regularized"]),
              d=st.integers(1, 4), h=st.integers(1, 5), act=st.sampled_from(ACTIVATIONS),
              outputs=st.lists(output_st, min_size=1, max_size=3), form=st.sampled_from(["single", "list", "dict"]),
              extra=st.sampled_from(["", "dropout", "layernorm", "l2"]), bad=st.integers(0, 9), x=floats,
              compiled=st.booleans(), weighting=st.sampled_from(methods + ["None"] * 4),
              metrics=st.sampled_from(["None", "['accuracy']", "['mae', 'f1', 'auc']"]),
              layer=st.sampled_from(POOL_LAYERS), axis=st.sampled_from(AXES), reg=st.sampled_from(REGULARIZERS))
        def build(self, arch, d, h, act, outputs, form, extra, bad, x, compiled, weighting, metrics, layer, axis, reg):
            L = "tf.keras.layers" if arch == "tf" else "keras.layers"
            form = "list" if len(outputs) > 1 and form == "single" else form
            heads = [f"{L}.Dense({units if kind != 'binary' else 1}, activation="
                     f"{ {'class': repr('softmax'), 'binary': repr('sigmoid'), 'reg': 'None'}[kind]})(h)"
                     for kind, units in outputs]
            outputs = [(kind, units if kind != "binary" else 1) for kind, units in outputs]
            out = {"single": heads[0], "list": "[" + ", ".join(heads) + "]",
                   "dict": "{" + ", ".join(f"'o{t}': {y}" for t, y in enumerate(heads)) + "}"}[form]
            trunk = {"": "", "dropout": f"h = {L}.Dropout({x if bad == 0 else 0.5})(h)\n",
                     "layernorm": f"h = {L}.LayerNormalization()(h)\n",
                     "l2": f"h = {L}.Dense({h}, kernel_regularizer=keras.regularizers.L2({x if bad == 0 else 0.01}))(h)\n"}[extra]
            meta: Dict[str, Any] = {"inputs": [(d,)], "outputs": outputs, "dict": form == "dict", "embedding": 0}
            if arch in ("mlp", "tf"):
                code = (f"x0 = {L.rsplit('.', 1)[0]}.Input(shape=({d},))\nh = {L}.Dense({h}, activation={act})(x0)\n"
                        f"{trunk}model = {L.rsplit('.', 1)[0]}.Model(x0, {out})")
            elif arch == "two_inputs":
                meta["inputs"] = [(d,), (h,)]
                code = (f"x0, x1 = keras.Input(shape=({d},)), keras.Input(shape=({h},))\n"
                        f"h = keras.layers.Concatenate()([x0, x1])\nh = keras.layers.Dense({h}, activation={act})(h)\n"
                        f"{trunk}model = keras.Model([x0, x1], {out})")
            elif arch in ("sequential", "sequential_late"):
                kind, units = outputs[0]
                meta.update(outputs=[outputs[0]], dict=False)
                shape = f", input_shape=({d},)" if arch == "sequential" else ""
                code = (f"model = keras.Sequential([keras.layers.Dense({h}, activation={act}{shape}), "
                        f"keras.layers.Dense({units}, activation={repr('softmax') if kind == 'class' else None})])")
            elif arch == "conv":
                meta["inputs"] = [(d + 2, d + 2, 1 + bad % 2)]
                code = (f"x0 = keras.Input(shape={meta['inputs'][0]})\n"
                        f"h = keras.layers.Conv2D({h}, {1 + bad % 3}, padding={['valid', 'same'][bad % 2]!r}, "
                        f"activation={act})(x0)\nh = keras.layers.MaxPooling2D({1 + d % 2})(h)\n"
                        f"h = keras.layers.Flatten()(h)\n{trunk}model = keras.Model(x0, {out})")
            elif arch == "embedding":
                meta.update(inputs=[(d,)], embedding=h + 1)
                code = (f"x0 = keras.Input(shape=({d},))\nh = keras.layers.Embedding({h + 1}, 3)(x0)\n"
                        f"h = keras.layers.Flatten()(h)\n{trunk}model = keras.Model(x0, {out})")
            elif arch == "pools":  # conv with 'same' padding, strides and even kernels, then a pool of any kind
                meta["inputs"] = [(d + 3, d + 2, 2)]
                code = (f"x0 = keras.Input(shape={meta['inputs'][0]})\n"
                        f"h = keras.layers.Conv2D({h}, {(2 + bad % 3, 2)}, strides={1 + bad % 2}, padding="
                        f"{['same', 'valid'][bad // 8]!r}, activation={act})(x0)\n"
                        f"h = keras.layers.{layer.format(k=1 + d % 3)}(h)\nh = keras.layers.Flatten()(h)\n"
                        f"{trunk}model = keras.Model(x0, {out})")
            elif arch == "batchnorm":  # BatchNormalization over any axis of a rank-2, -3 or -4 input
                meta["inputs"] = [((d,), (d, h), (d + 1, 2, h))[bad % 3]]
                code = (f"x0 = keras.Input(shape={meta['inputs'][0]})\n"
                        f"h = keras.layers.BatchNormalization(axis={axis}, momentum={x if bad == 9 else 0.9})(x0)\n"
                        f"h = keras.layers.Flatten()(h)\n{trunk}model = keras.Model(x0, {out})")
            elif arch == "rank3":  # Dense on (N, d, 3): applied to the last axis
                meta["inputs"] = [(d, 3)]
                code = (f"x0 = keras.Input(shape=({d}, 3))\nh = keras.layers.Dense({h}, activation={act}, name='trunk')(x0)\n"
                        f"h = keras.layers.{['Flatten()', 'GlobalAveragePooling2D()', 'Dense(2)'][bad % 3]}(h)\n"
                        f"h = keras.layers.Flatten()(h)\n{trunk}model = keras.Model(x0, {out})")
            elif arch == "shared":  # one layer called twice (a siamese trunk), or on its own output
                meta["inputs"] = [(d,), (d,)] if bad % 2 == 0 else [(h,)]
                code = (f"trunk = keras.layers.Dense({h}, activation={act}, name='trunk')\n"
                        + (f"x0, x1 = keras.Input(shape=({d},)), keras.Input(shape=({d},))\n"
                           f"h = keras.layers.Concatenate()([trunk(x0), trunk(x1)])\n{trunk}model = keras.Model([x0, x1], {out})"
                           if bad % 2 == 0 else
                           f"x0 = keras.Input(shape=({h},))\nh = trunk(trunk(x0))\n{trunk}model = keras.Model(x0, {out})"))
            elif arch == "regularized":
                code = (f"x0 = keras.Input(shape=({d},))\nh = keras.layers.Dense({h}, activation={act}, name='trunk', "
                        f"{reg.format(x=x)})(x0)\n{trunk}model = keras.Model(x0, {out})")
            else:
                wrong = ["keras.Input(shape=(0,))", "keras.Input(shape=(-1,))", "keras.Input(shape=None)",
                         "keras.Input(shape=(2**62,))", "keras.Input(shape=(2**31, 2**31))", "keras.Input(shape=(1.5,))",
                         "keras.Input(shape=(2,))", "keras.Input(shape=(3, 3))", "keras.Input(shape='x')",
                         "keras.Input(shape=(4,))"][bad]
                layer = ["keras.layers.Dense(0)", "keras.layers.Dense(-1)", "keras.layers.Dense(2**40)",
                         "keras.layers.Conv2D(2, 3)", "keras.layers.Concatenate()", "keras.layers.Embedding(0, 2)",
                         "keras.layers.MaxPooling2D(5)", "keras.layers.Flatten()", "keras.layers.Dense(1.5)",
                         "keras.layers.Dropout(1.5)"][(bad + d) % 10]
                code = f"x0 = {wrong}\nh = {layer}(x0)\nmodel = keras.Model(x0, {out})"
            k = self.new_key()
            if compiled and arch in ("rank3", "shared", "regularized") and bad % 3 == 0:  # the representation mode
                gradient = repr(gradient_methods[bad % len(gradient_methods)])
                code += "\n" + self.compile_line("model", meta, gradient, metrics, ", rep_grad=True, representation="
                                                  + ("'trunk'" if bad % 2 == 0 else "None"))
            elif compiled:
                code += "\n" + self.compile_line("model", meta, weighting, metrics)
            if self.exec_line(f"{code}\nv[{k}] = model\ndel model"):
                self.meta[k] = meta
                self.classify(k, self.ns["v"][k])

        @rule(m=st.integers(0, 10**6), t=st.integers(0, 5), shape=st.sampled_from(["one", "list", "dict", "wrong"]),
              losses=st.lists(st.sampled_from(LOSS_NAMES), min_size=1, max_size=4),
              weights=st.sampled_from(["None", "list", "dict", "wrong", "junk"]), w=floats,
              metrics=st.sampled_from(METRICS), optimizer=st.sampled_from(OPTIMIZERS), x=floats,
              weighting=st.one_of(st.sampled_from(methods), st.sampled_from(["None", "None", "'bogus'", "3"]),
                                  st.tuples(st.sampled_from(method_classes), st.integers(-1, 4), st.booleans())),
              rep=st.sampled_from(["None", "None", "False", "True", "True", "1", "'yes'"]),
              representation=st.sampled_from(REPRESENTATIONS))
        def compile(self, m, t, shape, losses, weights, w, metrics, optimizer, x, weighting, rep, representation):
            model, meta = self.model(m)
            n = len(meta["outputs"])
            names = [l.format(x=x) for l in losses]
            loss = {"one": names[0], "list": "[" + ", ".join((names * n)[:n]) + "]",
                    "dict": "{" + ", ".join(f"'o{i}': {l}" for i, l in enumerate((names * n)[:n])) + "}",
                    "wrong": "[" + ", ".join(names) + "]"}[shape]
            loss_weights = {"None": "None", "list": f"[{w}] * {n}", "dict": f"{{'o0': {w}}}", "wrong": f"[{w}] * {n + 1}",
                            "junk": "'x'"}[weights]
            if isinstance(weighting, tuple):
                name, tasks, method_rep = weighting
                weighting = f"mtl.{name}({n if tasks < 0 else tasks}, rep_grad={method_rep})"
            self.exec_line(f"{model}.compile(optimizer={optimizer.format(x=x)}, loss={loss}, loss_weights={loss_weights}, "
                           f"metrics={metrics.format(t=n)}, weighting={weighting}, rep_grad={rep}, "
                           f"representation={representation})")

        @rule(m=st.integers(0, 10**6), n=st.sampled_from([0, 1, 2, 5, 7, 16]), defect=st.integers(0, 14),
              wx=st.integers(1, 6), wy=st.integers(1, 8), dtype=st.sampled_from(DTYPES), fill=st.sampled_from(FILLS),
              layout=st.sampled_from(LAYOUTS), seed=st.integers(0, 99), form=st.integers(0, 4),
              batch=st.sampled_from(BATCH_SIZES), epochs=st.sampled_from(EPOCHS), split=st.sampled_from(SPLITS),
              validation=st.sampled_from(["short", "bad_length", "junk", "bad_targets"]),
              callbacks=st.sampled_from(CALLBACKS), weights=st.sampled_from(
                  ["np.ones({n} + 1)", "np.ones(1)", "np.full({n}, float('nan'))", "-np.ones({n})", "[np.ones({n})] * 4",
                   "{{'zz': np.ones({n})}}", "'w'", "np.ones(({n}, 2))", "np.full({n}, float('inf'))"]),
              clean=st.tuples(st.sampled_from(["None", "1", "2", "3", "32"]), st.sampled_from(["1", "2", "3"]),
                              st.sampled_from(["0.0", "0.2", "0.5"]), st.booleans(),
                              st.sampled_from(["None", "np.ones({n})", "np.zeros({n})", "masks"])),
              verbose=st.sampled_from(["0", "0", "0", "2", "'x'", "-1"]))
        def fit(self, m, n, defect, wx, wy, dtype, fill, layout, seed, form, batch, epochs, split, validation,
                callbacks, weights, clean, verbose):
            """``fit`` with at most one defect (so that each one meets the check meant for it): inputs, targets,
            batch size, epochs, validation split or data, sample weights, or data values (NaN/inf/dtypes)."""
            model, meta = self.model(m)
            clean_batch, clean_epochs, clean_split, with_validation, clean_weights = clean
            values = defect in (11, 12)  # NaN/inf/huge values, other dtypes and layouts: must train or raise
            x = self.x_expr(meta, n, wx if defect == 4 else 0, dtype if values else "float32",
                            fill if values else "normal", layout if values else "c", seed)
            y = self.y_expr(meta, n, wy if defect == 5 else 0, fill if values else "normal", seed,
                            dtype if defect == 12 else "int64", form if defect in (5, 13) else 0)
            if defect == 9:
                val = {"short": f"({x},)", "junk": "'v'", "bad_targets": f"({x}, {self.y_expr(meta, n, 3, 'normal', 1, 'int64', 0)})",
                       "bad_length": f"({self.x_expr(meta, 3, 0, 'float32', 'normal', 'c', 1)}, "
                                     f"{self.y_expr(meta, 2, 0, 'normal', 1, 'int64', 0)})"}[validation]
            else:
                val = f"({x}, {y})" if with_validation and seed % 3 == 0 else "None"
            sample = (weights if defect == 10 else clean_weights).format(n=n)
            option = f"masks={sample.replace('masks', 'None')}" if "masks" in sample or seed % 5 == 0 else \
                f"sample_weight={sample}"
            k = self.new_key()
            if self.exec_line(f"v[{k}] = {model}.fit({x}, {y}, batch_size={batch if defect == 6 else clean_batch}, "
                              f"epochs={epochs if defect == 7 else clean_epochs}, "
                              f"validation_split={split if defect == 8 else clean_split}, validation_data={val}, "
                              f"callbacks={callbacks.format(m=model, x=x) if defect in (13, 14) else 'None'}, "
                              f"{option}, shuffle={seed % 2 == 0}, verbose={verbose if defect == 13 else 0})"):
                self.exec_line(f"v[{k}] = (v[{k}].history, v[{k}].epoch)", count=False)
            self.drop(k)

        @rule(m=st.integers(0, 10**6), n=st.sampled_from([0, 1, 3, 8]), wx=st.integers(0, 10), wy=st.integers(0, 12),
              fill=st.sampled_from(FILLS), seed=st.integers(0, 99), form=st.integers(0, 4),
              batch=st.sampled_from(BATCH_SIZES), what=st.sampled_from(["evaluate", "evaluate_dict", "predict", "call",
                                                                         "call_training"]))
        def infer(self, m, n, wx, wy, fill, seed, form, batch, what):
            model, meta = self.model(m)
            x = self.x_expr(meta, n, wx if wx < 7 else 0, "float32", fill, "c", seed)
            y = self.y_expr(meta, n, wy if wy < 9 else 0, fill, seed, "int64", form)
            self.call({"evaluate": f"{model}.evaluate({x}, {y}, batch_size={batch}, verbose=0)",
                       "evaluate_dict": f"{model}.evaluate({x}, {y}, batch_size={batch}, return_dict=True)",
                       "predict": f"{model}.predict({x}, batch_size={batch})",
                       "call": f"{model}({x})", "call_training": f"{model}({x}, training=True)"}[what])

        @rule(m=st.integers(0, 10**6), m2=st.integers(0, 10**6), what=st.sampled_from(
            ["{m}.get_weights()", "{m}.set_weights({m}.get_weights())", "{m}.set_weights({m2}.get_weights())",
             "{m}.set_weights([])", "{m}.set_weights([np.full(w.shape, {x}) for w in {m}.get_weights()])",
             "{m}.set_weights([w.T for w in {m}.get_weights()])", "{m}.save(tmp + '/m.safetensors')",
             "keras.load_model(tmp + '/m.safetensors')", "{m}.save_weights(tmp + '/w.safetensors')",
             "{m}.load_weights(tmp + '/w.safetensors')", "{m}.load_weights(tmp + '/m.safetensors')",
             "{m}.load_weights(tmp + '/missing.safetensors')", "{m}.summary(print_fn=lambda line: None)",
             "{m}.count_params()", "{m}.get_config()", "{m}.get_layer('bogus')", "{m}.layers[-1].get_weights()",
             "{m}.optimizer.learning_rate", "setattr({m}.optimizer, 'learning_rate', {x})", "repr({m})",
             "{m}.build((None, 3))", "{m}.compile(loss='mse', weighting={me})", "{m}.weights[0].zero_()",
             "setattr({m}.layers[-1], 'trainable', False)", "setattr({m}, 'trainable', {x} > 0)",
             "keras.models.clone_model({m}).predict(np.ones((2, 3), np.float32))",
             "keras.Model({m}.inputs, {m}.layers[1].output).predict(np.ones((2, 3), np.float32))",
             "keras.Model({m}.inputs, {m}({m}.inputs))",
             "ph.save({{'k': {m}.weights[0]}}, tmp + '/w.safetensors')"]), x=floats,
              me=st.sampled_from(methods))
        def misc(self, m, m2, what, x, me):
            model, _ = self.model(m)
            other, _ = self.model(m2)
            self.call(what.format(m=model, m2=other, x=x, me=me))

    return KerasMachine
