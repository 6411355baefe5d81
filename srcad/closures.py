"""Nested function definitions become helpers of their own (closure conversion).

``def step(h): return np.tanh(h @ params["W"])`` inside ``loss(params, xs)`` is lifted out as
``step(params, h)``: the enclosing function's variables it reads become its first parameters,
and every call ``step(h)`` becomes ``step(params, h)``. srcad then differentiates ``step`` as it
does any helper (its derivative is named after it), and the adjoints of its free variables flow
back to the enclosing function like those of any argument. Passing the values at the call is
what a closure does: it reads the enclosing variables when it is called, not when it is defined.

The lifted function is a real function object with the user's globals, compiled with the
original file name and line numbers, so errors inside it point at the user's lines.
"""
import pickle
import threading
import types
import weakref

import gast

from .errors import UnsupportedSyntax
from .walk import rewritten, walk

_lifted = weakref.WeakKeyDictionary()   # enclosing function -> {name: lifted function}
_lock = threading.Lock()


def lift_nested(fn, tree, filename, remember_source):
    """``tree`` without its nested definitions (calls rewritten), and {name: lifted function}.
    ``remember_source(code, tree, first_line)`` keeps each lifted function's definition, which
    the frontend reads when the lifted function is differentiated (it has no source file)."""
    fail = failer(filename)
    defs = nested_defs(tree, fail)
    if not defs:
        return tree, {}
    check_uses(tree, defs, fail)
    codes = nested_codes(fn.__code__)
    outer_cells = {v: c for v, c in zip(fn.__code__.co_freevars, fn.__closure__ or ())
                   if resolved_at_transform_time(c)}
    free = {}
    for name, (node, _) in defs.items():
        if hasattr(node, "freevars"):     # a factory's definition, inlined (factories.py)
            free[name] = node.freevars
            continue
        code = codes.get(getattr(node, "code_key", (name, node.lineno)))
        if code is None:
            fail(node, f"the nested function {name} (another definition starts on its line)",
                 "define it on a line of its own")
        free[name] = code.co_freevars
    passed = passed_values(defs, free, outer_cells)
    for n in walk(tree):
        if isinstance(n, gast.Name) and n.id in defs and id(n) in passed_as_values(tree) and \
                passed[n.id]:
            fail(n, f"the nested function {n.id} passed as a value: it reads the variables "
                 f"{', '.join(passed[n.id])} of the function around it",
                 f"pass those to {n.id} as arguments, or call {n.id} directly")
    for n in walk(tree):        # (inside the definitions too: they call one another)
        if isinstance(n, gast.Call) and isinstance(n.func, gast.Name) and n.func.id in defs:
            n.args = [gast.Name(id=v, ctx=gast.Load(), annotation=None, type_comment=None)
                      for v in passed[n.func.id]] + n.args
    updated = {name: nonlocal_names(node) for name, (node, _) in defs.items()}
    for name, (node, _) in defs.items():
        for n in walk(node):
            if isinstance(n, gast.Call) and isinstance(n.func, gast.Name) and \
                    updated.get(n.func.id):
                fail(n, f"a call of {n.func.id} (it updates {', '.join(updated[n.func.id])} "
                     f"with nonlocal) inside the nested function {name}",
                     f"call {n.func.id} from the function that defines it")
    with _lock:
        lifted = _lifted.get(fn)
        if lifted is None:
            lifted = make_functions(fn, defs, passed, free, outer_cells, filename,
                                    remember_source)
            _lifted[fn] = lifted
    for name, (node, body) in defs.items():
        body.remove(node)
        if not body:
            body.append(gast.copy_location(gast.Pass(), node))
    if any(updated.values()):
        tree.body = calls_returning_nonlocals(tree.body, updated, fail)
    return tree, lifted


def resolved_at_transform_time(cell):
    """A function or a module the enclosing function captured stays a closure cell of the
    lifted function (srcad looks it up while transforming, and a derivative is made for each
    such object); any other captured value is passed at the call, like a local variable, so
    that two closures over different values never share a lifted function's cells."""
    try:
        value = cell.cell_contents
    except ValueError:
        return False
    return callable(value) or isinstance(value, types.ModuleType)


def passed_values(defs, free, outer_cells):
    """name -> the enclosing variables a call of it passes: those it reads, and those the
    other nested functions it calls need (they are called with them)."""
    passed = {name: [v for v in free[name] if v not in defs and v not in outer_cells]
              for name in defs}
    grew = True
    while grew:
        grew = False
        for name in defs:
            for other in free[name]:
                for v in passed.get(other, ()):
                    if v not in passed[name]:
                        passed[name].append(v)
                        grew = True
    return passed


def failer(filename):
    def fail(node, what, hint):
        raise UnsupportedSyntax(f"cannot differentiate {what}", filename,
                                getattr(node, "lineno", None), hint)
    return fail


