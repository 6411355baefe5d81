"""Rules written as Python functions, the way JAX and autograd users write them::

    @srcad.defvjp(softplus)
    def softplus_vjp(dout, out, x):          # dout, out, then softplus's parameters
        return dout / (1.0 + np.exp(-x))     # one entry per parameter (a tuple if several)

    @srcad.defjvp(softplus)
    def softplus_jvp(dx, out, x):            # tangents of the parameters, out, the parameters
        return dx / (1.0 + np.exp(-x))

The function's source becomes the rule's template (``dx += ...`` and ``dout = ...``), so the
generated code still shows it. A rule function is simple assignments and one return; names
other than its parameters and locals are read where the derivative runs: ``np``, ``math``,
srcad's runtime helpers and builtins, else the globals of the module being differentiated.
"""
import ast
import inspect
import textwrap
from typing import Any, Callable, TypeVar

import gast
import numpy as np

from .. import templates
from ..errors import RuleError
from ..walk import clone, walk
from . import REGISTRY, defrule

RESERVED = {"dout", "out"}
RuleFunction = TypeVar("RuleFunction", bound=Callable[..., Any])
BUILTIN_MODULES = {np: "np", __import__("math"): "math"}


def defvjp(f: Callable[..., Any]) -> Callable[[RuleFunction], RuleFunction]:
    """``@srcad.defvjp(f)`` on ``def f_vjp(dout, out, <f's parameters>)``: the reverse rule of
    ``f``. It returns one cotangent per parameter of ``f``, in order (a tuple if several);
    ``None`` for a parameter with no derivative; parameters left out at the end have none
    either (differentiating with respect to them is an error). A forward rule given with
    ``defjvp`` (before or after) is kept.

    >>> import numpy as np, srcad
    >>> def scaled(x, a):
    ...     return a * np.tanh(x)
    >>> @srcad.defvjp(scaled)
    ... def scaled_vjp(dout, out, x, a):
    ...     return dout * (a - out * out / a), dout * out / a
    >>> def f(x, a):
    ...     return scaled(x, a) + x
    >>> srcad.grad(f, wrt=("x", "a"))(0.0, 2.0)
    (3.0, 0.0)
    """
    return lambda rule_fn: _register(f, rule_fn, "reverse")


def defjvp(f: Callable[..., Any]) -> Callable[[RuleFunction], RuleFunction]:
    """``@srcad.defjvp(f)`` on ``def f_jvp(dx, ..., out, <f's parameters>)``: the forward rule
    of ``f``, given the tangents of its leading parameters (those without one carry no
    tangent). It returns the tangent of ``f``'s result. A reverse rule (``defvjp``, or any
    earlier rule of ``f`` with the same parameters) is kept.

    >>> import numpy as np, srcad
    >>> def softsign(x):
    ...     return x / (1.0 + np.abs(x))
    >>> @srcad.defjvp(softsign)
    ... def softsign_jvp(dx, out, x):
    ...     return dx / (1.0 + np.abs(x)) ** 2
    >>> value, tangent = srcad.jvp(softsign)(1.0, 1.0)
    >>> print(value, tangent)
    0.5 0.25
    """
    return lambda rule_fn: _register(f, rule_fn, "forward")


def _register(f, rule_fn, which):
    parsed = Parsed(rule_fn, which)
    names = parsed.f_params(f)
    spec = parsed.spec(f, names)
    reverse, forward, missing = None, None, ()
    earlier = next((r for r in REGISTRY.get(f, ()) if not r.elementwise
                    and [p for p, _ in r.params] == names), None)
    if earlier is not None:
        reverse, forward, missing = earlier.reverse, earlier.forward, earlier.missing
    if which == "reverse":
        reverse, missing = parsed.reverse(names)
    else:
        forward = parsed.forward(names)
    rule = defrule(f, spec, reverse, forward, missing=missing)
    rule.namespace = rule_fn.__globals__
    return rule_fn


