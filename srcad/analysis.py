"""Facts about a core-language function: kinds, activity, and the checks that refuse what
srcad cannot differentiate, returned frozen (``Facts``).

What each statement computes and the kinds of values are ``statements``'s; the checks of
changes in place are ``aliasing``'s. Everything here reads the tree and returns results;
nothing is written onto nodes.
"""
import inspect
from dataclasses import dataclass

import gast
import numpy as np

from .aliasing import changes_argument, check_discarded_call, check_mutations
from .errors import NoRule, NotDifferentiable, SrcadError, UnsupportedSyntax
from .kinds import SCALAR, UNKNOWN
from .statements import (assignments, atom_name, bind_arguments, concat_op, describe, infer_kinds,
                         repeat_op, setitem_op, tape_op, tape_pushes, targets)
from .value_lattice import Array, unnamed, value_of
from .walk import walk

# Read from here by the transforms and the face, defined where the statements, the kinds and
# the parsed function are: ``from .analysis import targets`` keeps working where it is written.
from .frontend import is_tape_call, is_user_function  # noqa: F401
from .kinds import SEQ, ndim_of  # noqa: F401
from .statements import (assigned_names, is_setitem, kind_of_value, loaded_names,  # noqa: F401
                         restored_pop)


# ---- activity --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Facts:
    wrt: tuple
    active: frozenset
    kinds: dict
    result: object
    ops: dict          # id(Assign) -> Op
    values: object = None   # values.Values: shapes, dtypes and constants, when the call gave them


def refined(kinds, values):
    """A kind the local inference left unknown, where the values know it: a Python or NumPy
    scalar, or an array of known rank."""
    out = dict(kinds)
    for n, k in kinds.items():
        if k not in (UNKNOWN, None):
            continue
        if values.is_scalar(n):
            out[n] = SCALAR
        elif isinstance(values.get(n), Array) and values.rank(n):
            out[n] = f"array{values.rank(n)}"
    return out


def mutable_kinds(kinds, values):
    """The kinds, with a name the values know as an ndarray of rank 0 (``np.tensordot``'s
    full contraction) or perhaps one (a 0-d result of unknown dtype) marked ``array0``: a
    helper's ``a /= v`` changes such an argument in place, where it rebinds a number."""
    if values is None:
        return kinds
    return {n: "array0" if k in (UNKNOWN, None) and isinstance(values.get(n), Array) and
            values.rank(n) == 0 else k for n, k in kinds.items()}


def analyze(fn, wrt, arg_kinds, parsed, values=None):
    """Kinds and activity (varied AND useful), with errors for underivable active calls."""
    scope = parsed.scope
    kinds = infer_kinds(fn, arg_kinds, scope)
    if values is not None:
        kinds = refined(kinds, values)
    stmts = list(assignments(fn.body))
    pushed = tape_pushes(fn, scope)
    ops = {id(s): tape_op(s, scope, pushed) or setitem_op(s) or concat_op(s.value, kinds)
           or repeat_op(s.value, kinds, scope.generated)
           or describe(s.value, scope) for s in stmts}
    varied = set(wrt)
    changed = True
    while changed:
        changed = False
        for s in stmts:
            op = ops[id(s)]
            if any(atom_name(a) in varied for a in op.operands) and not casts_to_int(op, scope):
                for t in targets(s):
                    if t not in varied:
                        varied.add(t)
                        changed = True
    result = fn.body[-1].value
    useful = {result.id} if isinstance(result, gast.Name) else set()
    changed = True
    while changed:
        changed = False
        for s in stmts:
            if any(t in useful for t in targets(s)):
                for a in ops[id(s)].operands:
                    n = atom_name(a)
                    if n and n not in useful:
                        useful.add(n)
                        changed = True
    active = frozenset(varied & useful)
    for s in stmts:
        if any(t in active for t in targets(s)):
            check_differentiable(s, ops[id(s)], active, parsed)
        elif ops[id(s)].kind == "nondiff" and ops[id(s)].key in PASS_THROUGH:
            check_differentiable(s, ops[id(s)], varied, parsed)   # zip(x, y) as a value
    for s in stmts:     # a helper, its result differentiated or not, may change one of its
        op = ops[id(s)]     # arguments in place: a change srcad would not see
        if op.kind == "helper" and any(atom_name(a) in varied for a in op.operands):
            try:
                arguments, _ = bind_arguments(op.func, s.value)
            except TypeError:
                continue        # the call itself fails when the function runs
            refuse_changed_arguments(op.func, arguments, mutable_kinds(kinds, values), parsed,
                                     s.lineno)
    for s in walk(fn):
        if isinstance(s, gast.Expr) and isinstance(s.value, gast.Call):
            check_discarded_call(s, scope, varied, parsed)
    check_mutations(fn, stmts, ops, kinds, parsed, arg_kinds)
    check_integer_uses(fn, varied, parsed)
    return Facts(tuple(wrt), active, kinds, result, ops, values)


