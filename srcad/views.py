"""In-place changes through views, made explicit so that srcad follows them as NumPy does.

``v = x[:4]`` (or ``x.T``, ``np.reshape(x, s)``, ``x[1:, None]``, a view of a view...) shares
``x``'s memory, so ``v -= e``, ``v[m] = 0.0`` or ``np.add.at(v, i, g)`` change ``x`` too. The
core language follows a change through the changed name only; this pass, run after
``normalize``, writes the change back up the chain of views to the array that owns the memory,
then takes the views again from it::

    v = np.reshape(x[:4], (2, 2))        x_item = x[:4]
    v -= e                               v = np.reshape(x_item, (2, 2))
                                         x_item_shape = np.shape(x_item)
                                         require_view(v, x_item, 'f.py:3')
                                   ->    v = v - e
                                         x_item_new = np.reshape(v, x_item_shape)
                                         x[:4] = x_item_new
                                         x_item = x[:4]
                                         v = np.reshape(x_item, (2, 2))

It does so where the view is certain on every path (a *link*: the view's statement, with
neither the view, its array nor its index bound again since) and an array up the chain is read
afterwards. Any other name that may share the memory (another view, an alias ``z = x``, a list
holding it) stays *stale* for ``aliasing.check_mutations``, which refuses to read it: never a
wrong number. ``np.reshape`` and ``ravel`` copy an array they cannot view; ``require_view``
then raises a SrcadError rather than write back a change NumPy did not make. A change in place
of a read-only view (``np.broadcast_to``, ``np.diagonal``), which NumPy refuses, is an error.

Also here: ``np.add.at(a, i, g)`` becomes ``a = added_at(a, i, g)`` and ``np.add(a, b, out=y)``
becomes ``y = np.add(a, b)``, changes in place like ``a += g``; and in forward mode an array argument changed in place is copied first
(``x = copied(x)``), so a derived function never changes its caller's arrays (in reverse mode,
the reverse sweep puts back every element it changes).
"""
from dataclasses import dataclass, field

import astor
import gast
import numpy as np

from . import runtime
from .aliasing import is_ufunc_at, sharing
from .build import assign, attr, call, const, located, name
from .errors import UnsupportedSyntax
from .frontend import Method
from .kinds import SCALAR, ndim_of
from .memory import statement_ops
from .statements import assignments, infer_kinds, is_setitem, targets
from .walk import clone, walk

MAYBE_COPY = {np.reshape, np.ravel}         # a view when the memory allows, else a copy
RESHAPING = {np.squeeze, np.expand_dims, np.atleast_1d, np.atleast_2d, np.atleast_3d}
PERMUTING = {np.transpose, np.swapaxes, np.moveaxis, np.flip, np.fliplr, np.flipud}
READ_ONLY = {np.broadcast_to, np.diagonal}
BOOLEAN = {bool, np.all, np.any, np.isclose, np.allclose, np.array_equal, np.isfinite, np.isnan,
           np.isinf, np.signbit, np.logical_and, np.logical_or, np.logical_not, np.logical_xor,
           np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal,
           isinstance}


@dataclass(frozen=True)
class Link:
    """``child = <a view of parent>``, certain at this point of the program."""
    parent: str
    key: str                                       # the view's expression, to compare paths
    stmt: object = field(compare=False)           # its statement, to take the view again
    how: str = field(compare=False)               # index | reshape | maybe | permute | readonly
    inverse: object = field(compare=False)        # (child atom, shape atom) -> parent's contents
    reads: frozenset = field(compare=False)       # names its expression reads
    ndim: object = field(compare=False)           # the child's rank, if known


def lower_in_place(core, parsed, namer, arg_kinds, forward):
    """Make every change in place through a view explicit (see the module docstring). In
    ``forward`` mode, copy the array arguments changed in place: no reverse sweep puts them
    back."""
    scope = parsed.scope
    if scope.generated:
        return core
    runtime_name = {obj: n for n, obj in scope.runtime.items()}
    CallsInPlace(scope, runtime_name).block(core.body)
    if not any(is_setitem(s) or getattr(s, "in_place", False) for s in walk(core)):
        return core
    kinds = infer_kinds(core, arg_kinds, scope)
    lowering = Lowering(parsed, namer, kinds, runtime_name, boolean_names(core, scope))
    core.body, _ = lowering.block(core.body, {}, set())
    if forward:
        copy_changed_arguments(core, kinds, scope, runtime_name)
    scope.locals = scope.locals | lowering.new_names
    return core


