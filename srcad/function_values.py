"""Functions as values, written out so that every call srcad differentiates names its callee.

* ``map(f, xs)`` is ``(f(v) for v in xs)`` and ``filter(f, xs)`` is ``(v for v in xs if
  f(v))``; with a lambda, its body is the element (``map(lambda w: w ** 2, ws)`` is ``(w ** 2 for
  w in ws)``). The comprehension pass then writes the loop.
* Any other lambda becomes a nested ``def`` (lifted like one, see ``closures``).
* A call of a user helper with a function as an argument (``layer(x, W, np.tanh)``) calls a copy
  of the helper specialised on that function (``layer_tanh(x, W)``, whose ``act`` is the
  function itself): inside it, ``act(z)`` is a call srcad resolves, so it has a rule or a
  derivative. The function's identity is part of the specialisation, as an argument's kind is.
"""
import functools
import inspect
import pickle
import threading
import types
import weakref

import gast

from .build import call, name
from .closures import arguments, failer
from .kinds import LOCAL, UNRESOLVED
from .walk import clone, rewritten, walk

_specialised = weakref.WeakKeyDictionary()   # helper -> {(param, id(value)): (copy, value)}
_lock = threading.Lock()


# ---- map and filter ------------------------------------------------------------------------


def maps_as_generators(tree, is_builtin, namer):
    """Each ``map(...)``/``filter(...)`` call (the builtins) as the generator expression it is."""
    for node in list(walk(tree)):
        for field, value in gast.iter_fields(node):
            if isinstance(value, gast.Call):
                setattr(node, field, as_generator(value, is_builtin, namer))
            elif isinstance(value, list):
                value[:] = [as_generator(v, is_builtin, namer) if isinstance(v, gast.Call) else v
                            for v in value]
    return tree


def as_generator(node, is_builtin, namer):
    f = node.func
    which = f.id if isinstance(f, gast.Name) and f.id in ("map", "filter") else None
    if which is None or not is_builtin(which, map if which == "map" else filter) or \
            node.keywords or any(isinstance(a, gast.Starred) for a in node.args) or \
            len(node.args) < 2 or which == "filter" and len(node.args) != 2:
        return node
    func, iterables = node.args[0], node.args[1:]
    lam = func if isinstance(func, gast.Lambda) and not lambda_has_extras(func) and \
        len(func.args.args) == len(iterables) else None
    params = [a.id for a in lam.args.args] if lam else \
        [namer.fresh("item" if len(iterables) == 1 else f"item{i + 1}")
         for i in range(len(iterables))]
    target = name(params[0], store=True) if len(params) == 1 else gast.Tuple(
        elts=[name(p, store=True) for p in params], ctx=gast.Store())
    iterable = iterables[0] if len(iterables) == 1 else call("zip", *iterables)
    applied = lam.body if lam else name(params[0]) if isinstance(func, gast.Constant) and \
        func.value is None else call(func, *[name(p) for p in params])   # filter(None, xs)
    if which == "map":
        gen = gast.comprehension(target=target, iter=iterable, ifs=[], is_async=0)
        out = gast.GeneratorExp(elt=applied, generators=[gen])
    else:
        gen = gast.comprehension(target=target, iter=iterable, ifs=[applied], is_async=0)
        out = gast.GeneratorExp(elt=name(params[0]), generators=[gen])
    return gast.copy_location(out, node)


def lambda_has_extras(lam):
    a = lam.args
    return bool(a.vararg or a.kwarg or a.kwonlyargs or a.defaults or a.posonlyargs)


# ---- functools.partial -------------------------------------------------------------------


