"""The derivative table's registry and the public API to extend it.

Three kinds of entry, all registered with the same functions users call for their own rules:

* ``defelementwise(f, "x1, x2", partial1, partial2)``: one partial derivative per argument;
  srcad multiplies by the output's derivative, reduces broadcasting, and merges repeated
  arguments (``x * x`` gives ``2.0 * x``).
* ``defrule(f, "a, axis=None", reverse="da += ...", forward="dout = ...")``: templates for
  anything else. ``reverse`` may also be a function of the call (kinds, bound arguments)
  returning the template, for rules that specialise on array ranks.
* ``nondiff(f, ...)``: functions whose result carries no derivative (shapes, integer ops).

Keys are the functions themselves (``np.sin``), ``("method", "sum")`` for ndarray methods and
``("attr", "T")`` for attributes.
"""
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, TypeVar

from .. import templates
from ..errors import RuleError, call_site

REQUIRED = object()
F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Rule:
    key: object
    params: list            # [(name, default source text or REQUIRED)], then maybe ("*name", None)
    partials: tuple = None  # elementwise: one template per parameter (None: not differentiable)
    reverse: object = None  # str or callable(call) -> str
    forward: object = None
    samples: list = field(default_factory=list)
    missing: tuple = ()     # parameters with a derivative srcad does not have: an error if used
    namespace: dict = None  # a rule written as a function (defvjp): its module's globals

    @property
    def elementwise(self):
        return self.partials is not None

    def bind(self, args, keywords):
        """Map call atoms to parameter names; ``None`` if the call does not fit."""
        bound, names = {}, [p for p, _ in self.params]
        star = next((p[1:] for p in names if p.startswith("*")), None)
        plain = [p for p in names if not p.startswith("*")]
        # parameters after *name are keyword-only
        positional = names[:names.index("*" + star)] if star is not None else plain
        if len(args) > len(positional) and star is None:
            return None
        for p, a in zip(positional, args):
            bound[p] = a
        if star is not None:
            bound[star] = list(args[len(positional):])
        for k, v in keywords.items():
            if k not in plain or k in bound:
                return None
            bound[k] = v
        for p, default in self.params:
            if p.startswith("*"):
                continue
            if p not in bound:
                if default is REQUIRED:
                    return None
                bound[p] = default
        return bound


REGISTRY = {}
NONDIFF = set()
CHANGES = [0]       # bumped by every registration: derivatives made before it are stale


def generation():
    return CHANGES[0]


def _register(rule):
    REGISTRY.setdefault(rule.key, []).insert(0, rule)   # the latest registration wins
    NONDIFF.discard(rule.key)
    CHANGES[0] += 1
    return rule


