"""``has_aux=True`` (JAX's contract): ``f`` returns ``(value, aux)``; srcad differentiates the
value and hands ``aux`` back untouched, whatever it holds.

srcad differentiates a copy of ``f`` whose returns keep the aux aside and return the value:
``return loss, {"acc": acc}`` becomes ``value, aux = loss, {"acc": acc}``,
``keep_aux(aux_box, aux)`` and ``return value``. ``aux_box`` is a keyword-only parameter the
derivative's caller fills with a fresh list; ``keep_aux`` (a runtime helper with no derivative,
never moved or dropped) puts the aux in it where the function returns, in the forward sweep,
so the aux is computed once, from the same values as the gradient.
"""
import threading
import weakref

import gast

from . import runtime
from .build import assign, call, name
from .function_values import compile_in_factory
from .naming import Namer
from .walk import rewritten, walk

_copies = weakref.WeakKeyDictionary()   # f -> (its copy, the name of its aux box)
_lock = threading.Lock()


def with_aux_kept(fn, definition, remember_source):
    """(the copy of ``fn`` that keeps its aux aside, the name of its aux-box parameter);
    ``definition(fn)`` is ``fn``'s definition, a fresh tree."""
    with _lock:
        hit = _copies.get(fn)
        if hit is not None and hit[2] is fn.__code__:
            return hit[0], hit[1]
        tree = definition(fn)
        namer = Namer({n.id for n in walk(tree) if isinstance(n, gast.Name)} |
                      set(fn.__globals__))
        box, helper = namer.fresh("aux_box"), namer.fresh("keep_aux")
        tree.decorator_list = []
        tree.args.kwonlyargs.append(name(box, store=True))
        tree.args.kwonlyargs[-1].ctx = gast.Param()
        tree.args.kw_defaults.append(gast.Constant(value=None, kind=None))
        tree.body = returns_split(tree.body, namer, box, helper)
        copy = compile_in_factory(fn, tree, {helper: runtime.keep_aux}, remember_source)
        _copies[fn] = (copy, box, fn.__code__)
        return copy, box


def returns_split(stmts, namer, box, helper):
    """``stmts`` with each ``return E`` of the function itself (not of a nested definition)
    as ``value, aux = E``, ``keep_aux(box, aux)``, ``return value``."""
    def each(s):
        if not isinstance(s, gast.Return):
            return [s]
        value, aux = namer.fresh("out"), namer.fresh("aux")
        if s.value is None:
            s.value = gast.Constant(value=None, kind=None)
        pair = gast.Tuple(elts=[name(value, store=True), name(aux, store=True)],
                          ctx=gast.Store())
        return [gast.copy_location(assign(pair, s.value, s.lineno), s),
                gast.copy_location(gast.Expr(value=call(helper, name(box), name(aux))), s),
                gast.copy_location(gast.Return(value=name(value)), s)]
    return rewritten(stmts, each)