def partials_inlined(tree, scope, namer):
    """``g = functools.partial(f, a, k=b)`` (``f`` known at transform time, ``g`` bound once
    and only called) as ``g_a = a``, ``g_k = b``, and each ``g(x)`` as ``f(g_a, x, k=g_k)``:
    the arguments are read where the partial is made, as Python reads them."""
    made = {}
    for s in walk(tree):
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and \
                isinstance(s.targets[0], gast.Name) and isinstance(s.value, gast.Call) and \
                scope.resolve(s.value.func) is functools.partial and s.value.args and \
                is_function_value(scope.resolve(s.value.args[0])) and \
                not any(isinstance(a, gast.Starred) for a in s.value.args) and \
                all(k.arg for k in s.value.keywords):
            made.setdefault(s.targets[0].id, []).append(s)
    uses = {}
    for n in walk(tree):
        if isinstance(n, gast.Name) and n.id in made:
            uses.setdefault(n.id, []).append(n)
    calls = {id(c.func): c for c in walk(tree) if isinstance(c, gast.Call)}
    for g, (s, *more) in made.items():
        if more or any(id(n) not in calls and n is not s.targets[0] for n in uses[g]):
            continue
        func, *args = s.value.args
        bound = [namer.fresh(f"{g}_arg{i}") for i in range(len(args))]
        kw = {k.arg: namer.fresh(f"{g}_{k.arg}") for k in s.value.keywords}
        names, values = bound + list(kw.values()), args + [k.value for k in s.value.keywords]
        if len(names) == 1:
            s.targets[0], s.value = name(names[0], store=True), values[0]
        else:       # (none: a constant no one reads)
            s.targets[0] = gast.Tuple(elts=[name(b, store=True) for b in names], ctx=gast.Store())
            s.value = gast.Tuple(elts=values, ctx=gast.Load()) if names else \
                gast.Constant(value=None, kind=None)
            if not names:
                s.targets[0] = name(namer.fresh(f"{g}_made"), store=True)
        for n in uses[g]:
            c = calls.get(id(n))
            if c is not None:
                c.func = clone(func)
                c.args = [name(b) for b in bound] + c.args
                c.keywords = [gast.keyword(arg=k, value=name(v)) for k, v in kw.items()
                              if k not in {x.arg for x in c.keywords}] + c.keywords
    return tree


# ---- lambdas as nested definitions ---------------------------------------------------------


def lambdas_as_defs(tree, namer):
    """Each lambda (not one assigned to a name: ``closures`` reads those) as a nested ``def``
    just before the statement that makes it, the lambda replaced by the function's name."""
    tree.body = _block(tree.body, namer)
    return tree


def _block(stmts, namer):
    return rewritten(stmts, lambda s: _with_defs(s, namer))


def _with_defs(s, namer):
    if isinstance(s, gast.Assign) and isinstance(s.value, gast.Lambda) and \
            len(s.targets) == 1 and isinstance(s.targets[0], gast.Name):
        return [s]
    defs = []
    for node in [n for n in _header_nodes(s)]:
        for field, value in gast.iter_fields(node):
            if isinstance(value, gast.Lambda):     # (a keyword's lambda: named after it)
                setattr(node, field, _as_def(value, node.arg if isinstance(
                    node, gast.keyword) and node.arg else "fn", defs, namer))
            elif isinstance(value, list):
                value[:] = [_as_def(v, "fn", defs, namer)
                            if isinstance(v, gast.Lambda) else v for v in value]
    return defs + [s]


def _header_nodes(s):
    """The nodes of ``s`` outside its nested blocks, lambdas' bodies included (a lambda in a
    lambda is lifted with the outer one)."""
    todo = [v for f, v in gast.iter_fields(s) if f not in ("body", "orelse")]
    while todo:
        v = todo.pop()
        if isinstance(v, list):
            todo.extend(v)
        elif isinstance(v, gast.AST) and not isinstance(v, gast.Lambda):
            yield v
            todo.extend(gast.iter_child_nodes(v))


def _as_def(lam, base, defs, namer):
    fname = namer.fresh(base if base.isidentifier() else "fn")
    fd = gast.FunctionDef(name=fname, args=lam.args,
                          body=[gast.copy_location(gast.Return(value=lam.body), lam)],
                          decorator_list=[], returns=None, type_comment=None, type_params=[])
    fd.code_key = ("<lambda>", lam.lineno)
    defs.append(gast.copy_location(fd, lam))
    return gast.copy_location(name(fname), lam)


# ---- helpers specialised on the functions passed to them -----------------------------------


