"""Variadic parameters and calls: ``def f(w, *args, **kw)``, ``g(x, *rest)``, ``g(**kw)``.

* Parameters. Inside the pipeline ``*args`` and ``**kw`` are plain parameters holding the tuple
  and the dict (``flatten_parameters``), so every stage treats them as it treats a tuple or a
  dict argument; the generated function gets its stars back (``restore_parameters``) and takes
  the same arguments as the original, with the seed or tangents srcad adds keyword-only.
* Calls of a user helper. ``g(x, *rest)`` where the star fills ``g``'s named parameters is
  unpacked first (``y, z = rest; g(x, y, z)``), so each element carries its own derivative;
  extra positional arguments for ``g``'s ``*xs`` are packed into one tuple (``xs = a, b;
  g(x, *xs)``). A star that fills ``g``'s ``*param`` (and a ``**d`` that fills its
  ``**param``) stays, and ``statements.bind_arguments`` binds it to that parameter (the
  analysis of a call is the analysis's: ``statements``, ``analysis.check_spread``).
* Calls of a library function. ``np.random.randn(*shape)``, ``x.reshape(*shape)``,
  ``np.sum(x, **options)``: the starred values become atoms and the call stays; the analysis
  lets it through where no value that carries a derivative is spread into a parameter a rule
  names (``statements.rule_op``, ``analysis.check_differentiable``).
* ``wrt``. An integer counts call positions, as autograd's ``argnum`` and JAX's ``argnums``
  do: for ``f(w, *args)`` called ``f(w, a, b)``, ``wrt=1`` is ``a`` (an ``Extra``); a name
  selects a parameter, so ``wrt="args"`` is the whole tuple (its gradient a tuple).
* ``args + (x,)``: ``+`` on tuples or lists concatenates, and its derivative splits at
  ``len(args)`` (the rule of ``runtime.concat``: ``statements.concat_op``).
"""
import inspect
import weakref

import gast

from .errors import UsageError
from .frontend import Method, is_user_function
from .runtime import zeros_like
from .walk import clone

P = inspect.Parameter
POSITIONAL = (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD)


# ---- parameters -------------------------------------------------------------------------------
def flatten_parameters(tree):
    """``def f(w, *args, **kw)`` -> ``def f(w, args, kw)`` (in place)."""
    args = tree.args
    extra = [p for p in (args.vararg, args.kwarg) if p is not None]
    if not extra:
        return
    if args.defaults:   # keep the defaults aligned with the last parameters
        args.defaults = args.defaults + [gast.Constant(value=None, kind=None) for _ in extra]
    args.args = args.args + [gast.Name(id=p.id, ctx=gast.Param(), annotation=None,
                                       type_comment=None) for p in extra]
    args.vararg = args.kwarg = None


def restore_parameters(tree, original):
    """The generated ``tree`` (flattened) takes ``*args``/``**kw`` again, as ``original`` does;
    the parameters srcad appended (a seed, tangents) follow them keyword-only. A tuple packed
    for a call and inlined there, ``g(w, *(a, b))``, is written ``g(w, a, b)`` again."""
    for n in gast.walk(tree):
        if isinstance(n, gast.Call) and n.args and isinstance(n.args[-1], gast.Starred) and \
                isinstance(n.args[-1].value, gast.Tuple):
            n.args[-1:] = n.args[-1].value.elts
    star, stars = original.args.vararg, original.args.kwarg
    if star is None and stars is None:
        return tree
    args = tree.args
    n = len(original.args.args)
    defaults = [None] * (len(args.args) - len(args.defaults)) + list(args.defaults)
    variadic = {p.id for p in (star, stars) if p is not None}
    added = [(a, d) for a, d in zip(args.args[n:], defaults[n:]) if a.id not in variadic]
    args.args, args.defaults = args.args[:n], [d for d in defaults[:n] if d is not None]
    args.vararg = gast.Name(id=star.id, ctx=gast.Param(), annotation=None,
                            type_comment=None) if star else None
    args.kwarg = gast.Name(id=stars.id, ctx=gast.Param(), annotation=None,
                           type_comment=None) if stars else None
    args.kwonlyargs = args.kwonlyargs + [a for a, _ in added]
    args.kw_defaults = args.kw_defaults + [d for _, d in added]
    return tree


# ---- calls ------------------------------------------------------------------------------------
def callee_name(func, node):
    if isinstance(func, Method):
        return f".{func.name}()"
    return getattr(func, "__name__", None) or (node.func.id if isinstance(node.func, gast.Name)
                                               else "this function")


