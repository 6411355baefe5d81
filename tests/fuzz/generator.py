"""Random valid Python/NumPy programs for the differential fuzzer (``tests/test_fuzz.py``).

``generate(seed)`` returns a ``Program``: module source text holding ``f(x, y, v, m, n)``
(``x``, ``y`` floats, ``v`` shape (3,), ``m`` shape (2, 3), ``n`` an int from 0 to 3) that
returns a scalar, helper functions it calls, and a *traced twin* of every function
(``f_traced``...): the same code, except that every branch test, every loop's trip count and the
argument of every non-smooth primitive passes through a recorder that appends to ``TRACE``.
Two evaluations that leave the same trace took the same path through every branch and kink, so
central differences between them see one smooth piece of the function.

What the programs contain: straight-line arithmetic over the primitives of
``primitives.py`` (scalars and small arrays, broadcasting), ``if``/``elif``/``else``, ``for``
over ranges with data-dependent bounds (``n``, ``len(v)``, ``int(...)`` of a float) and over
arrays, ``enumerate`` and ``zip``, ``while`` with ``break``/``continue``, early returns, helper
calls (returning one value or a tuple), conditional expressions, variables overwritten (also
inside loops and branches), swapped, aliased, updated with ``+=`` (in place on arrays) and by
element (``u[i] = ...``), names srcad itself likes to use (``dx``, ``stack``, ``out``), and
constants written as arithmetic on literals, which srcad folds into one (``(0.3 - 0.8) ** 2``,
``-(0.3 - 0.8)``), drawn from a stream of their own so that every other choice stays as it was.

Why values stay O(1): every variable has a magnitude bound, tracked through the primitives'
``bound`` functions; an assignment whose bound exceeds ``BMAX`` is scaled or squashed, and
updates in loops are small, so finite differences at h = 1e-6 stay accurate.

What the generator avoids, because srcad refuses it by design, and how it tracks it: see
``state.py``.
"""
import random
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .primitives import BROADCAST, BY_OUT, special
from .state import (BMAX, E, Function, Helper, Var, const_text, copy_env, folded_text,
                    in_place_ok, merge)

# in the shares of a value NumPy may not change in place (np.broadcast_to, and a helper's
# result, which may be one): a name bound to it is linked, so never updated in place
READ_ONLY = "<read-only>"
PACKED = re.compile(r"\[[^\]]*\{\d\}")     # a template operand inside a list literal
PARAMS = (("x", "S"), ("y", "S"), ("v", "V"), ("m", "M"))
# local names, among them names srcad's own output uses (adjoints, stacks, temporaries)
NAMES = ["s", "t", "u", "z", "acc", "tmp", "out", "dx", "dv", "dout", "stack", "cos_x",
         "x_2", "jumped", "w", "r", "q", "val", "res", "p", "dt", "g", "e2", "total"]
INTS = ["i", "j", "ii", "i_range"]
COUNTERS = ["k", "count", "k2"]
STEPS = ["step", "delta"]
HEADS = ["gap", "z"]
HEADER = "import math\nimport operator\n\nimport numpy as np\n" + (
    "import scipy.special\nimport scipy.stats\n" if special is not None else "") + (
    "\nINT_TABLE = {0: 0.31, 1: -0.27, 2: 0.19}\nSTR_TABLE = {'a': -0.22, 'bb': 0.35, 'c': 0.13}\n")
# the recorders the traced twins call, copied into every program (see recorders.py)
RECORDERS = (Path(__file__).with_name("recorders.py").read_text().split("# ---- begin\n", 1)[1])


@dataclass
class Program:
    seed: object
    source: str                 # the module: recorders, functions and their traced twins
    plain: str                  # the functions without their twins (for failure messages)
    args: tuple
    second_order: bool          # no construct that srcad differentiates to first order only
    features: frozenset


# helpers that draw from a random generator passed to them (autograd's VAE and mixture-VI
# examples): srcad runs them once and saves their draws; ``rs`` is made in ``f`` from ``n``
DRAWING = """
def draw_s(a, rs):
    return a * (1.0 + 0.2 * rs.randn())


def draw_v(a, rs):
    return a * (1.0 + 0.2 * rs.standard_normal(np.shape(a)))
"""
DRAWING_TRACED = DRAWING.replace("(a, rs)", "_traced(a, rs)")


