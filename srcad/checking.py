"""``srcad.check_grad``: what a user runs after moving a program to srcad. Each derivative is
compared with central differences along a random direction, one ``wrt`` argument at a time, and
reverse against forward mode through the dot-product identity <u, J v> = <J^T u, v>."""
import ast
import copy
import dataclasses
import itertools
import linecache
import numbers
from typing import Any, Callable, Iterable

import numpy as np

from . import rules, templates
from .api import Derived, Wrt, grad, jvp, vjp
from .arguments import unwrapped
from .errors import UsageError, entry_point
from .matrices import hvp
from .variadic import Extra, call_original

MODES = ("reverse", "forward")


@entry_point
def check_grad(fn: Callable[..., Any], wrt: Wrt = 0, modes: str | Iterable[str] = MODES,
               order: int = 1, rtol: float = 1e-5, atol: float = 1e-6, eps: float = 1e-6,
               seed: int = 0) -> Callable[..., None]:
    """``srcad.check_grad(f, wrt, modes, order)(*args)``: None when every check holds, else an
    AssertionError naming the argument, the mode and the two numbers. ``order=2`` also checks
    Hessian-vector products (forward over reverse) against differences of the gradient.

    >>> import numpy as np, srcad
    >>> def f(x):
    ...     return np.sum(np.tanh(x) ** 2)
    >>> srcad.check_grad(f, order=2)(np.array([0.1, -0.4]))   # silent: the checks hold
    >>> def angle(x):
    ...     return np.arctan(x)
    >>> @srcad.defvjp(angle)                 # a wrong rule: the derivative is 1 / (1 + x * x)
    ... def angle_vjp(dout, out, x):
    ...     return dout / (1.0 + x)
    >>> def g(x):
    ...     return angle(x) + x
    >>> srcad.check_grad(g, modes="reverse")(0.5)   # doctest: +ELLIPSIS
    Traceback (most recent call last):
    AssertionError: check_grad: reverse (grad) derivative with respect to x is wrong: ...
    """
    if isinstance(modes, str):
        modes = (modes,)
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise UsageError(f"check_grad: modes={modes!r}", f"use a subset of {MODES}")
    if order not in (1, 2):
        raise UsageError(f"check_grad: order={order!r}", "use order=1 or order=2")
    # a bound method or a partial: checked as its function, the arguments it holds first
    fn, held, held_kwargs, wrt = unwrapped(fn, wrt)
    names = Derived(fn, wrt, "vjp").wrt      # validates fn and wrt as the transforms do

    @entry_point
    def run(*args, **kwargs):
        args, kwargs = held + args, {**held_kwargs, **kwargs}
        rng = np.random.default_rng(seed)
        derived = Derived(fn, wrt, "vjp")
        bound = derived.bind_base(args, kwargs)
        for w in names:
            Check(fn, bound, derived.signature, w, rng, rtol, atol, eps).run(modes, order)
    return run


class Check:
    """The checks for one ``wrt`` argument, along one random direction ``v``."""

    def __init__(self, fn, bound, signature, w, rng, rtol, atol, eps):
        self.fn, self.bound, self.signature, self.w = fn, bound, signature, w
        self.rtol, self.atol, self.eps = rtol, atol, eps
        self.x = bound[w.param][w.index] if isinstance(w, Extra) else bound[w]
        self.v = random_like(self.x, rng)
        self.y = self.call(self.x)
        self.u = random_like(self.y, rng)
        self.fd = scale(sub(self.call(axpy(eps, self.v, self.x)),
                            self.call(axpy(-eps, self.v, self.x))), 0.5 / eps)   # J v

    def call(self, x, transform=None, *extra):
        """``fn`` (or a transform of it) at ``x``, on copies: it may change its arguments."""
        arguments, w, x = copy.deepcopy(dict(self.bound)), self.w, copy.deepcopy(x)
        if isinstance(w, Extra):    # an element of *args
            values = arguments[w.param]
            arguments[w.param] = values[:w.index] + (x,) + values[w.index + 1:]
        else:
            arguments[w] = x
        fn = self.fn if transform is None else transform
        return call_original(fn, self.signature, arguments, *extra)

    def run(self, modes, order):
        scalar = np.ndim(self.y) == 0 and isinstance(self.y, (numbers.Number, np.generic, np.ndarray))
        if "reverse" in modes:
            if scalar:
                g = self.call(self.x, grad(self.fn, wrt=self.w))
                self.same(inner(g, self.v), self.fd, "reverse (grad)", "<grad, v>", "FD along v")
            else:
                g = self.call(self.x, vjp(self.fn, wrt=self.w), self.u)
                self.same(inner(g, self.v), inner(self.u, self.fd), "reverse (vjp)",
                          "<vjp(u), v>", "<u, FD along v>")
        if "forward" in modes:
            _, t = self.call(self.x, jvp(self.fn, wrt=self.w), self.v)
            self.same(t, self.fd, "forward (jvp)", "jvp(v)", "FD along v")
            if "reverse" in modes:
                back = g if scalar else None
                left = inner(self.u, t) if not scalar else t
                right = inner(g, self.v) if back is None else inner(back, self.v)
                self.same(left, right, "forward vs reverse", "<u, jvp(v)>", "<vjp(u), v>",
                          rtol=1e-9, atol=1e-12)
        if order == 2:
            if not scalar:
                raise UsageError(f"check_grad(order=2) needs a scalar output, got shape "
                                 f"{np.shape(self.y)}", "use order=1 for array outputs")
            self.second()

    def second(self):
        dgrad = grad(self.fn, wrt=self.w)
        fd = scale(sub(self.call(axpy(self.eps, self.v, self.x), dgrad),
                       self.call(axpy(-self.eps, self.v, self.x), dgrad)), 0.5 / self.eps)
        hv = self.call(self.x, hvp(self.fn, wrt=self.w), self.v)
        self.same(hv, fd, "second order (hvp)", "H v", "FD of the gradient along v",
                  rtol=max(self.rtol, 1e-4), atol=max(self.atol, 1e-5))

    def same(self, got, want, mode, got_name, want_name, rtol=None, atol=None):
        rtol = self.rtol if rtol is None else rtol
        atol = self.atol if atol is None else atol
        for path, a, b in pairs(got, want):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            if a.shape != b.shape or not np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True):
                where = f"{self.w}{path}"
                raise AssertionError(
                    f"check_grad: {mode} derivative with respect to {where} is wrong: "
                    f"{got_name} = {summary(a)} but {want_name} = {summary(b)} "
                    f"(rtol={rtol}, atol={atol})")


