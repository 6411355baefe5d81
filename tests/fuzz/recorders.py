"""The recorders a program's traced twin calls (``generator.py`` copies everything below the
marker into each program). Each passes its arguments through unchanged and appends to
``TRACE`` what decides the branch or the side of a kink: the sign of an ``abs`` argument, which
of two ``max`` arguments is larger, the integer part of a ``mod`` quotient, a loop's trip
count... Two evaluations with equal traces took the same smooth piece of the program.
``("away", False)`` marks a point exactly on a kink (a norm or std at zero)."""
import numpy as np

# ---- begin
TRACE = []   # filled by the traced twins only; the plain functions never touch it


def _note(*values):
    for value in values:
        TRACE.append(("side", tuple(np.ravel(value).tolist())))


def _away(a, axis=None):      # a norm (along axis) is smooth only away from zero
    TRACE.append(("away", bool(np.all(np.any(np.asarray(a) != 0, axis=axis)))))
    return a


def _spread(a, axis):         # std: smooth only where the variance is not zero
    TRACE.append(("away", bool(np.all(np.var(a, axis=axis) > 0))))
    return a


def _root(a):                # cbrt: finite differences see its blow-up near zero
    TRACE.append(("away", bool(np.all(np.abs(a) > 1e-2))))
    return a


def _apart(a, b):             # hypot, arctan2: smooth away from (0, 0)
    TRACE.append(("away", bool(np.all(np.hypot(a, b) > 0))))
    return a, b


def _test(t):
    _note(t)
    return t


def _loop(r):
    r = list(r)
    _note(len(r))
    return r


def _sign(a):
    _note(np.sign(a))
    return a


def _cmp(a, b):
    _note(np.sign(a - b))
    return a, b


def _signs(a, b):
    _note(np.sign(a), np.sign(b))
    return a, b


def _floor(a, b):
    _note(np.floor(a / b))
    return a, b


def _trunc(a, b):
    _note(np.trunc(a / b))
    return a, b


def _clip(a, lo, hi):
    _note(np.sign(a - lo), np.sign(a - hi))
    return a, lo, hi


def _ext(a, axis):            # which entries are the max and the min (ties included)
    _note(a == np.max(a, axis=axis, keepdims=True), a == np.min(a, axis=axis, keepdims=True))
    return a


def _absmax(a):
    _note(np.sign(a), np.abs(a) == np.max(np.abs(a)))
    return a


def _order(a, axis):
    _note(np.argsort(a, axis=axis, kind="stable"))
    return a
