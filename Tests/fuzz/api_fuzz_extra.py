"""Rules of the ``api`` fuzz target (api_fuzz.py) for the API added in the integer/data/MTAN session:
``randperm`` and ``Generator``, ``polyhead.utils.data`` (datasets, ``DataLoader``, ``random_split``, samplers),
integer dtypes (``long``/``int32``/``bool`` tensors, conversions, promotion, ``//`` and ``%`` by zero, values
beyond 2**24), ``autograd.detect_anomaly``, ``mtl.MTAN`` with wrong shapes and the ``polyhead.sklearn``
estimators with bad ``X``/``y``. Every argument vocabulary mixes valid values with wrong ones.
"""

from __future__ import annotations

PRELUDE = ("from itertools import islice\nfrom polyhead.utils.data import (DataLoader, RandomSampler, SequentialSampler, SubsetRandomSampler,\n"
           "    TensorDataset, default_collate, default_convert, random_split)\n"
           "from polyhead import sklearn as phs\n")

COUNTS = ["0", "1", "3", "5", "-1", "2**24 + 1", "2**63", "1.5", "'3'", "None", "True", "np.int64(4)", "ph.tensor(3.0)"]
SEEDS = ["0", "42", "-1", "2**64 - 1", "2**64", "-2**63", "-2**63 - 1", "1.5", "'a'", "None"]
DTYPES = ["ph.long", "ph.int32", "ph.bool", "ph.float32", "ph.float64", "'int64'", "np.int64", "None", "'bogus'",
          "ph.int64"]
GENERATORS = ["None", "ph.Generator()", "ph.Generator().manual_seed({s})", "ph.Generator('cuda')", "3",
              "np.random.default_rng(0)"]
INTS = ["[1, 2, 3]", "[2**24 + 1, -2**24 - 1]", "[2**31, -2**31]", "[2**63]", "[-2**63, 2**63 - 1]", "[1.5, -2.7]",
        "[True, False, True]", "np.arange(6).reshape(2, 3)", "[]", "[[1, 2], [3]]", "[float('nan')]",
        "[float('inf')]", "np.array([2**40, 7], dtype=np.int64)", "np.array([1, 0], dtype=np.uint64)", "7", "0"]
INT_OPS = ["{i} // {d}", "{i} % {d}", "{d} // {i}", "{d} % {i}", "{i} + {a}", "{a} * {i}", "{i} / {d}", "{i} - {i}",
           "{i} * 2**24", "{i} + 1", "({i} + {i}).tolist()", "{i}.sum()", "{i}.sum().item()", "{i}.max()",
           "{i}.argmax()", "{i}.float()", "{i}.long()", "{i}.int()", "{i}.bool()", "{i}.to({dt})", "{i}.double()",
           "{i}.requires_grad_()", "{i} == {d}", "{i} < {a}", "{a}[{i}]", "{a}[{i}.bool()]", "-{i}", "abs({i})",
           "{i}.numpy()", "{i}.tolist()", "int({i})", "repr({i})", "{i}.dtype", "{i}.exp()", "{i} @ {i}",
           "{i}.view(-1)", "ph.cat([{i}, {a}])", "ph.stack([{i}, {i}])", "{a}.long()", "{a}.int() // {d}",
           "{a}.bool()", "{a}.long() % {d}", "ph.where({i}.bool(), {a}, {i})"]
INT_MAKERS = ["ph.tensor({v}, dtype={dt})", "ph.tensor({v})", "ph.as_tensor({v}, dtype={dt})",
              "ph.arange({n}, dtype={dt})", "ph.zeros({n}, dtype={dt})", "ph.full(({n},), 2**24 + 1, dtype={dt})",
              "ph.randint(0, {n}, (4,))", "ph.randint({n}, (3,), dtype={dt})", "ph.LongTensor({v})",
              "ph.tensor({v}, dtype={dt}, requires_grad=True)", "ph.arange(2**24 - 2, 2**24 + 2, dtype={dt})"]
DIVISORS = ["0", "2", "-3", "0.0", "ph.tensor(0, dtype=ph.long)", "ph.zeros(3, dtype=ph.int32)",
            "ph.tensor([2, 0, -2], dtype=ph.long)", "ph.tensor(False)", "float('nan')", "2**63", "ph.zeros(1)"]