def nested_defs(tree, fail):
    """name -> (the def statement, the statement list holding it), for the definitions of the
    function's own body (those inside them are lifted when their function is read)."""
    defs = {}

    def visit(body):
        for i, s in enumerate(body):
            if is_named_lambda(s):      # ``f = lambda a: e`` is ``def f(a): return e``
                s = body[i] = lambda_def(s)
            if isinstance(s, gast.FunctionDef):
                if s.name in defs:
                    fail(s, f"a second definition of the nested function {s.name} (the first "
                         f"is at line {defs[s.name][0].lineno})",
                         "give each nested function its own name")
                defs[s.name] = (s, body)
                continue
            for field in ("body", "orelse"):
                inner = getattr(s, field, None)
                if isinstance(inner, list) and not isinstance(s, gast.ClassDef):
                    visit(inner)
    visit(tree.body)
    return defs


def is_named_lambda(s):
    return isinstance(s, gast.Assign) and len(s.targets) == 1 and \
        isinstance(s.targets[0], gast.Name) and isinstance(s.value, gast.Lambda)


def lambda_def(s):
    fd = gast.FunctionDef(name=s.targets[0].id, args=s.value.args,
                          body=[gast.copy_location(gast.Return(value=s.value.body), s)],
                          decorator_list=[], returns=None, type_comment=None, type_params=[])
    fd.code_key = ("<lambda>", s.value.lineno)
    if hasattr(s, "made_at"):
        fd.made_at = s.made_at
    if hasattr(s.value, "freevars"):    # a factory's lambda, inlined (factories.py)
        fd.freevars = s.value.freevars
    return gast.copy_location(fd, s)


def nested_codes(code):
    """(name, first line) -> the code object Python compiled for each nested definition: its
    ``co_freevars`` are exactly the enclosing variables the definition reads. (Two lambdas
    on one line are ambiguous: None.)"""
    codes = {}
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            key = (c.co_name, c.co_firstlineno)
            codes[key] = None if key in codes else c
    return codes


def check_uses(tree, defs, fail):
    """A nested function may only be called, after its definition: a function value that
    escapes (``map(step, xs)``, ``return step``) or a rebinding of its name is refused."""
    calls = {id(n.func) for n in walk(tree) if isinstance(n, gast.Call)}
    values = passed_as_values(tree)
    for name, (node, _) in defs.items():
        if node.decorator_list:
            fail(node, f"the decorated nested function {name}",
                 "apply the decorator outside the differentiated function")
        for n in walk(node):
            if isinstance(n, gast.Global) or isinstance(n, gast.Nonlocal) and \
                    not any(n in s.body for s in [node]):
                fail(n, f"a {'nonlocal' if isinstance(n, gast.Nonlocal) else 'global'} "
                     f"statement in the nested function {name}"
                     f"{' (inside a block)' if isinstance(n, gast.Nonlocal) else ''}",
                     f"return the new value from {name} and assign it where {name} is called")
        args = node.args
        for d in args.defaults + [d for d in args.kw_defaults if d is not None]:
            if not isinstance(d, gast.Constant):
                fail(node, f"the default value of a parameter of the nested function {name} "
                     f"(it is computed when {name} is defined)",
                     "pass the value as an argument at each call")
    inside = {id(m): name for name, (node, _) in defs.items() for m in walk(node)}
    for n in walk(tree):
        if isinstance(n, gast.Name) and n.id in defs:
            node = defs[n.id][0]
            if inside.get(id(n)) == n.id:
                continue    # inside its own definition: a recursive call, refused when derived
            if not isinstance(n.ctx, gast.Load):
                fail(n, f"a rebinding of the nested function {n.id}",
                     "give the function and the variable different names")
            if id(n) not in calls and id(n) not in values:
                fail(n, f"a use of the nested function {n.id} other than a call or an "
                     f"argument of one", f"call {n.id} directly, or define it at module level")
            made_at = getattr(node, "made_at", node.lineno)     # (factories.py)
            if id(n) not in inside and n.lineno < made_at:
                fail(n, f"a call of the nested function {n.id} before its definition "
                     f"(line {made_at})", "define the function before calling it")


def passed_as_values(tree):
    """The ids of the names that are arguments of calls (``layer(x, act)``)."""
    return {id(a) for n in walk(tree) if isinstance(n, gast.Call)
            for a in n.args + [k.value for k in n.keywords] if isinstance(a, gast.Name)}


def nonlocal_names(node):
    """The enclosing variables a nested function updates (its ``nonlocal`` statements, at the
    top of its body), in order."""
    return [v for s in node.body if isinstance(s, gast.Nonlocal) for v in s.names]


