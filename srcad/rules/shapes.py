"""Shape ops: linear maps that move, copy or select elements.

Each reverse rule is the transpose (a reshape back, the inverse permutation, a sum over the
copies, zeros around the selected part); each forward rule is the op applied to the tangent.
Ops that join or split lists (``concatenate``, ``stack``, ``split``, ``np.array([...])``) have
list derivatives: ``dout`` of ``split`` is a list, the cotangent of a joined list is a list.
"""
import builtins

import gast
import numpy as np

from ..templates import Refused
from . import defrule
from .numpy import both, given

BACK = "da += np.reshape(dout, np.shape(a))"      # every pure reshape has this transpose

# ---- reshapes ---------------------------------------------------------------------------------


def ordered(template):
    """A reshape template that passes ``order`` on when the call gives one (``order='F'``
    reads and writes elements in another order, so the transpose must use it too)."""
    return lambda call: template[:-1] + ", order=order)" if given(call, "order") else template


defrule(np.reshape, "a, shape=None, order='C'", ordered("da += np.reshape(dout, np.shape(a))"),
        ordered("dout = np.reshape(da, np.shape(out))"))
defrule(("method", "reshape"), "a, *shape", BACK, "dout = np.reshape(da, np.shape(out))")
for f in (np.ravel, ("method", "flatten"), ("method", "ravel")):
    defrule(f, "a, order='C'", ordered("da += np.reshape(dout, np.shape(a))"),
            ordered("dout = np.ravel(da)"))
both(np.squeeze, "a, axis=None", BACK, "dout = np.squeeze(da, axis)")
defrule(np.expand_dims, "a, axis", BACK, "dout = np.expand_dims(da, axis)")
defrule(np.atleast_1d, "a", BACK, "dout = np.atleast_1d(da)")
defrule(np.atleast_2d, "a", BACK, "dout = np.atleast_2d(da)")
defrule(np.atleast_3d, "a", BACK, "dout = np.atleast_3d(da)")
defrule(np.broadcast_to, "array, shape", "darray += unbroadcast(dout, array)",
        "dout = np.broadcast_to(darray, shape)")
# copies: the identity (the forward sweep copies a tangent before changing it in place)
defrule(("method", "copy"), "a", "da += dout", "dout = da")
defrule(np.copy, "a, order='K', subok=False", "da += dout", "dout = da")


# np.array / np.asarray of an array, a scalar, or a (nested) list of them: the cotangent is
# split back into the list's structure. ``copy`` says whether the result may be the argument
# itself (``aliasing``): np.array copies unless told not to, np.asarray only when told to.
def array_reverse(call):
    if call.ndim("object") is not None:     # already an array or a scalar
        return "dobject += dout"
    return "dobject += unstack_like(dout, object)"


for f, params in ((np.array, "object, dtype=None, copy=True"),
                  (np.asarray, "object, dtype=None, copy=None")):
    defrule(f, params, array_reverse, "dout = np.array(zeros_filled(dobject, object))")
# builtin sum over a list: every item gets the cotangent, reduced to its own shape
defrule(builtins.sum, "iterable, start=0",
        "diterable += spread(dout, iterable)\ndstart += unbroadcast(dout, start)",
        "dout = sum(diterable) + dstart")

# ---- permutations -----------------------------------------------------------------------------


def transpose_reverse(call):
    if given(call, "axes"):
        return "da += np.transpose(dout, np.argsort(axes))"
    return "da += np.transpose(dout)"


defrule(np.transpose, "a, axes=None", transpose_reverse, "dout = np.transpose(da, axes)")
defrule(("attr", "T"), "a", "da += np.transpose(dout)", "dout = np.transpose(da)")


def transpose_method_reverse(call):
    if call.bound.get("axes"):
        return "da += np.transpose(dout, inverse_axes(axes, np.ndim(a)))"
    return "da += np.transpose(dout)"


def transpose_method_forward(op):
    if op.bound.get("axes"):
        return "dout = np.transpose(da, transpose_axes(axes))"
    return "dout = np.transpose(da)"


defrule(("method", "transpose"), "a, *axes", transpose_method_reverse, transpose_method_forward)
both(np.swapaxes, "a, axis1, axis2", "da += np.swapaxes(dout, axis1, axis2)",
     "dout = np.swapaxes(da, axis1, axis2)")
defrule(np.moveaxis, "a, source, destination", "da += np.moveaxis(dout, destination, source)",
        "dout = np.moveaxis(da, source, destination)")
defrule(np.flip, "m, axis=None", "dm += np.flip(dout, axis)", "dout = np.flip(dm, axis)")
defrule(np.fliplr, "m", "dm += np.fliplr(dout)", "dout = np.fliplr(dm)")
defrule(np.flipud, "m", "dm += np.flipud(dout)", "dout = np.flipud(dm)")
defrule(np.rot90, "m, k=1, axes=(0, 1)", "dm += np.rot90(dout, -k, axes)",
        "dout = np.rot90(dm, k, axes)")