# ---- values of any structure: floats, arrays, and lists, tuples or dicts of them -------------
def remade(x, items):
    """``items`` in ``x``'s container type (a namedtuple's fields by position)."""
    return type(x)._make(items) if hasattr(type(x), "_fields") else type(x)(items)


def fields_of(x):
    """A dataclass instance's fields as a dict, else None."""
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {f.name: getattr(x, f.name) for f in dataclasses.fields(x) if f.init}
    return None


def random_like(x, rng):
    if fields_of(x) is not None:
        return dataclasses.replace(x, **random_like(fields_of(x), rng))
    if isinstance(x, (list, tuple)):
        return remade(x, [random_like(e, rng) for e in x])
    if isinstance(x, dict):
        return {k: random_like(e, rng) for k, e in x.items()}
    if isinstance(x, np.ndarray):
        return rng.standard_normal(x.shape).astype(x.dtype if x.dtype.kind == "f" else float)
    return float(rng.standard_normal())


def axpy(a, v, x):
    if fields_of(x) is not None:
        return dataclasses.replace(x, **axpy(a, fields_of(v) if fields_of(v) is not None
                                             else v, fields_of(x)))
    if isinstance(x, (list, tuple)):
        return remade(x, [axpy(a, vi, xi) for vi, xi in zip(v, x)])
    if isinstance(x, dict):
        return {k: axpy(a, v[k], x[k]) for k in x}
    return x + a * v


def sub(a, b):
    return axpy(-1.0, b, a)


def scale(a, c):
    if fields_of(a) is not None:
        return dataclasses.replace(a, **scale(fields_of(a), c))
    if isinstance(a, (list, tuple)):
        return remade(a, [scale(e, c) for e in a])
    if isinstance(a, dict):
        return {k: scale(e, c) for k, e in a.items()}
    return a * c


def inner(a, b):
    return sum(float(np.sum(np.asarray(x, dtype=float) * np.asarray(y, dtype=float)))
               for _, x, y in pairs(a, b))