DATA = ["TensorDataset({a}, {b})", "TensorDataset({a})", "TensorDataset()", "TensorDataset({a}, {j})",
        "TensorDataset({a}, ph.zeros(len({a}) + 1))", "TensorDataset({a}, ph.arange(len({a}), dtype=ph.long))",
        "len(TensorDataset({a}))", "TensorDataset({a})[{n}]", "TensorDataset({a})[-1]",
        "list(DataLoader(TensorDataset({a}, {b}), batch_size={n}, shuffle={f}, drop_last={f2}, generator={g}))",
        "list(DataLoader({a}, batch_size={n}))", "list(DataLoader({a}, batch_size=None))",
        "DataLoader({a}, batch_size=None, drop_last=True)", "DataLoader({a}, num_workers={n})",
        "DataLoader({a}, sampler=SequentialSampler({a}), shuffle=True)", "DataLoader({j})", "DataLoader(5)",
        "list(DataLoader([1, 2, 3], batch_size=2))", "list(DataLoader([(1, 'a'), (2, 'b')], batch_size=2))",
        "list(DataLoader([{{'x': {a}}}, {{'x': {b}}}], batch_size=2))", "list(DataLoader({a}, collate_fn={j}))",
        "list(DataLoader(np.ones((5, 2)), batch_size={n}, shuffle=True))", "len(DataLoader({a}, batch_size={n}))",
        "random_split(TensorDataset({a}), {lengths}, generator={g})", "random_split({a}, {lengths})",
        "[list(s) for s in random_split(range(10), {lengths}, generator={g})]",
        "list(islice(RandomSampler({a}, replacement={f}, num_samples={n}, generator={g}), 50))",
        "list(islice(RandomSampler({j}), 50))", "len(RandomSampler({a}, num_samples={n}))",
        "list(SequentialSampler({a}))", "list(SubsetRandomSampler({idx}, generator={g}))",
        "list(DataLoader({a}, sampler=SubsetRandomSampler({idx}), batch_size=2))",
        "list(DataLoader(TensorDataset({a}), batch_sampler={j}))", "default_collate([{a}, {b}])",
        "default_collate([])", "default_collate([(1, 'a'), (2,)])", "default_collate([{{'k': 1}}, {{'j': 2}}])",
        "default_collate([np.ones(2), np.ones(3)])", "default_convert(np.ones(3, dtype=object))",
        "default_convert({j})", "default_collate([{j}, {j}])"]
LENGTHS = ["[0.5, 0.5]", "[1, 1]", "[2]", "[-1, 3]", "[0.3, 0.3]", "[float('nan'), 1.0]", "[]", "[2**63]", "'ab'",
           "None", "[0.2, 0.8]", "[1.5, 1]", "[0, 0]", "(1, 2, 3, 4)"]
INDICES = ["[0, 1, 2]", "[]", "[-1, 5]", "range(3)", "np.arange(4)", "[1.5]", "'ab'", "None", "[2**63]"]
ANOMALY = ["with ph.autograd.detect_anomaly():\n    v['_'] = {expr}",
           "with ph.autograd.detect_anomaly(check_nan={f}):\n    v['_'] = {expr}",
           "with ph.autograd.set_detect_anomaly({f}):\n    v['_'] = {expr}",
           "v['_'] = ph.autograd.detect_anomaly()(lambda: {expr})()",
           "with ph.autograd.set_detect_anomaly({j}):\n    v['_'] = {expr}",
           "v['_'] = ph.autograd.is_anomaly_enabled()"]
ANOMALY_EXPRS = ["({a} * {b}).sum().backward()", "ph.log({a} * 0).sum().backward()", "{a}.sqrt().sum().backward()",
                 "({a} / 0).sum().backward()", "({a} * float('nan')).sum().backward()", "{a}.exp().exp().sum().backward()",
                 "F.cross_entropy({a}, [0]).backward()", "{a}.backward()", "({a} ** -1).mean().backward(retain_graph=True)"]
STAGES = ["nn.Sequential(nn.Conv2d({c}, 4, 3, padding=1), nn.ReLU())", "nn.Conv2d({c}, 4, 1)",
          "nn.Sequential(nn.MaxPool2d(2), nn.Conv2d(4, 8, 3, padding=1))", "nn.Conv2d(4, 8, 3)", "nn.Identity()",
          "nn.Linear({c}, 4)", "nn.Flatten()", "3", "nn.Sequential(nn.Conv2d(4, 6, 3, stride=3, padding=1))"]