class CallsInPlace:
    """Calls that change an array in place, as assignments marked so: ``np.add.at(a, i, g)`` ->
    ``a = added_at(a, i, g)``, ``np.multiply(a, b, out=y)`` -> ``y = np.multiply(a, b)``."""

    def __init__(self, scope, runtime_name):
        self.scope, self.runtime_name = scope, runtime_name

    def block(self, stmts):
        for k, s in enumerate(stmts):
            for field_ in ("body", "orelse"):
                if isinstance(getattr(s, field_, None), list):
                    self.block(getattr(s, field_))
            if not isinstance(s, gast.Expr) or not isinstance(s.value, gast.Call):
                continue
            call_, func = s.value, self.scope.resolve(s.value.func)
            out = [k_ for k_ in call_.keywords if k_.arg == "out"]
            if is_ufunc_at(func) and func.__self__ is np.add and len(call_.args) == 3 and \
                    not call_.keywords and self.is_local(call_.args[0]):
                target = call_.args[0].id
                value = call(self.runtime_name[runtime.added_at], clone(call_.args[0]),
                             *call_.args[1:])
            elif isinstance(func, np.ufunc) and len(out) == 1 and len(call_.keywords) == 1 and \
                    func.nout == 1 and self.is_local(out[0].value):
                target, value = out[0].value.id, gast.Call(func=call_.func, args=call_.args,
                                                           keywords=[])
            else:
                continue
            stmts[k] = located(assign(target, value, s.lineno), s.lineno)
            stmts[k].in_place = True

    def is_local(self, node):
        return isinstance(node, gast.Name) and node.id in self.scope.locals


def boolean_names(core, scope):
    """Names that may hold a boolean (a comparison, ``not``, ``np.all``...): as an index, a
    boolean selects (a copy), where an integer views."""
    found = set()
    for s in walk(core):
        if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name):
            v = s.value
            if isinstance(v, (gast.Compare, gast.BoolOp)) or \
                    isinstance(v, gast.UnaryOp) and isinstance(v.op, gast.Not) or \
                    isinstance(v, gast.Call) and (scope.resolve(v.func) in BOOLEAN or isinstance(
                        scope.resolve(v.func), Method) and v.func.attr in ("all", "any")):
                found.add(s.targets[0].id)
    return found


def copy_changed_arguments(core, kinds, scope, runtime_name):
    """``x = copied(x)`` first for each array argument whose memory some ``v[i] = e`` may
    change (``v`` is ``x``, or may be a view of it or an item of a list holding it)."""
    stmts = list(assignments(core.body))
    shares = sharing(stmts, statement_ops(core, stmts, kinds, scope), kinds)
    changed = set()
    for s in stmts:
        if is_setitem(s):
            changed |= shares.get(targets(s)[0], frozenset()) | {targets(s)[0]}
    params = [a.id for a in core.args.args + core.args.kwonlyargs]
    core.body[:0] = [assign(p, call(runtime_name[runtime.copied], name(p)), core.lineno)
                     for p in params if p in changed and (kinds.get(p) or "").startswith("array")]


