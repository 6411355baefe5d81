"""Element-wise rules: one partial derivative per argument (``out`` is the result).

srcad turns each partial into ``dx += dout * partial`` (reverse) and ``dout = dx * partial``
(forward), reduces broadcasting, and merges repeated arguments.
"""
import math
import operator

import numpy as np

from . import defelementwise as ew

POS = [0.3, 0.7, 1.9]          # samples inside every domain used below
UNIT = [-0.6, 0.2, 0.8]
ABOVE_ONE = [1.2, 1.7, 3.1]
# constants written into the partials as literals (a template has no module of its own)
LN2, LN10 = repr(math.log(2.0)), repr(math.log(10.0))
DEG, PER_DEG = repr(math.pi / 180.0), repr(180.0 / math.pi)
TWO_OVER_SQRT_PI = repr(2.0 / math.sqrt(math.pi))

# Python operators (also the arithmetic of NumPy arrays). The exponent's partial of a ** b is
# out * log(a), written xlogy(out, a) so that it is 0 (not NaN) at a = 0.
ew(operator.add, "x1, x2", "1.0", "1.0")
ew(operator.sub, "x1, x2", "1.0", "-1.0")
ew(operator.mul, "x1, x2", "x2", "x1")
ew(operator.truediv, "x1, x2", "1.0 / x2", "-out / x2")
ew(operator.pow, "x1, x2", "x2 * x1 ** (x2 - 1)", "xlogy(out, x1)", samples=[POS, POS])
ew(operator.mod, "x1, x2", "1.0", "-np.floor(x1 / x2)", samples=[[0.3, 1.7, 2.9], [1.1, 1.3]])
ew(operator.neg, "x", "-1.0")
ew(operator.pos, "x", "1.0")

# math: scalar functions, derivatives kept in math for speed on Python floats
ew(math.sin, "x", "math.cos(x)")
ew(math.cos, "x", "-math.sin(x)")
ew(math.tan, "x", "1.0 + out * out")
ew(math.exp, "x", "out")
ew(math.log, "x", "1.0 / x", samples=[POS])
ew(math.log, "x1, x2", "1.0 / (x1 * math.log(x2))", "-out / (x2 * math.log(x2))",
   samples=[POS, [1.5, 2.5, 3.0]])
ew(math.sqrt, "x", "0.5 / out if out else math.inf", samples=[POS])   # inf at 0, as NumPy
ew(math.tanh, "x", "1.0 - out * out")
ew(math.atan2, "x1, x2", "x2 / (x1 * x1 + x2 * x2)", "-x1 / (x1 * x1 + x2 * x2)")
ew(math.pow, "x1, x2", "x2 * x1 ** (x2 - 1)", "xlogy(out, x1)", samples=[POS, POS])
ew(math.hypot, "x1, x2", "x1 / out", "x2 / out")
ew(math.log1p, "x", "1.0 / (1.0 + x)", samples=[POS])
ew(math.expm1, "x", "out + 1.0")
ew(math.fabs, "x", "np.sign(x)", samples=[[-1.3, 0.4, 2.0]])

# builtins
ew(abs, "x", "np.sign(x)", samples=[[-1.3, 0.4, 2.0]])
ew(float, "x", "1.0")
ew(max, "x1, x2", "x1 >= x2", "x1 < x2", samples=[[0.3, 1.2], [0.9, -0.4]])
ew(min, "x1, x2", "x1 <= x2", "x1 > x2", samples=[[0.3, 1.2], [0.9, -0.4]])

