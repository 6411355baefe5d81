"""Python builtins and operators whose results carry no derivative."""
import builtins
import math
import operator

from . import nondiff

nondiff(len, range, slice, reversed, int, bool, round, isinstance, print, type, str, enumerate, zip,
        builtins.all, builtins.any, math.floor, math.ceil, math.isnan, math.isinf,
        math.isfinite, math.trunc, operator.floordiv, operator.lt, operator.le, operator.gt,
        operator.ge, operator.eq, operator.ne, operator.not_, operator.and_, operator.or_,
        operator.xor, operator.invert, operator.lshift, operator.rshift)