def casts_to_int(op, scope):
    """``a.astype(int)``: an index, constant (its derivative is zero, like ``np.floor``'s)."""
    if op.kind != "rule" or op.key != ("method", "astype") or "dtype" not in op.bound:
        return False
    dtype = op.bound["dtype"]
    dtype = dtype.value if isinstance(dtype, gast.Constant) else scope.resolve(dtype)
    try:
        return np.issubdtype(np.dtype(dtype), np.integer) or np.dtype(dtype) == np.bool_
    except TypeError:
        return False


def check_integer_uses(fn, varied, parsed):
    """A value used as a loop bound or an index is an integer: it has no derivative, so a
    ``wrt`` argument (an int, promoted) flowing there is an error, not a silent zero."""
    for node in walk(fn):
        used = None
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                node.func.id == "range":
            used = {a.id for a in node.args if isinstance(a, gast.Name)} & varied
        elif isinstance(node, gast.Subscript):
            parts = node.slice.elts if isinstance(node.slice, gast.Tuple) else [node.slice]
            used = {p.id for p in parts if isinstance(p, gast.Name)} & varied
            for p in parts:
                if isinstance(p, gast.Slice):
                    used |= {b.id for b in (p.lower, p.upper, p.step)
                             if isinstance(b, gast.Name)} & varied
        if used:
            raise NotDifferentiable(
                f"cannot differentiate with respect to {sorted(used)[0]!r}: it is used as an "
                f"integer here (a loop bound or an index)", parsed.filename,
                getattr(node, "lineno", parsed.lineno),
                "differentiate with respect to float arguments only (wrt=...)")


def helper_call(func, call, kinds, active, parsed, lineno):
    """Bind a helper call's atoms to the helper's parameters: the arguments, the parameters
    that carry a derivative here (its ``wrt``), and their kinds (its specialisation)."""
    try:
        arguments, spread = bind_arguments(func, call)
    except TypeError as exc:
        raise SrcadError(f"cannot differentiate this call of {func.__name__}: {exc}",
                         parsed.filename, lineno, "match the function's parameters") from None
    check_spread(func, call, spread, active, parsed, lineno)
    wrt = tuple(p for p, a in arguments.items() if isinstance(a, gast.Name) and a.id in active)
    refuse_changed_arguments(func, arguments, kinds, parsed, lineno)
    helper_kinds = {}
    for p, a in arguments.items():
        if isinstance(a, gast.Name):
            helper_kinds[p] = kinds.get(a.id) or UNKNOWN
        elif isinstance(a, gast.Constant):
            helper_kinds[p] = SCALAR if isinstance(a.value, (int, float)) else UNKNOWN
    return arguments, wrt, helper_kinds


def helper_values(func, arguments, values):
    """The values of a helper's parameters at one call (its specialisation, as an argument's
    value is its caller's; a parameter left to its default, the default's): None where the
    caller's are not known. Named dimensions stay behind: they name what this function read,
    not what the helper reads."""
    if values is None:
        return None
    out = []
    for p, par in inspect.signature(func).parameters.items():
        a = arguments.get(p)
        if isinstance(a, gast.Name):
            out.append((p, unnamed(values.get(a.id))))
        elif isinstance(a, gast.Constant):
            out.append((p, value_of(a.value)))
        elif a is None and par.default is not par.empty:
            out.append((p, value_of(par.default)))
    return tuple(out)


def refuse_changed_arguments(func, arguments, kinds, parsed, lineno):
    """srcad differentiates a helper on its own: a change it makes to an argument in place
    would be lost to the caller's derivative, so it is refused, naming the helper's line."""
    for p, a in arguments.items():
        kind = (kinds.get(a.id) or UNKNOWN) if isinstance(a, gast.Name) else SCALAR
        if kind != SCALAR:    # ``+=`` changes an array (a 0-d one too) or a list in place
            line = changes_argument(func, p, kind)
            if line is not None:
                raise UnsupportedSyntax(
                    f"cannot differentiate this call of {func.__name__}: it changes its "
                    f"argument {p!r} in place (line {line}), which changes the caller's value",
                    parsed.filename, lineno,
                    f"make a copy first in {func.__name__} ({p} = {p}.copy()), or return "
                    f"the new value")


def describe_func(op):
    f = op.func if op.func is not None else op.key
    if isinstance(f, tuple):
        return f".{f[1]}()" if f[0] == "method" else f".{f[1]}"
    module = getattr(f, "__module__", None) or ("numpy" if isinstance(f, np.ufunc) else None)
    name = getattr(f, "__qualname__", None) or getattr(f, "__name__", None) or repr(f)
    if module == "builtins" or module is None:
        return name
    return f"{module}.{name}"


PASS_THROUGH = {zip, enumerate, reversed, iter, filter, map}   # iterators over their arguments


