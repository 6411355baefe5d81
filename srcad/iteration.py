"""``for`` loops over sequences, lowered to the index loops srcad differentiates.

``for w, x in zip(ws, xs):`` becomes::

    for i in range(min(len(ws), len(xs))):
        w = ws[i]
        x = xs[i]

and likewise ``enumerate`` (its counter is the loop variable), ``reversed`` (the index runs
backwards), ``itertools.pairwise``, a dict's ``.items()``, ``.values()`` and ``.keys()`` (by its
keys, read once before the loop: ``params_keys = keys_of(params)``), and any nesting of them. A
tuple target unpacks each element (``for W, b in params:``), a nested one level by level
(``for i, (w, x) in enumerate(zip(ws, xs)):``). Sequences are evaluated once, before the loop,
as Python does; one the body rebinds is read through a copy of the name.

Only a list, a tuple or an array yields ``q[i]``. ``for k in d`` over a dict reads the list of
its keys (``d_keys = keys_of(d)``; ``k = d_keys[i]``), and so does a loop over a set or
``sorted(d)``; ``iter(q)`` is ``q``; ``map``, ``filter`` and generators are refused. How a loop
reads ``q`` comes from what ``iterables.py`` knows before the analysis (the parameters' kinds,
local bindings); where it cannot tell, a ``q`` the body indexes with what it yields (``d[k]``)
is read by key through ``loop_keys`` and any other by position after ``require_sequence``:
both runtime checks refuse, at the loop's line, what they cannot read without a wrong value.
"""
import inspect
import itertools
from dataclasses import dataclass, field

import gast

from .build import local_targets
from .frontend import UNRESOLVED, Method
from .iterables import ITEMS, KEYS
from .kinds import UNKNOWN, is_positional
from .walk import clone


@dataclass
class Seq:
    """The elements of a sequence ``q`` (an atom): ``q[i + shift]``, or counted from the end."""
    q: gast.AST
    shift: int = 0
    backwards: bool = False


@dataclass
class Count:
    """``enumerate``'s counter."""
    start: gast.AST = None


@dataclass
class Group:
    """A tuple of elements, one from each part (``zip``, ``enumerate``, ``pairwise``)."""
    parts: list = field(default_factory=list)


@dataclass
class Keyed:
    """A dict read through its keys: ``.keys()``, ``.values()`` or ``.items()``."""
    d: gast.AST
    keys: str
    what: str


@dataclass
class Bound:
    """An element already bound to a name (a nested target unpacked level by level)."""
    id: str


def name(id_, store=False):
    return gast.Name(id=id_, ctx=gast.Store() if store else gast.Load(), annotation=None,
                     type_comment=None)


def call(func, *args):
    return gast.Call(func=func if isinstance(func, gast.AST) else name(func), args=list(args),
                     keywords=[])


def const(value):
    return gast.Constant(value=value, kind=None)


def is_dict_view(it, func):
    """``d.items()``, ``d.values()``, ``d.keys()`` on a local dict (or an expression, or a
    global dict)."""
    return isinstance(it, gast.Call) and isinstance(it.func, gast.Attribute) and \
        it.func.attr in ("items", "values", "keys") and not it.args and not it.keywords and (
            isinstance(func, Method) or func is UNRESOLVED or
            isinstance(getattr(func, "__self__", None), dict))