# rollaxis(a, axis, start) is moveaxis(a, axis, dest), dest = start (made >= 0) less one when
# the axis moves forward past it; the transpose moves it back
defrule(np.rollaxis, "a, axis, start=0",
        "n = np.ndim(a)\n"
        "ax = axis % n\n"
        "st = start + n * (start < 0)\n"
        "da += np.moveaxis(dout, st - (ax < st), ax)",
        "dout = np.rollaxis(da, axis, start)")
defrule(np.roll, "a, shift, axis=None", "da += np.roll(dout, np.negative(shift), axis)",
        "dout = np.roll(da, shift, axis)")

# ---- copies: the transpose sums them ---------------------------------------------------------
defrule(np.tile, "A, reps", "dA += untile(dout, A, reps)", "dout = np.tile(dA, reps)")
both(np.repeat, "a, repeats, axis=None", "da += unrepeat(dout, a, repeats, axis)",
     "dout = np.repeat(da, repeats, axis)")

# ---- joining and splitting lists ------------------------------------------------------------
for f, how in [(np.concatenate, "concatenate"), (np.stack, "stack")]:
    defrule(f, "arrays, axis=0", f"darrays += split_like(dout, arrays, axis, {how!r})",
            f"dout = joined(darrays, arrays, axis, {how!r})")
for f, how in [(np.hstack, "hstack"), (np.vstack, "vstack")]:
    defrule(f, "tup", f"dtup += split_like(dout, tup, None, {how!r})",
            f"dout = joined(dtup, tup, None, {how!r})")
for f in (np.split, np.array_split):
    # ``out`` is the list of parts: the cotangents of unused parts are scalar zeros
    defrule(f, "ary, indices_or_sections, axis=0",
            "dary += joined(dout, out, axis, 'concatenate')",
            f"dout = np.{f.__name__}(dary, indices_or_sections, axis)")
# hsplit's parts join again by hstack (axis 1, or 0 of a 1-D array), vsplit's along axis 0,
# dsplit's along axis 2
for f, axis, how in [(np.hsplit, None, "hstack"), (np.vsplit, 0, "concatenate"),
                     (np.dsplit, 2, "concatenate")]:
    defrule(f, "ary, indices_or_sections", f"dary += joined(dout, out, {axis}, {how!r})",
            f"dout = np.{f.__name__}(dary, indices_or_sections)")


# ---- padding ----------------------------------------------------------------------------------
# np.pad copies: the constant mode's transpose crops (the mask of a's elements in the result,
# in a's order); the modes that copy a's own elements into the border (edge, reflect,
# symmetric, wrap) sum each element's copies, found by padding a's flat indices. The modes
# that compute the border (mean, maximum, linear_ramp...) have no rule.
INTERIOR = "np.pad(np.ones(np.shape(array), dtype=bool), pad_width)"
COPIES = "np.pad(np.reshape(np.arange(np.size(array)), np.shape(array)), pad_width, mode)"
PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def pad_mode(call):
    mode = call.bound.get("mode")
    if isinstance(mode, str):                # the parameter's default, as text
        mode = mode.strip("'")
    elif isinstance(mode, gast.Constant):
        mode = mode.value
    if mode not in PAD_MODES:
        shown = repr(mode) if isinstance(mode, str) else "a variable"
        raise Refused(f"np.pad with mode={shown}: only the modes {', '.join(PAD_MODES)}, "
                      "written as a string, have a derivative",
                      "pad with one of those modes, or give the padding a rule (srcad.defrule)")
    return mode


def pad_reverse(call):
    if pad_mode(call) == "constant":
        return (f"inside = {INTERIOR}\n"
                "darray += np.reshape(dout[inside], np.shape(array))\n"
                "dconstant_values += np.sum(dout[np.logical_not(inside)])")
    return (f"darray += np.reshape(np.bincount(np.ravel({COPIES}), np.ravel(dout), "
            "np.size(array)), np.shape(array))")


def pad_forward(op):
    if pad_mode(op) == "constant":
        return ("dout = np.pad(darray, pad_width) + "
                "np.pad(np.zeros(np.shape(array)), pad_width, constant_values=dconstant_values)")
    return "dout = np.pad(darray, pad_width, mode)"


defrule(np.pad, "array, pad_width, mode='constant', constant_values=0", pad_reverse,
        pad_forward)

# ---- diagonals and triangles ---------------------------------------------------------------


def diag_reverse(call):
    if call.ndim("v") == 1:
        return "dv += np.diagonal(dout, k)"
    return "dv += diag_grad(dout, v, k)"


defrule(np.diag, "v, k=0", diag_reverse, "dout = np.diag(dv, k)")
both(np.diagonal, "a, offset=0, axis1=0, axis2=1",
     "da += diagonal_grad(dout, a, offset, axis1, axis2)",
     "dout = np.diagonal(da, offset, axis1, axis2)")
both(np.trace, "a, offset=0, axis1=0, axis2=1, dtype=None, _out=None",
     "da += trace_grad(dout, a, offset, axis1, axis2)",
     "dout = np.trace(da, offset, axis1, axis2)")
defrule(np.triu, "m, k=0", "dm += np.triu(dout, k)", "dout = np.triu(dm, k)")
defrule(np.tril, "m, k=0", "dm += np.tril(dout, k)", "dout = np.tril(dm, k)")
