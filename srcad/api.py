"""The public transforms: ``wrt`` by index or name, decorator forms, specialisation per
call, and ``source``. The pipeline that makes each derivative is ``pipeline.derive``.
"""
from __future__ import annotations

import functools
import inspect
import textwrap
import types
from typing import Any, Callable, Sequence as Many, Union

import numpy as np

from .analysis import kind_of_value
from .dispatch import fast_caller, like_argument
from .display import ShownAsSource
from .arguments import (argument_values, check_structure, check_value_and_aux, differentiable,
                        past_self, raise_as_called, shaped_like, unwrapped, wrt_alias,
                        wrt_names)
from .auxiliary import with_aux_kept
from .errors import SrcadError, UsageError, entry_point, from_user_call
from .frontend import definition, read_function, remember_source
from .naming import derivative_name
from .pipeline import derive
from .provenance import add_origin_notes, with_origins
from .standalone import generated_functions, standalone_source
from .variadic import (Extra, call_generated, check_transform_again, is_variadic, picked,
                       prepare_extras, real_wrt, signature_with, spread_tangents)


Wrt = Union[int, str, Many[Union[int, str]]]


class Derived(ShownAsSource):
    """A derivative of ``fn``: callable, specialised and cached per kind of argument.

    ``fn`` may itself be a Derived: the generated function specialised for the same arguments
    is then transformed again (a jvp is seen through its tangent output). Shown in Jupyter as
    its generated source (``display.ShownAsSource``)."""

    def __init__(self, fn, wrt, mode, has_aux=False):
        # a bound method's object, a partial's arguments: passed first at every call
        fn, self.held, self.held_kwargs, wrt = unwrapped(fn, wrt)
        self.instance = self.held[0] if self.held else None
        self.aux_box = None     # has_aux: the keyword parameter the aux comes back in
        self.aux_of = fn if has_aux else None
        if has_aux:
            fn, self.aux_box = aux_copy(fn, mode)
        if isinstance(fn, Derived):
            if fn.aux_box is not None:
                raise UsageError(f"srcad.{mode} cannot transform {fn.__name__} again: it "
                                 f"returns (gradient, aux) (has_aux=True)",
                                 "transform a function that returns the value alone")
            if fn.mode == "value_and_grad":
                raise UsageError("srcad cannot transform a value_and_grad function again: it "
                                "returns a (value, gradient) pair; transform srcad.grad(f) instead")
            self.inner, self.origin = fn, fn.origin
            signature = fn.__signature__
            if fn.held:     # what the inner one holds, this one holds too (its wrt counts after)
                self.held, self.held_kwargs = fn.held, {**fn.held_kwargs, **self.held_kwargs}
                self.instance = self.held[0]
                signature = signature_with(fn.signature, fn.extra_params())
                wrt = past_self(wrt, len(fn.held))
            check_transform_again(fn, mode)
            if fn.many and mode in ("grad", "value_and_grad") and fn.mode != "jvp":
                raise UsageError(f"srcad.{mode} needs a scalar output, but {fn.__name__} returns "
                                f"a tuple (one gradient per wrt); use srcad.hessian, srcad.jvp "
                                f"or srcad.vjp, or a single wrt index")
        else:
            if not callable(fn):
                raise UsageError(f"srcad.{mode} needs a function, got {type(fn).__name__}: "
                                 f"{fn!r:.60}", "pass a function defined with def")
            if getattr(fn, "loops_over_sweeps", False):
                raise UsageError(f"srcad.{mode} cannot transform a {type(fn).__name__} (it loops "
                                f"over sweeps in Python); transform srcad.grad/jvp/vjp results")
            read_function(fn)   # fail early: no source, lambdas, unsupported syntax
            self.inner, self.origin = None, fn
            signature = inspect.signature(fn)
        self.fn = fn
        self.mode = mode
        self.signature = signature
        self.params = list(signature.parameters)
        self.defaults = {p: v.default for p, v in signature.parameters.items()
                         if v.default is not inspect.Parameter.empty}
        self.wrt, self.many = wrt_names(signature, wrt, self.origin, fn.__name__)
        self.real_wrt = real_wrt(self.wrt)     # an element of *args: the whole tuple
        self.variadic = is_variadic(signature)
        self.specialised = {}
        self.fast = None        # dispatch.fast_caller for the kinds of the last call
        self.exact_seen = {}    # (mode, kinds) -> the exact argument values first derived for
        self.varying = set()    # (mode, kinds) whose shapes or structures varied: general
        self.exact = False      # the last compiled entry is specialised exactly
        self.last = None
        self.call_names = None
        # srcad.grad(f, wrt=(0,)) returns a 1-tuple, its generated function a bare gradient
        self.one_tuple = self.inner is not None and self.inner.many and \
            len(self.inner.wrt) == 1 and self.inner.mode != "jvp"
        self.__name__ = derivative_name(fn.__name__, self.wrt)
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn

    def source_to_show(self, *example_args, **example_kwargs):
        return source(self, *example_args, **example_kwargs)

    # ---- the call signature, as a function that can be transformed again ------------------
    def extra_params(self):
        """Names of the arguments this derivative takes beyond ``fn``'s: a cotangent (vjp) or
        one tangent per wrt (jvp)."""
        wanted = ["dout"] if self.mode == "vjp" else \
            ["d" + w.replace("[", "").replace("]", "") for w in self.wrt] \
            if self.mode == "jvp" else []
        taken, out = set(self.params), []
        for n in wanted:
            while n in taken:
                n += "_"
            taken.add(n)
            out.append(n)
        return out

    @property
    def __signature__(self):
        full = signature_with(self.signature, self.extra_params())
        if not self.held and not self.held_kwargs:
            return full

        def shown(*args, **kwargs):
            pass
        shown.__signature__ = full      # the arguments held: as functools.partial shows them
        return inspect.signature(functools.partial(shown, *self.held, **self.held_kwargs))

    def __get__(self, obj, owner=None):
        """``@srcad.grad(wrt="w")`` on a method: ``m.dloss(w)`` passes ``m`` as ``self``."""
        if obj is None or self.held or self.held_kwargs:
            return self
        return functools.partial(self, obj)

    def generated_names(self, gen):
        """Each argument of this derivative's call -> the parameter of the generated function."""
        names = {p: p for p in self.params} if self.call_names is None else dict(self.call_names)
        extra = self.extra_params()
        if self.mode == "vjp":
            names[extra[0]] = gen.seed
        elif self.mode == "jvp":
            names.update({n: gen.tangents[w] for n, w in zip(extra, self.actual_wrt)})
        return names

    # ---- specialisation -------------------------------------------------------------------
    def target(self, arguments):
        """The Python function to transform, the kinds of its parameters, its wrt names, and
        the parameter each of this derivative's arguments goes to (None: the same name)."""
        if self.inner is None:
            kinds = {p: kind_of_value(arguments[p]) if p in arguments else "unknown"
                     for p in self.params}
            return self.fn, kinds, self.real_wrt, None
        inner = self.inner
        fn, gen = inner.compiled(arguments, "tangent" if inner.mode == "jvp" else None)
        names = inner.generated_names(gen)
        back = {v: k for k, v in names.items()}
        kinds = {}
        for p, par in inspect.signature(fn).parameters.items():
            if back.get(p) in arguments:
                kinds[p] = kind_of_value(arguments[back[p]])
            elif par.default is not inspect.Parameter.empty and par.default is not None:
                kinds[p] = kind_of_value(par.default)
            else:
                kinds[p] = "unknown"
        return fn, kinds, tuple(names[w] for w in self.real_wrt), names

    def compiled(self, arguments, mode=None):
        """The generated function for these arguments' kinds (cached), and its Generated."""
        mode = mode or self.mode
        fn, kinds, wrt, self.call_names = self.target(arguments)
        key = (mode, tuple(sorted(kinds.items())))
        values = None
        if self.inner is None:
            values = argument_values(arguments, self.params, exact=key not in self.varying)
            first = self.exact_seen.setdefault(key, values)
            if first != values and key not in self.varying:   # shapes vary: the general one
                self.varying.add(key)
                values = argument_values(arguments, self.params)
        self.exact = self.inner is None and key not in self.varying
        key += (values,)
        entry = self.specialised.get(key)
        if entry is None or entry[2] is not fn or not entry[1].valid():
            gen = derive(fn, wrt, mode, kinds, values=values)
            entry = (gen.bind(fn), gen, fn)
            self.specialised[key] = entry
        self.actual_wrt = wrt
        if mode == self.mode:
            self.last = entry[1]
        return entry[0], entry[1]

    # ---- calling ----------------------------------------------------------------------------
    def bind_call(self, args, kwargs):
        """Arguments of a call of this derivative, by name: ``fn``'s, then the extra ones
        (cotangent or tangents), which are always the last positional arguments."""
        extra = self.extra_params()
        if len(args) < len(extra):
            raise UsageError(f"{self.__name__}() takes its {', '.join(extra)} as the last "
                            f"positional argument(s)")
        cut = len(args) - len(extra)
        arguments = self.bind_base(args[:cut], kwargs)
        arguments.update(zip(extra, args[cut:]))
        return arguments

    def bind_base(self, args, kwargs):
        """Arguments of ``fn`` by name, defaults applied (the TypeError ``fn`` would raise)."""
        if self.inner is not None:      # (which adds what it holds)
            return self.inner.bind_call(args, kwargs)
        if self.held or self.held_kwargs:
            args, kwargs = (*self.held, *args), {**self.held_kwargs, **kwargs}
        try:
            bound = self.signature.bind(*args, **kwargs)
        except TypeError:
            raise_as_called(self.origin, args, kwargs)
            raise
        bound.apply_defaults()
        return dict(bound.arguments)

    def call_values(self, arguments):
        """The generated function's parameters -> values (the original's parameters; for a
        derivative of a derivative, its generated parameters may have other names)."""
        if self.call_names is None:
            return {p: arguments[p] for p in self.params}
        return {self.call_names[p]: arguments[p] for p in self.params}

    def _prepare(self, args, kwargs):
        arguments = self.bind_base(args, kwargs)
        if self.aux_box is not None:
            arguments[self.aux_box] = []     # where the function puts its aux
        for w in self.wrt:
            if not isinstance(w, Extra):
                arguments[w] = differentiable(w, arguments.get(w))
        prepare_extras(arguments, self.wrt, differentiable)
        return arguments

    def _fits(self, grads, arguments):
        return all(np.shape(g) == np.shape(arguments[w])
                   for g, w in zip(picked(self.wrt, grads), self.wrt)
                   if isinstance(arguments[w], np.ndarray))

    def _check_cotangent(self, args, kwargs, dout):
        """Called when a vjp failed or came out misshapen: run the function alone and say so
        if ``dout`` does not fit its output (else the error was not about ``dout``)."""
        if self.inner is None:
            out = self.fn(*args, **kwargs)
            check_structure(dout, out[0] if self.one_tuple else out,
                            f"dout (the cotangent of {self.fn.__name__}'s output)")

    def _finish(self, grads, arguments):
        grads = picked(self.wrt, grads)
        if not self.many:
            return like_argument(grads[0], arguments[self.wrt[0]])
        return tuple(like_argument(g, arguments[w]) for g, w in zip(grads, self.wrt))

    def __call__(self, *args, **kwargs):
        try:
            if self.fast is not None and not kwargs:    # a repeat of the last call's kinds
                out = self.fast(args)
                if out is not None:
                    return out
            return self._call(args, kwargs)
        except SrcadError as exc:
            raise from_user_call(exc)   # srcad's own frames: in exc.internal_traceback
        except Exception as exc:
            add_origin_notes(exc)
            raise

    def _call(self, args, kwargs):
        if self.mode == "jvp":
            return self._call_forward(args, kwargs)
        seed = {}
        if self.mode == "vjp":
            if not args:
                raise UsageError("srcad.vjp(f)(*args, dout): pass the cotangent dout last")
            *args, dout = args
        arguments = self._prepare(args, kwargs)
        fn, gen = self.compiled(arguments)
        self._check_shared_memory(gen, arguments)
        if self.mode == "vjp":
            if self.one_tuple:
                if not isinstance(dout, (tuple, list)) or len(dout) != 1:
                    raise UsageError(f"srcad.vjp: {self.fn.__name__} returns a 1-tuple, so "
                                    f"dout must be a 1-tuple too, got {type(dout).__name__}")
                dout = dout[0]
            seed = {gen.seed: dout}
        try:
            out = call_generated(fn, {**self.call_values(arguments), **seed})
        except (ValueError, IndexError, TypeError):
            if self.mode == "vjp":
                self._check_cotangent(args, kwargs, dout)
            if self.aux_box is not None:
                check_value_and_aux(self.aux_of, args, kwargs)
            raise
        if self.mode == "vjp" and not self._fits(out, arguments):
            self._check_cotangent(args, kwargs, dout)
        if not kwargs and self.aux_box is None and not self.held and not self.held_kwargs:
            self.remember_fast(args, fn, gen)
        if self.aux_box is not None:
            aux = arguments[self.aux_box][0]
            if self.mode == "value_and_grad":
                value, grads = out
                return (value, aux), self._finish(grads, arguments)
            return self._finish(out, arguments), aux
        if self.mode == "value_and_grad":
            value, grads = out
            return value, self._finish(grads, arguments)
        return self._finish(out, arguments)

    def _check_shared_memory(self, gen, arguments):
        """An argument the function changes in place may not share memory with another one:
        the change would reach that one too, and a derivative with respect to each argument
        on its own would be silently wrong."""
        if not gen.changes:
            return
        values = self.call_values(arguments)
        for p in gen.changes:
            v = values.get(p)
            for q, w in values.items():
                if q != p and isinstance(v, np.ndarray) and isinstance(w, np.ndarray) and \
                        np.may_share_memory(v, w) and np.shares_memory(v, w):
                    raise UsageError(
                        f"{self.fn.__name__} changes its argument {p!r} in place, and {p!r} "
                        f"shares memory with the argument {q!r}: the change reaches {q!r} too, "
                        f"so no derivative with respect to the arguments one by one describes "
                        f"it", f"pass separate arrays, e.g. {self.fn.__name__}(x, x.copy())")

    def remember_fast(self, args, fn, gen):
        """Let the next calls with arguments of these same types go straight to ``fn``; only
        for the plain case: no wrapped derivative, every parameter passed by position, each
        wrt argument already a float or a float array (nothing to promote or restructure)."""
        if self.inner is None and self.mode in ("grad", "value_and_grad") and \
                len(args) == len(self.params) and not self.variadic and not gen.changes:
            self.fast = fast_caller(fn, gen, args, [self.params.index(w) for w in self.wrt],
                                    self.many, self.mode == "value_and_grad", self.exact)

    def _call_forward(self, args, kwargs):
        n = len(self.wrt)
        if len(args) < n:
            raise UsageError(f"srcad.jvp(f, wrt={self.wrt!r})(*args, "
                            f"{', '.join('d' + w for w in self.wrt)}): pass one tangent per wrt "
                            f"argument, last")
        primal, tangents = args[:len(args) - n], args[len(args) - n:]
        try:
            arguments = self._prepare(primal, kwargs)
        except UsageError:
            raise
        except TypeError as exc:
            raise UsageError(f"{exc} (after setting aside the last {n} argument(s) as tangents)",
                             f"call srcad.jvp(f, wrt={self.wrt!r})(*args, "
                             f"{', '.join('d' + str(w) for w in self.wrt)})") from None
        for w, t in zip(self.wrt, tangents):
            check_structure(t, arguments[w], f"the tangent for {w}")
        fn, gen = self.compiled(arguments)
        self._check_shared_memory(gen, arguments)
        tangents = spread_tangents(self.wrt, tangents, arguments)   # *args: one tuple
        named = {gen.tangents[w]: t for w, t in zip(self.actual_wrt, tangents)}
        value, tangent = call_generated(fn, {**self.call_values(arguments), **named})
        tangent = shaped_like(tangent, value)
        if self.inner is not None and self.inner.mode != "jvp":   # the tangent of a gradient:
            return self.inner._finish(value, arguments), self.inner._finish(tangent, arguments)
        return ((value,), (tangent,)) if self.one_tuple else (value, tangent)