class IndexLoop:
    """Lower one ``for`` statement that is not over a range (see the module docstring)."""

    def __init__(self, lowering, loop, out):
        self.low, self.loop, self.out = lowering, loop, out
        self.lengths = []       # len(...) expressions: the loop runs over the shortest

    def fail(self, what, hint):
        self.low.fail(self.loop, what, hint)

    # ---- the iterable -----------------------------------------------------------------------
    def parse(self, it):
        scope = self.low.scope
        func = scope.resolve(it.func) if isinstance(it, gast.Call) else None
        if func is not None and it.keywords and func in (zip, enumerate):
            if func is zip or [k.arg for k in it.keywords] != ["start"]:
                self.fail(f"{func.__name__}(...) with keyword arguments", "pass them by position")
            it.args.append(it.keywords.pop().value)
        if func is zip and it.args and not it.keywords:
            return Group([self.parse(a) for a in it.args])
        if func is enumerate and len(it.args) in (1, 2):
            start = it.args[1] if len(it.args) == 2 else None
            if start is not None:
                start = self.low.atom(start, self.out, base="start")
            return Group([Count(start), self.parse(it.args[0])])
        if func is reversed and len(it.args) == 1 and not it.keywords:
            return self.sequence(it.args[0], backwards=True)
        if func is getattr(itertools, "pairwise", None) and len(it.args) == 1:
            q = self.positional(it.args[0])
            self.lengths.append(gast.BinOp(left=call("len", clone(q)), op=gast.Sub(),
                                           right=const(1)))
            return Group([Seq(q), Seq(q, shift=1)])
        if func is iter and len(it.args) == 1 and not it.keywords:
            return self.parse(it.args[0])
        if func is sorted and len(it.args) == 1:    # sorted(d): the keys of d, sorted
            keys = self.keyed(it.args[0])
            if keys is not None:
                it.args[0] = keys
        self.refuse_iterator(func)
        view = self.low.iterables.view(it)     # ks = d.keys(); for k in ks: as d.keys()
        if view is not None:
            it = clone(view)
            func = scope.resolve(it.func)
        if is_dict_view(it, func):
            d = self.low.atom(it.func.value, self.out, base="seq")
            self.lengths.append(call("len", clone(d)))
            base = d.id if isinstance(d, gast.Name) else "dict"
            return Keyed(d, self.low.namer.fresh(base + "_keys"), it.func.attr)
        return self.sequence(it)

    def unstar_zips(self, it, target):
        """``for a, b in zip(*rows)``: the target unpacks each item into two names, so ``rows``
        holds two sequences: ``rows_0, rows_1 = rows`` before the loop, then ``zip(rows_0,
        rows_1)`` (Python checks the count, as it does unpacking each item; an empty ``rows``,
        which Python iterates zero times, fails that check)."""
        if not isinstance(it, gast.Call):
            return
        func = self.low.scope.resolve(it.func)
        unpacked = isinstance(target, (gast.Tuple, gast.List))
        if func is zip and len(it.args) == 1 and isinstance(it.args[0], gast.Starred):
            if not unpacked or any(isinstance(e, gast.Starred) for e in target.elts):
                self.fail("a loop over zip(*rows) that does not unpack its items",
                          "unpack each item into names (for a, b in zip(*rows)), so that the "
                          "number of sequences in rows is known")
            rows = self.low.atom(it.args[0].value, self.out, base="rows")
            base = rows.id if isinstance(rows, gast.Name) else "rows"
            names = [self.low.namer.fresh(f"{base}_{k}") for k in range(len(target.elts))]
            self.low.scope.locals = self.low.scope.locals | set(names)
            unpack = gast.Tuple(elts=[name(n, store=True) for n in names], ctx=gast.Store())
            self.low.assign_to(unpack, rows, self.loop.lineno, self.out)
            it.args = [name(n) for n in names]
        elif func is enumerate and it.args and unpacked and len(target.elts) == 2:
            self.unstar_zips(it.args[0], target.elts[1])
        elif func is zip and unpacked and len(it.args) == len(target.elts):
            for a, t in zip(it.args, target.elts):
                self.unstar_zips(a, t)

    def refuse_iterator(self, func):
        """``map``, ``filter`` and generators yield values no index can reach again."""
        if func in (map, filter):
            self.fail(f"a loop over {func.__name__}(...)",
                      "loop over the sequence and call the function in the body (for x in "
                      "xs: y = f(x))" if func is map else "loop over the sequence and test "
                      "each item in the body (for x in xs: if keep(x): ...)")
        if inspect.isgeneratorfunction(func):
            self.fail(f"a loop over the generator {func.__name__}(...)",
                      f"make {func.__name__} return a list (or a tuple) of its values")

    def sequence(self, it, backwards=False):
        q = self.positional(it)
        self.lengths.append(call("len", clone(q)))
        return Seq(q, backwards=backwards)

    def positional(self, it):
        """An atom whose items, by position, are what ``for x in it`` yields, read before the
        loop: ``it`` itself if it is a list, a tuple or an array, else the list of what it
        yields (a dict's keys). Where the front cannot tell, an ``it`` the body indexes with
        what it yields (``d[k]``) is taken for a dict, and ``loop_keys`` refuses a sequence of
        floats (their derivative would be lost); any other ``it`` is read by position after
        ``require_sequence`` checks it is a sequence: never a dict read as ``d[0]``."""
        keys = self.keyed(it)
        if keys is not None:
            return keys
        positional = is_positional(self.low.iterables.of(it))
        q = self.low.atom(it, self.out, base="seq")
        if not positional:
            check = call(self.helper("require_sequence"), clone(q), self.where())
            self.out.append(self.located(gast.Expr(value=check)))
        return q

    def keyed(self, it):
        """The name of the list of what ``it`` yields, read before the loop, if the loop reads
        ``it`` by what it yields (a dict, a set, or what the body indexes with it); else None."""
        kind = self.low.iterables.of(it)
        if kind not in (KEYS, ITEMS) and not (kind == UNKNOWN and self.indexed_by_target(it)):
            return None
        q = self.low.atom(it, self.out, base="seq")
        value = call(self.helper("keys_of"), clone(q)) if kind == KEYS else \
            call(self.helper("loop_keys"), clone(q), self.where())
        keys = self.low.namer.fresh((q.id if isinstance(q, gast.Name) else "seq") + "_keys")
        self.low.scope.locals = self.low.scope.locals | {keys}
        self.out.append(self.assign(name(keys), value))
        return name(keys)

    def where(self):
        return const(f"{self.low.parsed.filename}:{self.loop.lineno}")

    def indexed_by_target(self, it):
        """Whether the body reads ``it[k]`` with the name ``k`` the loop binds: a loop over a
        dict's keys, as ``for k in weights: ... weights[k]``."""
        target = self.loop.target
        if not isinstance(target, gast.Name):
            return False
        want = gast.dump(it)
        return any(isinstance(n, gast.Subscript) and isinstance(n.slice, gast.Name) and
                   n.slice.id == target.id and gast.dump(n.value) == want
                   for s in self.loop.body for n in gast.walk(s))

    def helper(self, what):
        """How generated code names ``srcad.runtime.what`` (a bare name where the function is
        lowered only for its kinds, with no runtime attached: ``statements.helper_result``)."""
        return self.low.runtime_name(what) if self.low.scope.runtime else name(what)

    def located(self, node):
        for n in gast.walk(node):
            if isinstance(n, (gast.stmt, gast.expr)):
                n.lineno = self.loop.lineno
        return node

    def stop(self):
        if len(self.lengths) == 1:
            return self.lengths[0]
        return call("min", *self.lengths)

    # ---- the elements -----------------------------------------------------------------------
    def bind(self, target, element, index, head):
        """Statements (before lowering) that bind ``target`` to ``element`` at ``index``."""
        if isinstance(target, gast.Name):
            head.append(self.assign(target, self.value(element, index, head)))
            return
        if not isinstance(target, (gast.Tuple, gast.List)):
            self.fail("a loop target that is not a name or a tuple of names",
                      "loop into a name, then assign it")
        if isinstance(element, Keyed) and element.what == "items":
            element = Group([Keyed(element.d, element.keys, "keys"),
                             Keyed(element.d, element.keys, "values")])
        if isinstance(element, Group):
            if len(element.parts) != len(target.elts):
                self.fail(f"unpacking {len(element.parts)} values into {len(target.elts)} "
                          f"names", "match the number of names and values")
            bound_keys = {}     # d_keys -> the name a key of d was just bound to
            for t, part in zip(target.elts, element.parts):
                if isinstance(part, Keyed) and part.what == "values" and part.keys in bound_keys:
                    head.append(self.assign(t, self.item(part, name(bound_keys[part.keys]))))
                    continue
                self.bind(t, part, index, head)
                if isinstance(part, Keyed) and part.what == "keys" and isinstance(t, gast.Name):
                    bound_keys[part.keys] = t.id    # d[name] reads the key just bound
            return
        value = self.value(element, index, head)
        if all(isinstance(e, gast.Name) for e in target.elts):
            head.append(self.assign(clone(target), value))
            return
        parts = []
        for e in target.elts:     # one level at a time: a, (b, c) = item -> a, b_c = item ...
            if isinstance(e, gast.Name):
                parts.append(e)
            else:
                inner = "_".join(n.id for n in gast.walk(e) if isinstance(n, gast.Name))
                parts.append(name(self.low.namer.fresh(inner or "item"), store=True))
        head.append(self.assign(gast.Tuple(elts=parts, ctx=gast.Store()), value))
        for e, p in zip(target.elts, parts):
            if p is not e:
                self.bind(e, Bound(p.id), index, head)

    def value(self, element, index, head):
        """The expression of ``element`` at ``index``."""
        if isinstance(element, Bound):
            return name(element.id)
        if isinstance(element, Count):
            if element.start is None:
                return name(index)
            return gast.BinOp(left=name(index), op=gast.Add(), right=clone(element.start))
        if isinstance(element, Seq):
            at = name(index)
            if element.shift:
                at = gast.BinOp(left=at, op=gast.Add(), right=const(element.shift))
            if element.backwards and not self.reversed_range:
                last = gast.BinOp(left=call("len", clone(element.q)), op=gast.Sub(),
                                  right=const(1))
                at = gast.BinOp(left=last, op=gast.Sub(), right=at)
            return gast.Subscript(value=clone(element.q), slice=at, ctx=gast.Load())
        if isinstance(element, Keyed):
            key = gast.Subscript(value=name(element.keys), slice=name(index), ctx=gast.Load())
            if element.what == "keys":
                return key
            if element.what == "values":
                k = self.low.namer.fresh("key")
                head.append(self.assign(name(k, store=True), key))
                return self.item(element, name(k))
            k = self.low.namer.fresh("key")      # an (key, value) pair bound to one name
            head.append(self.assign(name(k, store=True), key))
            return gast.Tuple(elts=[name(k), self.item(element, name(k))], ctx=gast.Load())
        if isinstance(element, Group):
            return gast.Tuple(elts=[self.value(p, index, head) for p in element.parts],
                              ctx=gast.Load())
        raise AssertionError(element)

    def item(self, keyed, key):
        return gast.Subscript(value=clone(keyed.d), slice=key, ctx=gast.Load())

    def assign(self, target, value):
        target = clone(target)
        for n in gast.walk(target):
            if isinstance(n, gast.Name):
                n.ctx = gast.Store()
        node = gast.Assign(targets=[target], value=value, type_comment=None)
        node.lineno = self.loop.lineno
        return node

    # ---- the loop ---------------------------------------------------------------------------
    def lower(self):
        s, low = self.loop, self.low
        self.unstar_zips(s.iter, s.target)
        source = self.parse(s.iter)
        target = s.target
        counter = isinstance(source, Group) and isinstance(source.parts[0], Count) and \
            source.parts[0].start is None and isinstance(target, gast.Tuple) and \
            target.elts and isinstance(target.elts[0], gast.Name)
        if counter:     # enumerate: the user's counter is the loop variable
            index, target = target.elts[0].id, gast.Tuple(elts=target.elts[1:], ctx=gast.Store())
            source = Group(source.parts[1:])
            if len(source.parts) == 1 and len(target.elts) == 1:
                source, target = source.parts[0], target.elts[0]
        else:
            index = low.namer.fresh("i")
        self.reversed_range = isinstance(source, Seq) and source.backwards and not counter
        self.copy_rebound(source)
        for k in self.walk(source):     # a dict's keys, read once: d_keys = keys_of(d)
            if isinstance(k, Keyed):
                low.scope.locals = low.scope.locals | {k.keys}
                self.out.append(self.assign(name(k.keys), call(self.helper("keys_of"),
                                                               clone(k.d))))
        head = []
        self.bind(target, source, index, head)
        stop = self.stop()
        iterate = call("range", stop)
        if self.reversed_range:
            iterate = gast.Subscript(value=iterate, slice=gast.Slice(
                lower=None, upper=None, step=gast.UnaryOp(op=gast.USub(), operand=const(1))),
                ctx=gast.Load())
        loop = gast.For(target=name(index, store=True), iter=iterate,
                        body=low.block(head + s.body), orelse=[], type_comment=None)
        return loop

    def walk(self, element):
        yield element
        if isinstance(element, Group):
            for p in element.parts:
                yield from self.walk(p)

    def copy_rebound(self, source):
        """Python iterates the objects bound when the loop began: a sequence the body rebinds
        is read through a copy of the name (the stop is computed once, too)."""
        rebound = local_targets(gast.Module(body=self.loop.body, type_ignores=[]))
        copies = {}
        for e in self.walk(source):
            attr = "q" if isinstance(e, Seq) else "d" if isinstance(e, Keyed) else None
            q = getattr(e, attr) if attr else None
            if isinstance(q, gast.Name) and q.id in rebound:
                if q.id not in copies:
                    copies[q.id] = self.low.namer.fresh("seq_" + q.id)
                    self.out.append(self.assign(name(copies[q.id]), q))
                setattr(e, attr, name(copies[q.id]))
        for length in self.lengths:
            for n in gast.walk(length):
                if isinstance(n, gast.Name) and n.id in copies:
                    n.id = copies[n.id]


def lower_for(lowering, loop, out):
    """Append the index loop for ``loop`` (not over a range) to ``out``."""
    lowered = IndexLoop(lowering, loop, out).lower()
    for n in gast.walk(lowered):
        if getattr(n, "lineno", None) is None and isinstance(n, (gast.stmt, gast.expr)):
            n.lineno = loop.lineno
    out.append(lowered)
