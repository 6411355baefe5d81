"""Rule templates: parsed once, instantiated by substituting names with the call's atoms.

A template is ordinary Python text. Its free names are the op's parameters, ``out`` (the
result), ``dout`` (the result's derivative), ``d<param>`` (a parameter's derivative), and the
runtime names (``np``, ``math``, ``unbroadcast``...).
"""
import functools

import gast

from .walk import clone, walk


@functools.lru_cache(maxsize=None)
def _parse_expr(src):
    return gast.parse(src, mode="eval").body


@functools.lru_cache(maxsize=None)
def _parse_stmts(src):
    return gast.parse(src).body


def expr(src, mapping):
    """Instantiate an expression template: ``mapping`` maps names to gast nodes or new names."""
    return Substitute(mapping).visit(clone(_parse_expr(src)))


def stmts(src, mapping):
    sub = Substitute(mapping)
    return [sub.visit(clone(s)) for s in _parse_stmts(src)]


def names(src):
    """Free names a template mentions."""
    tree = _parse_expr(src) if "\n" not in src and "=" not in src.replace("==", "").replace(
        ">=", "").replace("<=", "").replace("!=", "") else gast.parse(src)
    return {n.id for n in walk(tree) if isinstance(n, gast.Name)}


def bind_parameters(rule, bound, derivative_of, runtime):
    """Template names for one call: each parameter -> its atom (or default), ``d<param>`` ->
    ``derivative_of(atom)`` where that is not None. Returns the mapping and the ``d<param>``
    names of parameters that carry no derivative at this call."""
    mapping, inactive = dict(runtime), set()
    for p, _ in rule.params:
        p = p.lstrip("*")
        a = bound.get(p)
        if isinstance(a, list):
            mapping[p] = gast.Tuple(elts=[clone(x) for x in a], ctx=gast.Load())
        elif isinstance(a, gast.AST):
            mapping[p] = a
        else:
            mapping[p] = expr(a, {}) if a is not None else gast.Constant(value=None, kind=None)
        d = derivative_of(a)
        if d is None:
            inactive.add("d" + p)
        else:
            mapping["d" + p] = d
    return mapping, inactive


class Substitute(gast.NodeTransformer):
    def __init__(self, mapping):
        self.mapping = mapping

    def visit_Name(self, node):
        new = self.mapping.get(node.id)
        if new is None:
            return node
        if isinstance(new, str):
            node.id = new
            return node
        if isinstance(node.ctx, gast.Store):
            raise ValueError(f"template assigns to {node.id}, which is bound to an expression")
        return clone(new)