def spread_arguments(lowering, call, out):
    """Lower a call with ``*seq`` or ``**d``, or with extra positional arguments for the
    callee's ``*param`` (in place): starred values become atoms; a star that exactly fills the
    callee's remaining named parameters is unpacked into them (``y, z = rest``); extra
    positional arguments are packed into one tuple named after the ``*param``
    (``xs = a, b``) passed with a star, so the tuple carries their derivatives."""
    stars = [i for i, a in enumerate(call.args) if isinstance(a, gast.Starred)]
    func = lowering.scope.resolve(call.func)
    if not is_user_function(func):    # np.random.randn(*shape): the analysis decides (a value
        for i in stars:                 # that carries a derivative must reach a named parameter)
            call.args[i].value = lowering.atom(call.args[i].value, out)
        if sum(k.arg is None for k in call.keywords) > 1:
            lowering.fail(call, f"a call of {callee_name(func, call)} with two **kwargs",
                          "merge them into one dict first")
        return
    what = callee_name(func, call)
    if stars and stars != [len(call.args) - 1]:
        lowering.fail(call, f"a call of {what} with *args before other positional arguments, "
                      f"or with two of them", f"build one tuple first: t = a + (x,); {what}(*t)")
    if sum(k.arg is None for k in call.keywords) > 1:
        lowering.fail(call, f"a call of {what} with two **kwargs", "merge them into one dict first")
    params = list(inspect.signature(func).parameters.values())
    named = [p for p in params if p.kind in POSITIONAL]
    var = next((p.name for p in params if p.kind is P.VAR_POSITIONAL), None)
    plain = len(call.args) - len(stars)
    if var and plain > len(named):
        extra = gast.Tuple(elts=call.args[len(named):plain], ctx=gast.Load())
        if stars:   # g(w, a, *rest): xs = a,  xs_2 = xs + rest
            extra = gast.BinOp(left=lowering.atom(located(extra, call.lineno), out, base=var),
                               op=gast.Add(), right=call.args[-1].value)
        if stars or not all(isinstance(e, gast.Constant) for e in extra.elts):
            packed = lowering.atom(located(extra, call.lineno), out, base=var)
            call.args[len(named):] = [gast.Starred(value=packed, ctx=gast.Load())]
            return
    if not stars:
        return
    star = call.args[-1]
    star.value = lowering.atom(star.value, out)
    filled = star_fills(params, plain, {k.arg for k in call.keywords if k.arg})
    if not filled:
        return
    names = [lowering.namer.fresh(p) for p in filled]
    lowering.scope.locals = lowering.scope.locals | set(names)
    if var is None:     # exactly the named parameters: unpack (Python checks the length)
        target = gast.Tuple(elts=[name(n, store=True) for n in names], ctx=gast.Store())
        lowering.assign_to(target, star.value, call.lineno, out)
        call.args[-1:] = [name(n) for n in names]
        return
    for k, n in enumerate(names):   # the first ones named, the rest for the callee's *param
        item = gast.Subscript(value=clone(star.value), slice=const(k), ctx=gast.Load())
        lowering.assign_to(name(n, store=True), located(item, call.lineno), call.lineno, out)
    rest = gast.Subscript(value=clone(star.value), slice=gast.Slice(
        lower=const(len(names)), upper=None, step=None), ctx=gast.Load())
    star.value = lowering.atom(located(rest, call.lineno), out, base=var)
    call.args[-1:] = [name(n) for n in names] + [star]


def located(node, lineno):
    for n in gast.walk(node):
        if getattr(n, "lineno", None) is None and isinstance(n, (gast.expr, gast.stmt)):
            n.lineno = lineno
    return node


def star_fills(params, given, keywords):
    """The named parameters a star after ``given`` positional arguments fills, one element
    each, when that is known before the call (none of them has a default); else None."""
    rest = [p for p in params if p.kind in POSITIONAL][given:]
    if any(p.default is not P.empty or p.name in keywords for p in rest):
        return None
    return [p.name for p in rest]


def name(id_, store=False):
    return gast.Name(id=id_, ctx=gast.Store() if store else gast.Load(), annotation=None,
                     type_comment=None)


def const(value):
    return gast.Constant(value=value, kind=None)


# ---- wrt, arguments and calls of the public transforms (api.py) -------------------------------
class Extra(str):
    """``wrt`` naming one extra positional argument: element ``index`` of the ``*param`` tuple
    (shown as ``args[0]``). The generated derivative is taken with respect to the whole tuple
    and this element picked from it."""

    def __new__(cls, param, index):
        self = super().__new__(cls, f"{param}[{index}]")
        self.param, self.index = param, index
        return self

    def __reduce__(self):
        return Extra, (self.param, self.index)


def var_positional(signature):
    return next((p.name for p in signature.parameters.values() if p.kind is P.VAR_POSITIONAL),
                None)


def is_variadic(signature):
    return any(p.kind in (P.VAR_POSITIONAL, P.VAR_KEYWORD) for p in signature.parameters.values())


def name_hint(signature):
    """The hint for a ``wrt`` name that is no parameter."""
    kwvar = [p.name for p in signature.parameters.values() if p.kind is P.VAR_KEYWORD]
    return "name one of its parameters" + (
        f" (the keyword arguments in **{kwvar[0]} are differentiated as one dict: "
        f"wrt={kwvar[0]!r})" if kwvar else "")


