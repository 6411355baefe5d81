"""Functions held in local variables, written out so that each call names its callee.

* A local name bound once to a function srcad knows at transform time (``act = np.tanh``,
  ``step = update``, ``act = ACTS["relu"]``) is that function: each read of the name reads the
  expression again, and the binding goes.
* A helper that makes and returns a nested function (a factory)::

      def make_layer(W):                  layer = make_layer(W)
          def layer(x):                   y = layer(x)
              return np.tanh(x @ W)
          return layer

  is inlined where its result is bound to a name: ``W_2 = W`` and the nested ``def layer(x)``
  (reading ``W_2``) take the place of the call, and the nested function is then lifted as any
  other (``closures``). ``make_layer(W)(x)`` is first bound to a name. Only a factory of the
  same module without a closure of its own, whose last statement returns the nested function
  (or a lambda) and which returns nowhere else, is inlined; any other call of a computed
  function stays one srcad refuses with its line.
"""
import inspect

import gast

from .build import assign, located, name
from .function_values import is_function_value
from .walk import clone, rewritten, walk


def function_aliases(tree, scope):
    """``tree`` (changed in place) with each local alias of a known function replaced by the
    expression that names the function (see the module docstring)."""
    bound, loads = {}, {}
    for n in walk(tree):
        if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load):
            bound.setdefault(n.id, []).append(n)
        elif isinstance(n, gast.Name):
            loads.setdefault(n.id, []).append(n)
    params = {a.id for a in tree.args.args + tree.args.kwonlyargs}
    declared = {n for s in walk(tree) if isinstance(s, (gast.Global, gast.Nonlocal))
                for n in s.names}
    made = {}
    for s in walk(tree):
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and \
                isinstance(s.targets[0], gast.Name) and len(bound[s.targets[0].id]) == 1 and \
                s.targets[0].id not in params | declared and \
                names_function(s.value, scope):
            made[s.targets[0].id] = s
    if not made:
        return tree
    reads = {id(n): made[alias].value for alias in made for n in loads.get(alias, [])}
    tree.body = rewritten(tree.body, lambda s: [] if any(s is m for m in made.values()) else [s])
    for node in walk(tree):
        for field, value in gast.iter_fields(node):
            items = value if isinstance(value, list) else [value]
            for i, v in enumerate(items):
                if id(v) in reads:
                    new = gast.copy_location(clone(reads[id(v)]), v)
                    if isinstance(value, list):
                        value[i] = new
                    else:
                        setattr(node, field, new)
    return tree


def names_function(value, scope):
    """Whether ``value`` (a name, ``module.attr`` or ``TABLE["key"]``) names a function known at
    transform time; its reads then mean the same wherever they are."""
    if isinstance(value, gast.Subscript) and isinstance(value.slice, gast.Constant) and \
            isinstance(value.value, (gast.Name, gast.Attribute)):
        table = scope.resolve(value.value)
        try:
            return isinstance(table, (dict, list, tuple)) and \
                is_function_value(table[value.slice.value])
        except (KeyError, IndexError, TypeError):
            return False
    if not isinstance(value, (gast.Name, gast.Attribute)):
        return False
    return is_function_value(scope.resolve(value))


# ---- factories -------------------------------------------------------------------------------


def factories_inlined(tree, scope, namer, definition, is_user_function):
    """``tree`` (changed in place) with each ``f = factory(...)`` written out (see the module
    docstring); ``definition(fn)``: a function's parsed definition."""
    def factory_of(call):
        if not isinstance(call, gast.Call) or not isinstance(call.func, (gast.Name, gast.Attribute)):
            return None
        fn = scope.resolve(call.func)
        if not is_user_function(fn) or fn.__closure__ or fn.__globals__ is not scope.globals or \
                inspect.isgeneratorfunction(fn) or any(isinstance(a, gast.Starred)
                                                       for a in call.args) or \
                any(k.arg is None for k in call.keywords):
            return None
        return fn

    def called_results(s):      # make_layer(W)(x): first bound to a name
        out = []
        for n in walk(s):
            if isinstance(n, gast.Call) and factory_of(n.func) is not None:
                made = namer.fresh(getattr(scope.resolve(n.func.func), "__name__", "fn") + "_made")
                out.append(located(assign(made, n.func, s.lineno), s.lineno))
                n.func = located(name(made), s.lineno)
        return out + [s]

    def made(s):
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and \
                isinstance(s.targets[0], gast.Name):
            fn = factory_of(s.value)
            inlined = None if fn is None else inline(s, fn, namer, definition, scope.locals, stores)
            if inlined is not None:
                return inlined
        return [s]

    def each(s):
        if isinstance(s, (gast.FunctionDef, gast.ClassDef)):
            return [s]
        return [out for h in called_results(s) for out in made(h)]

    stores = {n.id for n in walk(tree) if isinstance(n, gast.Name) and
              isinstance(n.ctx, gast.Store)}
    tree.body = rewritten(tree.body, each)
    return tree