def returning_nonlocals(node, names):
    """The definition with ``names`` returned beside its value: ``nonlocal`` dropped, each
    ``return e`` as ``return e, n1, ...`` and a final ``return None, n1, ...``."""
    def back(value):
        return gast.Tuple(elts=[value or gast.Constant(value=None, kind=None)] + [
            gast.Name(id=v, ctx=gast.Load(), annotation=None, type_comment=None) for v in names],
            ctx=gast.Load())
    node.body = [s for s in node.body if not isinstance(s, gast.Nonlocal)]
    for n in walk(node):
        if isinstance(n, gast.Return):
            n.value = back(n.value)
    node.body.append(gast.copy_location(gast.Return(value=back(None)), node.body[-1]))
    return node


def calls_returning_nonlocals(stmts, updated, fail):
    """Calls of nested functions that update enclosing variables, as statements that bind
    them: ``add(v)`` -> ``_, total = add(total, v)``; ``y = add(v)`` -> ``y, total = ...``."""
    def each(s):
        call = s.value if isinstance(s, (gast.Expr, gast.Assign)) else None
        names = updated.get(call.func.id) if isinstance(call, gast.Call) and \
            isinstance(call.func, gast.Name) else None
        if names:
            first = s.targets[0] if isinstance(s, gast.Assign) and len(s.targets) == 1 and \
                isinstance(s.targets[0], gast.Name) else None
            if isinstance(s, gast.Assign) and first is None:
                fail(s, f"an assignment of a call of {call.func.id} (it updates "
                     f"{', '.join(names)}) to something other than one name",
                     "assign its result to a name first")
            first = first or gast.Name(id="_", ctx=gast.Store(), annotation=None,
                                       type_comment=None)
            target = gast.Tuple(elts=[first] + [gast.Name(id=v, ctx=gast.Store(), annotation=None,
                                                          type_comment=None) for v in names],
                                ctx=gast.Store())
            return [gast.copy_location(gast.Assign(targets=[target], value=call,
                                                   type_comment=None), s)]
        for n in walk(s):
            if isinstance(n, gast.Call) and isinstance(n.func, gast.Name) and \
                    updated.get(n.func.id) and not isinstance(s, (gast.If, gast.For, gast.While)):
                fail(n, f"a call of {n.func.id} inside an expression (it updates "
                     f"{', '.join(updated[n.func.id])} of the function around it)",
                     f"call it as a statement of its own (y = {n.func.id}(...))")
        return [s]
    return rewritten(stmts, each)


def make_functions(fn, defs, passed, free_vars, outer_cells, filename, remember_source):
    """Compile each lifted definition with the user's globals; its closure holds the enclosing
    function's own closure cells and cells of the other lifted functions it calls."""
    siblings = {name: types.CellType() for name in defs}
    lifted = {}
    for name, (node, _) in defs.items():
        lifted_def = lifted_tree(node, passed[name])
        if nonlocal_names(node):
            lifted_def = returning_nonlocals(lifted_def, nonlocal_names(node))
        free = [v for v in free_vars[name] if v not in passed[name]]
        factory = gast.FunctionDef(
            name="__srcad_lift__", args=arguments(free), body=[
                gast.fix_missing_locations(pickle.loads(pickle.dumps(lifted_def))),
                gast.Return(value=gast.Name(id=name, ctx=gast.Load(), annotation=None,
                                            type_comment=None))],
            decorator_list=[], returns=None, type_comment=None, type_params=[])
        module = gast.Module(body=[factory], type_ignores=[])
        for n in walk(module):
            if isinstance(n, (gast.stmt, gast.expr)) and getattr(n, "lineno", None) is None:
                n.lineno, n.col_offset = node.lineno, 0
        tree = gast.fix_missing_locations(gast.gast_to_ast(module))
        namespace = {}
        exec(compile(tree, filename, "exec"), fn.__globals__, namespace)
        made = namespace["__srcad_lift__"](*[None] * len(free))
        code = made.__code__
        closure = tuple(outer_cells[v] if v in outer_cells else siblings[v]
                        for v in code.co_freevars)
        func = types.FunctionType(code, fn.__globals__, name, made.__defaults__, closure or None)
        func.__kwdefaults__ = made.__kwdefaults__
        func.__qualname__ = f"{fn.__qualname__}.<locals>.{name}"
        func.__module__ = fn.__module__
        siblings[name].cell_contents = func
        remember_source(code, lifted_def, node.lineno)
        lifted[name] = func
    return lifted


def lifted_tree(node, passed):
    """The definition with the enclosing variables it reads as its first parameters."""
    lifted_def = pickle.loads(pickle.dumps(node))
    params = [gast.Name(id=v, ctx=gast.Param(), annotation=None, type_comment=None)
              for v in passed]
    lifted_def.args.args = params + lifted_def.args.args
    return lifted_def


def arguments(names):
    return gast.arguments(
        args=[gast.Name(id=v, ctx=gast.Param(), annotation=None, type_comment=None)
              for v in names], posonlyargs=[], vararg=None, kwonlyargs=[], kw_defaults=[],
        kwarg=None, defaults=[])