def specialised_calls(tree, scope, namer, is_user_function, read_tree, remember_source,
                      filename):
    """Calls of user helpers with function arguments, as calls of specialised copies (added
    to ``scope.nested`` under the names the calls use). ``read_tree(helper)``: its definition."""
    fail = failer(filename)
    for node in walk(tree):
        if not isinstance(node, gast.Call) or any(isinstance(a, gast.Starred) for a in node.args) \
                or any(k.arg is None for k in node.keywords):
            continue
        picked = item_of_global(node.func, scope)
        if is_function_value(picked):     # acts["relu"](x): the function in a global table
            node.func = name(namer.fresh(item_name(node.func)))
            scope.nested[node.func.id] = picked
        held = scope.resolve(node.func) if isinstance(node.func, (gast.Name, gast.Attribute)) \
            else None
        if isinstance(held, functools.partial) and is_function_value(held.func):
            bind_partial(node, held, scope, namer)   # PARTIAL(x): f(<its arguments>, x)
        derived = derived_called(node.func, scope)
        if derived is not None:       # srcad.grad(g)(x), dg(x): the derivative's own source
            generated = derived.compiled({})[0]
            node.func = name(namer.fresh(derived.__name__))
            scope.nested[node.func.id] = generated
        helper = scope.resolve(node.func)
        if not is_user_function(helper) or getattr(helper, "__srcad_tapes__", None) is not None:
            continue
        try:
            bound = inspect.signature(helper).bind(*node.args, **{k.arg: k.value
                                                                  for k in node.keywords})
        except TypeError:
            continue
        fixed = {p: v for p, a in bound.arguments.items()
                 if isinstance(a, (gast.Name, gast.Attribute, gast.Subscript))
                 and is_function_value(v := scope.resolve(a) if not isinstance(
                     a, gast.Subscript) else item_of_global(a, scope))}
        if not fixed:
            continue
        params = inspect.signature(helper).parameters
        if any(params[p].kind in (inspect.Parameter.VAR_POSITIONAL,
                                  inspect.Parameter.VAR_KEYWORD) for p in fixed):
            fail(node, f"a function passed to {helper.__name__} through *args or **kwargs",
                 "pass it to a named parameter")
        label = "_".join(getattr(v, "__name__", "fn").strip("<>") for v in fixed.values())
        copy = specialised(helper, fixed, lambda: without_parameters(
            read_tree(helper), fixed, fail, f"{helper.__name__}_{label}"), remember_source)
        callee = namer.fresh(copy.__name__)
        scope.nested[callee] = copy
        positional = [a for a in node.args if not any(a is bound.arguments[p] for p in fixed)]
        node.func = name(callee)
        node.args = positional
        node.keywords = [k for k in node.keywords if k.arg not in fixed]
    return tree


DERIVED_MODES = ("grad", "value_and_grad", "vjp")


def derived_called(func, scope):
    """The derivative srcad made that ``func`` names at transform time: a global one (``dg``
    for ``dg = srcad.grad(g)``) or a transform applied there (``srcad.grad(g, wrt=1)``, its
    arguments known at transform time), else None. (Duck-typed: this stage is below the API.)"""
    if isinstance(func, gast.Call):
        transform = scope.resolve(func.func)
        if getattr(transform, "__module__", None) != "srcad.api" or \
                getattr(transform, "__name__", None) not in DERIVED_MODES:
            return None
        args = [scope.resolve(a) if isinstance(a, (gast.Name, gast.Attribute)) else
                a.value if isinstance(a, gast.Constant) else UNRESOLVED for a in func.args]
        kwargs = {k.arg: k.value.value if isinstance(k.value, gast.Constant) else
                  scope.resolve(k.value) if isinstance(k.value, gast.Name) else UNRESOLVED
                  for k in func.keywords}
        if UNRESOLVED in args or UNRESOLVED in kwargs.values() or LOCAL in args or \
                LOCAL in kwargs.values():
            return None
        value = transform(*args, **kwargs)
    elif isinstance(func, (gast.Name, gast.Attribute)):
        value = scope.resolve(func)
    else:
        return None
    is_derived = type(value).__name__ == "Derived" and \
        type(value).__module__ == "srcad.api" and getattr(value, "mode", None) in DERIVED_MODES
    return value if is_derived and getattr(value, "aux_box", None) is None and \
        getattr(value, "instance", None) is None else None


def item_of_global(node, scope):
    """What ``table["key"]`` (or ``table[0]``) holds, for a table srcad can look up at
    transform time (a global or a closure's dict, list or tuple), else None."""
    if not (isinstance(node, gast.Subscript) and isinstance(node.slice, gast.Constant)):
        return None
    table = scope.resolve(node.value) if isinstance(node.value, (gast.Name, gast.Attribute)) \
        else None
    if not isinstance(table, (dict, list, tuple)):
        return None
    try:
        return table[node.slice.value]
    except (KeyError, IndexError, TypeError):
        return None


def item_name(node):
    key = str(node.slice.value)
    base = node.value.id if isinstance(node.value, gast.Name) else node.value.attr
    word = "".join(c if c.isalnum() else "_" for c in key).strip("_")
    return f"{base}_{word}" if word and not word[0].isdigit() else f"{base}_item"


def bind_partial(node, held, scope, namer):
    """A call of a ``functools.partial`` known at transform time as a call of its function,
    its arguments names bound (in ``scope.nested``) to the values it holds."""
    base = getattr(held.func, "__name__", "fn")
    if scope.resolve(name(base)) is held.func:      # (its own global name)
        node.func = name(base)
    else:
        node.func = name(namer.fresh(base))
        scope.nested[node.func.id] = held.func
    bound = []
    for i, v in enumerate(held.args):
        bound.append(name(namer.fresh(f"{base}_arg{i}")))
        scope.nested[bound[-1].id] = v
    keywords = []
    for k, v in held.keywords.items():
        if k not in {x.arg for x in node.keywords}:
            keywords.append(gast.keyword(arg=k, value=name(namer.fresh(f"{base}_{k}"))))
            scope.nested[keywords[-1].value.id] = v
    node.args = bound + node.args
    node.keywords = keywords + node.keywords