class Lowering:
    """Facts: name -> its Link, on every path to the statement at hand."""

    def __init__(self, parsed, namer, kinds, runtime_name, booleans):
        self.parsed, self.scope, self.namer, self.kinds = parsed, parsed.scope, namer, kinds
        self.np = runtime_name[np]
        self.runtime_name, self.booleans = runtime_name, booleans
        self.new_names = set()
        self.globals = {}           # "<global>G.T" -> the expression

    # ---- walking the core language, facts forward ------------------------------------------
    def block(self, stmts, facts, after, loop=None, emit=True):
        """The block with its changes through views lowered, and the facts at its end.
        ``after``: names live once the block is done; ``loop``: live at the exit and at the
        head of the innermost loop (where ``break`` and ``continue`` go)."""
        lives, live = [], set(after)
        for s in reversed(stmts):
            lives.append(live)
            live = live_through(s, live, loop)
        out = []
        for s, later in zip(stmts, reversed(lives)):
            if isinstance(s, gast.If):
                body, left = self.block(s.body, dict(facts), later, loop, emit)
                orelse, right = self.block(s.orelse, dict(facts), later, loop, emit)
                if emit:
                    s.body, s.orelse = body, orelse
                facts = {n: k for n, k in left.items() if right.get(n) == k}
            elif isinstance(s, (gast.For, gast.While)):
                facts = self.loop(s, facts, later, emit)
            elif isinstance(s, gast.Assign):
                chain = self.chain_to_lower(s, facts, later)
                if chain:
                    kept = chain_kept(chain, later)
                    out.extend(self.lower(s, chain, kept) if emit else [s])
                    facts = kill(facts, {c for c, _ in chain} - kept)
                    continue
                facts = self.transfer(s, facts)
            out.append(s)
        return out, facts

    def loop(self, s, facts, later, emit):
        """Facts at the loop's head hold on entry and after every trip (a ``break`` or a
        ``continue`` sits last in a branch, whose facts the join keeps only where the other
        branch agrees, so they reach the end of the body too)."""
        bound = {n.id for n in walk(s.target) if isinstance(n, gast.Name)} \
            if isinstance(s, gast.For) else set()
        head_live = live_through(s, later, None)
        head = kill(facts, bound)
        while True:
            _, end = self.block(s.body, dict(head), head_live, (later, head_live), emit=False)
            new = {n: k for n, k in kill(end, bound).items() if head.get(n) == k}
            if new == head:
                break
            head = new
        if emit:
            s.body, _ = self.block(s.body, dict(head), head_live, (later, head_live))
        return head

    def transfer(self, s, facts):
        if is_setitem(s):
            return facts        # the same object, changed: its views stay its views
        link = self.link(s, facts) if isinstance(s.targets[0], gast.Name) else None
        facts = kill(facts, set(targets(s)))
        if link is not None and s.targets[0].id not in link.reads:
            facts[s.targets[0].id] = link
        return facts

    # ---- which statements view which arrays ------------------------------------------------
    def array_rank(self, n, facts):
        """(whether ``n`` is surely an ndarray, its rank if known)."""
        if n.startswith("<global>"):
            value = self.scope.resolve(self.globals[n])
            return isinstance(value, np.ndarray), getattr(value, "ndim", None)
        kind = self.kinds.get(n) or ""
        if kind.startswith("array"):
            return True, ndim_of(kind)
        if n in facts:          # a view of an array is an array
            return True, facts[n].ndim
        return False, None

    def link(self, s, facts):
        value = s.value
        if isinstance(value, gast.Subscript):
            return self.index_link(s, value, facts)
        parent, how, inverse, ndim = self.view_call(value)
        if parent is None or not self.array_rank(self.base(parent), facts)[0]:
            return None
        if how == "permute":
            ndim = self.array_rank(self.base(parent), facts)[1]
        if isinstance(value, gast.Call) and self.scope.resolve(value.func) is np.diag and \
                self.array_rank(self.base(parent), facts)[1] != 2:
            return None         # np.diag of a vector builds a new matrix
        return Link(self.base(parent), gast.dump(value), s, how, inverse,
                    frozenset(loads(value)), ndim)

    def base(self, node):
        """The name of the array a view is taken of: a local name, or ``<global>G.T`` for an
        array a global expression names (an atom of the core language)."""
        if isinstance(node, gast.Name):
            return node.id
        key = "<global>" + astor.to_source(gast.gast_to_ast(node)).strip()
        self.globals[key] = node
        return key

    def index_link(self, s, value, facts):
        """``p[i, 1:, None, ...]``: a view when every part is basic (an integer, a slice,
        ``None``, ``...``) and the result is not one element."""
        if not isinstance(value.value, (gast.Name, gast.Attribute)):
            return None
        is_array, ndim = self.array_rank(self.base(value.value), facts)
        if not is_array:
            return None
        parts = value.slice.elts if isinstance(value.slice, gast.Tuple) else [value.slice]
        ints = 0
        for p in parts:
            if self.is_int(p):
                ints += 1
            elif not (isinstance(p, gast.Slice) or self.is_none(p) or
                      isinstance(p, gast.Constant) and p.value is Ellipsis):
                return None
        if ints == len(parts) and (ndim is None or ints >= ndim):
            return None         # one element: a scalar, not a view
        if ndim is not None and not any(isinstance(p, gast.Constant) and p.value is Ellipsis
                                        for p in parts):
            ndim = ndim - ints + sum(self.is_none(p) for p in parts)
        else:
            ndim = None
        return Link(self.base(value.value), gast.dump(value), s, "index", None,
                    frozenset(loads(value)), ndim)

    def is_int(self, p):
        if isinstance(p, gast.UnaryOp) and isinstance(p.op, gast.USub):
            p = p.operand
        if isinstance(p, gast.Constant):
            return type(p.value) is int
        return isinstance(p, gast.Name) and self.kinds.get(p.id) == SCALAR and \
            p.id not in self.booleans

    def is_none(self, p):
        if isinstance(p, gast.Constant):
            return p.value is None
        return isinstance(p, gast.Attribute) and self.scope.resolve(p) is None   # np.newaxis

    def view_call(self, value):
        """(parent, how, inverse, child's rank) of a call or ``.T`` that views its operand."""
        none = (None, None, None, None)
        if isinstance(value, gast.Attribute) and value.attr == "T" and \
                isinstance(value.value, (gast.Name, gast.Attribute)):
            return value.value, "permute", lambda c, _: self.np_call("transpose", c), None
        if not isinstance(value, gast.Call):
            return none
        func = self.scope.resolve(value.func)
        args, kw = value.args, {k.arg: k.value for k in value.keywords}
        if isinstance(getattr(func, "__self__", None), np.ndarray):    # G.reshape of a global
            func = Method(func.__name__)
        if isinstance(func, Method):
            if not isinstance(value.func.value, (gast.Name, gast.Attribute)):
                return none
            return self.view_method(func.name, value.func.value, args, kw)
        if not args or not isinstance(args[0], (gast.Name, gast.Attribute)) or \
                not self.known(func):
            return none
        parent, rest = args[0], args[1:]
        if func is np.reshape:
            shape = rest[0] if rest else kw.get("shape", kw.get("newshape"))
            order = rest[1] if len(rest) > 1 else kw.get("order")
            if shape is None or set(kw) - {"shape", "newshape", "order"}:
                return none
            return self.reshaped(parent, "maybe", order, rank(shape))
        if func is np.ravel:
            order = rest[0] if rest else kw.get("order")
            return none if set(kw) - {"order"} else self.reshaped(parent, "maybe", order, 1)
        if func in RESHAPING and (len(args) == 1 or func in (np.squeeze, np.expand_dims)):
            return self.reshaped(parent, "reshape", None, None)
        if func is np.transpose:
            axes = rest[0] if rest else kw.get("axes")
            return self.transposed(parent, axes)
        if func in (np.swapaxes, np.moveaxis) and len(rest) == 2 and not kw:
            a, b = rest if func is np.swapaxes else rest[::-1]
            return parent, "permute", lambda c, _: self.np_call(func.__name__, c, a, b), None
        if func in (np.flip, np.fliplr, np.flipud):
            return parent, "permute", lambda c, _: self.np_call(
                func.__name__, c, *[clone(r) for r in rest],
                **{k: clone(v) for k, v in kw.items()}), None
        if func in READ_ONLY or func is np.diag:
            return parent, "readonly", None, None
        return none

    def known(self, func):
        try:
            return func in MAYBE_COPY or func in RESHAPING or func in PERMUTING or \
                func in READ_ONLY or func is np.diag
        except TypeError:       # an unhashable object
            return False

    def view_method(self, method, parent, args, kw):
        none = (None, None, None, None)
        if method == "reshape" and args and set(kw) <= {"order"}:
            shape = args[0] if len(args) == 1 else gast.Tuple(elts=list(args), ctx=gast.Load())
            return self.reshaped(parent, "maybe", kw.get("order"), rank(shape))
        if method == "ravel" and set(kw) <= {"order"}:
            return self.reshaped(parent, "maybe", args[0] if args else kw.get("order"), 1)
        if method == "squeeze":
            return self.reshaped(parent, "reshape", None, None)
        if method == "transpose" and not kw:
            axes = None if not args else args[0] if len(args) == 1 else \
                gast.Tuple(elts=list(args), ctx=gast.Load())
            return self.transposed(parent, axes)
        if method == "swapaxes" and len(args) == 2 and not kw:
            return parent, "permute", lambda c, _: self.np_call("swapaxes", c, *args), None
        if method == "diagonal":
            return parent, "readonly", None, None
        return none

    def reshaped(self, parent, how, order, ndim):
        if order is not None and not (isinstance(order, gast.Constant) and order.value in ("C", "F")):
            return None, None, None, None      # "A", "K": the order depends on the memory
        def inverse(c, shape):
            return self.np_call("reshape", c, shape, **({"order": clone(order)} if order else {}))
        return parent, how, inverse, ndim

    def transposed(self, parent, axes):
        """The inverse of ``np.transpose(p, axes)`` when ``axes`` is None or constants."""
        if axes is None or isinstance(axes, gast.Constant) and axes.value is None:
            return parent, "permute", lambda c, _: self.np_call("transpose", c), None
        values = [e.value for e in getattr(axes, "elts", ())
                  if isinstance(e, gast.Constant) and type(e.value) is int]
        if sorted(values) != list(range(len(getattr(axes, "elts", ())))) or not values:
            return None, None, None, None       # (negative axes, or axes in a variable)
        back = gast.Tuple(elts=[const(int(i)) for i in np.argsort(values)], ctx=gast.Load())
        return parent, "permute", lambda c, _: self.np_call("transpose", c, back), len(values)

    def np_call(self, fname, *args, **kwargs):
        return call(attr(name(self.np), fname), *[clone(a) for a in args], **kwargs)

    # ---- lowering one change in place ------------------------------------------------------
    def chain_to_lower(self, s, facts, later):
        """The links from the array ``s`` changes in place up to the array that owns the
        memory, if there is one and an array up the chain is read afterwards."""
        leaf = changed_in_place(s)
        if leaf is None or leaf not in facts:
            return None
        chain, n = [], leaf
        while n in facts:
            chain.append((n, facts[n]))
            n = facts[n].parent
        if not {link.parent for _, link in chain} & later and n in self.scope.locals and \
                all(link.how != "readonly" for _, link in chain):
            return None         # (a read-only view, or a global's, changed: an error, in lower)
        return chain

    def lower(self, s, chain, kept):
        """Before ``s``: the shapes that undo reshapes; after it: the change written back up
        the chain (``parent[i] = child``, or the parent's new contents), then the views in
        ``kept`` taken again, top down."""
        lineno, leaf, root = s.lineno, chain[0][0], chain[-1][1].parent
        self.check_lowerable(s, leaf, root, chain)
        before, after, shapes = [], [], {}
        for child, link in chain:
            if link.how in ("reshape", "maybe"):
                shapes[child] = self.fresh(link.parent + "_shape")
                before.append(assign(shapes[child], self.np_call("shape", name(link.parent)),
                                     lineno))
            if link.how == "maybe":
                where = const(f"{self.parsed.filename}:{lineno}")
                check = call(self.runtime_name[runtime.require_view], name(child),
                             name(link.parent), where)
                before.append(located(gast.Expr(value=check), lineno))
        s.writes_back = gast.Tuple(elts=[name(c) for c, _ in chain] + [name(root)],
                                   ctx=gast.Load())
        value, written = name(leaf), False
        for child, link in chain:
            if link.how == "index":
                target = gast.Subscript(value=name(link.parent), slice=clone(link.stmt.value.slice),
                                        ctx=gast.Store())
                after.append(assign(target, value, lineno))
                after[-1].write_back = True
                value, written = name(link.parent), True
            else:
                new = self.fresh(link.parent + "_new")
                shape = name(shapes[child]) if child in shapes else None
                after.append(assign(new, link.inverse(value, shape), lineno))
                value, written = name(new), False
        if not written:
            whole = gast.Subscript(value=name(root), slice=const(Ellipsis), ctx=gast.Store())
            after.append(assign(whole, value, lineno))
            after[-1].write_back = True
        for child, link in reversed(chain):
            if child not in kept:
                continue
            again = clone(link.stmt)
            for n in walk(again):
                if hasattr(n, "lineno"):
                    n.lineno = lineno
            after.append(again)
        return [located(b, lineno) for b in before] + [s] + [located(a, lineno) for a in after]

    def check_lowerable(self, s, leaf, root, chain):
        where = dict(filename=self.parsed.filename, lineno=s.lineno)
        for child, link in chain:
            if link.how == "readonly":
                raise UnsupportedSyntax(
                    f"cannot differentiate this change in place of {leaf!r}: it is a read-only "
                    f"view of {link.parent!r} (NumPy raises here)",
                    hint=f"make a copy to change: {child} = <the view>.copy()", **where)
        if root not in self.scope.locals:
            root = root.replace("<global>", "")
            raise UnsupportedSyntax(
                f"cannot differentiate this change in place of {leaf!r}: it is a view of "
                f"{root!r}, a global or closure array, which the change would alter",
                hint=f"change a copy (a = {root}.copy()) and take the view of that", **where)

    def fresh(self, base):
        n = self.namer.fresh(base)
        self.new_names.add(n)
        return n


