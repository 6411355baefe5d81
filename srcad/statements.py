"""What each core-language statement computes (its ``Op``), and the kinds of values.

The per-statement facts the analysis (``analysis.analyze``), the memory of values
(``memory``) and the checks of changes in place (``aliasing``) are built from: ``describe``
classifies a value expression, ``infer_kinds`` gives every name a flow-insensitive kind (a
user helper's result is read from its own body, lowered here for its kinds only), and the
walking helpers read the core language's assignments. Everything reads the tree and returns
results; nothing is written onto nodes.
"""
import collections.abc
import inspect
import operator
from dataclasses import dataclass, field

import gast
import numpy as np

from . import rules, runtime as _rt, templates
from .frontend import LOCAL, UNRESOLVED, Method, is_tape_call, is_user_function, read_function
from .kinds import DICT, ITERABLE, SCALAR, SEQ, UNKNOWN, array_kind, is_keyed, ndim_of
from .normalize import normalize
from .walk import walk

P = inspect.Parameter
POSITIONAL = (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD)

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


def is_namedtuple_class(func):
    return isinstance(func, type) and issubclass(func, tuple) and hasattr(func, "_fields")


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
        if is_namedtuple_class(func) and not value.keywords and \
                len(value.args) == len(func._fields):     # Params(W, b): packed in order
            return Op("pack", operands=list(value.args))
        if func is UNRESOLVED or func is LOCAL:   # (a local function value may hold one)
            callee = [value.func] if isinstance(value.func, gast.Name) else []
            return Op("unknown", func=None, operands=callee + unstarred(value.args) +
                      list(kwargs.values()))
        if rules.has_rule(func) or rules.is_nondiff(func):
            return rule_op(func, value.args, kwargs)
        if is_user_function(func):   # (g(*args): the tuple itself is the operand)
            return Op("helper", func=func, operands=unstarred(value.args) + list(kwargs.values()))
        return Op("unknown", func=func, operands=unstarred(value.args) + list(kwargs.values()))
    if isinstance(value, gast.Attribute):
        if scope.resolve(value) is not UNRESOLVED and not isinstance(scope.resolve(value), Method):
            return Op("global")
        op = rule_op(("attr", value.attr), [value.value], {}, what=f".{value.attr}")
        if op.kind == "unknown":    # p.w of a namedtuple, a dataclass, an object's attribute
            rule = rules.field_rule(value.attr)
            return Op("rule", key=rule.key, rule=rule, bound={"a": value.value},
                      operands=[value.value])
        return op
    if isinstance(value, gast.Subscript):
        return Op("subscript", operands=[value.value])
    if isinstance(value, (gast.Tuple, gast.List)):
        if all(isinstance(e, gast.Constant) for e in value.elts):
            return Op("global")
        return Op("pack", operands=list(value.elts))
    if isinstance(value, gast.Dict):     # {"w": a, k: b}: packed under its keys
        return Op("pack", operands=list(value.values))
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


def unstarred(args):
    """The atoms of call arguments, ``*seq`` as ``seq``."""
    return [a.value if isinstance(a, gast.Starred) else a for a in args]


def spread_fits(rule, args, kwargs):
    """Whether every ``*seq`` of a call lands in the rule's own ``*param`` (``x.reshape(*shape)``),
    and no ``**d`` is passed: then the binding is exact whatever ``seq`` holds."""
    if None in kwargs:
        return False
    names = [p for p, _ in rule.params]
    star = next((i for i, p in enumerate(names) if p.startswith("*")), None)
    return all(star is not None and i >= star for i, a in enumerate(args)
               if isinstance(a, gast.Starred))


def rule_op(key, args, kwargs, what=None):
    if key is None or rules.is_nondiff(key):
        return Op("nondiff", key=key)
    rule = rules.lookup(key, len(args))
    operands = unstarred(args) + list(kwargs.values())
    if rule is None:
        return Op("unknown", key=key, func=key, operands=operands)
    bound = rule.bind(args, kwargs) if spread_fits(rule, args, kwargs) else None
    if bound is None:
        return Op("badcall", key=key, rule=rule, operands=operands)
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
               _rt.broadcast_like: 1, _rt.add_seq: 0, _rt.appended: 0,
               _rt.stored_at: 0, _rt.zeroed_at: 0}   # the result has this argument's kind
CREATE_LIKE = {np.zeros_like, np.ones_like, np.empty_like, np.full_like, np.copy}
CREATE_FROM_SHAPE = {np.zeros, np.ones, np.empty, np.full}
REDUCTIONS = {np.sum, np.mean, np.max, np.min, np.amax, np.amin, np.prod}
SCALAR_FUNCS = {len, float, int, abs, round, min, max, bool}