def aux_copy(fn, mode):
    """The copy of ``fn`` that srcad differentiates for ``has_aux=True``, and its box's name."""
    if isinstance(fn, Derived) or not isinstance(fn, types.FunctionType):
        raise UsageError(f"srcad.{mode}(has_aux=True) needs a Python function that returns "
                         f"(value, aux), got {type(fn).__name__}", "pass a function defined with def")
    read_function(fn)   # its refusals, at the user's lines
    return with_aux_kept(fn, definition, remember_source)


def _transform(mode, fn, wrt, argnums, argnum, has_aux):
    """``srcad.<mode>(fn, wrt)``, or the decorator ``srcad.<mode>(wrt=...)`` when ``fn`` is None."""
    wrt = wrt_alias(mode, wrt, argnums, argnum)
    if has_aux and mode not in ("grad", "value_and_grad"):
        raise UsageError(f"srcad.{mode} does not take has_aux (srcad.grad and "
                         f"srcad.value_and_grad do)", "differentiate the value alone")
    if fn is None:
        return entry_point(lambda f: Derived(f, wrt, mode, has_aux))
    return Derived(fn, wrt, mode, has_aux)


@entry_point
def grad(fn: Callable[..., Any] | None = None, wrt: Wrt = 0, *, argnums: Wrt | None = None,
         argnum: Wrt | None = None, has_aux: bool = False
         ) -> Derived | Callable[[Callable[..., Any]], Derived]:
    """Gradient of a scalar function: ``srcad.grad(f, wrt=0)(*args)``; also a decorator.

    ``wrt`` is a parameter index or name, or a tuple of them (then a tuple of gradients); each
    gradient has the structure and type of its argument (a tuple stays a tuple, a list a list, a
    dict keeps its keys in order). For ``def f(w, *args, **kw)`` an integer counts the positions
    of the call, as autograd's ``argnum`` and JAX's ``argnums`` do: ``grad(f, wrt=1)(w, a, b)``
    is df/da; ``wrt="args"`` is the whole tuple (a tuple of gradients), ``wrt="kw"`` the keyword
    arguments as one dict. ``argnums=`` (JAX) and ``argnum=`` (autograd) are accepted as
    aliases of ``wrt``. ``has_aux=True``: ``f`` returns ``(value, aux)`` and the derivative
    ``(gradient, aux)``.

    >>> import numpy as np, srcad
    >>> def f(x, y):
    ...     return np.sum(np.sin(x) * y)
    >>> srcad.grad(f)(np.zeros(2), np.array([1.0, 2.0]))
    array([1., 2.])
    >>> srcad.grad(f, wrt=("x", "y"))(0.0, 3.0)
    (3.0, 0.0)
    >>> @srcad.grad(wrt=1)
    ... def dgdb(a, b):
    ...     return a * b * b
    >>> dgdb(2.0, 3.0)
    12.0
    """
    return _transform("grad", fn, wrt, argnums, argnum, has_aux)


