"""``srcad.graph(f, *example_args, wrt=...)``: the computation graph of ``f`` as srcad's core
language sees it, as Graphviz dot text (always) and SVG (with Graphviz's ``dot`` program),
shown inline in notebooks. It answers "why is this variable active?" (a filled path from a wrt
argument through it to the output) and "what does the stack hold?" (red outlines, with the
bytes each trip pushes). The graph itself is ``graph_model``'s, the dot text ``graph_dot``'s.
"""
import html
import os
import shutil
import subprocess
from typing import Any, Callable, Optional, Union

from .api import Derived, argument_values, example_arguments
from .errors import SrcadError, UsageError
from .frontend import allow_deep_trees, too_deep
from .graph_dot import render
from .graph_model import build_model

INSTALL_HINT = ("install Graphviz, which provides it (apt install graphviz, brew install "
                "graphviz, conda install graphviz or https://graphviz.org/download/), or use "
                "the dot text (.dot, or save the graph as a .dot file)")


class GraphvizNotFound(RuntimeError):
    """Rendering SVG needs Graphviz's ``dot`` program, and it is not on PATH."""


class Graph:
    """The computation graph of a function: ``.dot`` (also ``str(g)``) is Graphviz dot text,
    ``.svg()`` the picture, ``.save(path)`` writes either; ``.saved`` lists what the reverse
    sweep pushes on its stack. In Jupyter it displays itself as SVG (or as its dot text when
    Graphviz is not installed)."""

    def __init__(self, model):
        self.model = model
        self.dot = render(model)
        self._svg = None

    @property
    def saved(self) -> list:
        """What the forward sweep pushes for the reverse sweep: ``graph_model.Saved`` entries
        (name, line, size, the loops it is pushed in)."""
        return self.model.saved

    def __str__(self) -> str:
        return self.dot

    def __repr__(self) -> str:
        m = self.model
        return (f"<srcad graph of {m.name}: {len(m.nodes)} nodes, {len(m.edges)} edges, "
                f"{len(m.saved)} saved value(s); .dot for the text, .svg() for the picture>")

    def svg(self) -> str:
        """The picture as SVG text, drawn by Graphviz's ``dot`` program."""
        if self._svg is None:
            program = shutil.which("dot")
            if program is None:
                raise GraphvizNotFound(f"srcad.graph(...).svg() needs Graphviz's dot program, "
                                       f"which is not on PATH: {INSTALL_HINT}")
            done = subprocess.run([program, "-Tsvg"], input=self.dot.encode(),
                                  capture_output=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"Graphviz's dot failed on srcad's graph (exit "
                                   f"{done.returncode}): {done.stderr.decode(errors='replace')}")
            self._svg = done.stdout.decode()
        return self._svg

    def save(self, path: Union[str, os.PathLike]) -> Union[str, os.PathLike]:
        """Write the graph to ``path``: SVG for a ``.svg`` file, dot text for ``.dot``/``.gv``."""
        ext = os.path.splitext(str(path))[1].lower()
        if ext not in (".svg", ".dot", ".gv"):
            raise UsageError(f"cannot save a graph as {os.path.basename(str(path))!r}: the "
                             f"file name must end in .dot, .gv or .svg",
                             "save it as graph.dot (text) or graph.svg (picture)")
        content = self.svg() if ext == ".svg" else self.dot
        with open(path, "w", encoding="utf-8") as out:
            out.write(content)
        return path

    def _repr_svg_(self) -> Optional[str]:
        return self.svg() if shutil.which("dot") else None

    def _repr_html_(self) -> str:
        if shutil.which("dot"):
            return self.svg()
        return ("<pre title=\"Graphviz is not installed: the graph's dot text\">"
                f"{html.escape(self.dot)}</pre>")


def graph(f: Callable, *example_args: Any, wrt: Union[int, str, tuple, None] = None,
          **example_kwargs: Any) -> Graph:
    """The computation graph of ``f`` with respect to ``wrt`` (index, name or tuple; default
    the first parameter, or the wrt of a function made by ``srcad.grad``).

    With example arguments the graph is specialised to them, as ``srcad.source(df, *args)``
    is: the saved values' sizes are then in bytes. Nothing is run.

    >>> import numpy as np, srcad
    >>> def f(x, n):
    ...     for i in range(n):
    ...         x = np.sin(x)
    ...     return x
    >>> g = srcad.graph(f, 0.5, 3)
    >>> [s.describe() for s in g.saved]
    ['x (line 3: 8 B per trip of for i in range(n))']
    >>> print(g.dot.splitlines()[0])
    digraph "f" {
    """
    derived = graphed(f, wrt)
    if example_args or example_kwargs:
        arguments = example_arguments(derived, example_args, example_kwargs)
        values = argument_values(arguments, derived.params, exact=True)
    else:
        arguments, values = {}, None
    fn, kinds, wrt_names, _ = derived.target(arguments)
    return Graph(drawn(fn, wrt_names, kinds, values))


def graphed(f, wrt):
    """``f`` as a Derived (vjp mode: any output) whose checks give the usual errors."""
    if isinstance(f, Derived):
        if f.inner is not None:
            raise UsageError("srcad.graph draws a function as written, not a derivative of a "
                             "derivative", "pass the function itself: srcad.graph(f, wrt=...)")
        if wrt is None:
            wrt = f.wrt[0] if len(f.wrt) == 1 else f.wrt
        f = f.fn if f.instance is None else f.fn.__get__(f.instance)
    if getattr(f, "loops_over_sweeps", False):
        raise UsageError(f"srcad.graph draws a function as written, not a "
                         f"{type(f).__name__} (made of sweeps of its derivatives)",
                         "pass the function itself: srcad.graph(f, wrt=...)")
    if isinstance(f, type) or not callable(f):
        raise UsageError(f"srcad.graph needs a function, got {type(f).__name__}: {f!r:.60}",
                         "pass a function defined with def")
    return Derived(f, 0 if wrt is None else wrt, "vjp")


def drawn(fn, wrt, kinds, values):
    """The model of ``fn``; a failure inside srcad becomes an SrcadError at its line (the
    original exception kept as ``err.internal``), as ``pipeline.derive`` does."""
    allow_deep_trees()
    code = fn.__code__
    try:
        return build_model(fn, wrt, kinds, values)
    except SrcadError:
        raise
    except RecursionError:
        raise too_deep(fn, code.co_filename, code.co_firstlineno) from None
    except Exception as exc:
        err = SrcadError(f"internal error while drawing {fn.__name__}: {type(exc).__name__}: "
                         f"{exc}", code.co_filename, code.co_firstlineno,
                         "this is a bug in srcad; please report it with this function")
        err.internal = exc
        raise err from None
