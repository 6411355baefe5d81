"""Errors about user code: every one says where (file:line), what, and what to do instead."""
import os
import sys


class SrcadError(Exception):
    """Base class: srcad cannot differentiate something in the user's code.

    ``str(err)`` starts with ``file.py:LINE: `` so editors and terminals link to the spot.
    """

    def __init__(self, message, filename="<unknown>", lineno=0, hint=None):
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
