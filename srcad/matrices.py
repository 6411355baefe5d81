"""Derivative matrices built from sweeps of generated derivatives: ``jacobian`` (reverse or
forward sweeps), ``hessian`` and ``hvp`` (forward mode over the reverse-mode gradient).
"""
from __future__ import annotations

import copy
import random
from typing import Any, Callable

import numpy as np

from .api import Derived, Wrt, source
from .arguments import wrt_alias
from .display import ShownAsSource
from .errors import UsageError, entry_point


def unit_tangents(inputs, i, k):
    """Tangents for every wrt: zero, except a one at index ``k`` of input ``i``."""
    tangents = [np.zeros(np.shape(x)) if np.ndim(x) else 0.0 for x in inputs]
    if np.ndim(inputs[i]):
        tangents[i][k] = 1.0
    else:
        tangents[i] = 1.0
    return tangents


def arrays(derived, arguments):
    """The wrt names of ``derived``, each naming a float or an array: a matrix has no rows or
    columns for a list, tuple or dict of them."""
    for w in derived.wrt:
        if isinstance(arguments[w], (list, tuple, dict)):
            raise UsageError(f"wrt={w!r} is a {type(arguments[w]).__name__}: a Jacobian or a "
                             f"Hessian has rows and columns for floats and arrays only",
                             "use srcad.vjp / srcad.jvp / srcad.hvp (they take and give values "
                             "of that structure), or pass its arrays as separate arguments")
    return derived.wrt


class SameDraws:
    """Every sweep of a matrix draws what one call of the function draws: a random generator
    passed in is copied as it was before the first sweep (the caller's is advanced once), and
    NumPy's and Python's global random states are put back before each sweep."""
    STATEFUL = (np.random.RandomState, np.random.Generator, random.Random)

    def __init__(self, args, kwargs):
        self.args, self.kwargs = args, kwargs
        self.states = np.random.get_state(), random.getstate()
        self.stateful = [i for i, a in enumerate(args) if isinstance(a, self.STATEFUL)]
        self.keys = [k for k, a in kwargs.items() if isinstance(a, self.STATEFUL)]
        self.saved = copy.deepcopy(([args[i] for i in self.stateful],
                                    [kwargs[k] for k in self.keys]))
        self.sweeps = 0

    def restore(self):
        np.random.set_state(self.states[0])
        random.setstate(self.states[1])

    def next(self):
        """The arguments of the next sweep."""
        self.restore()
        self.sweeps += 1
        if self.sweeps == 1 or not (self.stateful or self.keys):
            return self.args, self.kwargs
        positional, keywords = copy.deepcopy(self.saved)
        args, kwargs = list(self.args), dict(self.kwargs)
        for i, a in zip(self.stateful, positional):
            args[i] = a
        kwargs.update(zip(self.keys, keywords))
        return args, kwargs


class Sweeping(ShownAsSource):
    """A matrix made of sweeps, shown in Jupyter as the source of the derivative it sweeps
    with (``sweeps_with``), as ``srcad.source`` gives it."""

    def source_to_show(self, *example_args, **example_kwargs):
        return source(self, *example_args, **example_kwargs)


class Jacobian(Sweeping):
    """``srcad.jacobian(f, wrt, mode)(*args)``: shape ``out.shape + x.shape`` for each wrt.

    Reverse mode runs one vjp per output element, forward mode one jvp per input element;
    ``mode="auto"`` picks whichever needs fewer sweeps for the arguments at hand."""
    loops_over_sweeps = True

    def __init__(self, fn, wrt, mode):
        if mode not in ("reverse", "forward", "auto"):
            raise ValueError(f"mode must be 'reverse', 'forward' or 'auto', got {mode!r}")
        self.mode = mode
        self.vjp = Derived(fn, wrt, "vjp")
        self.jvp = Derived(fn, wrt, "jvp")
        self.fn, self.many = fn, self.vjp.many
        self.sweeps_with = self.jvp if mode == "forward" else self.vjp
        self.__wrapped__ = fn

    @entry_point
    def __call__(self, *args, **kwargs):
        arguments = self.vjp._prepare(args, kwargs)
        inputs = [np.asarray(arguments[w], dtype=float) for w in arrays(self.vjp, arguments)]
        draws = SameDraws(args, kwargs)
        value = np.asarray(self.fn(*copy.deepcopy(args), **copy.deepcopy(kwargs)))   # it may
        mode = self.mode                         # change its arguments; derivatives do not
        if mode == "auto":
            mode = "reverse" if value.size <= sum(x.size for x in inputs) else "forward"
        blocks = self._reverse(draws, value, inputs) if mode == "reverse" else \
            self._forward(draws, value, inputs)
        return tuple(blocks) if self.many else blocks[0]

    def _reverse(self, draws, value, inputs):
        blocks = [np.zeros(value.shape + x.shape) for x in inputs]
        for k in np.ndindex(value.shape):
            cotangent = np.zeros(value.shape)
            cotangent[k] = 1.0
            seed = float(cotangent) if value.ndim == 0 else cotangent
            args, kwargs = draws.next()
            rows = self.vjp(*args, seed, **kwargs)
            rows = rows if self.many else (rows,)
            for block, row in zip(blocks, rows):
                block[k] = row
        return blocks

    def _forward(self, draws, value, inputs):
        blocks = []
        for i, x in enumerate(inputs):
            block = np.zeros(value.shape + x.shape)
            for k in np.ndindex(x.shape):
                args, kwargs = draws.next()
                _, column = self.jvp(*args, *unit_tangents(inputs, i, k), **kwargs)
                block[(Ellipsis,) + k] = column
            blocks.append(block)
        return blocks