def is_function_value(v):
    """A function, a builtin or a NumPy ufunc known at transform time (not a class)."""
    return isinstance(v, (types.FunctionType, types.BuiltinFunctionType)) or \
        type(v).__name__ == "ufunc" or (callable(v) and not inspect.isclass(v) and
                                        not isinstance(v, types.ModuleType) and
                                        type(v).__module__.split(".")[0] == "numpy")


def specialised(helper, fixed, tree, remember_source):
    """``helper`` with the parameters in ``fixed`` bound to those functions (closure cells);
    ``tree()``: its definition without them. One copy per helper and functions."""
    key = tuple(sorted((p, id(v)) for p, v in fixed.items()))
    with _lock:
        copies = _specialised.setdefault(helper, {})
        hit = copies.get(key)
        if hit is not None:
            return hit[0]
        made = tree()
        taken = {c.__name__ for c, _ in copies.values()}
        base, k = made.name, 1
        while made.name in taken:       # (two functions of one name: copies apart)
            k += 1
            made.name = f"{base}_{k}"
        copy = compile_in_factory(helper, made, fixed, remember_source)
        copies[key] = (copy, tuple(fixed.values()))     # (the values stay alive with it)
        return copy


def without_parameters(tree, fixed, fail, new_name):
    """The helper's definition without the parameters ``fixed`` binds (and their defaults),
    named after the functions (two copies of one helper must not have equal code objects)."""
    a = tree.args
    for n in walk(tree):
        if isinstance(n, gast.Name) and n.id in fixed and isinstance(n.ctx, (gast.Store,
                                                                              gast.Del)):
            fail(n, f"the function parameter {n.id} of {tree.name} assigned again (srcad "
                 f"specialises {tree.name} on the function passed to it)",
                 "give the new value a name of its own")
    first_default = len(a.args) - len(a.defaults)
    keep = [(p, a.defaults[i - first_default] if i >= first_default else None)
            for i, p in enumerate(a.args) if p.id not in fixed]
    a.args = [p for p, _ in keep]
    a.defaults = [d for _, d in keep if d is not None]
    kw = [(p, d) for p, d in zip(a.kwonlyargs, a.kw_defaults) if p.id not in fixed]
    a.kwonlyargs, a.kw_defaults = [p for p, _ in kw], [d for _, d in kw]
    tree.decorator_list = []
    tree.name = new_name
    return tree


def compile_in_factory(helper, tree, fixed, remember_source):
    """A new function from ``tree`` (a rewritten definition of ``helper``), compiled in a
    factory whose parameters are the names in ``fixed`` and the helper's own free variables:
    it has the helper's globals and cells, and new cells holding ``fixed``'s values."""
    code = helper.__code__
    free = list(fixed) + [v for v in code.co_freevars if v not in fixed]
    factory = gast.FunctionDef(
        name="__srcad_specialise__", args=arguments(free),
        body=[tree, gast.Return(value=name(tree.name))], decorator_list=[], returns=None,
        type_comment=None, type_params=[])
    module = gast.Module(body=[factory], type_ignores=[])
    for n in walk(module):
        if isinstance(n, (gast.stmt, gast.expr)) and getattr(n, "lineno", None) is None:
            n.lineno, n.col_offset = tree.lineno, 0
    compiled = compile(gast.gast_to_ast(gast.fix_missing_locations(module)),
                       code.co_filename, "exec")
    namespace = {}
    exec(compiled, helper.__globals__, namespace)
    made = namespace["__srcad_specialise__"](*[None] * len(free))
    cells = dict(zip(code.co_freevars, helper.__closure__ or ()))
    closure = tuple(types.CellType(fixed[v]) if v in fixed else cells[v]
                    for v in made.__code__.co_freevars)
    func = types.FunctionType(made.__code__, helper.__globals__, tree.name, made.__defaults__,
                              closure or None)
    func.__kwdefaults__ = made.__kwdefaults__
    func.__qualname__ = helper.__qualname__.rpartition(".")[0] + tree.name if "." in \
        helper.__qualname__ else tree.name
    func.__module__ = helper.__module__
    remember_source(made.__code__, pickle.loads(pickle.dumps(tree)), tree.lineno)
    return func
