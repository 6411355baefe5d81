"""Facts about a core-language function: what each statement computes, kinds, activity.

Everything here reads the tree and returns results; nothing is written onto nodes.
"""
import collections.abc
import operator
import types
from dataclasses import dataclass, field

import gast
import numpy as np

from . import rules, runtime as _rt, templates
from .errors import NoRule, NotDifferentiable, UnsupportedSyntax
from .frontend import LOCAL, UNRESOLVED, Method, is_tape_call
from .kinds import DICT, ITERABLE, SCALAR, SEQ, UNKNOWN, array_kind, is_keyed, ndim_of
from .variadic import bind_arguments, check_spread, concat_op, repeat_op
from .value_lattice import Array
from .walk import walk

BINOPS = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
          gast.Div: operator.truediv, gast.Pow: operator.pow, gast.Mod: operator.mod,
          gast.FloorDiv: operator.floordiv, gast.MatMult: operator.matmul,
          gast.BitAnd: operator.and_, gast.BitOr: operator.or_, gast.BitXor: operator.xor,
          gast.LShift: operator.lshift, gast.RShift: operator.rshift}
UNARY = {gast.USub: operator.neg, gast.UAdd: operator.pos, gast.Not: operator.not_,
         gast.Invert: operator.invert}


def kind_of_value(value):
    """The kind of a runtime argument: part of the cache key of a specialised transform. A
    list and a tuple share SEQ (their derivatives take the argument's own type at run time, and
    changing a tuple in place fails in the derivative as in Python); a dict is DICT and a set,
    a view or a generator ITERABLE, so a loop over one is lowered by what it yields, and a
    derivative made for a list never serves them."""
    if isinstance(value, (float, int, np.number, bool)):
        return SCALAR
    if isinstance(value, np.ndarray):
        return f"array{value.ndim}"   # even 0-d: an array is mutable, a scalar is not
    if isinstance(value, (list, tuple)):
        return SEQ
    if isinstance(value, dict):
        return DICT
    if isinstance(value, collections.abc.Iterable) and not isinstance(value, np.generic):
        return ITERABLE
    return UNKNOWN


def analysed_kind(kind):
    """An argument's kind as the analysis hands it to the transforms. They read a container by
    position (``== SEQ``) and do not know DICT or ITERABLE: those they get as UNKNOWN, which they
    treat conservatively (element-wise ``add_seq``, ``add_at`` by key), and which still
    differs from a list's SEQ in a helper's specialisation."""
    return UNKNOWN if is_keyed(kind) else kind


@dataclass
class Op:
    """What one core statement's value computes."""
    kind: str                 # rule | helper | nondiff | unknown | copy | subscript | pack |
                              # compare | boolop | global
    key: object = None
    rule: object = None
    func: object = None       # the helper's or unknown function's object
    bound: dict = field(default_factory=dict)   # rule parameter -> atom
    operands: list = field(default_factory=list)   # atoms a derivative may flow through


def atom_name(node):
    return node.id if isinstance(node, gast.Name) else None


