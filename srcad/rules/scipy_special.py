"""scipy.special rules. scipy is an optional extra: ``rules/__init__.py`` imports this module
only when ``scipy.special`` imports, so srcad itself never needs scipy.

Written with the public API users call for their own rules. Templates reach scipy through the
runtime helper ``polygamma(n, x)`` (``digamma`` for n = 0), which has a rule of its own here, so
every derivative can be differentiated again. The forms are the numerically stable ones: the
logistic's derivative from its output, ``log_ndtr``'s as a ratio taken in log space, the
log-sum-exp weights as ``exp(a - out)`` (never ``exp(a) / sum``).
"""
import math

from scipy import special as sc

from .. import runtime as rt
from . import defelementwise as ew, defrule
from .numpy import given

INV_SQRT_2PI = repr(1.0 / math.sqrt(2.0 * math.pi))
TWO_OVER_SQRT_PI = repr(2.0 / math.sqrt(math.pi))
POS = [0.3, 1.7, 4.5]              # samples inside every domain used below
OPEN01 = [0.2, 0.5, 0.85]
ORDERS = [0, 1, 2]                 # polygamma's order n (an integer: no derivative)

# ---- element-wise: one partial per argument, both modes derived from it ---------------------
ew(sc.expit, "x", "out * (1.0 - out)", samples=[[-2.0, 0.3, 1.9]])
ew(sc.logit, "x", "1.0 / (x * (1.0 - x))", samples=[OPEN01])
ew(sc.gammaln, "x", "polygamma(0, x)", samples=[[0.3, 1.7, 4.5, -1.5]])  # log|gamma| below 0
ew(sc.digamma, "x", "polygamma(1, x)", samples=[POS])                      # also sc.psi
ew(sc.polygamma, "n, x", None, "polygamma(n + 1, x)", samples=[ORDERS, POS])
ew(rt.polygamma, "n, x", None, "polygamma(n + 1, x)", samples=[ORDERS, POS])
ew(sc.erf, "x", f"{TWO_OVER_SQRT_PI} * np.exp(-x * x)")
ew(sc.erfc, "x", f"-{TWO_OVER_SQRT_PI} * np.exp(-x * x)")
ew(sc.ndtr, "x", f"{INV_SQRT_2PI} * np.exp(-0.5 * x * x)")
# pdf(x) / ndtr(x) = exp(-x^2/2 - log_ndtr(x)) / sqrt(2 pi): no 0/0 far in the left tail
ew(sc.log_ndtr, "x", f"{INV_SQRT_2PI} * np.exp(-0.5 * x * x - out)",
   samples=[[-3.0, 0.2, 1.9]])
# x log(y) and x log1p(y) are 0 where x is 0, for every y: there the derivative in y is 0
# (not 0/0 at y = 0); the one in x stays log(y), the slope of x log(y) through x = 0.
ew(sc.xlogy, "x, y", "np.log(y)", "x / np.where(np.logical_and(x == 0, y == 0), 1.0, y)",
   samples=[[0.0, -0.7, 2.0], [0.3, 1.5, 2.5]])
ew(sc.xlog1py, "x, y", "np.log1p(y)",
   "x / np.where(np.logical_and(x == 0, y == -1.0), 1.0, 1.0 + y)",
   samples=[[0.0, -0.7, 2.0], [-0.5, 0.4, 2.0]])


# ---- reductions over an axis ------------------------------------------------------------------
# logsumexp(a, axis, b, keepdims) = log(sum(b * exp(a))). Its weights exp(a - out) are computed
# against the result, so they never overflow; with b they take the broadcast shape of a and b,
# and d/db is the weight itself (no division by b, which may hold zeros). return_sign is not a
# parameter: a call that passes it does not match the rule, an error at the call.
def logsumexp_reverse(call):
    if not given(call, "b"):
        return ("da += unreduce(dout, a, axis, keepdims) * "
                "np.exp(a - unreduce(out, a, axis, keepdims))")
    return ("g = unreduce(dout, a * b, axis, keepdims) * "
            "np.exp(a - unreduce(out, a * b, axis, keepdims))\n"
            "da += unbroadcast(g * b, a)\n"
            "db += unbroadcast(g, b)")


def logsumexp_forward(op):
    if not given(op, "b"):
        return ("dout = np.sum(np.exp(a - unreduce(out, a, axis, keepdims)) * da, axis=axis, "
                "keepdims=keepdims)")
    weights = "np.exp(a - unreduce(out, a * b, axis, keepdims))"
    return (f"dout = np.sum({weights} * b * da, axis=axis, keepdims=keepdims) + "
            f"np.sum({weights} * db, axis=axis, keepdims=keepdims)")


defrule(sc.logsumexp, "a, axis=None, b=None, keepdims=False", logsumexp_reverse,
        logsumexp_forward)
# softmax: J = diag(out) - out out^T along the axis, applied without forming it
defrule(sc.softmax, "x, axis=None",
        "dx += out * (dout - np.sum(dout * out, axis=axis, keepdims=True))",
        "dout = out * (dx - np.sum(dx * out, axis=axis, keepdims=True))")
# log_softmax = x - logsumexp(x): the softmax is exp(out)
defrule(sc.log_softmax, "x, axis=None",
        "dx += dout - np.exp(out) * np.sum(dout, axis=axis, keepdims=True)",
        "dout = dx - np.sum(np.exp(out) * dx, axis=axis, keepdims=True)")
