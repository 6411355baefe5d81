"""Rule templates: parsed once, instantiated by substituting names with the call's atoms.

A template is ordinary Python text. Its free names are the op's parameters, ``out`` (the
result), ``dout`` (the result's derivative), ``d<param>`` (a parameter's derivative), and the
runtime names (``np``, ``math``, ``unbroadcast``...).
"""
import functools

import gast

from .errors import NoRule, RuleError
from .walk import clone, walk


@functools.lru_cache(maxsize=None)
def _parse_expr(src):
    return gast.parse(src, mode="eval").body


@functools.lru_cache(maxsize=None)
def _parse_stmts(src):
    return gast.parse(src).body


def describe(key):
    """How a rule's key reads in a message: ``numpy.sin``, ``.sum()``, ``.T``."""
    if isinstance(key, tuple):
        return f".{key[1]}()" if key[0] == "method" else f".{key[1]}"
    module = getattr(key, "__module__", None) or ""
    name = getattr(key, "__qualname__", None) or getattr(key, "__name__", None) or repr(key)
    return f"{module}.{name}" if module else name


def problem(src, which, params=None):
    """What is wrong with template text ``src`` (None if nothing): ``which`` is "partial" (an
    expression), "reverse" (assignments, ``d<param> += ...``) or "forward" (one ``dout = ...``).
    With the rule's ``params``, a reverse template's name that is assigned, never read and no
    ``d<param>`` is a mistake (``dx += ...`` for a parameter ``a``): it would be dropped."""
    if not isinstance(src, str):
        return f"a {which} template must be a string, not {type(src).__name__}"
    try:
        if which == "partial":
            _parse_expr(src)
            return None
        body = _parse_stmts(src)
    except SyntaxError as exc:
        return f"its {which} template does not parse ({exc.msg}, line {exc.lineno})"
    if which == "reverse":
        bad = [s for s in body if not isinstance(s, (gast.Assign, gast.AugAssign))]
        if bad:
            return "its reverse template must be assignments (d<param> += ... or name = ...)"
        return None if params is None else stray_target(body, params)
    if len(body) != 1 or not isinstance(body[0], gast.Assign) or len(body[0].targets) != 1 \
            or not isinstance(body[0].targets[0], gast.Name) or body[0].targets[0].id != "dout":
        return "its forward template must be one assignment, dout = <expression>"
    return None


def stray_target(body, params):
    """The first name the reverse template ``body`` assigns that is neither a parameter's
    derivative nor read afterwards (described), else None."""
    derivatives = {"d" + p.lstrip("*") for p in params}
    for i, s in enumerate(body):
        targets = s.targets if isinstance(s, gast.Assign) else [s.target]
        for t in targets:
            for n in walk(t):
                if not (isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)) or \
                        n.id in derivatives:
                    continue
                later = [m for r in body[i + 1:] for m in walk(r)]
                if not any(isinstance(m, gast.Name) and m.id == n.id and
                           isinstance(m.ctx, gast.Load) for m in later):
                    return (f"its reverse template assigns {n.id}, which is no parameter's "
                            f"derivative (d + one of {', '.join(p.lstrip('*') for p in params)}) "
                            f"and is never read afterwards")
    return None


def checked(key, which, src, params=None):
    """``src`` if it is a usable ``which`` template of the rule for ``key``, else a ValueError
    naming the function and quoting the template."""
    what = problem(src, which, params)
    if what:
        raise ValueError(f"the derivative rule of {describe(key)} cannot be used: {what}: "
                         f"{src!r}")
    return src


class Refused(ValueError):
    """Raised by a template function for a use of its op that srcad has no derivative of (a
    matrix norm of order 2, np.pad's mean mode): the message says which, ``hint`` what to do."""

    def __init__(self, message, hint=None):
        super().__init__(message)
        self.hint = hint


def source(rule, which, call, filename, lineno):
    """The rule's ``which`` template ("reverse" or "forward") at a call (at ``filename:lineno``):
    its text, or what its template function returns for ``call``, checked as registration
    checks text. None when the rule has no such template. A refusal of the template function is
    a NoRule error there; any other failure a RuleError naming the rule."""
    template = getattr(rule, which)
    if template is None or isinstance(template, str):
        return template
    fix = "fix the rule's template function"
    try:
        src = template(call)
    except Refused as exc:
        raise NoRule(f"cannot differentiate this call of {describe(rule.key)}: {exc}", filename,
                     lineno, exc.hint) from None
    except Exception as exc:  # noqa: BLE001 - any failure of a rule of the user's, named
        raise RuleError(f"the {which} template function of the derivative rule of "
                        f"{describe(rule.key)} raised {type(exc).__name__}: {exc}", filename,
                        lineno, fix) from None
    try:
        return src if src is None else checked(rule.key, which, src,
                                               [p for p, _ in rule.params])
    except ValueError as exc:
        raise RuleError(str(exc), filename, lineno, fix) from None


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

    def visit_Subscript(self, node):
        """``out[1]`` where ``out`` is the tuple of targets ``(w, v)`` reads ``v``."""
        self.generic_visit(node)
        index = node.slice
        if isinstance(node.value, gast.Tuple) and isinstance(node.ctx, gast.Load) and \
                isinstance(index, gast.Constant) and type(index.value) is int and \
                -len(node.value.elts) <= index.value < len(node.value.elts):
            return node.value.elts[index.value]
        return node