def chain_kept(chain, live):
    """The views of the chain to take again: those read later, and the views they are
    views of."""
    children = [c for c, _ in chain]
    first = next((k for k, c in enumerate(children) if c in live), len(children))
    return set(children[first:])


def live_through(s, live, loop):
    """Names live before ``s``, given those live after it (a structured liveness)."""
    if isinstance(s, gast.Break):
        return set(loop[0]) if loop else set(live)
    if isinstance(s, gast.Continue):
        return set(loop[1]) if loop else set(live)
    if isinstance(s, gast.If):
        return loads(s.test) | live_in(s.body, live, loop) | live_in(s.orelse, live, loop)
    if isinstance(s, (gast.For, gast.While)):
        bound = {n.id for n in walk(s.target) if isinstance(n, gast.Name)} \
            if isinstance(s, gast.For) else set()
        head = set(live) | loads(s.iter if isinstance(s, gast.For) else s.test)
        while True:
            new = head | (live_in(s.body, head, (live, head)) - bound)
            if new == head:
                return head
            head = new
    if isinstance(s, gast.Assign) and not is_setitem(s):
        return (set(live) - set(targets(s))) | loads(s.value)
    return set(live) | loads(s)


def live_in(stmts, live, loop):
    for s in reversed(stmts):
        live = live_through(s, live, loop)
    return live


def changed_in_place(s):
    """The name an assignment changes in place (``x[i] = v``, or ``x += e`` on an array)."""
    if is_setitem(s):
        return s.targets[0].value.id
    if getattr(s, "in_place", False) and isinstance(s.targets[0], gast.Name):
        return s.targets[0].id
    return None


def kill(facts, names):
    """Facts that still hold once ``names`` are bound again."""
    return {n: link for n, link in facts.items() if n not in names and not link.reads & names}


def loads(node):
    return {n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


def rank(shape):
    """The rank a reshape to ``shape`` gives, if the transform can tell."""
    if isinstance(shape, gast.Constant) and type(shape.value) is int or \
            isinstance(shape, gast.UnaryOp):
        return 1
    if isinstance(shape, gast.Constant) and isinstance(shape.value, tuple):
        return len(shape.value)
    if isinstance(shape, gast.Tuple):
        return len(shape.elts)
    return None