class Generator:
    def __init__(self, rng, folds=None, extras=None):
        self.rng = rng
        # the folded constants' own stream: adding them changes no other choice of a program
        self.folds = folds or random.Random(0)
        # likewise for the constructs added later (unused tuple targets, loops over dicts,
        # random draws): where the stream says no, a program is what it was before them
        self.extras = extras or random.Random(0)
        self.draws = False      # ``f`` makes ``rs`` and may call the drawing helpers
        self.helpers = []
        self.features = set()
        self.second_order = True
        self.fn = None

    # ---- output --------------------------------------------------------------------------
    def emit(self, plain, traced=None, in_place=None):
        """A line in both renderings. ``in_place``: (target, plain, traced) of the line to
        write instead if the target ends up linked (decided when the function is rendered)."""
        self.fn.lines.append((self.fn.indent, plain, plain if traced is None else traced,
                              in_place))

    def link(self, names):
        self.fn.linked |= set(names)

    def fresh_name(self, pool):
        for n in self.rng.sample(pool, len(pool)):
            if n not in self.fn.used:
                self.fn.used.add(n)
                return n
        n = f"{self.rng.choice(pool)}{len(self.fn.used)}"
        self.fn.used.add(n)
        return n

    # ---- expressions ----------------------------------------------------------------------
    def leaf(self, kind):
        rng, fn = self.rng, self.fn
        names = [n for n, var in fn.env.items() if var.kind == kind]
        if kind == "S":
            r = rng.random()
            if fn.ints and r < 0.15:
                i = rng.choice(fn.ints)
                text = f"({const_text(round(rng.uniform(0.1, 0.6), 2))} * {i})"
                return E(text, text, "S", 2.0)
            if not names or r < 0.3:
                c = round(rng.uniform(-2.0, 2.0), 2)
                if self.folds.random() < 0.2:   # constants only, which srcad's optimizer folds
                    self.features.add("folded constant")
                    text = folded_text(self.folds, c)
                    return E(text, text, "S", abs(c))
                return E(const_text(c), const_text(c), "S", abs(c))
        if names:
            n = rng.choice(names)
            return E(n, n, kind, fn.env[n].bound, frozenset([n]))
        # no variable of this kind: convert from kinds that have one (scalars always do)
        have = {var.kind for var in fn.env.values()} | {"S"}
        forms = [(o, f) for o, f in BY_OUT[kind] if set(f[0]) <= have and o.second_order]
        return self.apply_form(rng.choice(forms), 0)

    def expr(self, kind, depth):
        rng = self.rng
        if depth <= 0 or rng.random() < 0.2:
            return self.leaf(kind)
        r = rng.random()
        calls = [h for h in self.helpers if len(h.returns) == 1 and h.returns[0] == kind]
        if calls and r < 0.08:
            return self.call(rng.choice(calls), depth)
        if r < 0.12:
            return self.ifexp(kind, depth)
        return self.apply_form(self.pick_form(kind), depth)

    def pick_form(self, kind):
        """An op uniformly among those giving ``kind``, then one of its forms."""
        options = BY_OUT[kind]
        ops = sorted({o.name for o, _ in options})
        name = self.rng.choice(ops)
        return self.rng.choice([of for of in options if of[0].name == name])

    def apply_form(self, op_form, depth):
        op, (ins, out, plain, traced) = op_form
        args = [self.expr(k, depth - 1) for k in ins]
        self.features.add(op.name)
        if not op.second_order:
            self.second_order = False
        shares = frozenset().union(*[a.shares for a in args])
        if PACKED.search(plain):     # items of a list literal are linked with one another
            self.link(shares)
        if op.fresh:
            shares = frozenset()
        if op.name == "broadcast_to" or "diagonal" in plain or plain.startswith("np.diag("):
            shares = shares | {READ_ONLY}       # NumPy's read-only views
        return E(plain.format(*[a.plain for a in args]), traced.format(*[a.traced for a in args]),
                 out, op.bound([a.bound for a in args]), shares)

    def ifexp(self, kind, depth):
        test = self.test(depth - 1)
        a, b = self.expr(kind, depth - 1), self.expr(kind, depth - 1)
        self.features.add("ifexp")
        if len(a.shares | b.shares) > 1:    # srcad binds both branches to one temporary
            self.link(a.shares | b.shares)
        return E(f"({a.plain} if {test.plain} else {b.plain})",
                 f"({a.traced} if _test({test.traced}) else {b.traced})", kind,
                 max(a.bound, b.bound), a.shares | b.shares)

    def call(self, helper, depth):
        args = [self.int_expr() if k == "I" else self.expr(k, depth - 1) for _, k in helper.params]
        self.features.add("helper call")
        shares = frozenset().union(*[a.shares for a in args])
        if len(shares) > 1:     # srcad links the result's temporary with every argument
            self.link(shares)
        shares = frozenset(n for n in shares if n not in self.fn.ints) | {READ_ONLY}
        return E(f"{helper.name}({', '.join(a.plain for a in args)})",
                 f"{helper.name}_traced({', '.join(a.traced for a in args)})",
                 helper.returns[0] if len(helper.returns) == 1 else "T", BMAX, shares)

    def int_expr(self):
        i = self.rng.choice(self.fn.ints + ["2"])
        return E(i, i, "I", 3.0, frozenset([i]) if i != "2" else frozenset())

    def test(self, depth):
        """A branch test (a bool) in both renderings; traced code wraps it in ``_test``."""
        rng, fn = self.rng, self.fn
        r = rng.random()
        if fn.ints and r < 0.25:
            i = rng.choice(fn.ints)
            text = rng.choice([f"{i} > 1", f"{i} % 2 == 0", f"{i} == 1", f"{i} < 2"])
            return E(text, text, "B", 0)
        a = self.expr("S", max(depth, 0))
        cmp = rng.choice([">", "<", ">=", "<="])
        if r < 0.45:
            b = self.expr("S", 0)
        else:
            c = const_text(round(rng.uniform(-1.0, 1.0), 2))
            b = E(c, c, "S", 1.0)
        t = E(f"{a.plain} {cmp} {b.plain}", f"{a.traced} {cmp} {b.traced}", "B", 0)
        if r > 0.9:
            u = self.test(-1)
            join = rng.choice(["and", "or"])
            self.features.add("bool op")
            t = E(f"{t.plain} {join} {u.plain}", f"{t.traced} {join} {u.traced}", "B", 0)
        elif r > 0.85:
            t = E(f"not {t.plain}", f"not {t.traced}", "B", 0)
        return t

    def squash(self, e):
        """``e`` scaled or squashed so that its bound is at most BMAX."""
        if e.bound <= BMAX:
            return e
        rng = self.rng
        if e.bound < 50 and rng.random() < 0.5:
            c = const_text(max(0.01, round(BMAX / e.bound - 0.005, 2)))
            return E(f"{c} * {e.plain}", f"{c} * {e.traced}", e.kind, BMAX, e.shares)
        f = rng.choice(["np.tanh", "np.sin", "np.arctan"])
        return E(f"{f}({e.plain})", f"{f}({e.traced})", e.kind, 1.6)

    # ---- statements -------------------------------------------------------------------------
    def assign(self, name, e, what="assign"):
        fn = self.fn
        e = self.squash(e)
        if e.shares:
            self.link(e.shares | {name})
        self.emit(f"{name} = {e.plain}", f"{name} = {e.traced}")
        fn.env[name] = Var(e.kind, e.bound)
        self.features.add(what)

    def targets(self, kind=None):
        """Existing variables (of ``kind``)."""
        return [n for n, var in self.fn.env.items() if kind is None or var.kind == kind]

    def stmt_assign(self, depth):
        kind = self.rng.choice(["S", "S", "V", "M", "W", "C"])
        self.assign(self.fresh_name(NAMES), self.expr(kind, self.rng.randint(1, 3)))

    def stmt_overwrite(self, depth):
        names = self.targets()
        if not names:
            return self.stmt_assign(depth)
        name = self.rng.choice(names)
        self.assign(name, self.expr(self.fn.env[name].kind, self.rng.randint(1, 3)), "overwrite")

    def stmt_retype(self, depth):
        """Top level only: rebind a local to a value of another kind."""
        names = [n for n in self.targets() if n not in dict(self.fn.params)]
        if self.fn.loops or self.fn.indent > 1 or not names:
            return self.stmt_overwrite(depth)
        name = self.rng.choice(names)
        kind = self.rng.choice([k for k in ("S", "V", "M", "W") if k != self.fn.env[name].kind])
        self.fn.retyped.add(name)
        self.assign(name, self.expr(kind, 2), "rebind to another kind")

    def stmt_alias(self, depth):
        names = self.targets()
        if not names:
            return self.stmt_assign(depth)
        src = self.rng.choice(list(self.fn.env))
        var = self.fn.env[src]
        self.assign(self.fresh_name(NAMES), E(src, src, var.kind, var.bound, frozenset([src])),
                    "alias")

    def stmt_swap(self, depth):
        fn = self.fn
        kinds = {}
        for n in self.targets():
            kinds.setdefault(fn.env[n].kind, []).append(n)
        pairs = [ns for ns in kinds.values() if len(ns) >= 2]
        if not pairs:
            return self.stmt_overwrite(depth)
        a, b = self.rng.sample(self.rng.choice(pairs), 2)
        self.emit(f"{a}, {b} = {b}, {a}")
        self.link([a, b])      # srcad swaps through a copy
        fn.env[a], fn.env[b] = fn.env[b], fn.env[a]
        self.features.add("swap")

    def stmt_augassign(self, depth):
        rng, fn = self.rng, self.fn
        names = [n for n in self.targets() if fn.env[n].kind == "S" or in_place_ok(fn, n)]
        if not names:
            return self.stmt_assign(depth)
        name = rng.choice(names)
        var = fn.env[name]
        kinds = [a for a, b in BROADCAST[var.kind] if b == var.kind] + [var.kind]
        e = self.expr(rng.choice(kinds), rng.randint(0, 2))
        opname, text, bound = rng.choice([
            ("+=", "0.5 * np.tanh({})", var.bound + 0.5), ("-=", "0.3 * np.sin({})", var.bound + 0.3),
            ("*=", "np.cos({})", var.bound), ("*=", "(1.0 + 0.2 * np.tanh({}))", var.bound * 1.2),
            ("/=", "(2.0 + np.sin({}))", var.bound), ("+=", "{}", var.bound + e.bound)])
        if bound > 2 * BMAX:
            opname, text, bound = "/=", "(2.0 + np.sin({}))", var.bound
        plain, traced = text.format(e.plain), text.format(e.traced)
        # in place on an array (an "S" may be a 0-d one, np.tensordot's): srcad must see no
        # alias of it, and a helper never changes its caller's object
        op = opname[0]
        instead = (name, f"{name} = {name} {op} {plain}", f"{name} = {name} {op} {traced}")
        self.emit(f"{name} {opname} {plain}", f"{name} {opname} {traced}", instead)
        var.bound = bound
        self.features.add("augassign array" if var.kind != "S" else "augassign")

    def stmt_setitem(self, depth):
        rng, fn = self.rng, self.fn
        names = [n for n in self.targets() if fn.env[n].kind != "S" and in_place_ok(fn, n)]
        if not names:
            return self.stmt_augassign(depth)
        name = rng.choice(names)
        var = fn.env[name]
        i = rng.choice(fn.ints) if fn.ints and rng.random() < 0.5 else None
        k3, k2 = (f"{i} % 3", f"{i} % 2") if i else (str(rng.randint(0, 2)), str(rng.randint(0, 1)))
        index = {"V": [(k3, "S"), ("1:", "W"), (":2", "W")],
                 "W": [(k2, "S"), ("::-1", "W")],
                 "M": [(f"{k2}, {k3}", "S"), (k2, "V"), (f":, {k3}", "W"), (":, 1:2", "C")],
                 "C": [(f"{k2}, 0", "S"), (":, 0", "W")]}[var.kind]
        idx, kind = rng.choice(index)
        e = self.squash(self.expr(kind, rng.randint(0, 2)))
        if kind == "S":     # the stored value is a new object, never a name (see the docstring)
            e = E(f"float({e.plain})", f"float({e.traced})", "S", e.bound)
        elif e.shares:
            e = E(f"({e.plain}).copy()", f"({e.traced}).copy()", kind, e.bound)
        opname = rng.choice(["=", "=", "+="])
        self.emit(f"{name}[{idx}] {opname} {e.plain}", f"{name}[{idx}] {opname} {e.traced}",
                  (name, f"{name} = {name} * 1.0", f"{name} = {name} * 1.0"))
        var.bound = var.bound + e.bound if opname == "+=" else max(var.bound, e.bound)
        self.features.add("setitem")

    def stmt_call(self, depth):
        if not self.helpers:
            return self.stmt_assign(depth)
        h = self.rng.choice(self.helpers)
        e = self.call(h, 2)
        if len(h.returns) == 1:
            return self.assign(self.fresh_name(NAMES), e, "helper call")
        names = [self.fresh_name(NAMES) for _ in h.returns]
        unused = set()
        if self.extras.random() < 0.4:      # ``_, y = h(...)``, or a name no one reads
            k = self.extras.randrange(len(names))
            names[k] = "_" if self.extras.random() < 0.5 else f"unused{len(self.fn.used)}"
            unused.add(names[k])
            self.features.add("unused tuple target")
        self.emit(f"{', '.join(names)} = {e.plain}", f"{', '.join(names)} = {e.traced}")
        self.link(e.shares | set(names))
        for n, k in zip(names, h.returns):
            if n not in unused:
                self.fn.env[n] = Var(k, BMAX)
        self.features.add("tuple unpacking")

    def stmt_if(self, depth):
        """``if``, optionally ``elif``s and an ``else``; after it, what every path defined."""
        fn, rng = self.fn, self.rng
        before = fn.env
        n_tests = rng.choice([1, 1, 1, 2, 3])
        has_else = rng.random() < 0.6
        envs = [] if has_else else [before]
        for b in range(n_tests + has_else):
            fn.env = copy_env(before)       # an elif test sees what the if test saw
            if b < n_tests:
                t = self.test(1)
                word = "if" if b == 0 else "elif"
                self.emit(f"{word} {t.plain}:", f"{word} _test({t.traced}):")
            else:
                self.emit("else:")
            self.nested(depth)
            envs.append(fn.env)
        self.features.add("if" + "/elif" * (n_tests > 1) + "/else" * has_else)
        fn.env = merge(envs)

    def nested(self, depth):
        self.fn.indent += 1
        start = len(self.fn.lines)
        self.block(self.rng.randint(1, 3), depth + 1)
        if len(self.fn.lines) == start:
            self.emit("pass")
        self.fn.indent -= 1

    def loop_body(self, depth, header_plain, header_traced, setup=()):
        fn = self.fn
        self.emit(header_plain, header_traced)
        entry = copy_env(fn.env)
        fn.loops.append(entry)
        fn.indent += 1
        for plain, traced in setup:
            self.emit(plain, traced)
        self.block(self.rng.randint(1, 3), depth + 1)
        if self.rng.random() < 0.4:
            self.stmt_jump(depth + 1)
        fn.indent -= 1
        fn.loops.pop()
        after = {}
        for n, v in entry.items():
            end = fn.env.get(n)
            if end is None or end.kind != v.kind:
                continue
            grow = max(0.0, end.bound - v.bound)
            after[n] = Var(v.kind, max(v.bound, end.bound) + 3 * grow)
        fn.env = after

    def stmt_for(self, depth):
        rng, fn = self.rng, self.fn
        i = self.fresh_name(INTS)
        ints = [n for n in fn.ints if n in ("n", "k", "kk")] or ["2"]
        b = rng.choice(ints)
        arrays = [n for n in fn.env if fn.env[n].kind in ("V", "M", "W")]
        r = rng.random()
        if arrays and r < 0.3:
            seq = rng.choice(arrays)
            elem = self.fresh_name(NAMES)
            ekind = "V" if fn.env[seq].kind == "M" else "S"
            if rng.random() < 0.4:
                header = f"for {i}, {elem} in enumerate({seq}):"
                fn.ints.append(i)
                self.features.add("for enumerate")
            elif rng.random() < 0.5 and len(arrays) > 1:
                other = rng.choice([a for a in arrays if a != seq])
                e2 = self.fresh_name(NAMES)
                header = f"for {elem}, {e2} in zip({seq}, {other}):"
                ok2 = "V" if fn.env[other].kind == "M" else "S"
                fn.env[e2] = Var(ok2, fn.env[other].bound)
                self.link([other, e2])
                self.features.add("for zip")
            else:
                header = f"for {elem} in {seq}:"
                self.features.add("for over array")
            fn.env[elem] = Var(ekind, fn.env[seq].bound)
            self.link([seq, elem])      # the element is a subscript of it (a row of m: a view)
            self.loop_body(depth, header, header)
        else:
            ranges = [f"range({b})", f"range(1, {b} + 1)", "range(len(v))", f"reversed(range({b}))",
                      "range(2)"]
            scalars = [n for n in fn.env if fn.env[n].kind == "S"]
            if scalars:
                ranges.append(f"range(int(1.5 + 1.5 * np.tanh({rng.choice(scalars)})))")
            rtext = rng.choice(ranges)
            if "len(v)" in rtext and fn.env.get("v", Var("S", 0)).kind != "V":
                rtext = "range(2)"
            fn.ints.append(i)
            self.features.add("for range" if "int(" not in rtext else "for float bound")
            self.loop_body(depth, f"for {i} in {rtext}:", f"for {i} in _loop({rtext}):")
        if i in fn.ints:
            fn.ints.remove(i)

    def stmt_while(self, depth):
        rng, fn = self.rng, self.fn
        k = self.fresh_name(COUNTERS)
        self.emit(f"{k} = 0")
        ints = [n for n in fn.ints if n in ("n", "k", "kk")]
        limit = rng.choice([f"{ints[0]} + 1" if ints else "3", "3", "4"])
        test = f"{k} < {limit}"
        scalars = [n for n in fn.env if fn.env[n].kind == "S"]
        if scalars and rng.random() < 0.4:
            c = const_text(round(rng.uniform(-0.5, 2.0), 2))
            test = f"{rng.choice(scalars)} < {c} and {test}"
            self.features.add("while data test")
        fn.ints.append(k)
        incr = rng.choice([f"{k} += 1", f"{k} = {k} + 1"])
        setup = [(incr, incr)]
        if scalars and rng.random() < 0.3:     # a Newton-style step, bound in the loop, tested
            step = self.fresh_name(STEPS)
            e = self.expr("S", 2)
            self.assign(step, E("1.0", "1.0", "S", 1.0))
            setup.append((f"{step} = 0.5 * np.tanh({e.plain})",
                          f"{step} = 0.5 * np.tanh({e.traced})"))
            test = f"abs({step}) > 1e-3 and {test}"
            self.features.add("while step test")
        header = (f"while {test}:", f"while _test({test}):")
        if len(setup) == 1 and rng.random() < 0.25:     # while True: <head>; if not c: break
            head, e = self.fresh_name(HEADS), self.expr("S", 2)
            stop = "    " * (fn.indent + 2) + "break"
            setup += [(f"{head} = {e.plain}", f"{head} = {e.traced}"),
                      (f"if not ({test} and abs({head}) < 50.0):\n{stop}",
                       f"if not _test({test} and abs({head}) < 50.0):\n{stop}")]
            header = ("while True:", "while True:")
            fn.env[head] = Var("S", e.bound)     # read after the loop too: the head always runs
            self.features.add("while true with head")
        self.features.add("while")
        self.loop_body(depth, *header, setup)
        fn.ints.remove(k)       # bound in this block only (it may be a branch)

    def stmt_jump(self, depth):
        """``if test: [statement] break/continue`` inside a loop."""
        if not self.fn.loops:
            return
        t = self.test(1)
        word = self.rng.choice(["break", "continue"])
        self.emit(f"if {t.plain}:", f"if _test({t.traced}):")
        self.fn.indent += 1
        saved = self.fn.env
        self.fn.env = copy_env(saved)
        if self.rng.random() < 0.4:
            self.stmt_overwrite(depth + 1)
        self.emit(word)
        self.fn.indent -= 1
        self.fn.env = merge([saved, self.fn.env])
        self.features.add(word)

    def stmt_return(self, depth):
        """``if test: return ...`` (an early return, also from inside loops)."""
        t = self.test(1)
        self.emit(f"if {t.plain}:", f"if _test({t.traced}):")
        self.fn.indent += 1
        self.emit_return()
        self.fn.indent -= 1
        self.features.add("early return" if not self.fn.loops else "return in loop")

    def stmt_dict_loop(self, depth):
        """A loop over a module-level dict's keys (``for k in d``, ``.keys()``, ``.items()``),
        int keys 0..n-1 or strings (``TABLES``), updating a scalar the result depends on."""
        fn, pick = self.fn, self.extras
        scalars = [n for n, var in fn.env.items() if var.kind == "S"]
        if not scalars:
            return self.stmt_assign(depth)
        t = pick.choice(scalars)
        e = self.squash(self.expr("S", 1))
        key = f"key{len(fn.used)}"
        fn.used.add(key)
        ints = pick.random() < 0.5
        d = "INT_TABLE" if ints else "STR_TABLE"
        weight = f" * ({key} + 1)" if ints else ""
        form = pick.choice(["in", "keys", "items"])
        if form == "items":
            value = f"val{len(fn.used)}"
            fn.used.add(value)
            header, read = f"for {key}, {value} in {d}.items():", value
        else:
            header = f"for {key} in {d}{'.keys()' if form == 'keys' else ''}:"
            read = f"{d}[{key}]"
        self.emit(header)
        self.emit(f"    {t} = np.tanh({t} + {read}{weight} * {e.plain})",
                  f"    {t} = np.tanh({t} + {read}{weight} * {e.traced})")
        self.link(e.shares | {t})
        fn.env[t] = Var("S", 1.0)
        self.features.add("for over dict")

    def stmt_draw(self, depth):
        """A call of a helper that draws from ``rs``."""
        kind = self.extras.choice(["S", "V"])
        e = self.expr(kind, 1)
        helper = "draw_s" if kind == "S" else "draw_v"
        self.assign(self.fresh_name(NAMES),
                    E(f"{helper}({e.plain}, rs)", f"{helper}_traced({e.traced}, rs)", kind,
                      1.6 * e.bound, e.shares | {READ_ONLY}), "random draw")

    def statement(self, depth):
        fn, rng = self.fn, self.rng
        r = self.extras.random()
        if r < 0.015:
            return self.stmt_dict_loop(depth)
        if self.draws and fn.name == "f" and r < 0.12:
            return self.stmt_draw(depth)
        menu = [(self.stmt_assign, 5), (self.stmt_overwrite, 4), (self.stmt_augassign, 2),
                (self.stmt_setitem, 0.7), (self.stmt_alias, 0.7), (self.stmt_swap, 0.5),
                (self.stmt_retype, 0.5), (self.stmt_call, 1.5 if self.helpers else 0),
                (self.stmt_return, 0.6)]
        if depth < 2:
            menu += [(self.stmt_if, 2), (self.stmt_for, 2), (self.stmt_while, 1)]
        if len(fn.loops) >= 2 or depth >= 2:
            menu = [(s, w) for s, w in menu if s not in (self.stmt_for, self.stmt_while)]
        if fn.loops:
            menu.append((self.stmt_jump, 1))
        stmts, weights = zip(*menu)
        rng.choices(stmts, weights)[0](depth)

    def block(self, size, depth):
        for _ in range(size):
            self.statement(depth)

    # ---- functions --------------------------------------------------------------------------
    def emit_return(self):
        fn = self.fn
        values = [self.return_value(k) for k in fn.returns]
        self.emit("return " + ", ".join(v.plain for v in values),
                  "return " + ", ".join(v.traced for v in values))

    def return_value(self, kind):
        """A value of ``kind`` built from a few live variables (so most of them matter)."""
        rng, fn = self.rng, self.fn
        names = [n for n, var in fn.env.items() if var.kind == kind]
        terms = rng.sample(names, min(len(names), rng.randint(1, 3))) if names else []
        es = [E(n, n, kind, fn.env[n].bound, frozenset([n])) for n in terms]
        if kind == "S":
            for n, var in rng.sample(list(fn.env.items()), min(2, len(fn.env))):
                if var.kind != "S":
                    ops = [of for of in BY_OUT["S"] if of[1][0] == (var.kind,) and of[0].fresh
                           and of[0].second_order]
                    op, (ins, out, plain, traced) = rng.choice(ops)
                    es.append(E(plain.format(n), traced.format(n), "S", 1.0))
        if not es:
            es = [self.expr(kind, 1)]
        plain = " + ".join(e.plain for e in es)
        traced = " + ".join(e.traced for e in es)
        return E(plain, traced, kind, 1.0, frozenset().union(*[e.shares for e in es]))

    def function(self, name, params, returns, size, linked=(), setup=()):
        self.fn = fn = Function(name, params, [p for p, k in params if k == "I"], linked)
        fn.returns = returns
        for line in setup:
            self.emit(line)
        self.block(size, 0)
        if self.rng.random() < 0.3:     # end in if/else that both return
            t = self.test(1)
            self.emit(f"if {t.plain}:", f"if _test({t.traced}):")
            fn.indent += 1
            self.emit_return()
            fn.indent -= 1
            self.emit("else:")
            fn.indent += 1
        self.emit_return()
        fn.indent = 1
        return fn

    def render(self, fn, traced):
        args = ", ".join(p for p, _ in fn.params)
        name = fn.name + ("_traced" if traced else "")
        out = [f"def {name}({args}):"]
        for indent, plain, trace, in_place in fn.lines:
            if in_place and not in_place_ok(fn, in_place[0]):
                plain, trace = in_place[1:]     # (x[i] = ... keeps its Hessian: stored_at)
            out.append("    " * indent + (trace if traced else plain))
        return "\n".join(out)


