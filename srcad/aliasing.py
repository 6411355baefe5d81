"""Which names may share memory, and what an in-place change makes stale.

``x[i] = v``, ``x += e`` on an array and ``lst.append(v)`` change an object in place; srcad
follows the change through the changed name only (``views.py`` writes a change of a certain
view back to its array). Here: the names a statement links (views, aliases, list items), the
check that no other sharer is read after a change (an error, never a wrong derivative), calls
whose result is dropped (they act by side effect), and helpers that change their arguments.
"""
import gast
import numpy as np

from . import rules
from .analysis import (SCALAR, SEQ, UNKNOWN, atom_name, is_setitem, kind_of_atom, kind_of_expr,
                       loaded_names, ndim_of, targets)
from .errors import UnsupportedSyntax
from .frontend import Method, is_tape_call
from .walk import walk


VIEW_FUNCS = {np.reshape, np.transpose, np.ravel, np.squeeze, np.expand_dims, np.swapaxes,
              np.moveaxis, np.broadcast_to, np.diagonal, np.flip, np.fliplr, np.flipud, np.asarray,
              np.atleast_1d, np.atleast_2d, np.atleast_3d, np.asanyarray, np.real,
              np.split, np.array_split, np.hsplit, np.vsplit, np.dsplit,    # lists of views
              np.diag}      # of a matrix: its diagonal, as np.diagonal
VIEW_METHODS = {"reshape", "transpose", "ravel", "squeeze", "swapaxes", "diagonal", "view", "T"}


def shared_with(stmt, op, kinds):
    """Atoms whose object the value of ``stmt`` may be (or contain, for a list): a view, a
    copy of the name, an element of a list, a helper's result that may be its argument."""
    atoms = []
    if op.kind in ("copy", "helper", "unknown", "restore"):
        atoms = list(op.operands)
    elif op.kind == "subscript":      # (an index array or a list selects a copy)
        index = stmt.value.slice
        parts = index.elts if isinstance(index, gast.Tuple) else [index]
        if kinds.get(targets(stmt)[0]) != SCALAR and not any(
                is_container(kind_of_atom(p, kinds)) for p in parts):
            atoms = [stmt.value.value]
    elif op.kind == "rule":
        key = op.key
        if key in VIEW_FUNCS or (isinstance(key, tuple) and key[1] in VIEW_METHODS):
            atoms = list(op.operands[:1])
    elif op.kind in ("pack", "append", "setitem"):
        elements = op.operands[1:] if op.kind != "pack" else op.operands
        if op.kind == "setitem" and kinds.get(targets(stmt)[0]) not in (SEQ, UNKNOWN):
            elements = []          # an array stores a copy of the value
        atoms = [e for e in elements if kind_of_atom(e, kinds) != SCALAR]
    return [a.id for a in atoms if isinstance(a, gast.Name)]


def is_container(kind):
    """An array of rank 1 or more, or a list: ``+=`` changes it in place, and as an index it
    selects a copy."""
    return kind == SEQ or (ndim_of(kind or UNKNOWN) or 0) > 0


def sharing(stmts, ops, kinds):
    """name -> the names that may share its memory (views, aliases, list items), as the union
    of ``shared_with`` over ``stmts``; only names in a group of two or more."""
    parent = {}

    def find(n):
        while parent.get(n, n) != n:
            n = parent[n]
        return n

    for s in stmts:
        for a in shared_with(s, ops[id(s)], kinds):
            for t in targets(s):
                if find(a) != find(t):
                    parent[find(a)] = find(t)
    groups = {}
    for n in set(parent) | set(parent.values()):
        groups.setdefault(find(n), set()).add(n)
    return {n: frozenset(g) for g in groups.values() for n in g}