def position_name(signature, w):
    """The parameter (or Extra) call position ``w`` names, for a function with ``*args``
    (an Extra passed on by a derivative transformed again stays); None for other functions
    (their positions are their parameters)."""
    if isinstance(w, Extra):
        return w
    var = var_positional(signature)
    if var is None:
        return None
    positional = [p.name for p in signature.parameters.values() if p.kind in POSITIONAL]
    if w < 0:
        raise UsageError(f"wrt={w}: with *{var}, an integer wrt counts the positions of a call "
                         f"from 0 (and a call has no fixed last one)",
                         f"count from 0, or name the parameter (wrt={var!r} for the whole tuple)")
    return positional[w] if w < len(positional) else Extra(var, w - len(positional))


def check_extras(names, signature):
    """An Extra passed on (a derivative transformed again) must fit this signature, and a
    tuple is differentiated either whole or by elements."""
    var = var_positional(signature)
    for w in names:
        if isinstance(w, Extra) and w.param != var:
            raise UsageError(f"wrt={w!r} names an extra positional argument, but the function "
                             f"has no *{w.param}", "name one of its parameters")
        if isinstance(w, Extra) and w.param in names:
            raise UsageError(f"wrt names both {w.param} and its element {w}",
                             f"use wrt={w.param!r} for the whole tuple, or positions only")


def real_wrt(wrt):
    """The parameters the generated derivative is taken with respect to: an Extra's tuple."""
    out = []
    for w in wrt:
        n = w.param if isinstance(w, Extra) else w
        if n not in out:
            out.append(n)
    return tuple(out)


def prepare_extras(arguments, wrt, differentiable):
    """Promote the extra positional arguments ``wrt`` names (``arguments[param]`` is the tuple),
    and give each Extra its own entry, as a named parameter has."""
    for w in wrt:
        if not isinstance(w, Extra):
            continue
        values = arguments[w.param]
        if w.index >= len(values):
            raise UsageError(f"wrt names {w}, but this call passes {len(values)} extra "
                             f"positional argument(s) as *{w.param}",
                             "pass the argument, or choose another wrt")
        value = differentiable(w, values[w.index])
        arguments[w.param] = values[:w.index] + (value,) + values[w.index + 1:]
        arguments[w] = value


def picked(wrt, grads):
    """One derivative per ``wrt`` from the generated function's result, which has one per
    ``real_wrt(wrt)`` (a bare one when there is one)."""
    real = real_wrt(wrt)
    grads = (grads,) if len(real) == 1 else tuple(grads)
    by_param = dict(zip(real, grads))
    return tuple(by_param[w.param][w.index] if isinstance(w, Extra) else by_param[w]
                 for w in wrt)


def spread_tangents(wrt, tangents, arguments):
    """One tangent per ``real_wrt(wrt)``: for the extra positional arguments, a tuple of zeros
    with the given tangents in their places."""
    out, spread = {}, set()
    for w, t in zip(wrt, tangents):
        if isinstance(w, Extra):
            if w.param not in spread:
                out[w.param] = [zeros_like(v) for v in arguments[w.param]]
                spread.add(w.param)
            out[w.param][w.index] = t
        else:
            out[w] = t
    return [tuple(out[r]) if r in spread else out[r] for r in real_wrt(wrt)]


def check_transform_again(inner, mode):
    """A derivative with respect to an element of ``*args`` can be transformed again by
    ``jvp`` (``hessian``, ``hvp``), which picks the element from its result; not otherwise."""
    if any(isinstance(w, Extra) for w in inner.wrt) and (inner.mode == "jvp" or mode != "jvp"):
        raise UsageError(f"srcad.{mode} cannot transform {inner.__name__} again: it is taken with "
                         f"respect to an element of *{real_wrt(inner.wrt)[-1]}",
                         f"take it with respect to the whole tuple (wrt="
                         f"{real_wrt(inner.wrt)[-1]!r}), or use srcad.hessian / srcad.hvp")


def signature_with(signature, extra):
    """``signature`` with the parameters ``extra`` a derivative adds: positional after ordinary
    parameters, keyword-only after ``*args`` or keyword-only ones (as the generated function)."""
    params = list(signature.parameters.values())
    plain = all(p.kind in POSITIONAL for p in params)
    default = None if any(p.default is not P.empty for p in params) else P.empty
    kind = P.POSITIONAL_OR_KEYWORD if plain else P.KEYWORD_ONLY
    added = [P(n, kind, default=default if plain else P.empty) for n in extra]
    cut = len(params) - (1 if params and params[-1].kind is P.VAR_KEYWORD else 0)
    return inspect.Signature(params[:cut] + added + params[cut:])


_signatures = weakref.WeakKeyDictionary()   # code of a generated function -> its signature


def call_generated(fn, values):
    """Call a generated function with ``{parameter: value}``: ``*args`` spread, keyword-only
    parameters and ``**kw`` by name, the others by position."""
    signature = _signatures.get(fn.__code__)
    if signature is None:
        signature = _signatures[fn.__code__] = inspect.signature(fn)
    bound = inspect.BoundArguments(signature, values)
    return fn(*bound.args, **bound.kwargs)


def call_original(fn, signature, arguments, *extra):
    """``fn`` called with its bound ``arguments`` (``*args`` spread), then ``extra`` last."""
    bound = inspect.BoundArguments(signature, arguments)
    return fn(*bound.args, *extra, **bound.kwargs)