CHANNELS = ["[4]", "[4, 8]", "[0]", "[-1]", "[]", "[2**40]", "[1.5]", "['a']", "[4, 8, 16]", "[8]", "[4, 6]"]
HEADS = ["{{'a': nn.Flatten(), 'b': nn.Flatten()}}", "{{}}", "[('a', nn.Identity())]", "{{'a': 3}}", "None",
         "{{'a': nn.Sequential(nn.Flatten(), nn.Linear(4 * {h} * {h}, 2))}}", "[('a', nn.Flatten()), ('a', nn.Flatten())]"]
ESTIMATORS = ["phs.MultiTaskClassifier({opts})", "phs.MultiTaskRegressor({opts})",
              "phs.MultiTaskEstimator({types}, {opts})"]
ESTIMATOR_OPTIONS = ["epochs=1", "epochs=2, batch_size={n}", "hidden_layer_sizes={hls}, epochs=1",
                     "epochs={n}", "head_sizes={hls}, epochs=1", "weighting={w}, epochs=1", "learning_rate={x}, epochs=1",
                     "activation={act}, epochs=1", "random_state={s}, epochs=1", "alpha={x}, epochs=1",
                     "optimizer={act}, epochs=1"]
LAYER_SIZES = ["(4,)", "()", "(0,)", "(-1,)", "5", "'a'", "(2**40,)", "(1.5,)", "[3, 2]", "None"]
TASK_TYPES = ["None", "'classification'", "['classification', 'regression']", "['regression']", "['bogus', 'x']",
              "3"]
X_VALUES = ["np.ones(({n}, 3))", "np.full(({n}, 3), float('nan'))", "[[1, 2], [3]]", "'x'", "None", "np.ones({n})",
            "np.ones((0, 3))", "np.ones(({n}, 3), dtype=object)", "np.ones(({n}, 3), dtype=complex)",
            "np.ones(({n}, 2, 2))", "np.full(({n}, 3), float('inf'))", "ph.ones({n}, 3)", "np.ones(({n}, 3)).T"]
Y_VALUES = ["np.arange({n}) % 2", "np.zeros(({n}, 2), dtype=np.int64)", "np.zeros({n} + 1)", "np.full({n}, float('nan'))",
            "np.array(['a', 'b'] * {n})[:{n}]", "np.zeros(({n}, 2, 2))", "[np.arange({n}) % 2, np.arange({n}) % 3]",
            "[np.zeros({n}), np.zeros({n} + 1)]", "None", "np.ones(({n}, 0))", "np.random.default_rng(0).normal(size=({n}, 2))",
            "np.array([None] * {n})", "[]"]


