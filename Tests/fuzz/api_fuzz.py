"""Fuzz target ``api`` (run by fuzz_driver.py): random call sequences over Polyhead's PyTorch-style API.

A hypothesis state machine keeps pools of live tensors, modules, optimizers and multi-task methods and
applies random rules to them: tensor creation from any shape, dtype, layout and values, ~90 unary and ~35
binary op templates, backward on random graphs, every loss with random targets and masks, ``nn`` layers and
``polyhead.mtl`` architectures with (often wrong) sizes, optimizers, and multi-task methods on wrong and
extreme inputs; api_fuzz_extra.py adds the rules for randperm/Generator, utils.data, integer dtypes,
detect_anomaly, MTAN and the sklearn estimators, api_fuzz_tensor_ops.py those for the torch audit's tensor
operations (comparisons, clamp, permute/gather/topk, indexing, bmm/einsum, std/norm, item assignment). See
README.md for the figures.

    python fuzz_driver.py run --target api --calls 100000 --out /tmp/fuzz-out
"""

from __future__ import annotations

from typing import Any

import api_fuzz_extra
import api_fuzz_tensor_ops

POOLS = ["tensor", "module", "optim", "method"]
PRELUDE = ("import copy, pickle\nimport numpy as np\nimport polyhead as ph\nfrom polyhead import mtl, nn, optim\n"
           "import polyhead.nn.functional as F\nfrom fuzz_data import make_data\n" + api_fuzz_extra.PRELUDE)