def describe(value, scope):
    """Classify a core-language value expression."""
    if isinstance(value, gast.Name):
        return Op("copy", operands=[value])
    if isinstance(value, gast.Constant):
        return Op("global")
    if isinstance(value, gast.BinOp):
        return rule_op(BINOPS.get(type(value.op)), [value.left, value.right], {})
    if isinstance(value, gast.UnaryOp):
        return rule_op(UNARY.get(type(value.op)), [value.operand], {})
    if isinstance(value, gast.Call):
        func = scope.resolve(value.func)
        kwargs = {k.arg: k.value for k in value.keywords}
        if func is _rt.appended:
            return Op("append", operands=list(value.args))
        if isinstance(func, Method):
            return rule_op(("method", func.name), [value.func.value] + value.args, kwargs,
                           what=f".{func.name}()")
        if func is UNRESOLVED or func is LOCAL:
            return Op("unknown", func=None, operands=value.args + list(kwargs.values()))
        if rules.has_rule(func) or rules.is_nondiff(func):
            return rule_op(func, value.args, kwargs)
        if is_user_function(func):   # (g(*args): the tuple itself is the operand)
            return Op("helper", func=func, operands=[a.value if isinstance(a, gast.Starred) else a
                                                     for a in value.args] + list(kwargs.values()))
        return Op("unknown", func=func, operands=value.args + list(kwargs.values()))
    if isinstance(value, gast.Attribute):
        if scope.resolve(value) is not UNRESOLVED and not isinstance(scope.resolve(value), Method):
            return Op("global")
        return rule_op(("attr", value.attr), [value.value], {}, what=f".{value.attr}")
    if isinstance(value, gast.Subscript):
        return Op("subscript", operands=[value.value])
    if isinstance(value, (gast.Tuple, gast.List)):
        if all(isinstance(e, gast.Constant) for e in value.elts):
            return Op("global")
        return Op("pack", operands=list(value.elts))
    if isinstance(value, gast.Compare):
        return Op("compare")
    if isinstance(value, gast.BoolOp):
        return Op("boolop", operands=[n for n in walk(value) if isinstance(n, gast.Name)])
    return Op("compare")


def setitem_op(stmt):
    """``x[i] = v``: the new ``x`` depends on the old one (the other elements) and on ``v``."""
    if not is_setitem(stmt):
        return None
    return Op("setitem", operands=[stmt.targets[0].value, stmt.value])


def tape_pushes(fn, scope):
    """Names pushed on the stacks of srcad's own output (``stack.append(x)``)."""
    if not scope.tapes:
        return set()
    return {n.value.args[0].id for n in walk(fn) if isinstance(n, gast.Expr)
            and is_tape_call(n.value, scope, "append") and isinstance(n.value.args[0], gast.Name)}


def tape_op(stmt, scope, pushed):
    """A derivative's stacks, seen by a second transformation: ``x = stack.pop()`` restores the
    ``x`` pushed earlier (srcad always pops a value into the name it pushed), ``x = x +
    stack.pop()`` adds it back; a pop into a name never pushed is a branch flag or a count."""
    if not scope.tapes or len(stmt.targets) != 1 or not isinstance(stmt.targets[0], gast.Name):
        return None
    t, value = stmt.targets[0].id, stmt.value
    if is_tape_call(value, scope, "pop"):
        return Op("restore", operands=[gast.Name(id=t, ctx=gast.Load(), annotation=None,
                                                 type_comment=None)]) if t in pushed else \
            Op("nondiff", key="pop")
    if restored_pop(value, scope) is not None and atom_name(accumulated(value)) == t:
        return Op("restore_add", operands=[accumulated(value)])
    return None


def restored_pop(value, scope):
    """The ``stack.pop()`` in ``stack.pop()``, ``x + stack.pop()`` or ``add_seq(x,
    stack.pop())`` (how the derivative of a list adds back what its stack saved)."""
    if is_tape_call(value, scope, "pop"):
        return value
    if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add) and \
            is_tape_call(value.right, scope, "pop"):
        return value.right
    if isinstance(value, gast.Call) and len(value.args) == 2 and \
            scope.resolve(value.func) is _rt.add_seq and is_tape_call(value.args[1], scope, "pop"):
        return value.args[1]
    return None


def accumulated(value):
    return value.left if isinstance(value, gast.BinOp) else value.args[0]


def rule_op(key, args, kwargs, what=None):
    if key is None or rules.is_nondiff(key):
        return Op("nondiff", key=key)
    rule = rules.lookup(key, len(args))
    if rule is None:
        return Op("unknown", key=key, func=key, operands=args + list(kwargs.values()))
    bound = rule.bind(args, kwargs)
    if bound is None:
        return Op("badcall", key=key, rule=rule, operands=args + list(kwargs.values()))
    if rule.elementwise:
        diff = [p for (p, _), partial in zip(rule.params, rule.partials) if partial is not None]
    else:
        src = rule.reverse if isinstance(rule.reverse, str) else None
        mentioned = templates.names(src) if src else None
        diff = [p for p, _ in rule.params if not p.startswith("*")
                and (mentioned is None or "d" + p in mentioned)]
    diff += [p for p in rule.missing if p not in diff]
    operands = [bound[p] for p in diff if isinstance(bound.get(p), gast.AST)]
    return Op("rule", key=key, rule=rule, bound=bound, operands=operands)


