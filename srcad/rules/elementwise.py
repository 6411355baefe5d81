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

# Python operators (also the arithmetic of NumPy arrays)
ew(operator.add, "x1, x2", "1.0", "1.0")
ew(operator.sub, "x1, x2", "1.0", "-1.0")
ew(operator.mul, "x1, x2", "x2", "x1")
ew(operator.truediv, "x1, x2", "1.0 / x2", "-out / x2")
ew(operator.pow, "x1, x2", "x2 * x1 ** (x2 - 1)", "out * np.log(x1)", samples=[POS, POS])
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
ew(math.sqrt, "x", "0.5 / out", samples=[POS])
ew(math.tanh, "x", "1.0 - out * out")
ew(math.atan2, "x1, x2", "x2 / (x1 * x1 + x2 * x2)", "-x1 / (x1 * x1 + x2 * x2)")
ew(math.pow, "x1, x2", "x2 * x1 ** (x2 - 1)", "out * math.log(x1)", samples=[POS, POS])
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
ew(np.power, "x1, x2", "x2 * x1 ** (x2 - 1)", "out * np.log(x1)", samples=[POS, POS])
ew(np.maximum, "x1, x2", "x1 >= x2", "x1 < x2", samples=[[0.3, 1.2, -0.5], [0.9, -0.4, 0.1]])
ew(np.minimum, "x1, x2", "x1 <= x2", "x1 > x2", samples=[[0.3, 1.2, -0.5], [0.9, -0.4, 0.1]])
ew(np.clip, "a, a_min, a_max", "out == a", "a < a_min", "a > a_max",
   samples=[[-1.5, 0.2, 0.7, 2.5], [-0.9], [0.8]])