def check_differentiable(stmt, op, active, parsed):
    where = dict(filename=parsed.filename, lineno=stmt.lineno)
    if op.kind == "nondiff" and op.key in PASS_THROUGH and any(
            atom_name(a.value if isinstance(a, gast.Starred) else a) in active
            for a in stmt.value.args):
        raise NoRule(f"cannot differentiate {op.key.__name__}(...) used as a value: its items "
                     f"carry the derivatives, and srcad follows them only where a loop or a "
                     f"comprehension takes them apart", hint=f"loop over it directly (for a, b in "
                     f"{op.key.__name__}(...)), or build the list with a comprehension", **where)
    if not any(atom_name(a) in active for a in op.operands):
        return
    if op.kind == "unknown":
        if op.func is None and op.key is None:
            callee = stmt.value.func if isinstance(stmt.value, gast.Call) else None
            held = callee.id if isinstance(callee, gast.Name) else None
            raise NoRule("cannot differentiate a call to a function srcad cannot resolve at "
                         "transform time" + (f" ({held} holds a function only known when the "
                                             f"function runs)" if held else ""),
                         hint="call module-level functions by name" + (
                             f"; if {held} is chosen by a condition, call each function in "
                             f"its own branch (if ...: y = f(x) else: y = g(x)); a function "
                             f"made by a helper is followed when the helper is in the same "
                             f"module and ends with return <its nested function>"
                             if held else ""),
                         **where)
        key = op.func if op.func is not None else op.key
        if isinstance(key, tuple) and key[0] == "method":
            raise NoRule(f"cannot differentiate {describe_func(op)}: it has no derivative rule",
                         hint=f"if {key[1]} is a method of your own class, call it through the "
                              f"class (YourClass.{key[1]}(obj, ...)) so that srcad reads its "
                              f"source; else give it a rule with srcad.defrule", **where)
        raise NoRule(f"cannot differentiate {describe_func(op)}: it has no derivative rule",
                     hint="give it a derivative with srcad.defrule(func, \"x\", reverse=\"dx += "
                          "...\", forward=\"dout = ...\") (see docs/custom-rules.md), or mark "
                          "it constant with srcad.nondiff(func)", **where)
    if op.kind == "rule":
        for p in op.rule.missing:
            if atom_name(op.bound.get(p)) in active:
                raise NoRule(f"cannot differentiate {describe_func(op)} with respect to its "
                             f"argument {p!r}: srcad has no rule for that derivative",
                             hint="differentiate a different formulation, or register a rule "
                                  "with srcad.defrule", **where)
    if op.kind == "badcall" and is_spread(stmt.value):
        raise UnsupportedSyntax(
            f"cannot differentiate this call of {describe_func(op)}: a value that carries a "
            f"derivative is spread into it with * or **, and which parameters it fills is known "
            f"only when it runs", hint="pass the arguments one by one (f(a[0], a[1])), or call "
            "a function of your own that takes *args", **where)
    if op.kind == "badcall":
        raise NoRule(f"cannot differentiate this call of {describe_func(op)}: its arguments "
                     f"do not match the rule's parameters "
                     f"({', '.join(p for p, _ in op.rule.params if not p.startswith('_'))})",
                     hint="pass only the supported arguments", **where)
    if op.kind == "boolop":
        raise UnsupportedSyntax("cannot differentiate and/or on a differentiated value",
                                hint="use if/else (or np.where) to choose a value", **where)


def is_spread(call):
    return isinstance(call, gast.Call) and (
        any(isinstance(a, gast.Starred) for a in call.args) or
        any(k.arg is None for k in call.keywords))


def check_spread(func, call, loose, active, parsed, lineno):
    """A value that carries a derivative must reach one parameter srcad can name: not one a
    ``*seq``/``**d`` fills at run time, not an entry of a ``**param`` dict."""
    star = {id(a.value) for a in call.args if isinstance(a, gast.Starred)}
    stars = {id(k.value) for k in call.keywords if k.arg is None}
    fname, where = func.__name__, dict(filename=parsed.filename, lineno=lineno)
    for p, atoms in sorted(loose.items()):
        for a in atoms:
            if not (isinstance(a, gast.Name) and a.id in active):
                continue
            filled = sorted(q for q, qs in loose.items() if any(b is a for b in qs))
            if id(a) in star:
                raise UnsupportedSyntax(
                    f"cannot differentiate this call of {fname}: the elements of {a.id} fill "
                    f"its parameters {', '.join(filled)}, and which ones is known only when it "
                    f"runs", hint=f"pass them one by one: {fname}(..., {a.id}[0], {a.id}[1]), "
                    f"or give {fname} a *args parameter of its own", **where)
            if id(a) in stars:
                raise UnsupportedSyntax(
                    f"cannot differentiate this call of {fname}: the entries of {a.id} fill its "
                    f"parameters {', '.join(filled)}, and which ones is known only when it runs",
                    hint=f"pass them by name: {fname}(..., {filled[0]}={a.id}[{filled[0]!r}]), "
                    f"or give {fname} a **kwargs parameter of its own", **where)
            raise UnsupportedSyntax(
                f"cannot differentiate this call of {fname}: the keyword argument {a.id} goes "
                f"into its **{p} dict, whose entries srcad does not follow one by one",
                hint=f"give {fname} a parameter of that name, or pass the caller's own "
                     f"**kwargs dict whole ({fname}(..., **kw))", **where)