def returned_function(tree):
    """The nested definition (or lambda) a factory's last statement returns, or None when the
    factory has another shape (a return elsewhere, nothing nested returned)."""
    *body, last = tree.body
    if not isinstance(last, gast.Return) or any(isinstance(n, gast.Return) for s in body
                                                for n in walk(s) if not inside_def(n, s)):
        return None
    if isinstance(last.value, gast.Lambda):
        return last.value
    defs = [s for s in body if isinstance(s, gast.FunctionDef)]
    if isinstance(last.value, gast.Name) and [d.name for d in defs].count(last.value.id) == 1:
        return next(d for d in defs if d.name == last.value.id)
    return None


def inside_def(node, stmt):
    """Whether ``node`` sits in a definition nested in ``stmt`` (a return of its own)."""
    return any(node is n for d in walk(stmt) if isinstance(d, (gast.FunctionDef, gast.Lambda))
               for n in walk(d))


def inline(s, fn, namer, definition, caller_names, caller_stores):
    """The statements that bind ``s``'s target to the function ``fn``'s call makes, or None."""
    try:
        tree = definition(fn)
        bound = inspect.signature(fn).bind(*s.value.args,
                                           **{k.arg: k.value for k in s.value.keywords})
    except (TypeError, ValueError):
        return None
    made = returned_function(tree)
    if made is None:
        return None
    bound.apply_defaults()
    inner = {id(n) for d in walk(tree) if isinstance(d, (gast.FunctionDef, gast.Lambda))
             and d is not tree for n in walk(d) if n is not d}
    local = {a.id for a in tree.args.args + tree.args.kwonlyargs} | {
        n.id for n in walk(tree) if isinstance(n, gast.Name) and id(n) not in inner and
        not isinstance(n.ctx, gast.Load)} | {
        d.name for d in tree.body if isinstance(d, gast.FunctionDef)}
    anywhere = {n.id for n in walk(tree) if isinstance(n, gast.Name) and
                not isinstance(n.ctx, gast.Load)} | {
        d.name for d in walk(tree) if isinstance(d, gast.FunctionDef)}
    free = {n.id for n in walk(tree) if isinstance(n, gast.Name) and n.id not in anywhere}
    if free & caller_names or any(not isinstance(v, gast.AST) and not isinstance(
            v, (int, float, bool, str, type(None))) for v in bound.arguments.values()):
        return None     # (a global of the factory that the caller binds; a default object)
    target = s.targets[0].id
    renamed = {v: namer.fresh(v) for v in sorted(local)}
    if isinstance(made, gast.FunctionDef):
        renamed[made.name] = target
    stored = {n.id for n in walk(tree) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
    in_place = {p for p, v in bound.arguments.items() if isinstance(v, gast.Name) and
                v.id not in caller_stores and p not in stored}
    for p in in_place:      # a name the caller never rebinds: read where it is
        renamed[p] = bound.arguments[p].id
    codes = nested_codes(fn.__code__)
    for d in walk(tree):
        if isinstance(d, (gast.FunctionDef, gast.Lambda)) and d is not tree:
            code = codes.get((getattr(d, "name", "<lambda>"), d.lineno))
            if code is not None:    # what it reads of the factory, by its new names
                d.freevars = tuple(renamed.get(v, v) for v in code.co_freevars)
    rename_free(tree, renamed)
    out = []
    for p, value in bound.arguments.items():
        if p not in in_place:
            value = value if isinstance(value, gast.AST) else gast.Constant(value=value, kind=None)
            out.append(located(assign(renamed[p], value, s.lineno), s.lineno))
    *body, last = tree.body
    out.extend(body)
    if isinstance(made, gast.Lambda):
        out.append(gast.copy_location(gast.Assign(targets=[name(target, store=True)],
                                                  value=last.value, type_comment=None), last))
    for stmt in out:    # made where the call is (the factory may be defined lower in the file)
        stmt.made_at = s.lineno
    return out


def rename_free(tree, renamed):
    """Rename the factory's own variables: everywhere in its body, and inside a nested
    definition only where the definition reads them (not its own parameters or locals)."""
    def visit(node, shadowed):
        if isinstance(node, (gast.FunctionDef, gast.Lambda)) and node is not tree:
            own = {a.id for a in node.args.args + node.args.kwonlyargs} | {
                n.id for b in (node.body if isinstance(node.body, list) else [node.body])
                for n in walk(b) if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load)}
            if isinstance(node, gast.FunctionDef) and node.name in renamed and \
                    node.name not in shadowed:
                node.name = renamed[node.name]
            shadowed = shadowed | own
            for child in (node.body if isinstance(node.body, list) else [node.body]):
                visit(child, shadowed)
            for default in node.args.defaults + [d for d in node.args.kw_defaults if d]:
                visit(default, shadowed - own)
            return
        if isinstance(node, gast.Name) and node.id in renamed and node.id not in shadowed:
            node.id = renamed[node.id]
        for child in gast.iter_child_nodes(node):
            visit(child, shadowed)
    for s in tree.body:
        visit(s, frozenset())
    for a in tree.args.args + tree.args.kwonlyargs:
        a.id = renamed.get(a.id, a.id)


def nested_codes(code):
    """(name, first line) -> the code object of each definition nested in ``code``."""
    return {(c.co_name, c.co_firstlineno): c for c in code.co_consts if hasattr(c, "co_freevars")}