def build_machine(base):
    """The ``ApiMachine`` class over ``base`` (fuzz_driver.logged_machine)."""
    from hypothesis import strategies as st
    from hypothesis.stateful import initialize, rule

    from polyhead import _core, mtl, nn, optim

    from fuzz_data import DTYPES, FILLS, FORMS, LAYOUTS, SPECIAL_FLOATS


    # -------------------------------------------------------------------- argument vocabularies
    small = st.integers(0, 5)
    dims = st.one_of(small, small, small, st.sampled_from(
        ["-1", "-7", "2**40", "2**62", "2**63 - 1", "2**63", "2**64", "1.5", "None", "'3'", "True", "(2,)"]))
    shape_st = st.lists(small, min_size=0, max_size=4).map(tuple)
    junk = st.sampled_from(["None", "1.5", "'x'", "[1.0, 2.0]", "[[1.0], [2.0, 3.0]]", "object()", "{}", "True",
                            "2**70", "float('nan')", "np.ones(3)", "np.zeros((2, 2), dtype=np.int64)", "b'ab'",
                            "np.float64(2.0)", "(1, 2)", "[]", "complex(1, 2)", "ph.Size([2])", "print"])
    dim_st = st.one_of(st.integers(-5, 4), st.sampled_from(["None", "2**40", "-2**63", "1.5", "'0'", "(0, 1)",
                                                              "(0, 0)", "(-1,)", "[]", "True"]))
    floats = st.sampled_from(SPECIAL_FLOATS)
    reductions = st.sampled_from(["'mean'", "'sum'", "'none'", "'avg'", "None", "0", "'MEAN'"])
    method_names = [name for name in mtl.weighting.__all__ + mtl.gradient.__all__]
    method_options = {
        "DWA": ["temperature"], "FAMO": ["lr", "weight_decay", "adam"], "GradNorm": ["alpha"],
        "InverseLossWeighting": ["normalize"], "LinearWeighting": ["weights"], "STCH": ["mu", "warmup_epochs"],
        "UncertaintyWeighting": ["regression", "initial_log_variance"], "AlignedMTL": ["scale_mode"],
        "CAGrad": ["c", "rescale"], "DBMTL": ["beta", "beta_sigma"], "DualProj": ["pref_vector", "norm_eps",
                                                                                     "reg_eps"],
        "ExcessMTL": ["robust_step_size"], "FairGrad": ["alpha"], "GradDrop": ["leak"], "GradVac": ["beta"],
        "MGDA": ["normalization"], "MoCo": ["beta", "beta_sigma", "gamma", "gamma_sigma", "rho"],
        "NashMTL": ["max_norm", "update_weights_every", "optim_niter"], "SDMGrad": ["lambda_", "niter"],
        "UPGrad": ["pref_vector", "norm_eps", "reg_eps"],
    }
    option_values = st.sampled_from(SPECIAL_FLOATS + ("[1.0, 2.0]", "[0.0, 0.0]", "'l2'", "'loss'", "'rmse'",
                                                      "'none'", "'min'", "'median'", "'rmse'", "None", "False",
                                                      "[True, False]", "0", "100", "-1"))

    UNARY = ["{a}.exp()", "ph.log({a})", "{a}.sqrt()", "{a}.relu()", "F.relu({a})", "{a}.sigmoid()", "{a}.tanh()",
             "-{a}", "+{a}", "{a}.neg()", "{a}.clone()", "{a}.detach()", "{a}.item()", "{a}.tolist()",
             "{a}.numpy()", "{a}.numpy(force=True)", "float({a})", "int({a})", "bool({a})", "len({a})",
             "list({a})", "repr({a})", "str({a})", "format({a}, '.3f')", "np.asarray({a})", "np.array({a}) + 1",
             "memoryview({a}).tobytes()", "{a}.shape", "{a}.size({d})", "{a}.T", "{a}.t()", "{a}.grad", "{a}.is_leaf",
             "{a}.requires_grad_({b})", "{a}.zero_()", "{a}.fill_({x})", "{a}.contiguous()", "{a}.to('cpu')",
             "{a}.to({j})", "{a}.float()", "copy.deepcopy({a})", "pickle.loads(pickle.dumps({a}))", "{a}.data",
             "{a}.sum({d})", "{a}.sum(dim={d}, keepdim={b})", "{a}.mean({d})", "{a}.mean(axis={d}, keepdims={b})",
             "{a}.max()", "{a}.max({d})", "{a}.max(dim={d}, keepdim={b})", "{a}.argmax({d})", "{a}.argmax()",
             "ph.softmax({a}, {d})", "F.softmax({a}, dim={d})", "F.softmax({a})", "{a}.log_softmax({d})",
             "F.log_softmax({a}, {d})", "{a}.unsqueeze({d})", "{a}.squeeze({d})", "{a}.squeeze()",
             "{a}.flatten({d}, {d2})", "{a}.flatten()", "{a}.transpose({d}, {d2})", "{a}.unbind({d})",
             "{a}.split({n}, {d})", "{a}.split([{n}, {n2}], {d})", "{a}.chunk({n}, {d})", "{a}.pow({x})",
             "{a} ** {x}", "ph.pow({a}, {j})", "{a}.reshape({s})", "{a}.view({s})", "{a}.reshape(-1)",
             "ph.numel({a})", "{a}.numel()", "{a}.dim()", "iter({a}).__next__()", "ph.zeros_like({a})",
             "ph.randn_like({a}, requires_grad={b})", "ph.full_like({a}, {x})", "ph.is_tensor({a})",
             "nn.Parameter({a})", "nn.Parameter({a}, requires_grad={b})", "ph.tensor({a})", "ph.as_tensor({a})",
             "{a} @ {a}", "{a} * {a}", "ph.stack([{a}, {a}], {d})", "ph.cat([{a}] * 3, {d})",
             "{a}[{k}]", "{a}[{k}, {k2}]", "{a}[{k}].sum()"]
    BINARY = ["{a} + {b}", "{a} - {b}", "{a} * {b}", "{a} / {b}", "{a} @ {b}", "{b} + {a}", "{b} - {a}",
              "{b} * {a}", "{b} / {a}", "{b} @ {a}", "ph.add({a}, {b})", "ph.sub({a}, {b})", "ph.mul({a}, {b})",
              "ph.div({a}, {b})", "ph.matmul({a}, {b})", "{a}.add_({b})", "{a}.sub_({b}, alpha={x})",
              "{a}.mul_({b})", "{a}.div_({b})", "{a}.copy_({b})", "ph.cat([{a}, {b}], {d})",
              "ph.stack([{a}, {b}], {d})", "ph.cat([{a}, {b}, {a}])", "F.linear({a}, {b})", "F.linear({a}, {b}, {a})",
              "{a} == {b}", "{a} < {b}", "{a}.backward({b})", "{a}.backward({b}, retain_graph=True)",
              "ph.max({a}, {b})", "{a}.sum({b})", "{a}[{b}]", "{a}.reshape({b})", "ph.tensor([{a}, {b}])"]
    LOSSES = ["F.mse_loss({a}, {b}, reduction={r}, mask={m})", "F.l1_loss({a}, {b}, reduction={r}, mask={m})",
              "F.binary_cross_entropy({a}, {b}, reduction={r}, mask={m})",
              "F.binary_cross_entropy_with_logits({a}, {b}, reduction={r}, mask={m})",
              "F.binary_cross_entropy_with_logits({a}, {a}.sigmoid(), mask={m})",
              "F.binary_cross_entropy({a}.sigmoid(), {b})", "F.mse_loss({a}, {a})",
              "F.cross_entropy({a}, {y}, reduction={r}, mask={m})", "F.cross_entropy({a}, {y}, ignore_index={i})",
              "F.nll_loss({a}, {y}, reduction={r}, mask={m})", "F.nll_loss({a}.log_softmax(-1), {y})",
              "nn.CrossEntropyLoss()({a}, {y})", "nn.MSELoss(reduction={r})({a}, {b})", "nn.BCELoss()({a}, {b})",
              "nn.BCEWithLogitsLoss()({a}, {b})", "nn.L1Loss()({a}, {b})", "nn.NLLLoss()({a}, {y})",
              "F.cross_entropy({a}, {b})"]

    class ApiMachine(api_fuzz_tensor_ops.tensor_op_rules(api_fuzz_extra.extra_rules(base, floats, junk), floats, junk)):
        """Pools of live objects (tensors, modules, optimizers, methods) and rules that call the API on them."""

        pool_sizes = {"tensor": 24}

        def classify(self, k: int, value: Any, depth: int = 0) -> None:
            if isinstance(value, _core.Tensor):
                self.add("tensor", k)
            elif isinstance(value, mtl.MultiTaskMethod):
                self.add("method", k)
            elif isinstance(value, optim.Optimizer):
                self.add("optim", k)
            elif isinstance(value, nn.Module):
                self.add("module", k)
            elif isinstance(value, (tuple, list, dict)) and depth == 0:
                items = list(value.values()) if isinstance(value, dict) else list(value)
                for index, item in enumerate(items[:4]):
                    if isinstance(item, (_core.Tensor, nn.Module)):
                        j = self.new_key()
                        access = f"list(v[{k}].values())[{index}]" if isinstance(value, dict) else f"v[{k}][{index}]"
                        if self.exec_line(f"v[{j}] = {access}", count=False):
                            self.classify(j, item, depth + 1)
                self.drop(k)
            else:
                self.drop(k)

        # ---------------------------------------------------------------- rules: creation
        @initialize(shape=shape_st, seed=st.integers(0, 99), fill=st.sampled_from(FILLS))
        def seed_pool(self, shape, seed, fill):
            self.call(f"ph.tensor({self.data_expr(shape, 'float32', fill, 'c', seed, 'array')}, requires_grad=True)")
            self.call("ph.randn(4, 3, requires_grad=True)")

        @rule(shape=shape_st, dtype=st.sampled_from(DTYPES), fill=st.sampled_from(FILLS),
              layout=st.sampled_from(LAYOUTS), seed=st.integers(0, 99), form=st.sampled_from(FORMS),
              ctor=st.sampled_from(["ph.tensor({})", "ph.tensor({}, requires_grad=True)", "ph.from_numpy({})",
                                    "ph.as_tensor({})", "ph.Tensor({})", "nn.Parameter(ph.tensor({}))",
                                    "ph.tensor({}, dtype=ph.float32)", "ph.tensor({}, dtype='float64')"]))
        def create(self, shape, dtype, fill, layout, seed, form, ctor):
            self.call(ctor.format(self.data_expr(shape, dtype, fill, layout, seed, form)))

        @rule(fn=st.sampled_from(["zeros", "ones", "empty", "randn", "rand"]),
              size=st.lists(dims, min_size=0, max_size=4), spread=st.booleans(), rg=st.booleans())
        def shaped(self, fn, size, spread, rg):
            listed = ", ".join(map(str, size))
            args = (listed + ", " if listed else "") if spread else f"({listed + ',' if listed else ''}), "
            self.call(f"ph.{fn}({args}requires_grad={rg})")

        @rule(size=st.lists(dims, min_size=0, max_size=3), value=floats)
        def full(self, size, value):
            self.call(f"ph.full(({''.join(f'{d}, ' for d in size)}), {value})")

        @rule(start=st.sampled_from(["0", "1", "-5", "0.5", "float('nan')", "1e12"]),
              end=st.sampled_from(["0", "1", "5", "-5", "1e12", "1e30", "float('inf')", "float('nan')", "None"]),
              step=st.sampled_from(["1", "0.5", "-1", "0", "3", "float('nan')", "float('inf')", "1e-30", "'a'"]))
        def arange(self, start, end, step):
            self.call(f"ph.arange({start}, {end}, {step})")

        @rule(value=st.sampled_from(["0", "1", "-1", "2**63", "2**64", "-2**63", "1.5", "'a'", "None", "2**64 - 1"]))
        def seeding(self, value):
            self.call(f"ph.manual_seed({value})")

        @rule(value=st.sampled_from(["1", "2", "0", "-1", "1.5", "None", "2**40", "'2'"]))
        def threads(self, value):
            self.call(f"ph.set_num_threads({value})")

        @rule(flag=st.sampled_from(["False", "True", "0", "None", "'x'"]))
        def grad_mode(self, flag):
            self.call(f"ph.set_grad_enabled({flag})")

        # ---------------------------------------------------------------- rules: ops
        def fill(self, template: str, i: int, j: int, d: Any, d2: Any, x: str, n: Any, jk: str, k: int) -> str:
            keys = ["0", "-1", "1", "2**40", "-2**63", "slice(None)", "slice(1, None)", "slice(None, None, -1)",
                    "slice(0, 0)", "slice(None, None, 0)", "None", "...", "[0, 0, 1]", "[]", "np.array([True, False])",
                    "np.array([[0], [1]])", "1.5", "'a'", "(0, 0, 0)", "[-10]", "ph.tensor([0.0, 1.0])", "True",
                    "np.int64(1)", "[2**62]", "np.array([0.5])"]
            shapes = ["(-1,)", "(2, -1)", "(-1, -1)", "(0,)", "()", "(2**62, 2**62)", "(2**63,)", "(3, 2)",
                      "[1, 1, 1, -1]", "(-2,)", "('a',)", "None", "(1.5,)"]
            return template.format(
                a=self.ref("tensor", i, jk), b=self.ref("tensor", j, jk), d=d, d2=d2, x=x, n=n, n2=n, j=jk,
                k=keys[k % len(keys)], k2=keys[(k // 7) % len(keys)], s=shapes[k % len(shapes)])

        @rule(template=st.sampled_from(UNARY), i=st.integers(0, 10**6), d=dim_st, d2=dim_st, x=floats,
              n=st.sampled_from(["1", "2", "3", "0", "-1", "1.5", "2**40"]), jk=junk, k=st.integers(0, 10**4))
        def unary(self, template, i, d, d2, x, n, jk, k):
            self.call(self.fill(template, i, i, d, d2, x, n, jk, k))

        @rule(template=st.sampled_from(BINARY), i=st.integers(0, 10**6), j=st.integers(0, 10**6), d=dim_st,
              x=floats, jk=st.one_of(junk, floats), k=st.integers(0, 10**4))
        def binary(self, template, i, j, d, x, jk, k):
            self.call(self.fill(template, i, j, d, d, x, "2", jk, k))

        @rule(i=st.integers(0, 10**6), j=st.integers(0, 10**6),
              shape=shape_st, dtype=st.sampled_from(DTYPES), fill=st.sampled_from(FILLS), seed=st.integers(0, 9),
              template=st.sampled_from(["{a} + {o}", "{o} * {a}", "{a} @ {o}", "{o} @ {a}", "{a}.copy_({o})",
                                        "F.mse_loss({a}, {o})", "{a} / {o}", "{o} - {a}", "ph.cat([{a}, {o}])"]))
        def with_array(self, i, j, shape, dtype, fill, seed, template):
            """Ops mixing a tensor and a numpy array / list / scalar of any dtype."""
            other = self.data_expr(shape, dtype, fill, "c", seed, ["array", "list", "npscalar"][j % 3])
            self.call(template.format(a=self.ref("tensor", i), o=other))

        @rule(i=st.integers(0, 10**6), retain=st.booleans(), how=st.sampled_from(
            ["{a}.backward()", "{a}.backward(retain_graph={r})", "{a}.sum().backward(retain_graph={r})",
             "{a}.mean().backward()", "({a} * {a}).sum().backward()", "{a}.backward(ph.ones_like({a}))",
             "{a}.exp().log().sum().backward()", "{a}.max().backward()", "F.softmax({a}, -1).sum().backward()"]))
        def backward(self, i, retain, how):
            self.call(how.format(a=self.ref("tensor", i), r=retain))

        @rule(i=st.integers(0, 10**6), j=st.integers(0, 10**6), what=st.sampled_from(
            ["{a}.grad = {b}", "{a}.grad = None", "del {a}.grad", "{a}.data = {b}", "{a}.requires_grad = {f}",
             "{a}.requires_grad = True", "{a}[0] = {b}", "{a} += {b}", "{a} *= {f}", "{a}.shape = (1,)",
             "with ph.no_grad():\n    v['_'] = {a} * 2\n    {a}.add_(1.0)", "with ph.enable_grad():\n    v['_'] = {a} + {b}",
             "with ph.no_grad():\n    {a}.grad = {b}"]), f=st.sampled_from(["0.0", "float('nan')", "1e39", "None"]))
        def statement(self, i, j, what, f):
            if not self.pools["tensor"]:
                return
            target = f"v[{self.pools['tensor'][i % len(self.pools['tensor'])]}]"
            self.exec_line(what.format(a=target, b=self.ref("tensor", j, "ph.zeros(1)"), f=f))
            self.ns["v"].pop("_", None)

        # ---------------------------------------------------------------- rules: losses
        @rule(template=st.sampled_from(LOSSES), i=st.integers(0, 10**6), j=st.integers(0, 10**6), r=reductions,
              mask=st.sampled_from(["None", "None", "{t}", "[1.0, 0.0]", "[0.0, 0.0, 0.0, 0.0]", "[float('nan')] * 4",
                                    "[-1.0, 1.0, 1.0, 1.0]", "np.ones(4)", "'m'", "ph.ones(4)", "ph.zeros(4)",
                                    "[float('inf'), 1, 1, 1]"]),
              labels=st.one_of(st.lists(st.integers(-101, 12), min_size=0, max_size=5).map(repr),
                               st.sampled_from(["{t}", "[0.5, 1.0]", "np.array([0, 1], dtype=np.uint8)", "None",
                                                "np.array([[0, 1]])", "np.array([2**62, 0])", "[True, False]",
                                                "ph.tensor([0.0, 1.0, 2.0, 3.0])", "np.array([0.0, float('nan')])",
                                                "'ab'", "np.array([0, 1, 2, 3], dtype=np.int32)"])),
              ignore=st.sampled_from(["-100", "0", "1", "-1", "2**70", "None"]))
        def loss(self, template, i, j, r, mask, labels, ignore):
            tensor = self.ref("tensor", j)
            self.call(template.format(a=self.ref("tensor", i), b=tensor, r=r, m=mask.format(t=tensor),
                                      y=labels.format(t=tensor), i=ignore))

        @rule(n=st.integers(0, 5), c=st.integers(1, 5), fill=st.sampled_from(FILLS), seed=st.integers(0, 99),
              loss=st.sampled_from(["cross_entropy", "nll_loss", "bce", "bce_logits", "mse"]),
              masked=st.booleans(), r=st.sampled_from(["'mean'", "'sum'", "'none'"]))
        def extreme_loss(self, n, c, fill, seed, loss, masked, r):
            """Well-formed losses on extreme values (±1e4 logits, NaN, inf, denormals), then backward."""
            x = f"ph.tensor({self.data_expr((n, c), 'float32', fill, 'c', seed, 'array')}, requires_grad=True)"
            labels = f"np.arange({n}) % {c}"
            mask = f", mask={self.data_expr((n,), 'float32', 'labels', 'c', seed, 'array')}" if masked else ""
            exprs = {"cross_entropy": f"F.cross_entropy({x}, {labels}, reduction={r}{mask})",
                     "nll_loss": f"F.nll_loss(F.log_softmax({x}, -1), {labels}, reduction={r}{mask})",
                     "bce": f"F.binary_cross_entropy({x}.sigmoid(), ph.ones({n}, {c}), reduction={r}{mask})",
                     "bce_logits": f"F.binary_cross_entropy_with_logits({x}, ph.zeros({n}, {c}), reduction={r}{mask})",
                     "mse": f"F.mse_loss({x}, ph.zeros({n}, {c}), reduction={r}{mask})"}
            k = self.next
            self.call(exprs[loss])
            if k in self.ns["v"]:
                self.exec_line(f"v[{k}].sum().backward()")

        # ---------------------------------------------------------------- rules: modules
        @rule(fin=st.one_of(small, st.sampled_from(["-1", "2**40", "1.5", "None", "'3'", "2**33"])), fout=small,
              bias=st.sampled_from(["True", "False", "0", "None"]),
              kind=st.sampled_from(["linear", "sequential", "activation", "hard", "mmoe", "cgc", "ple", "dselect",
                                    "esmm", "soft", "stitch", "specific", "relation", "identity", "list", "dict",
                                    "conv", "pool", "avgpool", "dropout", "embedding", "layernorm", "batchnorm1d",
                                    "batchnorm2d", "activations2"]),
              k=st.sampled_from(["1", "2", "3", "0", "-1", "(1, 2)", "2**40", "1.5"]),
              x=st.sampled_from(["0", "1", "0.5", "-1", "2", "(1, 1)", "2**62", "float('nan')"]))
        def module(self, fin, fout, bias, kind, k, x):
            h = 3
            exprs = {
                "conv": f"nn.Conv2d({fin}, {fout}, kernel_size={k}, stride={x}, padding={x}, bias={bias})",
                "pool": f"nn.MaxPool2d({k}, stride={x}, padding={x})",
                "avgpool": f"nn.AvgPool2d({k}, stride={x}, padding={x}, count_include_pad={bias})",
                "dropout": f"nn.Dropout({x})",
                "embedding": f"nn.Embedding({fin}, {fout}, padding_idx={x})",
                "layernorm": f"nn.LayerNorm({fout}, eps={x})",
                "batchnorm1d": f"nn.BatchNorm1d({fin}, momentum={x})",
                "batchnorm2d": f"nn.BatchNorm2d({fin}, eps={x})",
                "activations2": f"nn.Sequential(nn.GELU(), nn.LeakyReLU({x}), nn.ELU({x}), nn.GELU(approximate='tanh'))",
                "linear": f"nn.Linear({fin}, {fout}, bias={bias})",
                "sequential": f"nn.Sequential(nn.Linear({fin}, {h}), nn.ReLU(), nn.Linear({h}, {fout}), nn.Tanh())",
                "activation": "nn.Sequential(nn.Sigmoid(), nn.Softmax(dim=-1), nn.LogSoftmax(dim=1), nn.Flatten())",
                "hard": f"mtl.HardSharing(nn.Linear({fin}, {h}), {{'a': nn.Linear({h}, {fout}), 'b': nn.Linear({h}, 1)}})",
                "mmoe": f"mtl.MMoE({fin}, [nn.Linear({fin}, {h}) for _ in range(2)], {{'a': nn.Linear({h}, 1), "
                        f"'b': nn.Linear({h}, {fout})}})",
                "cgc": f"mtl.CGC({fin}, [nn.Linear({fin}, {h})], {{'a': [nn.Linear({fin}, {h})], 'b': "
                       f"[nn.Linear({fin}, {h})]}}, {{'a': nn.Linear({h}, 1), 'b': nn.Linear({h}, {fout})}})",
                "ple": f"mtl.PLE({fin}, {h}, {{'a': nn.Linear({h}, 1), 'b': nn.Linear({h}, {fout})}}, "
                       f"lambda i: nn.Linear(i, {h}))",
                "dselect": f"mtl.DSelectK({fin}, [nn.Linear({fin}, {h}) for _ in range(3)], {{'a': nn.Linear({h}, 1), "
                           f"'b': nn.Linear({h}, {fout})}}, k=2)",
                "esmm": f"mtl.ESMM(nn.Linear({fin}, {h}), nn.Linear({h}, {fout}), nn.Linear({h}, 1))",
                "soft": f"mtl.SoftSharing({{'a': nn.Linear({fin}, {fout}), 'b': nn.Linear({fin}, {fout})}}, penalty=0.1)",
                "stitch": f"mtl.CrossStitch({{t: [nn.Linear({fin}, {h}), nn.Linear({h}, {fout})] for t in 'ab'}})",
                "specific": f"mtl.TaskSpecific(lambda t: nn.Linear({fin}, {fout}), ['a', 'b'])",
                "relation": f"mtl.TaskRelation(nn.Linear({fin}, {h}), {{'a': nn.Linear({h}, {h}), 'b': nn.Linear({h}, "
                            f"{h})}}, {{'a': nn.Linear({2 * h}, 1), 'b': nn.Linear({2 * h}, {fout})}})",
                "identity": "nn.Identity()",
                "list": f"nn.ModuleList([nn.Linear({fin}, {fout})])",
                "dict": f"nn.ModuleDict({{'x': nn.Linear({fin}, {fout})}})",
            }
            self.call(exprs[kind])

        @rule(m=st.integers(0, 10**6), i=st.integers(0, 10**6), m2=st.integers(0, 10**6), how=st.sampled_from(
            ["{m}({a})", "{m}({a})", "{m}({a}, return_representation=True)", "list({m}.parameters())",
             "{m}.zero_grad()", "{m}.state_dict()", "{m}.load_state_dict({m2}.state_dict())",
             "{m}.load_state_dict({{'weight': {a}}}, strict=False)", "{m}.train(False)", "{m}.eval()",
             "{m}.requires_grad_(False)", "list({m}.named_parameters())", "{m}.shared_parameters()",
             "{m}.task_parameters('a')", "{m}.task_parameters('zz')", "{m}.penalty()", "{m}.gate_weights({a})",
             "repr({m})", "{m}[0]", "{m}[5]", "{m}.to('cpu')", "{m}.apply(lambda mod: None)",
             "sum(y.sum() for y in {m}({a}).values())", "{m}.forward()", "{m}({a}, {a})", "{m}([{a}, {a}])",
             "{m}({a}.reshape(-1, {a}.shape[-1]) if {a}.ndim else {a})", "copy.deepcopy({m})"]))
        def use_module(self, m, i, m2, how):
            self.call(how.format(m=self.ref("module", m, "nn.Linear(2, 2)"), a=self.ref("tensor", i),
                                 m2=self.ref("module", m2, "nn.Linear(3, 3)")))

        # ---------------------------------------------------------------- rules: optimizers
        @rule(kind=st.sampled_from(["SGD", "Adam", "AdamW"]), m=st.integers(0, 10**6), i=st.integers(0, 10**6),
              params=st.sampled_from(["{m}.parameters()", "{m}.parameters()", "[{a}]", "[{a}, {a}]", "[]", "{a}",
                                      "None", "[{{'params': {m}.parameters(), 'lr': 0.1}}]", "[{{'params': [{a}]}}]",
                                      "{{{a}}}", "[1.0]", "{m}.named_parameters()"]),
              lr=floats, extra=st.sampled_from(["", ", momentum={x}", ", momentum=0.9, nesterov=True",
                                                 ", weight_decay={x}", ", betas=({x}, 0.999)", ", eps={x}",
                                                 ", betas=(0.9,)", ", amsgrad=True", ", dampening={x}",
                                                 ", foo=1"]), x=floats)
        def optimizer(self, kind, m, i, params, lr, extra, x):
            params = params.format(m=self.ref("module", m, "nn.Linear(2, 2)"), a=self.ref("tensor", i))
            self.call(f"optim.{kind}({params}, lr={lr}{extra.format(x=x)})")

        @rule(o=st.integers(0, 10**6), m=st.integers(0, 10**6), how=st.sampled_from(
            ["{o}.step()", "{o}.step()", "{o}.zero_grad()", "{o}.zero_grad(set_to_none=False)",
             "{o}.param_groups[0].__setitem__('lr', {x})", "{o}.param_groups[0].__setitem__('momentum', {x})",
             "{o}.add_param_group({{'params': {m}.parameters()}})", "{o}.step(lambda: 1.0)", "repr({o})",
             "{o}.param_groups[0]['params'].append(ph.zeros(2))"]), x=floats)
        def use_optimizer(self, o, m, how, x):
            self.call(how.format(o=self.ref("optim", o, "optim.SGD([ph.zeros(1, requires_grad=True)])"),
                                 m=self.ref("module", m, "nn.Linear(2, 2)"), x=x))

        @rule(m=st.integers(0, 10**6), o=st.integers(0, 10**6), i=st.integers(0, 10**6), j=st.integers(0, 10**6))
        def train_step(self, m, o, i, j):
            """A plausible step: forward, loss, backward, optimizer step (often with wrong shapes)."""
            model, opt = self.ref("module", m, "nn.Linear(3, 2)"), self.ref("optim", o, "None")
            out = f"{model}({self.ref('tensor', i)})"
            self.call(f"(lambda y: sum(t.sum() for t in y.values()) if isinstance(y, dict) else y.sum())({out})")
            k = self.next - 1
            if k in self.ns["v"]:
                self.exec_line(f"v[{k}].backward()")
                self.exec_line(f"{opt}.step()")

        # ---------------------------------------------------------------- rules: multi-task methods
        @rule(name=st.sampled_from(method_names), tasks=st.sampled_from(["None", "1", "2", "3", "0", "-1", "1.5",
                                                                         "True", "'2'", "2**40"]),
              opts=st.lists(st.tuples(st.integers(0, 10), option_values), max_size=3), rep=st.booleans())
        def method(self, name, tasks, opts, rep):
            names = method_options.get(name, []) + ["bogus"]
            kwargs = {names[i % len(names)]: value for i, value in opts}
            extra = "".join(f", {key}={value}" for key, value in kwargs.items())
            self.call(f"mtl.{name}({tasks}, rep_grad={rep}{extra})")

        @rule(me=st.integers(0, 10**6), losses=st.lists(st.integers(0, 10**6), min_size=0, max_size=4),
              shared=st.sampled_from(["{m}.parameters()", "list({m}.parameters())", "[{a}]", "[]", "None", "{a}",
                                      "iter([])", "{{'x': {a}}}", "[{a}, 'x']", "{m}.shared_parameters()"]),
              rep=st.sampled_from(["None", "None", "{a}", "'r'"]), m=st.integers(0, 10**6), i=st.integers(0, 10**6),
              as_dict=st.booleans())
        def method_backward(self, me, losses, shared, rep, m, i, as_dict):
            refs = [self.ref("tensor", k) for k in losses]
            loss_expr = "{" + ", ".join(f"'t{n}': {r}" for n, r in enumerate(refs)) + "}" if as_dict else \
                "[" + ", ".join(refs) + "]"
            a = self.ref("tensor", i)
            model = self.ref("module", m, "nn.Linear(2, 2)")
            self.call(f"{self.ref('method', me, 'mtl.PCGrad()')}.backward({loss_expr}, "
                      f"shared_parameters={shared.format(m=model, a=a)}, representation={rep.format(a=a)})")

        @rule(me=st.integers(0, 10**6), how=st.sampled_from(["{me}.end_epoch()", "{me}.parameters()", "repr({me})",
                                                             "{me}.last_step"]))
        def use_method(self, me, how):
            self.call(how.format(me=self.ref("method", me, "mtl.DWA()")))

        @rule(name=st.sampled_from(method_names), tasks=st.integers(1, 4), n=st.integers(0, 4),
              fill=st.sampled_from(FILLS), seed=st.integers(0, 99), rep=st.booleans(), steps=st.integers(1, 3),
              scales=st.lists(st.sampled_from(["1.0", "0.0", "-1.0", "1e30", "1e-30", "float('nan')",
                                                "float('inf')", "3.0"]), min_size=4, max_size=4),
              opts=st.lists(st.tuples(st.integers(0, 10), option_values), max_size=2), reuse=st.booleans())
        def mtl_step(self, name, tasks, n, fill, seed, rep, steps, scales, opts, reuse):
            """A well-formed multi-task step (trunk → T heads → T scalar losses → method.backward → Adam) on
            extreme data and loss scales: zero, NaN, infinite and huge task gradients reach the solvers."""
            k = self.new_key()
            names = method_options.get(name, [])
            chosen = {names[i % len(names)]: value for i, value in opts} if names else {}
            kwargs = "".join(f", {key}={value}" for key, value in chosen.items())
            setup = (f"v[{k}] = {{'trunk': nn.Linear(3, 4), 'heads': [nn.Linear(4, 1) for _ in range({tasks})]}}\n"
                     f"v[{k}]['method'] = mtl.{name}({tasks}, rep_grad={rep}{kwargs})\n"
                     f"v[{k}]['opt'] = optim.Adam(list(v[{k}]['trunk'].parameters()) + "
                     f"[p for h in v[{k}]['heads'] for p in h.parameters()] + v[{k}]['method'].parameters())")
            if not self.exec_line(setup):
                self.drop(k)
                return
            x = self.data_expr((n, 3), "float32", fill, "c", seed, "array")
            losses = ", ".join(f"v[{k}]['heads'][{t}](v[{k}]['h']).sum() * {scales[t]}" for t in range(tasks))
            shared = f"representation=v[{k}]['h']" if rep else f"shared_parameters=v[{k}]['trunk'].parameters()"
            for _ in range(steps):
                self.exec_line(f"v[{k}]['h'] = v[{k}]['trunk'](ph.tensor({x}))\n"
                               f"v[{k}]['opt'].zero_grad()\n"
                               f"v[{k}]['method'].backward([{losses}], {shared})\n"
                               f"v[{k}]['opt'].step()\n"
                               f"v[{k}]['method'].end_epoch()")
            if reuse and k in self.ns["v"]:
                j = self.new_key()
                if self.exec_line(f"v[{j}] = v[{k}]['method']", count=False):
                    self.add("method", j)
            self.drop(k)

    return ApiMachine
