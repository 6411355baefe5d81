"""A loop over a generator function's call, written out as the generator's body with the loop's
body where each ``yield`` was (the generator inlined):

    def pairs(xs):                      for v in pairs(params):
        for i in range(len(xs) - 1):        total = total + v
            yield xs[i] * xs[i + 1]
becomes
    xs_2 = params
    for i_2 in range(len(xs_2) - 1):
        v = xs_2[i_2] * xs_2[i_2 + 1]
        total = total + v

which is exactly the order in which Python runs the two. The generator's names are renamed
apart from the caller's. Only a generator of the same module without a closure, whose
``yield`` statements stand alone and which does not ``return`` early, is inlined, and only into
a loop whose body has no ``break``/``continue``/``return`` of its own (those would have to stop
or resume the generator); anything else stays a call srcad refuses with its line.
"""
import inspect

import gast

from .build import assign
from .walk import clone, rewritten, walk


def generators_inlined(tree, scope, namer, definition):
    """``tree`` (changed in place) with each inlinable ``for t in gen(...)`` written out."""
    tree.body = _block(tree.body, scope, namer, definition, depth=0)
    return tree


def generators_as_loops(tree, scope, namer):
    """A generator function's call passed to a call (``sum(gen(x))``, ``list(gen(x))``) as the
    generator expression ``(v for v in gen(x))``: a loop, once comprehensions are written out."""
    for node in walk(tree):
        if isinstance(node, gast.Call):
            node.args = [wrapped(a, scope, namer) for a in node.args]
    return tree


def wrapped(arg, scope, namer):
    if not (isinstance(arg, gast.Call) and isinstance(arg.func, (gast.Name, gast.Attribute))
            and inspect.isgeneratorfunction(scope.resolve(arg.func))):
        return arg
    item = namer.fresh("item")
    gen = gast.comprehension(target=gast.Name(id=item, ctx=gast.Store(), annotation=None,
                                              type_comment=None),
                             iter=arg, ifs=[], is_async=0)
    return gast.copy_location(gast.GeneratorExp(elt=gast.Name(
        id=item, ctx=gast.Load(), annotation=None, type_comment=None), generators=[gen]), arg)


def _block(stmts, scope, namer, definition, depth):
    def each(s):
        gen = generator_called(s, scope) if isinstance(s, gast.For) and depth < 8 else None
        inlined = None if gen is None or jumps_out(s.body) else \
            inline(s, gen, namer, definition, scope)
        return [s] if inlined is None else _block(inlined, scope, namer, definition, depth + 1)
    return rewritten(stmts, each)


def generator_called(loop, scope):
    call = loop.iter
    if not isinstance(call, gast.Call) or not isinstance(call.func, (gast.Name, gast.Attribute)):
        return None
    gen = scope.resolve(call.func)
    if not inspect.isgeneratorfunction(gen) or gen.__globals__ is not scope.globals:
        return None
    try:
        [c.cell_contents for c in gen.__closure__ or ()]
    except ValueError:      # (a variable of the enclosing function not bound yet)
        return None
    return gen


def jumps_out(body):
    """A ``break``, ``continue`` or ``return`` of this loop itself (not of one nested in it)."""
    for s in body:
        if isinstance(s, (gast.Break, gast.Continue, gast.Return)):
            return True
        if isinstance(s, gast.If) and (jumps_out(s.body) or jumps_out(s.orelse)):
            return True
        if isinstance(s, (gast.For, gast.While)) and any(
                isinstance(n, gast.Return) for b in s.body for n in walk(b)):
            return True
    return False


def inline(loop, gen, namer, definition, scope):
    """The statements that run ``loop`` over ``gen``'s call, or None if it cannot be inlined.
    What the generator reads of the function around it (its closure) is read under new names
    bound to the same values (``scope.nested``), as a partial's arguments are."""
    caller_names = scope.locals
    try:
        tree = definition(gen)
        bound = inspect.signature(gen).bind(*loop.iter.args,
                                            **{k.arg: k.value for k in loop.iter.keywords})
    except (TypeError, ValueError):
        return None
    if any(isinstance(a, gast.Starred) for a in loop.iter.args) or not simple_yields(tree):
        return None
    bound.apply_defaults()
    local = {a.id for a in tree.args.args + tree.args.kwonlyargs} | {
        n.id for n in walk(tree) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
    cells = dict(zip(gen.__code__.co_freevars, gen.__closure__ or ()))
    free = {n.id for n in walk(tree) if isinstance(n, gast.Name) and n.id not in local} - \
        set(cells)
    if free & caller_names or any(not isinstance(v, gast.AST) and not isinstance(
            v, (int, float, bool, str, type(None))) for v in bound.arguments.values()):
        return None     # (a global of the generator that the caller binds; a default object)
    renamed = {v: namer.fresh(v) for v in sorted(local | set(cells))}
    for v, cell in cells.items():
        scope.nested[renamed[v]] = cell.cell_contents
    for n in walk(tree):
        if isinstance(n, gast.Name) and n.id in renamed:
            n.id = renamed[n.id]
    out = []
    changed = {n.id for b in loop.body for n in walk(b) if isinstance(n, gast.Name)
               and not isinstance(n.ctx, gast.Load)}
    stored = {n.id for n in walk(tree) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
    for p, value in bound.arguments.items():
        if isinstance(value, gast.Name) and value.id not in changed and renamed[p] not in stored:
            for n in walk(tree):    # (a name the loop does not change: read in place)
                if isinstance(n, gast.Name) and n.id == renamed[p]:
                    n.id = value.id
            continue
        value = value if isinstance(value, gast.AST) else gast.Constant(value=value, kind=None)
        out.append(assign(renamed[p], value, loop.lineno))
    out.extend(with_body(tree.body, loop))
    return out


def simple_yields(tree):
    """Every ``yield`` a statement of its own (not ``x = yield``), no ``yield from``, no
    ``return`` before the end, no nested definition."""
    for n in walk(tree):
        if isinstance(n, gast.YieldFrom) or isinstance(n, (gast.FunctionDef, gast.Lambda,
                                                           gast.ClassDef)) and n is not tree:
            return False
        if isinstance(n, gast.Return):
            return False
    yields = [n for n in walk(tree) if isinstance(n, gast.Yield)]
    alone = [s.value for s in walk(tree) if isinstance(s, gast.Expr) and
             isinstance(s.value, gast.Yield)]
    return bool(yields) and len(yields) == len(alone)


def with_body(stmts, loop):
    """``stmts`` with each ``yield e`` as ``<loop target> = e`` and the loop's body."""
    out = []
    for s in stmts:
        if isinstance(s, gast.Expr) and isinstance(s.value, gast.Yield):
            value = s.value.value or gast.Constant(value=None, kind=None)
            out.append(gast.copy_location(gast.Assign(targets=[clone(loop.target)], value=value,
                                                      type_comment=None), s))
            out.extend(clone(loop.body))
            continue
        for field in ("body", "orelse"):
            if isinstance(getattr(s, field, None), list):
                setattr(s, field, with_body(getattr(s, field), loop))
        out.append(s)
    return out