LIBRARY_PREFIXES = ("numpy", "scipy", "math", "builtins", "srcad.runtime")


def is_user_function(func):
    """Python functions srcad transforms itself (not library code that needs a rule)."""
    if not isinstance(func, types.FunctionType):
        return False
    module = getattr(func, "__module__", "") or ""
    if module.split(".")[0] in ("numpy", "scipy", "math") or module == "srcad.runtime":
        return False
    filename = func.__code__.co_filename
    return not any(filename.startswith(p) for p in _library_dirs())


def _library_dirs():
    import sysconfig
    paths = sysconfig.get_paths()
    dirs = {paths.get("stdlib"), paths.get("platstdlib"), paths.get("purelib"), paths.get("platlib")}
    return tuple(d for d in dirs if d)


# ---- walking the core language --------------------------------------------------------------
def assignments(stmts):
    """Every Assign in ``stmts``, in order, at any depth."""
    for s in stmts:
        if isinstance(s, gast.Assign):
            yield s
        elif isinstance(s, gast.If):
            yield from assignments(s.body)
            yield from assignments(s.orelse)
        elif isinstance(s, (gast.For, gast.While)):
            yield from assignments(s.body)


def targets(stmt):
    """Names a core assignment changes: its targets, or the array ``x`` of ``x[i] = v``."""
    t = stmt.targets[0]
    if isinstance(t, gast.Subscript):
        return [t.value.id]
    return [e.id for e in t.elts] if isinstance(t, (gast.Tuple, gast.List)) else [t.id]


def is_setitem(stmt):
    """``x[i] = v``: a core statement that changes ``x`` in place."""
    return isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript)


def assigned_names(stmts):
    """Names bound or changed in place (``x[i] = v``) anywhere in ``stmts``."""
    names = set()
    for s in stmts:
        for n in walk(s):
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store):
                names.add(n.id)
            elif isinstance(n, gast.Subscript) and isinstance(n.ctx, gast.Store) and \
                    isinstance(n.value, gast.Name):
                names.add(n.value.id)
    return names


