"""A derivative's source shown where people read it: highlighted HTML and Markdown in Jupyter
(``_repr_html_``, ``_repr_markdown_``), coloured text on a terminal (``srcad.show``, the CLI's
``--color``). Pygments colours it when installed (the ``notebook`` extra); without it the text
is plain, and escaped in HTML, so nothing here needs more than the standard library.
"""
from __future__ import annotations

import html
import os
import sys
from typing import Any, TextIO

try:    # optional: pip install "srcad[notebook]"
    import pygments
    from pygments.formatters import HtmlFormatter, TerminalFormatter
    from pygments.lexers import PythonLexer
except ImportError:
    pygments = None

from .errors import SrcadError, UsageError

COLORS = ("auto", "always", "never")

# Pygments' default style leaves plain names uncoloured: on a dark notebook theme they would
# inherit light text on its light background, so the box sets its own text colour.
HTML_BOX = '<div class="srcad-source" style="color: #1f1f1f">{}</div>'


def wants_color(color: str, stream: TextIO) -> bool:
    """Whether text written to ``stream`` is coloured: ``"always"``, ``"never"``, or ``"auto"``,
    which colours a terminal unless ``NO_COLOR`` is set (no-color.org) or ``TERM`` is dumb."""
    if color not in COLORS:
        raise UsageError(f"color={color!r} is not a colour choice",
                         "use 'auto' (colour on a terminal), 'always' or 'never'")
    if color != "auto":
        return color == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty is not None and isatty())
    except ValueError:      # a closed stream
        return False


def terminal_text(code: str, color: bool) -> str:
    """``code`` with ANSI colours when ``color`` and pygments is installed, else unchanged."""
    if not color or pygments is None:
        return code
    coloured = pygments.highlight(code, PythonLexer(), TerminalFormatter())
    return coloured if code.endswith("\n") else coloured.rstrip("\n")


def html_text(code: str) -> str:
    """``code`` as an HTML block: highlighted with inline styles (no stylesheet needed) when
    pygments is installed, else escaped in a ``<pre>``."""
    if pygments is None:
        return HTML_BOX.format(f"<pre>{html.escape(code)}</pre>")
    return HTML_BOX.format(pygments.highlight(code, PythonLexer(), HtmlFormatter(noclasses=True)))


def markdown_text(code: str) -> str:
    """``code`` in a fenced Python block, the fence longer than any run of backticks in it."""
    fence = "```"
    while fence in code:
        fence += "`"
    return f"{fence}python\n{code.rstrip()}\n{fence}\n"


class ShownAsSource:
    """What a derived function shows in Jupyter: its generated source, highlighted.

    A subclass says what source that is in ``source_to_show``; before any call it is the
    general version, as ``srcad.source(df)`` gives it."""

    def source_to_show(self, *example_args: Any, **example_kwargs: Any) -> str:
        raise NotImplementedError

    def _shown(self) -> str:
        """The source, or why there is none: a display shows a note rather than a traceback."""
        try:
            return self.source_to_show()
        except SrcadError as exc:
            lines = str(exc).splitlines() + [
                "srcad.source(df, *example_args) makes the version for those arguments"]
            return "".join(f"# {line}\n" for line in lines)

    def _repr_html_(self) -> str:
        return html_text(self._shown())

    def _repr_markdown_(self) -> str:
        return markdown_text(self._shown())


def show(derived: ShownAsSource, *example_args: Any, file: TextIO | None = None,
         color: str = "auto", **example_kwargs: Any) -> None:
    """Print the generated source of ``derived``, coloured on a terminal.

    ``srcad.show(df)`` prints what ``srcad.source(df)`` returns; ``srcad.show(df, *args)`` the
    version specialised to these example arguments (nothing is run). ``file`` is the stream
    (standard output by default); ``color`` is ``"auto"`` (colour when ``file`` is a terminal,
    pygments is installed and ``NO_COLOR`` is unset), ``"always"`` or ``"never"``.

    >>> import numpy as np, srcad
    >>> def f(x):
    ...     return np.sin(x) * x
    >>> srcad.show(srcad.grad(f), 1.0)
    def dfdx(x, dout=1.0):
        dx = dout * np.sin(x)
        dx += dout * x * np.cos(x)
        return dx
    """
    shown = getattr(derived, "source_to_show", None)
    if shown is None:
        raise UsageError(f"srcad.show needs a function made by srcad.grad, value_and_grad, vjp, "
                         f"jvp, jacobian, hessian or hvp, got {type(derived).__name__}",
                         "pass what srcad.grad(f) (or another transform) returned")
    stream = sys.stdout if file is None else file
    color_on = wants_color(color, stream)       # a bad color fails before any work
    code = shown(*example_args, **example_kwargs)
    stream.write(terminal_text(code, color_on))
    if not code.endswith("\n"):
        stream.write("\n")