class Hessian(Sweeping):
    """``srcad.hessian(f, wrt)(*args)``: forward over reverse, one jvp of the gradient per
    input element. Shape ``x.shape + x.shape``; with several wrt, a tuple of tuples of blocks
    (block ``[i][j]`` has shape ``wrt_i.shape + wrt_j.shape``)."""
    loops_over_sweeps = True

    def __init__(self, fn, wrt):
        self.grad = Derived(fn, wrt, "grad")
        self.many = self.grad.many
        self.tangent = Derived(self.grad, self.grad.wrt if self.many else self.grad.wrt[0], "jvp")
        self.sweeps_with = self.tangent
        self.__wrapped__ = fn

    @entry_point
    def __call__(self, *args, **kwargs):
        arguments = self.grad._prepare(args, kwargs)
        inputs = [arguments[w] for w in arrays(self.grad, arguments)]
        shapes = [np.shape(x) for x in inputs]
        blocks = [[np.zeros(a + b) for b in shapes] for a in shapes]
        draws = SameDraws(args, kwargs)
        for i, shape in enumerate(shapes):
            for k in np.ndindex(shape):
                args, kwargs = draws.next()
                _, column = self.tangent(*args, *unit_tangents(inputs, i, k), **kwargs)
                for j, c in enumerate(column if self.many else (column,)):
                    blocks[j][i][(Ellipsis,) + k] = c
        if not self.many:
            block = blocks[0][0]
            return float(block) if block.ndim == 0 else block
        return tuple(tuple(float(b) if b.ndim == 0 else b for b in row) for row in blocks)


class HessianVectorProduct(Sweeping):
    """``srcad.hvp(f, wrt)(*args, v)``: the Hessian times ``v`` in one forward-over-reverse
    sweep, without forming the Hessian (``v`` is a tuple of vectors for several wrt)."""
    loops_over_sweeps = True

    def __init__(self, fn, wrt):
        grad = Derived(fn, wrt, "grad")
        self.grad, self.many = grad, grad.many
        self.tangent = Derived(grad, grad.wrt if self.many else grad.wrt[0], "jvp")
        self.sweeps_with = self.tangent
        self.__wrapped__ = fn

    @entry_point
    def __call__(self, *args, **kwargs):
        if not args:
            raise UsageError("srcad.hvp(f, wrt)(*args, v): pass the vector v last")
        *args, v = args
        vs = tuple(v) if self.many else (v,)
        if len(vs) != len(self.grad.wrt):
            raise UsageError(f"srcad.hvp(f, wrt={self.grad.wrt!r}): v must be a tuple of "
                            f"{len(self.grad.wrt)} vectors, one per wrt argument")
        _, product = self.tangent(*args, *vs, **kwargs)
        return product


@entry_point
def jacobian(fn: Callable[..., Any] | None = None, wrt: Wrt = 0, mode: str = "reverse", *,
             argnums: Wrt | None = None, argnum: Wrt | None = None
             ) -> Jacobian | Callable[[Callable[..., Any]], Jacobian]:
    """Jacobian by reverse (``mode="reverse"``: one vjp per output element), forward (one jvp
    per input element) or automatically chosen (``"auto"``) sweeps; its shape is
    ``out.shape + x.shape``, a tuple of such blocks for several ``wrt``.

    >>> import numpy as np, srcad
    >>> def f(x):
    ...     return x * x
    >>> srcad.jacobian(f)(np.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    """
    wrt = wrt_alias("jacobian", wrt, argnums, argnum)
    if fn is None:
        return lambda f: Jacobian(f, wrt, mode)
    return Jacobian(fn, wrt, mode)


@entry_point
def hessian(fn: Callable[..., Any] | None = None, wrt: Wrt = 0, *, argnums: Wrt | None = None,
            argnum: Wrt | None = None) -> Hessian | Callable[[Callable[..., Any]], Hessian]:
    """Hessian of a scalar function by forward-over-reverse sweeps, shape ``x.shape + x.shape``.

    >>> import numpy as np, srcad
    >>> def f(x):
    ...     return x[0] * x[0] * x[1]
    >>> srcad.hessian(f)(np.array([1.0, 2.0]))
    array([[4., 2.],
           [2., 0.]])
    """
    wrt = wrt_alias("hessian", wrt, argnums, argnum)
    if fn is None:
        return lambda f: Hessian(f, wrt)
    return Hessian(fn, wrt)


@entry_point
def hvp(fn: Callable[..., Any] | None = None, wrt: Wrt = 0, *, argnums: Wrt | None = None,
        argnum: Wrt | None = None
        ) -> HessianVectorProduct | Callable[[Callable[..., Any]], HessianVectorProduct]:
    """Hessian-vector product without forming the Hessian: ``srcad.hvp(f, wrt)(*args, v)``.

    >>> import numpy as np, srcad
    >>> def f(x):
    ...     return np.sum(x * x * x)
    >>> srcad.hvp(f)(np.array([1.0, 2.0]), np.array([1.0, 1.0]))
    array([ 6., 12.])
    """
    wrt = wrt_alias("hvp", wrt, argnums, argnum)
    if fn is None:
        return lambda f: HessianVectorProduct(f, wrt)
    return HessianVectorProduct(fn, wrt)