def kind_of_call(value, kinds, scope):
    func = scope.resolve(value.func)
    if is_namedtuple_class(func):
        return SEQ
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
    if func in (list, tuple) and len(value.args) <= 1 and not value.keywords:
        return SEQ
    if getattr(func, "__module__", None) == "math" or func in SCALAR_FUNCS:
        if func in (min, max) and len(args) == 1:
            return UNKNOWN      # an item of the sequence
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


# ---- calls of user helpers, and tuples and lists concatenated or repeated ------------------
def bind_arguments(func, call, defaults=False):
    """``{parameter: atom}`` for a core-language call of the user function ``func``, and
    ``{parameter: atoms}`` for the parameters whose values srcad cannot follow one by one: those
    a ``*seq`` or ``**d`` fills in a way known only at run time, and a ``**param`` that collects
    keyword arguments into a dict. A trailing ``*seq`` binds the callee's ``*param`` when the
    other arguments fill every named positional parameter, ``**d`` its ``**param`` when every
    other parameter is bound. Raises TypeError where the call cannot fit (as
    ``inspect.Signature.bind`` does)."""
    signature = inspect.signature(func)
    params = list(signature.parameters.values())
    plain = [a for a in call.args if not isinstance(a, gast.Starred)]
    star = next((a.value for a in call.args if isinstance(a, gast.Starred)), None)
    named = {k.arg: k.value for k in call.keywords if k.arg is not None}
    stars = next((k.value for k in call.keywords if k.arg is None), None)
    bound = signature.bind(*plain, **named) if star is None and stars is None else \
        signature.bind_partial(*plain, **named)
    arguments, loose = dict(bound.arguments), {}
    var = next((p.name for p in params if p.kind is P.VAR_POSITIONAL), None)
    kwvar = next((p.name for p in params if p.kind is P.VAR_KEYWORD), None)
    if var in arguments:    # constants for *param (srcad packs anything else): no derivative
        arguments.pop(var)
    if kwvar in arguments:
        loose[kwvar] = list(arguments.pop(kwvar).values())
    if star is not None:
        open_ = [p.name for p in params if p.kind in POSITIONAL and p.name not in arguments]
        if var and not open_:
            arguments[var] = star
        else:
            loose.update({p: [star] for p in open_ + ([var] if var else [])})
    if stars is not None:
        open_ = [p.name for p in params if p.kind in (P.POSITIONAL_OR_KEYWORD, P.KEYWORD_ONLY)
                 and p.name not in arguments and p.name not in loose]
        if kwvar and not open_ and kwvar not in loose:
            arguments[kwvar] = stars
        else:
            for p in open_ + ([kwvar] if kwvar else []):
                loose.setdefault(p, []).append(stars)
    if defaults:
        for p in params:
            if p.name not in arguments and p.name not in loose and p.default is not P.empty:
                arguments[p.name] = p.default
    return arguments, loose


def repeat_op(value, kinds, generated=False):
    """``a * n`` or ``n * a`` where ``a`` is a tuple or a list repeats it (it does not
    multiply): the Op of ``runtime.repeat``'s rule, whose adjoint sums the copies. (In srcad's
    own output a derivative of a list may be a scalar zero: there only a repetition by a
    literal count is one, which the forward sweep copies from the user's code.)"""
    if not (isinstance(value, gast.BinOp) and isinstance(value.op, gast.Mult)):
        return None
    operands = [value.left, value.right]
    seqs = [isinstance(x, (gast.Tuple, gast.List)) or kind_of_atom(x, kinds) == SEQ
            for x in operands]
    if seqs.count(True) != 1:
        return None
    seq, count = (value.left, value.right) if seqs[0] else (value.right, value.left)
    if ndim_of(kind_of_atom(count, kinds) or UNKNOWN):
        return None     # an array times a tuple multiplies element-wise
    if generated and not (isinstance(count, gast.Constant) and type(count.value) is int):
        return None
    return rule_op(_rt.repeat, [seq, count], {})


def concat_op(value, kinds):
    """``a + b`` where an operand is a tuple or a list concatenates (it does not add): the
    Op of ``runtime.concat``'s rule, whose adjoint splits the derivative at ``len(a)``."""
    if not (isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add)):
        return None
    operands = [value.left, value.right]
    known = [kind_of_atom(x, kinds) or UNKNOWN for x in operands]
    if any(ndim_of(k) is not None for k in known):
        return None     # a number or an array: x + (1.0, 2.0) adds element-wise
    if not any(isinstance(x, (gast.Tuple, gast.List)) or k == SEQ
               for x, k in zip(operands, known)):
        return None
    return rule_op(_rt.concat, operands, {})