@entry_point
def value_and_grad(fn: Callable[..., Any] | None = None, wrt: Wrt = 0, *,
                   argnums: Wrt | None = None, argnum: Wrt | None = None, has_aux: bool = False
                   ) -> Derived | Callable[[Callable[..., Any]], Derived]:
    """``(f(*args), gradient)`` from one forward and one reverse sweep; ``wrt`` as in ``grad``.

    >>> import srcad
    >>> def f(x):
    ...     return x * x * x
    >>> srcad.value_and_grad(f)(2.0)
    (8.0, 12.0)
    """
    return _transform("value_and_grad", fn, wrt, argnums, argnum, has_aux)


@entry_point
def vjp(fn: Callable[..., Any] | None = None, wrt: Wrt = 0, *, argnums: Wrt | None = None,
        argnum: Wrt | None = None, has_aux: bool = False
        ) -> Derived | Callable[[Callable[..., Any]], Derived]:
    """Vector-Jacobian product (reverse mode) of a function with any output:
    ``srcad.vjp(f, wrt)(*args, dout)``, ``dout`` shaped like ``f``'s output.

    >>> import numpy as np, srcad
    >>> def f(x):
    ...     return x * x
    >>> srcad.vjp(f)(np.array([1.0, 2.0]), np.array([1.0, 10.0]))
    array([ 2., 40.])
    """
    return _transform("vjp", fn, wrt, argnums, argnum, has_aux)