def extra_rules(base, floats, junk):
    """A subclass of ``base`` (the API machine's base) with the rules above; ``floats``/``junk`` are the API
    machine's strategies of special floats and junk arguments."""
    from hypothesis import strategies as st
    from hypothesis.stateful import rule

    from polyhead import mtl

    counts, seeds, dtypes = st.sampled_from(COUNTS), st.sampled_from(SEEDS), st.sampled_from(DTYPES)
    flags = st.sampled_from(["True", "False", "0", "None", "'x'"])
    generators = st.sampled_from(GENERATORS)

    class ExtraRules(base):
        """The rules of the session's new API (mixed into ``ApiMachine``)."""

        @rule(what=st.sampled_from(["ph.randperm({n})", "ph.randperm({n}, generator={g})", "ph.randperm({n}, dtype={dt})",
                                    "ph.randperm(n={n}, generator={g}, dtype={dt})", "ph.Generator({j})",
                                    "ph.Generator().manual_seed({s})", "ph.Generator().manual_seed({s}).initial_seed()",
                                    "{a}[ph.randperm(len({a}), generator={g})]", "ph.Generator().seed()",
                                    "(ph.manual_seed({s}), ph.randperm(4))[1]", "pickle.dumps(ph.Generator())",
                                    "copy.deepcopy(ph.Generator().manual_seed({s}))"]),
              n=counts, g=generators, dt=dtypes, s=seeds, j=junk, i=st.integers(0, 10**6))
        def random_permutation(self, what, n, g, dt, s, j, i):
            self.call(what.format(n=n, g=g.format(s=s), dt=dt, s=s, j=j, a=self.ref("tensor", i, "ph.zeros(3)")))

        @rule(maker=st.sampled_from(INT_MAKERS), op=st.sampled_from(INT_OPS), v=st.sampled_from(INTS), dt=dtypes,
              n=counts, d=st.sampled_from(DIVISORS), i=st.integers(0, 10**6))
        def integers(self, maker, op, v, dt, n, d, i):
            """An integer (or bool) tensor made at random, then an op with floats, integers or zero divisors."""
            k = self.new_key()
            made = maker.format(v=v, dt=dt, n=n)
            if self.exec_line(f"v[{k}] = {made}"):
                self.call(op.format(i=f"v[{k}]", d=d, dt=dt, a=self.ref("tensor", i, "ph.ones(3)")))
            self.drop(k)

        @rule(what=st.sampled_from(DATA), i=st.integers(0, 10**6), i2=st.integers(0, 10**6), n=counts, f=flags,
              f2=flags, g=generators, s=seeds, lengths=st.sampled_from(LENGTHS), idx=st.sampled_from(INDICES), j=junk)
        def data(self, what, i, i2, n, f, f2, g, s, lengths, idx, j):
            a, b = self.ref("tensor", i, "ph.zeros(4, 2)"), self.ref("tensor", i2, "ph.zeros(4)")
            self.call(what.format(a=a, b=b, n=n, f=f, f2=f2, g=g.format(s=s), lengths=lengths, idx=idx, j=j))

        @rule(what=st.sampled_from(ANOMALY), expr=st.sampled_from(ANOMALY_EXPRS), i=st.integers(0, 10**6),
              i2=st.integers(0, 10**6), f=flags, j=junk)
        def anomaly(self, what, expr, i, i2, f, j):
            a, b = self.ref("tensor", i, "ph.zeros(2)"), self.ref("tensor", i2, "ph.zeros(2)")
            self.exec_line(what.format(expr=expr.format(a=a, b=b), f=f, j=j))
            self.ns["v"].pop("_", None)

        @rule(stages=st.lists(st.sampled_from(STAGES), min_size=0, max_size=3), channels=st.sampled_from(CHANNELS),
              heads=st.sampled_from(HEADS), c=st.sampled_from([1, 1, 3]), h=st.sampled_from([8, 8, 7, 1, 0]),
              x_c=st.sampled_from([1, 1, 3]), batch=st.sampled_from([2, 2, 0, 1]), train=st.booleans())
        def mtan(self, stages, channels, heads, c, h, x_c, batch, train):
            """``mtl.MTAN`` with stages, channel counts and heads that often disagree, on inputs of other
            channel counts and resolutions; sometimes a backward through every task's output."""
            k = self.new_key()
            backbone = "[" + ", ".join(stage.format(c=c) for stage in stages) + "]"
            if not self.exec_line(f"v[{k}] = mtl.MTAN({backbone}, channels={channels}, heads={heads.format(h=h)})"):
                return
            self.classify(k, self.ns["v"][k])
            out = self.new_key()
            if self.exec_line(f"v[{out}] = v[{k}](ph.randn({batch}, {x_c}, {h}, {h}))") and train:
                self.exec_line(f"sum(y.sum() for y in v[{out}].values()).backward()")
            self.drop(out)

        @rule(est=st.sampled_from(ESTIMATORS), opts=st.sampled_from(ESTIMATOR_OPTIONS), X=st.sampled_from(X_VALUES),
              y=st.sampled_from(Y_VALUES), n=st.sampled_from(["1", "2", "5", "8", "0"]), hls=st.sampled_from(LAYER_SIZES),
              types=st.sampled_from(TASK_TYPES), x=floats, s=seeds,
              w=st.sampled_from([repr(name) for name in mtl.available_methods()[:6]] + ["'bogus'", "3", "None"]),
              act=st.sampled_from(["'relu'", "'tanh'", "'bogus'", "None", "'adam'", "'sgd'"]),
              then=st.sampled_from(["", ".predict({X})", ".score({X}, {y})", ".predict_proba({X})", ".predict(np.ones((2, 7)))",
                                    ".get_params()", ".set_params(epochs=-1).fit({X}, {y})", ".partial_fit({X}, {y})"]))
        def estimator(self, est, opts, X, y, n, hls, types, x, s, w, act, then):
            """A ``polyhead.sklearn`` estimator (one or two epochs) fitted on bad ``X``/``y``, then used."""
            options = opts.format(n=n, hls=hls, w=w, x=x, act=act, s=s)
            X, y = X.format(n=n), y.format(n=n)
            self.call(est.format(opts=options, types=types) + f".fit({X}, {y})" + then.format(X=X, y=y))

    return ExtraRules