def arguments(rng):
    x, y = round(rng.uniform(-1.5, 1.5), 4), round(rng.uniform(-1.5, 1.5), 4)
    v = np.array([rng.gauss(0.0, 1.0) for _ in range(3)])
    m = np.array([[rng.gauss(0.0, 1.0) for _ in range(3)] for _ in range(2)])
    return (x, y, v, m, rng.randint(0, 3))


def generate(seed):
    """The program of ``seed`` (any hashable: the fuzzer uses ``"<run seed>:<index>"``)."""
    rng = random.Random(seed)
    gen = Generator(rng, random.Random(f"folded constants {seed}"),
                    random.Random(f"extras {seed}"))
    gen.draws = gen.extras.random() < 0.2
    fns = []
    for h in range(rng.choice([0, 0, 1, 1, 2])):
        params = [(p, rng.choice(["S", "S", "V", "M", "W", "I"])) for p in
                  ["a", "b", "kk"][:rng.randint(1, 3)]]
        params = [(p, "I" if p == "kk" else k) for p, k in params]
        if all(k == "I" for _, k in params):
            params[0] = ("a", "S")
        returns = [rng.choice(["S", "S", "V", "M", "W"])]
        if rng.random() < 0.25:
            returns.append(rng.choice(["S", "V"]))
        # a helper's parameters are its caller's objects: never changed in place
        fn = gen.function(f"h{h}", params, returns, rng.randint(1, 3), [p for p, _ in params])
        gen.helpers.append(Helper(f"h{h}", params, returns))
        fns.append(fn)
    main = gen.function("f", list(PARAMS) + [("n", "I")], ["S"], rng.randint(3, 6),
                        setup=["rs = np.random.RandomState(n + 3)"] if gen.draws else [])
    fns.append(main)
    parts, plain = [HEADER, RECORDERS], [HEADER]
    if gen.draws:
        parts += [DRAWING, DRAWING_TRACED]
        plain += [DRAWING]
    for fn in fns:
        parts += ["", gen.render(fn, False), "", "", gen.render(fn, True), ""]
        plain += ["", gen.render(fn, False), ""]
    return Program(seed, "\n".join(parts) + "\n", "\n".join(plain), arguments(rng),
                   gen.second_order, frozenset(gen.features))