@entry_point
def jvp(fn: Callable[..., Any] | None = None, wrt: Wrt = 0, *, argnums: Wrt | None = None,
        argnum: Wrt | None = None, has_aux: bool = False
        ) -> Derived | Callable[[Callable[..., Any]], Derived]:
    """Forward mode: ``srcad.jvp(f, wrt)(*args, *tangents) -> (f(*args), directional
    derivative)``, one tangent per ``wrt`` argument, last.

    >>> import srcad
    >>> def f(x, y):
    ...     return x * x * y
    >>> srcad.jvp(f, wrt=(0, 1))(2.0, 3.0, 1.0, 0.5)
    (12.0, 14.0)
    """
    return _transform("jvp", fn, wrt, argnums, argnum, has_aux)


def source(derived: Any, *example_args: Any, standalone: bool = False, origin: bool = False,
           **example_kwargs: Any) -> str:
    """The generated source of a derived function (and of the helper adjoints it calls).

    ``srcad.source(df)``: the source specialised to the arguments of ``df``'s last call, or
    before any call the *general* version (every argument of unknown kind), whose first line
    is a comment saying so. ``srcad.source(df, *args, **kwargs)``: the source specialised to
    these example arguments, made (and cached) without running anything. They are the
    function's own arguments, checked as a call checks them; for a vjp, jvp or hvp the
    cotangent, tangents or vector may follow as in a call, or be left out (they do not change
    the source; arguments that fit the function alone are read as its own). Neither form
    changes what ``srcad.source(df)`` shows later.

    ``standalone=True``: a whole module that runs without srcad (its imports, the user's
    module for the helpers and constants it reads, srcad's runtime helpers copied in; see
    docs/standalone.md). ``origin=True``: each block of generated statements is headed by the
    user line it comes from, ``# model.py:12: h = np.tanh(x @ W + b)``. (A parameter of the
    function named ``standalone`` or ``origin`` is then given by position.)

    For a jacobian, hessian or hvp: the source of the derivative it sweeps with.

    >>> import srcad
    >>> def f(x):
    ...     return x * x
    >>> print(srcad.source(srcad.grad(f), 3.0))
    def dfdx(x, dout=1.0):
        dx = 2.0 * x * dout
        return dx
    <BLANKLINE>
    """
    try:
        return source_text(derived, example_args, example_kwargs, standalone, origin)
    except SrcadError as exc:
        raise from_user_call(exc)   # srcad's own frames: in exc.internal_traceback