def _split(spec):
    """``spec`` split at its top-level commas (a default may be a tuple: ``axes=(0, 1)``)."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(spec + ","):
        depth += (c in "([{") - (c in ")]}")
        if c == "," and depth == 0:
            parts.append(spec[start:i].strip())
            start = i + 1
    return [p for p in parts if p]


def _params(spec):
    out = []
    for part in _split(spec):
        if "=" in part:
            name, default = part.split("=", 1)
            out.append((name.strip(), default.strip()))
        else:
            out.append((part, None if part.startswith("*") else REQUIRED))
    return out


def _key(func):
    return func


def _checked(func, which, template, params=None):
    """A template of a rule being registered, refused now (naming the function and quoting the
    template) if it does not parse, rather than at the first call that uses it. Templates
    computed by a function are checked each time they are computed."""
    if template is None or callable(template):
        return template
    try:
        return templates.checked(func, which, template, params)
    except ValueError as exc:
        raise RuleError(str(exc), *call_site(),
                        "a template is Python text: see docs/custom-rules.md"
                        ) from None


def defelementwise(func: Any, params: str, *partials: str | None,
                   samples: Iterable[Any] = ()) -> Rule:
    """Register an element-wise function by one partial derivative per parameter.

    ``partials`` are expressions in the parameter names and ``out``; ``None`` marks a parameter
    with no derivative. Example: ``defelementwise(np.hypot, "x1, x2", "x1 / out", "x2 / out")``.
    Both modes come from the partials; the registered rule is returned.

    >>> import numpy as np, srcad
    >>> def softplus(x):
    ...     return np.log1p(np.exp(x))
    >>> rule = srcad.defelementwise(softplus, "x", "1.0 / (1.0 + np.exp(-x))")
    >>> def f(x):
    ...     return 2.0 * softplus(x)
    >>> srcad.grad(f)(0.0)
    1.0
    """
    ps = _params(params)
    if len(ps) != len(partials):
        raise ValueError(f"{func}: {len(ps)} parameters but {len(partials)} partials")
    for partial in partials:
        _checked(func, "partial", partial)
    return _register(Rule(_key(func), ps, partials=tuple(partials), samples=list(samples)))


def defrule(func: Any, params: str, reverse: str | Callable[..., str],
            forward: str | Callable[..., str] | None = None, samples: Iterable[Any] = (),
            missing: Iterable[str] = ()) -> Rule:
    """Register reverse (and forward) templates for ``func``.

    ``reverse`` accumulates into ``d<param>`` with ``+=`` using ``dout``; ``forward`` defines
    ``dout`` from the tangents ``d<param>``; statements for parameters that carry no derivative
    at a call site are dropped automatically. A parameter the templates do not mention carries
    no derivative, unless it is named in ``missing``: then differentiating with respect to it
    is an error, not a silent zero. The registered rule is returned.

    >>> import srcad
    >>> def cube(x):
    ...     return x ** 3
    >>> rule = srcad.defrule(cube, "x", reverse="dx += dout * 3.0 * x * x",
    ...                      forward="dout = dx * 3.0 * x * x")
    >>> def f(x):
    ...     return cube(x) + x
    >>> srcad.grad(f)(2.0)
    13.0
    >>> srcad.jvp(f)(2.0, 1.0)
    (10.0, 13.0)
    """
    names = [p for p, _ in _params(params)]
    reverse = _checked(func, "reverse", reverse, names)
    forward = _checked(func, "forward", forward)
    return _register(Rule(_key(func), _params(params), reverse=reverse, forward=forward,
                          samples=list(samples), missing=tuple(missing)))


def nondiff(*funcs: F) -> F | None:
    """Mark functions whose results carry no derivative (they are constants to the adjoint).
    With one function it returns it, so it also works as a decorator.

    >>> import numpy as np, srcad
    >>> @srcad.nondiff
    ... def positives(x):
    ...     return float(np.sum(x > 0))
    >>> def f(x):
    ...     return positives(x) * np.sum(x * x)
    >>> srcad.grad(f)(np.array([1.0, -2.0]))
    array([ 2., -4.])
    """
    NONDIFF.update(funcs)
    for f in funcs:
        REGISTRY.pop(f, None)
    CHANGES[0] += 1
    return funcs[0] if len(funcs) == 1 else None


def constant(value: Any) -> Any:
    """``srcad.constant(x)``: the value of ``x``, through which no derivative flows (a
    stop-gradient: ``srcad.grad`` treats it as a number that does not depend on anything).

    >>> import srcad
    >>> def f(x):
    ...     return x * srcad.constant(x)
    >>> srcad.grad(f)(3.0)
    3.0
    """
    return value


def lookup(key, nargs):
    """The rule for ``key`` that takes ``nargs`` arguments, or ``None``."""
    try:
        rules = REGISTRY.get(key)
    except TypeError:
        return None
    if not rules:
        return None
    for rule in rules:
        required = sum(1 for _, d in rule.params if d is REQUIRED)
        if required == nargs or len(rules) == 1:
            return rule
    return rules[0]


def field_rule(attr):
    """The rule of ``a.<attr>`` for an attribute with no rule of its own: a field of a
    namedtuple or a dataclass (its cotangent has the structure's other fields zero)."""
    return Rule(("field", attr), [("a", REQUIRED)],
                reverse=f"da += field_grad(dout, a, {attr!r})",
                forward=f"dout = field_tangent(da, a, {attr!r})")


def is_nondiff(obj):
    try:
        return obj in NONDIFF
    except TypeError:
        return False


def has_rule(obj):
    try:
        return obj in REGISTRY
    except TypeError:
        return False


def all_rules():
    return [r for rules in REGISTRY.values() for r in rules]


nondiff(constant)

from . import builtins, elementwise as _elementwise_table, numpy as _numpy_table  # noqa: E402,F401
from . import runtime as _runtime_table  # noqa: E402,F401
from . import shapes as _shapes_table, products as _products_table  # noqa: E402,F401
from . import linalg as _linalg_table  # noqa: E402,F401
from . import sequences as _sequences_table  # noqa: E402,F401
try:    # rules of an optional library register only when it imports (scipy is an extra)
    import scipy.special as _scipy_special
except ImportError:
    _scipy_special = None
if _scipy_special is not None:
    from . import scipy_special as _scipy_special_table  # noqa: E402,F401
    from . import scipy_stats as _scipy_stats_table  # noqa: F401
# srcad's own table (what docs/supported.md lists), apart from rules users register later
BUILTIN_RULES, BUILTIN_NONDIFF = tuple(all_rules()), frozenset(NONDIFF)  # noqa: E305