# numpy ufuncs
ew(np.add, "x1, x2", "1.0", "1.0")
ew(np.subtract, "x1, x2", "1.0", "-1.0")
ew(np.multiply, "x1, x2", "x2", "x1")
ew(np.divide, "x1, x2", "1.0 / x2", "-out / x2")
ew(np.negative, "x", "-1.0")
ew(np.sin, "x", "np.cos(x)")
ew(np.cos, "x", "-np.sin(x)")
ew(np.tan, "x", "1.0 + out * out")
ew(np.arcsin, "x", "1.0 / np.sqrt(1.0 - x * x)", samples=[UNIT])
ew(np.arccos, "x", "-1.0 / np.sqrt(1.0 - x * x)", samples=[UNIT])
ew(np.arctan, "x", "1.0 / (1.0 + x * x)")
ew(np.sinh, "x", "np.cosh(x)")
ew(np.cosh, "x", "np.sinh(x)")
ew(np.tanh, "x", "1.0 - out * out")
ew(np.exp, "x", "out")
ew(np.log, "x", "1.0 / x", samples=[POS])
ew(np.log1p, "x", "1.0 / (1.0 + x)", samples=[POS])
ew(np.expm1, "x", "out + 1.0")
ew(np.sqrt, "x", "0.5 / out", samples=[POS])
ew(np.square, "x", "2.0 * x")
ew(np.abs, "x", "np.sign(x)", samples=[[-1.3, 0.4, 2.0]])
ew(np.power, "x1, x2", "x2 * x1 ** (x2 - 1)", "xlogy(out, x1)", samples=[POS, POS])
ew(np.maximum, "x1, x2", "x1 >= x2", "x1 < x2", samples=[[0.3, 1.2, -0.5], [0.9, -0.4, 0.1]])
ew(np.minimum, "x1, x2", "x1 <= x2", "x1 > x2", samples=[[0.3, 1.2, -0.5], [0.9, -0.4, 0.1]])
# Where out equals several of (a, a_min, a_max) (a tie, or a_min > a_max) the derivative goes to
# the first of them, so it is never counted twice.
CLIP = ("out == a", "np.logical_and(out == a_min, out != a)",
        "np.logical_and(out == a_max, np.logical_and(out != a, out != a_min))")
ew(np.clip, "a, a_min, a_max", *CLIP, samples=[[-1.5, 0.2, 0.7, 2.5], [-0.9], [0.8]])
ew(np.positive, "x", "1.0")
ew(np.reciprocal, "x", "-out * out", samples=[POS])
ew(np.arcsinh, "x", "1.0 / np.sqrt(x * x + 1.0)")
ew(np.arccosh, "x", "1.0 / np.sqrt(x * x - 1.0)", samples=[ABOVE_ONE])
ew(np.arctanh, "x", "1.0 / (1.0 - x * x)", samples=[UNIT])
ew(np.exp2, "x", f"out * {LN2}")
ew(np.log2, "x", f"1.0 / (x * {LN2})", samples=[POS])
ew(np.log10, "x", f"1.0 / (x * {LN10})", samples=[POS])
ew(np.cbrt, "x", "1.0 / (3.0 * out * out)", samples=[[-1.3, 0.4, 2.0]])   # not at 0
ew(np.fabs, "x", "np.sign(x)", samples=[[-1.3, 0.4, 2.0]])
ew(np.float_power, "x1, x2", "x2 * x1 ** (x2 - 1)", "xlogy(out, x1)", samples=[POS, POS])
# fmod(x1, x2) = x1 - trunc(x1 / x2) * x2 (the sign of x1), mod uses floor (the sign of x2)
ew(np.fmod, "x1, x2", "1.0", "-np.trunc(x1 / x2)", samples=[[0.3, -1.7, 2.9], [1.1, 1.3]])
ew(np.mod, "x1, x2", "1.0", "-np.floor(x1 / x2)", samples=[[0.3, -1.7, 2.9], [1.1, -1.3]])
ew(np.hypot, "x1, x2", "x1 / out", "x2 / out")
ew(np.arctan2, "x1, x2", "x2 / (x1 * x1 + x2 * x2)", "-x1 / (x1 * x1 + x2 * x2)",
   samples=[[0.3, -0.7, 1.9], [0.5, 1.2, -0.4]])
# log(e^x1 + e^x2): the partials are the softmax weights, computed without overflow
ew(np.logaddexp, "x1, x2", "np.exp(x1 - out)", "np.exp(x2 - out)")
ew(np.logaddexp2, "x1, x2", "np.exp2(x1 - out)", "np.exp2(x2 - out)")
# sinc(x) = sin(pi x) / (pi x); at x = 0 the first derivative is 0 (its limit)
ew(np.sinc, "x", "(np.cos(np.pi * x) - out) / np.where(x == 0, 1.0, x)",
   samples=[[-1.3, 0.4, 2.2]])