def source_text(derived, example_args=(), example_kwargs=None, standalone=False, origin=False,
                written_to=None):
    """``srcad.source``'s text; ``written_to``: the path a standalone module is written to
    (the CLI's ``-o``), from where a ``sys.path`` line finds the user's module."""
    example_kwargs = example_kwargs or {}
    derived = getattr(derived, "sweeps_with", derived)
    if not isinstance(derived, Derived):
        raise UsageError(f"srcad.source needs a function made by srcad.grad, value_and_grad, vjp, "
                         f"jvp, jacobian, hessian or hvp, got {type(derived).__name__}",
                         "pass what srcad.grad(f) (or another transform) returned")
    chain, d = [], derived          # what each derivative's last call made, kept as it was
    while d is not None:
        chain.append((d, d.last))
        d = d.inner
    note = ""
    try:
        if example_args or example_kwargs:
            gen = derived.compiled(example_arguments(derived, example_args, example_kwargs))[1]
        elif derived.last is not None:
            gen = derived.last
        else:
            gen = derived.compiled({})[1]
            note = general_note(derived)
        if standalone:
            shown = with_origins if origin else None
            return standalone_source(bound_function(derived, gen), shown, written_to=written_to,
                                     note=note.replace("# ", "").replace("\n", " ").strip())
        if origin:
            compiled = {f.__srcad_source__: f
                        for f in generated_functions(bound_function(derived, gen))}
            return note + "\n\n".join(with_origins(compiled[g.source], g.source)
                                       if g.source in compiled else g.source for g in listed(gen))
        return note + with_helpers(gen)
    finally:
        for d, last in chain:
            d.last = last