def check_mutations(fn, stmts, ops, kinds, parsed):
    """``x[i] = v`` and ``lst.append(v)`` change an object in place, and srcad follows the
    change through ``x`` only. Another name that may share the object (a view, an alias, a list
    holding it) is *stale* after the change until it is bound again: reading it then is an
    error, never a wrong derivative. (The reverse sweep undoes every change in reverse order,
    so what it reads is always right.)"""
    sharers = sharing(stmts, ops, kinds)

    def in_place(s, arrays):
        kind = kinds.get(targets(s)[0]) or UNKNOWN       # ``+=`` on an array or a list, or
        return ops[id(s)].kind in ("setitem", "append") or getattr(s, "in_place", False) and (
            kind == UNKNOWN and targets(s)[0] in arrays  # on a name that may hold one here
            or kind not in (SCALAR, "array0", UNKNOWN))  # (a NumPy scalar is immutable)
    if not any(in_place(s, set(kinds)) for s in stmts):
        return

    def holds_arrays(s, arrays):
        """Whether the names ``s`` binds may hold an array or a list: by their kinds, or as a
        view or a copy of a name that may."""
        op = ops[id(s)]
        if any(is_container(kinds.get(t)) for t in targets(s)):
            return True
        if op.kind in ("copy", "subscript", "rule") and set(shared_with(s, op, kinds)) & arrays:
            return not (op.kind == "subscript" and kind_of_expr(s.value, kinds, None) == SCALAR)
        return False

    def check(node, stale, lineno):
        for n in sorted(loaded_names(node) & set(stale)):
            x, line = stale[n]
            raise UnsupportedSyntax(
                f"cannot differentiate this use of {n!r}: it may share memory with {x!r}, "
                f"which was changed in place at line {line}", parsed.filename, lineno,
                f"make {x!r} a copy before changing it ({x} = {x}.copy()), so that changing "
                f"it in place changes nothing else")

    def block(body, stale, arrays):
        """``stale``: name -> (the name changed in place, its line); ``arrays``: names of
        unknown kind that may hold an array or a list here."""
        for s in body:
            if isinstance(s, gast.Assign):
                check(s.value, stale, s.lineno)
                if is_setitem(s):
                    check(s.targets[0].slice, stale, s.lineno)
                if is_setitem(s) and not getattr(s, "write_back", False):
                    check(s.targets[0].value, stale, s.lineno)   # x's other elements stay
                if hasattr(s, "writes_back"):   # views.py writes this change back through
                    check(s.writes_back, stale, s.lineno)   # views, which must be current
                names = targets(s)
                for t in names:
                    stale.pop(t, None)
                if in_place(s, arrays):     # (a constant changed in place changes values too)
                    x = names[0]
                    for n in sharers.get(x, ()):
                        if n != x and kinds.get(n) != SCALAR:
                            stale[n] = (x, s.lineno)    # (a float cannot change in place)
                if not is_setitem(s):
                    arrays = arrays - set(names) | (set(names) if holds_arrays(s, arrays) else
                                                    set())
            elif isinstance(s, gast.If):
                check(s.test, stale, s.lineno)
                left, right = block(s.body, dict(stale), arrays), block(s.orelse, dict(stale),
                                                                         arrays)
                stale.clear()
                stale.update({**left[0], **right[0]})
                arrays = left[1] | right[1]
            elif isinstance(s, (gast.For, gast.While)):
                check(s.iter if isinstance(s, gast.For) else s.test, stale, s.lineno)
                entry = dict(stale)
                for _ in range(3):
                    out, inside = block(s.body, dict(entry), arrays)
                    if set(out) <= set(entry) and inside <= arrays:
                        break
                    entry.update(out)
                    arrays = arrays | inside
                stale.update(entry)
            else:
                for f in ("value", "test", "iter"):
                    if getattr(s, f, None) is not None:
                        check(getattr(s, f), stale, s.lineno)
        return stale, arrays

    block(fn.body, {}, {n for n, k in kinds.items() if is_container(k)})