def pairs(a, b, path=""):
    """Leaves of two values of the same structure, with where they are (``[0]['W']``)."""
    a, b = (fields_of(a) if fields_of(a) is not None else a,
            fields_of(b) if fields_of(b) is not None else b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            yield from pairs(x, y, f"{path}[{i}]")
    elif isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        for k in a:
            yield from pairs(a[k], b[k], f"{path}[{k!r}]")
    else:
        yield path, a, b


def summary(a):
    if a.ndim == 0:
        return f"{float(a):.10g}"
    return np.array2string(a.ravel()[:4], precision=6) + (" ..." if a.size > 4 else "") + \
        f" (shape {a.shape})"


# ---- check_rule: a registered rule against central differences ------------------------------
_checks = itertools.count(1)


@entry_point
def check_rule(f: Any, *args: Any, rtol: float = 1e-5, atol: float = 1e-6, eps: float = 1e-6,
               seed: int = 0, **kwargs: Any) -> dict[tuple[str, str], float]:
    """``srcad.check_rule(f, *args, **kwargs)``: the registered reverse and forward rules of
    ``f`` against central differences (float64) at these arguments, for every float argument
    the rule gives a derivative. Returns ``{(parameter, "reverse" or "forward"): max error}``
    when all hold; raises an AssertionError naming each parameter, mode and max error when one
    does not. A rule without a forward template is checked in reverse only.

    >>> import numpy as np, srcad
    >>> def softplus(x):
    ...     return np.log1p(np.exp(x))
    >>> rule = srcad.defelementwise(softplus, "x", "1.0 / (1.0 + np.exp(-x))")
    >>> report = srcad.check_rule(softplus, np.array([-1.0, 0.0, 2.0]))
    >>> sorted(report)
    [('x', 'forward'), ('x', 'reverse')]
    >>> max(report.values()) < 1e-8
    True
    """
    rule = rules.lookup(f, len(args))
    name = getattr(f, "__name__", repr(f))
    if rule is None or rule.elementwise is False and rule.reverse is None:
        raise UsageError(f"check_rule: {name} has no registered derivative rule",
                         "register one with srcad.defvjp, srcad.defrule or srcad.defelementwise")
    wrapper, values = _caller(f, rule, args, kwargs)
    rng = np.random.default_rng(seed)
    report, failures = {}, []
    for p in [p for p in values if _declared(rule, p)]:
        for mode in ("reverse", "forward"):
            if mode == "forward" and not (rule.elementwise or rule.forward):
                continue
            got, want = _derivatives(wrapper, values, p, mode, rng, eps)
            error = max((float(np.max(np.abs(np.asarray(a, float) - np.asarray(b, float))))
                         for _, a, b in pairs(got, want)), default=0.0)
            scale = max((float(np.max(np.abs(np.asarray(b, float)))) for _, _, b in
                         pairs(got, want)), default=0.0)
            report[(p, mode)] = error
            if not error <= atol + rtol * scale:
                failures.append(f"the {mode} rule is wrong for {p}: max |error| {error:.3g} "
                                f"({'vjp' if mode == 'reverse' else 'jvp'} against central "
                                f"differences of size up to {scale:.3g})")
    if failures:
        raise AssertionError(f"check_rule({name}): " + "; ".join(failures))
    return report


def _declared(rule, p):
    """Whether the rule gives parameter ``p`` a derivative (a partial, or ``d<p>`` in its
    reverse template; a computed template may give any parameter one)."""
    if rule.elementwise:
        return any(q == p and partial is not None for (q, _), partial in
                   zip(rule.params, rule.partials))
    if not isinstance(rule.reverse, str):
        return True
    return "d" + p in templates.names(rule.reverse)


def _is_float(a):
    return isinstance(a, (float, np.floating)) or (
        isinstance(a, np.ndarray) and a.dtype.kind == "f")


def _literal(a):
    """``a`` as source text when it reads back as itself (ints, strings, None, tuples)."""
    try:
        text = repr(a)
        return text if ast.literal_eval(text) == a and type(ast.literal_eval(text)) is type(a) \
            else None
    except (ValueError, SyntaxError, TypeError):
        return None


def _caller(f, rule, args, kwargs):
    """A function that calls ``f`` with the float arguments as its parameters (float64) and
    the others written in as literals where they can be (an ``axis`` the rule must read), made
    from source registered in linecache so that srcad can read it."""
    plain = [p for p, _ in rule.params if not p.startswith("*")]
    named = list(zip(plain, args)) + [(k, v) for k, v in kwargs.items()]
    if len(args) > len(plain):
        named = [(f"arg{i}", a) for i, a in enumerate(args)] + list(kwargs.items())
    params, values, call_args = [], {}, []
    for i, (p, a) in enumerate(named):
        text = None if _is_float(a) else _literal(a)
        if text is None:
            params.append(p)
            values[p] = np.asarray(a, dtype=np.float64) if _is_float(a) and np.ndim(a) else \
                float(a) if _is_float(a) else a
            text = p
        call_args.append(text if i < len(args) else f"{p}={text}")
    fname = f"check_{getattr(f, '__name__', 'rule')}"
    source = (f"def {fname}({', '.join(params)}):\n"
              f"    return __srcad_rule_target__({', '.join(call_args)})\n")
    filename = f"<check_rule {fname} #{next(_checks)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = dict(rule.namespace or getattr(f, "__globals__", None) or {"np": np})
    namespace["__srcad_rule_target__"] = f
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - the caller, as source
    return namespace[fname], values


def _derivatives(fn, values, p, mode, rng, eps):
    """(the rule's derivative, central differences) for parameter ``p``: in reverse mode the
    gradient of <u, fn> for a random u, entry by entry; in forward mode J v for a random v."""
    x = values[p]

    def at(shifted):
        return fn(**{**values, p: shifted})
    out = at(x)
    if mode == "forward":
        v = random_like(x, rng)
        _, t = jvp(fn, wrt=p)(*values.values(), v)
        return t, scale(sub(at(axpy(eps, v, x)), at(axpy(-eps, v, x))), 0.5 / eps)
    u = random_like(out, rng)
    g = vjp(fn, wrt=p)(*values.values(), u)
    if np.ndim(x) == 0:
        fd = (inner(u, at(x + eps)) - inner(u, at(x - eps))) / (2 * eps)
        return g, fd
    fd = np.zeros(np.shape(x))
    for idx in np.ndindex(*np.shape(x)):
        e = np.zeros(np.shape(x))
        e[idx] = eps
        fd[idx] = (inner(u, at(x + e)) - inner(u, at(x - e))) / (2 * eps)
    return g, fd