class Parsed:
    """A rule function's definition, checked: its parameters, assignments and return."""

    def __init__(self, fn, which):
        self.fn, self.which = fn, which
        code = getattr(fn, "__code__", None)
        if code is None:
            raise RuleError(f"srcad.def{which[0]}vp needs a function written with def, got "
                            f"{fn!r}", "<unknown>", 0)
        self.filename, self.lineno = code.co_filename, code.co_firstlineno
        try:
            lines, start = inspect.getsourcelines(fn)
        except (OSError, TypeError) as exc:
            self.fail(f"cannot read the source of the rule function {fn.__name__} ({exc})",
                      self.lineno, "define it in a .py file")
        tree = gast.parse(textwrap.dedent("".join(lines)))
        gast.increment_lineno(tree, start - 1)
        node = tree.body[0]
        if not isinstance(node, gast.FunctionDef) or fn.__name__ == "<lambda>":
            self.fail("a rule function must be written with def (not a lambda)", start)
        self.node = node
        args = node.args
        if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs:
            self.fail("a rule function takes plain parameters only (no *args, **kwargs, "
                      "keyword-only or positional-only ones)", node.lineno)
        self.params = [a.id for a in args.args]
        self.defaults = dict(zip(self.params[len(self.params) - len(args.defaults):],
                                 args.defaults))
        self.body, self.result = self.split_body(node)

    def fail(self, message, lineno, hint=None):
        raise RuleError(f"cannot use {self.fn.__name__} as a {self.which} rule: {message}",
                        self.filename, lineno, hint or "a rule function is assignments to "
                        "names, then one return")

    def split_body(self, node):
        body = list(node.body)
        if body and isinstance(body[0], gast.Expr) and isinstance(body[0].value, gast.Constant) \
                and isinstance(body[0].value.value, str):
            body = body[1:]                              # the docstring
        if not body or not isinstance(body[-1], gast.Return) or body[-1].value is None:
            self.fail("it must end with a return of the derivative",
                      (body[-1] if body else node).lineno)
        for s in body[:-1]:
            if not (isinstance(s, gast.Assign) and len(s.targets) == 1 and all(
                    isinstance(t, gast.Name) for t in walk(s.targets[0])
                    if not isinstance(t, (gast.Tuple, gast.Store)))):
                self.fail(f"line {s.lineno} is not an assignment to names "
                          f"({type(s).__name__})", s.lineno)
        return body[:-1], body[-1].value

    # ---- f's parameters ---------------------------------------------------------------------
    def f_params(self, f):
        """The names of ``f``'s parameters: those after the rule's ``dout, out`` (reverse) or
        after its tangents and ``out`` (forward), checked against ``f``'s own signature."""
        try:
            own = [p for p in inspect.signature(f).parameters.values()]
        except (TypeError, ValueError):     # a ufunc or builtin: the rule's names are f's
            own = None
        if own is not None and any(p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                                   for p in own):
            self.fail(f"{getattr(f, '__name__', f)} has *args, **kwargs or keyword-only "
                      "parameters: give it a rule with srcad.defrule", self.lineno)
        count = len(own) if own is not None else None
        if self.which == "reverse":
            if len(self.params) < 3:
                self.fail("its parameters are dout, out, then the function's", self.lineno)
            names = self.params[2:]
        else:
            count = count if count is not None else (len(self.params) - 1) // 2
            names = self.params[len(self.params) - count:]
        if own is not None and names != [p.name for p in own]:
            self.fail(f"its last parameters {names} are not those of "
                      f"{getattr(f, '__name__', f)} {[p.name for p in own]}", self.lineno,
                      "name them as the function does")
        return names

    def spec(self, f, names):
        """``f``'s parameter list as rule text (``"x, axis=None"``): defaults from ``f``'s
        signature, or the rule function's own."""
        try:
            defaults = {p.name: p.default for p in inspect.signature(f).parameters.values()
                        if p.default is not p.empty}
        except (TypeError, ValueError):     # a ufunc or builtin: the rule function's defaults
            defaults = {p: self.literal(d) for p, d in self.defaults.items() if p in names}
        parts = []
        for p in names:
            if p not in defaults:
                parts.append(p)
                continue
            text = repr(defaults[p])
            try:
                ok = ast.literal_eval(text) == defaults[p]
            except (ValueError, SyntaxError):
                ok = False
            if not ok:
                self.fail(f"the default of {p} ({text}) is not a literal a template can hold",
                          self.lineno, "give the parameter a number, string, None or tuple "
                          "default, or no default")
            parts.append(f"{p}={text}")
        return ", ".join(parts)

    def literal(self, node):
        try:
            return ast.literal_eval(text(node))
        except (ValueError, SyntaxError):
            self.fail(f"the default {text(node)} is not a literal a template can hold",
                      node.lineno)

    # ---- the templates ----------------------------------------------------------------------
    def renamed(self, mapping, names):
        """The body and result with the rule function's parameters renamed to the template's
        names; locals that would read as template names are refused."""
        local = {n.id for s in self.body for n in walk(s.targets[0]) if isinstance(n, gast.Name)}
        taken = (local & (set(mapping.values()) | {"d" + p for p in names} | RESERVED)) | (
            local & set(self.params))
        if taken:
            name = min(taken)
            self.fail(f"it assigns to {name}, a name its template uses for a parameter or a "
                      "derivative", self.lineno, f"rename the local {name}")
        for n in (n for s in self.node.body for n in walk(s)):
            if isinstance(n, gast.Name) and n.id not in local and n.id not in self.params:
                self.check_free(n)
        sub = templates.Substitute(mapping)
        body = [sub.visit(clone(s)) for s in self.body]
        return body, sub.visit(clone(self.result))

    def check_free(self, node):
        """A free name of the rule: read where the derivative runs. A closure variable cannot
        be; a module bound to NumPy or math under another name is renamed."""
        code = self.fn.__code__
        if node.id in code.co_freevars:
            self.fail(f"it reads {node.id} from an enclosing function (a closure), which the "
                      "derivative's code cannot see", node.lineno,
                      "define the rule function at module level")
        value = self.fn.__globals__.get(node.id)
        alias = BUILTIN_MODULES.get(value) if isinstance(value, type(np)) else None
        if alias is not None:
            node.id = alias

    def reverse(self, names):
        mapping = {self.params[0]: "dout", self.params[1]: "out"}
        body, result = self.renamed(mapping, names)
        entries = result.elts if isinstance(result, gast.Tuple) and len(names) > 1 else [result]
        if len(entries) > len(names):
            self.fail(f"it returns {len(entries)} derivatives for {len(names)} parameters",
                      self.result.lineno)
        lines = [text(s) for s in body]
        for p, e in zip(names, entries):
            if not (isinstance(e, gast.Constant) and e.value is None):
                lines.append(f"d{p} += {text(e)}")
        return "\n".join(lines), tuple(names[len(entries):])

    def forward(self, names):
        tangents = self.params[:len(self.params) - len(names) - 1]
        if not tangents:
            self.fail("its parameters are tangents of the function's parameters, out, then "
                      "the function's parameters", self.lineno)
        mapping = {t: "d" + p for t, p in zip(tangents, names)}
        mapping[self.params[len(tangents)]] = "out"
        body, result = self.renamed(mapping, names)
        values = {}     # a forward template is one expression: the assignments are inlined
        for s in body:
            value = templates.Substitute(values).visit(s.value)
            for n in walk(s.targets[0]):
                if isinstance(n, gast.Name) and isinstance(s.targets[0], gast.Name):
                    values[n.id] = value
                elif isinstance(n, gast.Name):
                    self.fail("a forward rule's assignments must each bind one name", s.lineno)
        return "dout = " + text(templates.Substitute(values).visit(result))


def text(node):
    """Source text of a gast statement or expression (one line)."""
    return ast.unparse(gast.gast_to_ast(node)).strip()