def loaded_names(node):
    return {n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


# ---- kinds -----------------------------------------------------------------------------------
def join(a, b):
    if a is None:
        return b
    if b is None or a == b:
        return a
    return UNKNOWN


def infer_kinds(fn, arg_kinds, scope, depth=0):
    """Flow-insensitive kinds: scalar, arrayN, seq or unknown for every variable (a dict or a
    set argument is unknown here: ``analysed_kind``)."""
    arg_kinds = {n: analysed_kind(k) for n, k in arg_kinds.items()}
    kinds = dict(arg_kinds)
    helper_cache = {}
    for n in walk(fn):   # module constants and closure values: kinds of their values now
        if isinstance(n, gast.Name) and n.id not in scope.locals and n.id not in kinds:
            value = scope.lookup(n.id)
            if isinstance(value, (int, float, np.ndarray, np.number)) and not isinstance(value, bool):
                kinds[n.id] = kind_of_value(value)
    loops = [n for n in walk(fn) if isinstance(n, gast.For)]
    for loop in loops:
        kinds[loop.target.id] = SCALAR
    pushed = tape_pushes(fn, scope)
    stmts = list(assignments(fn.body))
    for _ in range(len(stmts) + 2):
        changed = False
        for s in stmts:
            names = targets(s)
            restore = tape_op(s, scope, pushed)
            if restore is not None and restore.kind != "nondiff":
                continue    # a restored value keeps the kind it was pushed with
            if scope.generated and isinstance(s.value, gast.Constant) and s.value.value is None:
                continue    # a placeholder for a value saved before it is first bound
            if is_setitem(s):
                continue    # x[i] = v changes x's values, not its kind
            if restore is not None:
                new = [SCALAR]      # branch flags and trip counts
            elif len(names) > 1:
                new = [UNKNOWN] * len(names)
                if isinstance(s.value, gast.Call) and depth < 4:
                    parts = helper_result(s.value, kinds, scope, depth, helper_cache)
                    if isinstance(parts, list) and len(parts) == len(names):
                        new = parts
            else:
                new = [kind_of_expr(s.value, kinds, scope)]
                if new[0] == UNKNOWN and isinstance(s.value, gast.Call) and depth < 4:
                    k = helper_result(s.value, kinds, scope, depth, helper_cache)
                    if isinstance(k, str):
                        new = [k]
            for n, k in zip(names, new):
                if n in arg_kinds:
                    k = join(arg_kinds[n], k)
                old = kinds.get(n)
                merged = k if old is None else join(old, k)
                if merged != old:
                    kinds[n] = merged
                    changed = True
        if not changed:
            break
    return kinds


def helper_result(call, kinds, scope, depth, cache):
    """Kind (or list of kinds, for a returned tuple) of a user helper's result."""
    func = scope.resolve(call.func)
    if not is_user_function(func):
        return None
    try:
        arguments, _ = bind_arguments(func, call, defaults=True)
    except TypeError:
        return None
    arg_kinds = {}
    for p, a in arguments.items():
        if isinstance(a, gast.AST):
            arg_kinds[p] = kind_of_atom(a, kinds) or UNKNOWN
        else:
            arg_kinds[p] = kind_of_value(a)
    key = (func.__code__, tuple(sorted(arg_kinds.items())))
    if key in cache:
        return cache[key]
    cache[key] = None
    from .frontend import read_function
    from .normalize import normalize
    try:
        parsed = read_function(func)
        core = normalize(parsed, kinds=arg_kinds)
    except Exception:
        return None
    inner = infer_kinds(core, arg_kinds, parsed.scope, depth + 1)
    ret = core.body[-1].value
    result = kind_of_atom(ret, inner) if isinstance(ret, (gast.Name, gast.Constant)) else None
    if isinstance(ret, gast.Name):
        for s in assignments(core.body):
            if targets(s) == [ret.id] and isinstance(s.value, gast.Tuple):
                result = [kind_of_atom(e, inner) or UNKNOWN for e in s.value.elts]
    cache[key] = result
    return result


def kind_of_atom(node, kinds):
    if isinstance(node, gast.Constant):
        return SCALAR if isinstance(node.value, (int, float, bool)) else UNKNOWN
    if isinstance(node, gast.Name):
        return kinds.get(node.id)
    if isinstance(node, gast.UnaryOp):
        return SCALAR
    return UNKNOWN


def broadcast_kind(ks):
    if any(k is None for k in ks):
        return None
    if all(k == SCALAR for k in ks):
        return SCALAR
    dims = [ndim_of(k) for k in ks]
    if any(d is None for d in dims):
        return UNKNOWN
    return array_kind(max(dims))


def kind_of_expr(value, kinds, scope):
    if isinstance(value, (gast.Name, gast.Constant)):
        return kind_of_atom(value, kinds)
    if isinstance(value, gast.BinOp):
        ks = [kind_of_atom(value.left, kinds), kind_of_atom(value.right, kinds)]
        if isinstance(value.op, gast.MatMult):
            return matmul_kind(ks)
        if isinstance(value.op, (gast.Add, gast.Mult)) and SEQ in ks and not any(
                k and ndim_of(k) for k in ks) and (isinstance(value.op, gast.Mult) or not any(
                k and ndim_of(k) is not None for k in ks)):
            return SEQ      # tuples or lists concatenated, or one repeated
        return broadcast_kind(ks)
    if isinstance(value, gast.UnaryOp):
        return SCALAR if isinstance(value.op, gast.Not) else kind_of_atom(value.operand, kinds)
    if isinstance(value, gast.Compare):
        return broadcast_kind([kind_of_atom(value.left, kinds)] +
                              [kind_of_atom(c, kinds) for c in value.comparators])
    if isinstance(value, (gast.Tuple, gast.List)):
        return SEQ
    if isinstance(value, gast.Attribute):
        if value.attr in ("shape",):
            return SEQ
        if value.attr in ("ndim", "size"):
            return SCALAR
        if value.attr == "T":
            return kind_of_atom(value.value, kinds)
        return UNKNOWN
    if isinstance(value, gast.Subscript):
        base = kind_of_atom(value.value, kinds)
        nd = ndim_of(base) if base else None
        index = value.slice
        if nd and isinstance(index, (gast.Name, gast.Constant)) and \
                kind_of_atom(index, kinds) == SCALAR:
            return array_kind(nd - 1)
        if (nd or base == SEQ) and isinstance(index, gast.Slice):
            return base
        if nd and isinstance(index, gast.Tuple) and all(    # m[i, 1:], m[:, j]
                isinstance(p, gast.Slice) or kind_of_atom(p, kinds) == SCALAR for p in index.elts):
            ints = sum(not isinstance(p, gast.Slice) for p in index.elts)
            return array_kind(nd - ints) if ints <= nd else UNKNOWN
        return UNKNOWN
    if isinstance(value, gast.Call):
        return kind_of_call(value, kinds, scope)
    return UNKNOWN


def matmul_kind(ks):
    dims = [ndim_of(k) if k else None for k in ks]
    if None in dims or 0 in dims:
        return UNKNOWN
    a, b = dims
    if a == 1 and b == 1:
        return SCALAR
    if a == 2 and b == 2:
        return array_kind(2)
    if a == 2 and b == 1:
        return array_kind(1)
    if a == 1 and b == 2:
        return array_kind(1)
    return UNKNOWN


SHAPED_LIKE = {_rt.zeros_like: 0, _rt.added_at: 0, _rt.unbroadcast: 1, _rt.unreduce: 1,
               _rt.broadcast_like: 1, _rt.add_seq: 0, _rt.appended: 0}   # the result has this argument's kind
CREATE_LIKE = {np.zeros_like, np.ones_like, np.empty_like, np.full_like, np.copy}
CREATE_FROM_SHAPE = {np.zeros, np.ones, np.empty, np.full}
REDUCTIONS = {np.sum, np.mean, np.max, np.min, np.amax, np.amin, np.prod}
SCALAR_FUNCS = {len, float, int, abs, round, min, max, bool}


def kind_of_call(value, kinds, scope):
    func = scope.resolve(value.func)
    args = [kind_of_atom(a, kinds) for a in value.args]
    if isinstance(func, Method):
        receiver = kind_of_atom(value.func.value, kinds)
        if func.name in ("sum", "mean", "max", "min", "prod") and not value.args and not value.keywords:
            return SCALAR if receiver and receiver.startswith("array") else UNKNOWN
        if func.name == "copy":
            return receiver
        if func.name == "dot":
            return matmul_kind([receiver] + args)
        return UNKNOWN
    if func in SHAPED_LIKE and len(value.args) > SHAPED_LIKE[func]:
        return args[SHAPED_LIKE[func]]
    if func in CREATE_LIKE and value.args:
        arg = args[0]
        return arg if arg and (arg == SCALAR or arg.startswith("array")) else UNKNOWN
    if func in CREATE_FROM_SHAPE and value.args:
        shape = value.args[0]
        if isinstance(shape, gast.Constant) and isinstance(shape.value, int) or \
                kind_of_atom(shape, kinds) == SCALAR:
            return array_kind(1)
        if isinstance(shape, gast.Tuple):
            return array_kind(len(shape.elts))
        return UNKNOWN
    if func in (np.arange, np.linspace):
        return array_kind(1)
    if func in (np.eye, np.identity):
        return array_kind(2)
    if getattr(func, "__module__", None) == "math" or func in SCALAR_FUNCS:
        if func in (abs, min, max):
            return broadcast_kind(args)
        return SCALAR
    if func in (np.dot, np.matmul):
        return matmul_kind(args)
    if isinstance(func, np.ufunc) and func.signature is None:
        return broadcast_kind(args)
    if func in REDUCTIONS and len(value.args) == 1 and not value.keywords:
        return SCALAR if args[0] is not None else None
    if func in (np.dot, np.matmul):
        return matmul_kind(args)
    if func is np.where and len(args) == 3:
        return broadcast_kind(args)
    if func is np.transpose and len(args) == 1 and not value.keywords:
        return args[0]
    return UNKNOWN


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


def analyze(fn, wrt, arg_kinds, parsed, values=None):
    """Kinds and activity (varied AND useful), with errors for underivable active calls."""
    from .aliasing import check_discarded_call, check_mutations
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
    from .aliasing import changes_argument
    try:
        arguments, spread = bind_arguments(func, call)
    except TypeError as exc:
        from .errors import SrcadError
        raise SrcadError(f"cannot differentiate this call of {func.__name__}: {exc}",
                         parsed.filename, lineno, "match the function's parameters") from None
    check_spread(func, call, spread, active, parsed, lineno)
    wrt = tuple(p for p, a in arguments.items() if isinstance(a, gast.Name) and a.id in active)
    for p, a in arguments.items():
        kind = (kinds.get(a.id) or UNKNOWN) if isinstance(a, gast.Name) else SCALAR
        if kind not in (SCALAR, "array0"):    # ``+=`` changes an array or a list in place
            line = changes_argument(func, p, kind)
            if line is not None:
                raise UnsupportedSyntax(
                    f"cannot differentiate this call of {func.__name__}: it changes its "
                    f"argument {p!r} in place (line {line}), which changes the caller's value",
                    parsed.filename, lineno,
                    f"make a copy first in {func.__name__} ({p} = {p}.copy()), or return "
                    f"the new value")
    helper_kinds = {}
    for p, a in arguments.items():
        if isinstance(a, gast.Name):
            helper_kinds[p] = kinds.get(a.id) or UNKNOWN
        elif isinstance(a, gast.Constant):
            helper_kinds[p] = SCALAR if isinstance(a.value, (int, float)) else UNKNOWN
    return arguments, wrt, helper_kinds


def describe_func(op):
    f = op.func if op.func is not None else op.key
    if isinstance(f, tuple):
        return f".{f[1]}()" if f[0] == "method" else f".{f[1]}"
    module = getattr(f, "__module__", None) or ("numpy" if isinstance(f, np.ufunc) else None)
    name = getattr(f, "__qualname__", None) or getattr(f, "__name__", None) or repr(f)
    if module == "builtins" or module is None:
        return name
    return f"{module}.{name}"


def check_differentiable(stmt, op, active, parsed):
    if not any(atom_name(a) in active for a in op.operands):
        return
    where = dict(filename=parsed.filename, lineno=stmt.lineno)
    if op.kind == "unknown":
        if op.func is None and op.key is None:
            raise NoRule("cannot differentiate a call to a function srcad cannot resolve "
                         "at transform time", hint="call module-level functions by name", **where)
        raise NoRule(f"cannot differentiate {describe_func(op)}: it has no derivative rule",
                     hint="give it a derivative with srcad.defrule(func, \"x\", reverse=\"dx += "
                          "...\", forward=\"dout = ...\") (see README, Custom rules), or mark "
                          "it constant with srcad.nondiff(func)", **where)
    if op.kind == "rule":
        for p in op.rule.missing:
            if atom_name(op.bound.get(p)) in active:
                raise NoRule(f"cannot differentiate {describe_func(op)} with respect to its "
                             f"argument {p!r}: srcad has no rule for that derivative",
                             hint="differentiate a different formulation, or register a rule "
                                  "with srcad.defrule", **where)
    if op.kind == "badcall":
        raise NoRule(f"cannot differentiate this call of {describe_func(op)}: its arguments "
                     f"do not match the rule's parameters "
                     f"({', '.join(p for p, _ in op.rule.params if not p.startswith('_'))})",
                     hint="pass only the supported arguments", **where)
    if op.kind == "boolop":
        raise UnsupportedSyntax("cannot differentiate and/or on a differentiated value",
                                hint="use if/else (or np.where) to choose a value", **where)
