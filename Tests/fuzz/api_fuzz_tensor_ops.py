"""Rules of the ``api`` fuzz target (api_fuzz.py) for the PyTorch tensor operations added for the multi-task
scripts of the torch audit: comparisons and predicates, clamp/maximum/max(dim)/masked_fill, permute/expand/
repeat/gather/topk/cumsum, numpy-style indexing (``...``, ``None``, three axes, item assignment), batched
``matmul``/``bmm``/``einsum``, ``std``/``var``/``norm``, ``eye``/``linspace``/``sin``/``device=``. Operands are
the machine's random tensors (any shape, special values), often of shapes that do not fit; half of the calls
also run a backward pass through the result.
"""

from __future__ import annotations

TENSOR_OPS = ["ph.eq({a}, {b})", "{a}.ne({b})", "{a}.ge({x})", "ph.greater({a}, {b})", "ph.isnan({a})",
              "ph.isinf({a}).any()", "ph.isfinite({a}).all(dim={n})", "{a}.any(dim={n}, keepdim=True)",
              "ph.allclose({a}, {b})", "ph.equal({a}, {b})", "ph.abs({a})", "{a}.sign()",
              "ph.clamp({a}, min={x}, max={x2})", "{a}.clamp(min={b})", "{a}.clip({x})", "ph.maximum({a}, {b})",
              "ph.minimum({a}, {x})", "ph.max({a}, dim={n})", "ph.max({a}, {b})", "{a}.min(dim={n}, keepdim=True)",
              "ph.min({a})", "{a}.masked_fill({a} > 0, {x})", "{a}.masked_fill({b} > 0, {x})",
              "{a}.permute({shape})", "{a}.permute(*{shape})", "{a}.expand({shape})", "{a}.expand_as({b})",
              "{a}.repeat({shape})", "ph.gather({a}, {n}, ph.zeros({shape}, dtype=ph.long))",
              "ph.gather({a}, {n}, ph.tensor({idx}))", "{a}.topk({n})", "{a}.topk({n}, dim={n2}, largest=False)",
              "ph.cumsum({a}, dim={n})", "{a}[..., {n}]", "{a}[None, ..., None]", "{a}[:, :, {n}]",
              "{a}[ph.tensor({idx}), ph.tensor({idx})]", "{a}[{a} > 0]", "ph.matmul({a}, {b})", "ph.bmm({a}, {b})",
              "{a} @ {b}", "ph.einsum({eq}, {a}, {b})", "ph.einsum({eq}, {a})", "ph.einsum({eq}, {a}, {b}, {a})",
              "{a}.std(dim={n})", "{a}.var(unbiased={f})", "ph.std({a}, correction={n})", "ph.norm({a}, p={p})",
              "{a}.norm(dim={n})", "ph.eye({n})", "ph.eye({n}, {n2})", "ph.linspace({x}, 1, {n})", "ph.sin({a})",
              "{a}.cos()", "ph.zeros({n}, device={dev})", "ph.randn(2, device={dev})", "ph.where({a} > 0, {a}, {b})",
              "ph.nonzero({a})", "{a}.nonzero(as_tuple=True)", "ph.sum({a}.long(), dtype=ph.long)"]
IN_PLACE = ["{t}[{n}] = {x}", "{t}[{t} > 0] = {x}", "{t}[..., 0] = {b}", "{t}[ph.tensor({idx})] += {x}",
            "{t}.clamp_({x}, {x2})", "{t}.masked_fill_({t} < 0, {x})", "{t}.clip_(min={b})"]
SHAPES = ["(1, 0)", "(0, 1)", "(2, 1)", "(-1, 2)", "(2, 3, 4)", "()", "(1,)", "(2**31, 2)", "(0,)", "(1.5,)", "('a',)",
          "(1, 0, 2)", "[2, 2]"]
INDEX_LISTS = ["[0, 1]", "[0]", "[-1, 5]", "[]", "[[0, 1], [1, 0]]", "[2**40]", "[0.5]", "[True, False]"]
EQUATIONS = ["'bij,bjk->bik'", "'bi,bi->b'", "'be,bed->bd'", "'ij->ji'", "'ii->i'", "'...ij,jk->...ik'",
             "'ij,jk'", "'i,i->'", "'ab,bc->ac'", "'ij->'", "''", "'ij,jk->ik,'", "3"]
NORMS = ["2", "1", "float('inf')", "'fro'", "0", "-1", "'nuc'", "3.5", "None"]
DEVICES = ["'cpu'", "'cuda'", "'cuda:0'", "ph.device('cpu')", "None", "3", "'mps'"]


def tensor_op_rules(base, floats, junk):
    """A subclass of ``base`` with the tensor-operation rules; ``floats``/``junk`` are the API machine's
    strategies of special floats and junk arguments."""
    from hypothesis import strategies as st
    from hypothesis.stateful import rule

    counts = st.sampled_from(["0", "1", "2", "-1", "3", "-3", "5", "2**40", "1.5", "None", "'a'"])
    flags = st.sampled_from(["True", "False", "None", "'x'"])

    class TensorOpRules(base):
        """The rules of the torch audit's tensor operations (mixed into ``ApiMachine``)."""

        @rule(what=st.sampled_from(TENSOR_OPS), i=st.integers(0, 10**6), i2=st.integers(0, 10**6), n=counts,
              n2=counts, x=floats, x2=floats, f=flags, shape=st.sampled_from(SHAPES), idx=st.sampled_from(INDEX_LISTS),
              eq=st.sampled_from(EQUATIONS), p=st.sampled_from(NORMS), dev=st.sampled_from(DEVICES),
              backward=st.booleans())
        def tensor_op(self, what, i, i2, n, n2, x, x2, f, shape, idx, eq, p, dev, backward):
            """One operation on random tensors; with ``backward``, a backward pass through its sum."""
            a, b = self.ref("tensor", i, "ph.randn(2, 3, requires_grad=True)"), self.ref("tensor", i2, "ph.ones(3)")
            expr = what.format(a=a, b=b, n=n, n2=n2, x=x, x2=x2, f=f, shape=shape, idx=idx, eq=eq, p=p, dev=dev)
            k = self.new_key()
            if self.exec_line(f"v[{k}] = {expr}") and backward:
                self.exec_line(f"_r = v[{k}]\n_r = _r[0] if isinstance(_r, tuple) else _r\n_r.float().sum().backward()")
            self.drop(k)

        @rule(what=st.sampled_from(IN_PLACE), i=st.integers(0, 10**6), i2=st.integers(0, 10**6), n=counts, x=floats,
              x2=floats, idx=st.sampled_from(INDEX_LISTS))
        def in_place(self, what, i, i2, n, x, x2, idx):
            """An in-place update (item assignment, clamp_, masked_fill_) of a copy of a random tensor."""
            k = self.new_key()
            if self.exec_line(f"v[{k}] = {self.ref('tensor', i, 'ph.zeros(3)')}.detach().clone()"):
                b = self.ref("tensor", i2, "ph.ones(3)")
                self.exec_line(what.format(t=f"v[{k}]", n=n, x=x, x2=x2, b=b, idx=idx))
            self.drop(k)

    return TensorOpRules