def check_discarded_call(stmt, scope, varied, parsed):
    """A call whose result is dropped acts by side effect: on a differentiated value srcad
    cannot see what it changes, so only pure and printing functions are allowed."""
    call = stmt.value
    func = scope.resolve(call.func)
    args = call.args + [k.value for k in call.keywords]
    if isinstance(func, Method):
        args = args + [call.func.value]
    if not any(atom_name(a) in varied for a in args) or is_tape_call(call, scope, "append"):
        return
    writes = any(k.arg == "out" for k in call.keywords)     # np.sum(a, axis=0, out=y)
    if func is print or not writes and not isinstance(func, Method) and (
            rules.has_rule(func) or rules.is_nondiff(func)):
        return
    what = f".{func.name}()" if isinstance(func, Method) else getattr(func, "__name__", "a function")
    raise UnsupportedSyntax(
        f"cannot differentiate the call {what} whose result is discarded: it may change a "
        f"differentiated value in place", parsed.filename, stmt.lineno,
        "build a new value and assign it (x = f(x)) instead of mutating one")


def changes_argument(func, param, kind):
    """The line where the helper ``func`` may change its parameter ``param`` (an argument of
    ``kind``) in place, or None. srcad differentiates a helper on its own, so a change its
    caller would see (``param += e`` on an array or a list, ``param[i] = e``, the same through
    an alias, a view or the rows a loop over it yields) would be lost: a wrong derivative. A
    top-level rebinding of ``param`` to a new value ends the search (``param =
    param.copy()``), unless an alias of the argument remains."""
    ndim = ndim_of(kind)
    mutable = kind == SEQ or bool(ndim)         # += on a scalar rebinds it
    rows_are_views = ndim is None or ndim >= 2  # a loop over a vector yields scalars
    from .frontend import read_function
    parsed = read_function(func)
    if parsed.scope.generated:      # srcad's own output: its ``d[i] += g`` are pure updates
        return None
    scope, names = parsed.scope, {param}

    def base(t):
        while isinstance(t, (gast.Subscript, gast.Attribute)):
            t = t.value
        return t.id if isinstance(t, gast.Name) else None

    def shares(value):
        if isinstance(value, gast.IfExp):
            return shares(value.body) or shares(value.orelse)
        if isinstance(value, (gast.Name, gast.Subscript, gast.Attribute)):
            return base(value) in names
        if isinstance(value, gast.Call):
            func_ = scope.resolve(value.func)
            if isinstance(func_, Method):
                return func_.name in VIEW_METHODS and base(value.func.value) in names
            return func_ in VIEW_FUNCS and bool(value.args) and shares(value.args[0])
        return False

    for stmt in parsed.tree.body:
        for node in walk(stmt):
            if isinstance(node, gast.AugAssign) and base(node.target) in names and (
                    mutable or isinstance(node.target, gast.Subscript)):
                return node.lineno
            if isinstance(node, gast.Call) and node.args and base(node.args[0]) in names and \
                    is_ufunc_at(scope.resolve(node.func)):
                return node.lineno          # np.add.at(param, i, v)
            if isinstance(node, gast.Assign):
                for t in node.targets:
                    if isinstance(t, gast.Subscript) and base(t) in names:
                        return node.lineno
                    if isinstance(t, gast.Name) and node is not stmt and shares(node.value):
                        names.add(t.id)
            if isinstance(node, gast.For) and rows_are_views and shares(node.iter):
                names |= {n.id for n in walk(node.target) if isinstance(n, gast.Name)}
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], gast.Name):
            target = stmt.targets[0].id
            if shares(stmt.value):
                names.add(target)
            elif target in names:
                names.discard(target)
                if not names:
                    return None
    return None


def is_ufunc_at(func):
    """``np.add.at`` and the like: they change their first argument in place."""
    return isinstance(getattr(func, "__self__", None), np.ufunc) and \
        getattr(func, "__name__", "") == "at"