def bound_function(derived, gen):
    """The function srcad compiled from ``gen`` for ``derived`` (its cells and globals say
    what each name of the generated code is)."""
    for fn, g, _ in derived.specialised.values():
        if g is gen:
            return fn
    raise UsageError(f"srcad.source: the derivative {gen.name} is no longer compiled",
                     "call the derivative again, or pass example arguments")


def with_helpers(gen):
    """``gen``'s source after those of the helper derivatives it calls, each once."""
    return "\n\n".join(g.source for g in listed(gen))


def listed(gen):
    """``gen`` after the helper derivatives it calls (theirs first), each once."""
    parts, seen = [], set()

    def collect(g):
        for h in g.helpers:
            collect(h)
        if id(g) not in seen:
            seen.add(id(g))
            parts.append(g)
    collect(gen)
    return parts


def example_arguments(derived, args, kwargs):
    """The arguments of ``derived``'s call for ``srcad.source(derived, *args, **kwargs)``:
    ``args`` are the function's own arguments, or a whole call's (the cotangent or tangents
    last). Checked, promoted and named as a call does; a binding error is the one the
    function's own arguments give."""
    try:
        derived.bind_base(args, kwargs)
    except TypeError as own:
        extra = len(derived.extra_params())
        if not extra or len(args) < extra:
            raise
        try:
            derived.bind_base(args[:len(args) - extra], kwargs)
        except TypeError:
            raise own from None
        arguments = derived._prepare(args[:len(args) - extra], kwargs)
        if derived.mode == "jvp":
            for w, t in zip(derived.wrt, args[len(args) - extra:]):
                check_structure(t, arguments[w], f"the tangent for {w}")
        return arguments
    return derived._prepare(args, kwargs)


def general_note(derived):
    """The comment heading a general version: what it assumes, how to get a specialised one."""
    stars = {inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.VAR_KEYWORD: "**"}
    names = [stars.get(p.kind, "") + p.name for p in derived.signature.parameters.values()]
    shown = ", ".join(names)
    while len(shown) > 32 and len(names) > 1:   # two lines at most
        names.pop()
        shown = ", ".join(names) + ", ..."
    text = (f"general version: argument kinds unknown ({shown}); srcad.source(df, {shown}) or "
            f"the CLI's --args gives the version specialised for your arguments")
    return "".join(f"# {line}\n" for line in textwrap.wrap(text, 98, break_on_hyphens=False))
