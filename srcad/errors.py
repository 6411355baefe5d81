"""Errors about user code: every one says where (file:line), what, and what to do instead."""
import functools
import os
import sys


class SrcadError(Exception):
    """Base class: srcad cannot differentiate something in the user's code.

    ``str(err)`` starts with ``file.py:LINE: `` so editors and terminals link to the spot.
    Raised from a public entry point (``srcad.grad(f)``, a derivative's call, ``srcad.source``)
    its traceback starts at the user's call; ``err.internal_traceback`` keeps the one through
    srcad's own frames (``traceback.print_tb(err.internal_traceback)``), None if none was cut.
    """

    internal_traceback = None

    def __init__(self, message, filename="<unknown>", lineno=0, hint=None):
        filename, lineno = user_line(filename, lineno)
        self.message = message
        self.filename = filename
        self.lineno = lineno
        self.hint = hint
        text = f"{filename}:{lineno}: {message}"
        if hint:
            text += f"\n  hint: {hint}"
        super().__init__(text)


class UnsupportedSyntax(SrcadError):
    """A construct srcad does not differentiate (try, with, yield, classes, ...)."""


class NoRule(SrcadError):
    """A call on a differentiated value to a function with no derivative rule."""


class NotDifferentiable(SrcadError):
    """The function or argument cannot be differentiated (no source, wrong wrt, ...)."""


class RuleError(SrcadError, ValueError):
    """A derivative rule that cannot be used: its template does not parse or has the wrong
    shape. Raised when the rule is registered (a string template), or where a call uses it (a
    template computed by a function). The message names the rule's function and template."""


def at(node, where, message, hint=None, cls=SrcadError):
    """Build an error located at ``node`` of the function described by ``where``."""
    line = getattr(node, "lineno", None) or where.lineno
    return cls(message, where.filename, line, hint)


class UsageError(SrcadError, TypeError):
    """srcad itself called wrongly (not a function, a bad ``wrt``, a missing ``dout``). Located
    at the user's call, and a TypeError too, as Python's own calls raise for bad arguments."""

    def __init__(self, message, hint=None):
        filename, lineno = call_site()
        super().__init__(message, filename, lineno, hint)


def call_site():
    """File and line of the innermost frame that is neither srcad nor code it generated."""
    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not (filename.startswith("<srcad") or os.path.abspath(filename).startswith(package)):
            return filename, frame.f_lineno
        frame = frame.f_back
    return "<unknown>", 0


# A derivative's pseudo-file ("<srcad mod.f #3>") -> (line -> (file, line, role), and
# (file, line) of the function it derives): where each line of generated code came from.
_GENERATED = {}


def remember_lines(filename, lines, origin):
    """Record the origin of each line of the generated code compiled as ``filename``
    (``lines``: line -> (file or None, line, role); ``origin``: the derived function's
    (file, first line), the file of a line that names none)."""
    file, first = user_line(*origin)
    table = {}
    for line, (where, at, back) in lines.items():
        table[line] = (*user_line(where or origin[0], at), back)
    _GENERATED[filename] = (table, (file, first))


def user_line(filename, lineno):
    """``(filename, lineno)`` of generated code mapped to the user's line it came from (through
    a derivative of a derivative too); anything else unchanged."""
    for _ in range(8):
        entry = _GENERATED.get(filename)
        if entry is None:
            return filename, lineno
        table, (file, first) = entry
        filename, lineno = table[lineno][:2] if lineno in table else (file, first)
    return filename, lineno


def line_origins(filename):
    """Line of the generated code compiled as ``filename`` -> (user's file, line) it came from
    (empty for code srcad did not generate)."""
    table = _GENERATED.get(filename, ({}, None))[0]
    return {line: (file, at) for line, (file, at, _) in table.items()}


def derived_from(filename):
    """(file, first line) of the user's function the generated code ``filename`` derives, or
    None for code srcad did not generate."""
    entry = _GENERATED.get(filename)
    return None if entry is None else entry[1]


def from_user_call(exc):
    """``exc``, a SrcadError, ready to be raised again at srcad's public entry point: its
    traceback through srcad's own frames is kept as ``exc.internal_traceback`` (the first one
    kept, where entry points nest) and dropped from the traceback the user sees."""
    if getattr(exc, "internal_traceback", None) is None:
        exc.internal_traceback = exc.__traceback__
    return exc.with_traceback(None)


def entry_point(fn):
    """Decorate a public function of srcad: a SrcadError it raises reaches the user with a
    traceback that starts at their call (``from_user_call``)."""
    @functools.wraps(fn)
    def entry(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except SrcadError as exc:
            raise from_user_call(exc)   # srcad's own frames: in exc.internal_traceback
    return entry


def written_back(filename):
    """The lines of the generated code compiled as ``filename`` that write a change in place
    back through a view (``x[:2] = v`` after ``v *= 3.0``, for ``v = x[:2]``)."""
    return lines_with(filename, "write_back")


def lines_with(filename, role):
    """The lines of the generated code compiled as ``filename`` with ``role`` (line_table)."""
    table = _GENERATED.get(filename, ({}, None))[0]
    return {line for line, (_, _, r) in table.items() if r == role}
