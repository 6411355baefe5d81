"""``srcad.check_grad``: what a user runs after moving a program to srcad. Each derivative is
compared with central differences along a random direction, one ``wrt`` argument at a time, and
reverse against forward mode through the dot-product identity <u, J v> = <J^T u, v>."""
import copy
import numbers

import numpy as np

from .api import Derived, grad, jvp, vjp
from .errors import UsageError
from .matrices import hvp
from .variadic import Extra, call_original

MODES = ("reverse", "forward")


def check_grad(fn, wrt=0, modes=MODES, order=1, rtol=1e-5, atol=1e-6, eps=1e-6, seed=0):
    """``srcad.check_grad(f, wrt, modes, order)(*args)``: None when every check holds, else an
    AssertionError naming the argument, the mode and the two numbers. ``order=2`` also checks
    Hessian-vector products (forward over reverse) against differences of the gradient."""
    if isinstance(modes, str):
        modes = (modes,)
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise UsageError(f"check_grad: modes={modes!r}", f"use a subset of {MODES}")
    if order not in (1, 2):
        raise UsageError(f"check_grad: order={order!r}", "use order=1 or order=2")
    names = Derived(fn, wrt, "vjp").wrt      # validates fn and wrt as the transforms do

    def run(*args, **kwargs):
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
def random_like(x, rng):
    if isinstance(x, (list, tuple)):
        return type(x)(random_like(e, rng) for e in x)
    if isinstance(x, dict):
        return {k: random_like(e, rng) for k, e in x.items()}
    if isinstance(x, np.ndarray):
        return rng.standard_normal(x.shape).astype(x.dtype if x.dtype.kind == "f" else float)
    return float(rng.standard_normal())


def axpy(a, v, x):
    if isinstance(x, (list, tuple)):
        return type(x)(axpy(a, vi, xi) for vi, xi in zip(v, x))
    if isinstance(x, dict):
        return {k: axpy(a, v[k], x[k]) for k in x}
    return x + a * v


def sub(a, b):
    return axpy(-1.0, b, a)


def scale(a, c):
    if isinstance(a, (list, tuple)):
        return type(a)(scale(e, c) for e in a)
    if isinstance(a, dict):
        return {k: scale(e, c) for k, e in a.items()}
    return a * c


def inner(a, b):
    return sum(float(np.sum(np.asarray(x, dtype=float) * np.asarray(y, dtype=float)))
               for _, x, y in pairs(a, b))


def pairs(a, b, path=""):
    """Leaves of two values of the same structure, with where they are (``[0]['W']``)."""
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