ew(np.deg2rad, "x", DEG)
ew(np.radians, "x", DEG)
ew(np.rad2deg, "x", PER_DEG)
ew(np.degrees, "x", PER_DEG)
# fmax/fmin ignore NaN: the derivative goes to the argument that is returned (ties: the first)
ew(np.fmax, "x1, x2", "np.logical_or(x1 >= x2, np.isnan(x2))",
   "np.logical_and(np.logical_not(x1 >= x2), np.logical_not(np.isnan(x2)))",
   samples=[[0.3, 1.2, -0.5], [0.9, -0.4, 0.1]])
ew(np.fmin, "x1, x2", "np.logical_or(x1 <= x2, np.isnan(x2))",
   "np.logical_and(np.logical_not(x1 <= x2), np.logical_not(np.isnan(x2)))",
   samples=[[0.3, 1.2, -0.5], [0.9, -0.4, 0.1]])
# heaviside(x1, x2) is piecewise constant in x1 and equals x2 exactly where x1 == 0
ew(np.heaviside, "x1, x2", None, "x1 == 0", samples=[[-0.5, 0.0, 0.7], [0.3, 0.5, 0.9]])
# copysign(x1, x2) = |x1| sign(x2): constant in x2 away from 0
ew(np.copysign, "x1, x2", "np.sign(x1) * np.sign(out)", None,
   samples=[[-1.3, 0.4, 2.0], [0.5, -0.7, 1.1]])
# np.clip with keyword bounds (a_min=, a_max=, or NumPy 2's min=, max=); samples of None: the
# test leaves those keywords out
CLIP_NUMPY2 = [c.replace("a_min", "min").replace("a_max", "max") for c in CLIP[1:]]
ew(np.clip, "a, a_min=None, a_max=None, min=None, max=None", *CLIP, *CLIP_NUMPY2,
   samples=[[-1.5, 0.2, 0.7, 2.5], None, None, [-0.9], [0.8]])
ew(("method", "clip"), "a, min=None, max=None", CLIP[0], *CLIP_NUMPY2,
   samples=[[-1.5, 0.2, 0.7, 2.5], [-0.9], [0.8]])

# math: the rest of the differentiable scalar functions (lgamma/gamma need digamma: no rule)
ew(math.asin, "x", "1.0 / math.sqrt(1.0 - x * x)", samples=[UNIT])
ew(math.acos, "x", "-1.0 / math.sqrt(1.0 - x * x)", samples=[UNIT])
ew(math.atan, "x", "1.0 / (1.0 + x * x)")
ew(math.sinh, "x", "math.cosh(x)")
ew(math.cosh, "x", "math.sinh(x)")
ew(math.asinh, "x", "1.0 / math.sqrt(x * x + 1.0)")
ew(math.acosh, "x", "1.0 / math.sqrt(x * x - 1.0)", samples=[ABOVE_ONE])
ew(math.atanh, "x", "1.0 / (1.0 - x * x)", samples=[UNIT])
ew(math.log2, "x", f"1.0 / (x * {LN2})", samples=[POS])
ew(math.log10, "x", f"1.0 / (x * {LN10})", samples=[POS])
ew(math.exp2, "x", f"out * {LN2}")
ew(math.cbrt, "x", "1.0 / (3.0 * out * out)", samples=[[-1.3, 0.4, 2.0]])
ew(math.erf, "x", f"{TWO_OVER_SQRT_PI} * math.exp(-x * x)")
ew(math.erfc, "x", f"-{TWO_OVER_SQRT_PI} * math.exp(-x * x)")
ew(math.degrees, "x", PER_DEG)
ew(math.radians, "x", DEG)
ew(math.copysign, "x1, x2", "math.copysign(1.0, x1) * math.copysign(1.0, out)", None,
   samples=[[-1.3, 0.4, 2.0], [0.5, -0.7, 1.1]])
ew(math.fmod, "x1, x2", "1.0", "-float(math.trunc(x1 / x2))", samples=[[0.3, -1.7, 2.9], [1.1, 1.3]])
