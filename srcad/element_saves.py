"""A derivative's saves of elements, read again: ``stack.append(np.copy(x[i]))`` ... ``x[i] =
stack.pop()``. A second transformation pairs a pop with its push by the name saved and
restored (``tape_op``), so both read as one name, ``x_saved``, per array ``x``: what is pushed
(and its tangent or adjoint, pushed beside it) is what the restore pops."""
import gast
import numpy as np

from .build import assign, name
from .frontend import is_tape_call


def element_base(value, scope):
    """``x`` of ``x[i]`` or ``np.copy(x[i])`` (how a derivative saves elements), else None."""
    if isinstance(value, gast.Call) and len(value.args) == 1 and not value.keywords and \
            scope.resolve(value.func) is np.copy:
        value = value.args[0]
    if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name):
        return value.value.id
    return None


class ElementSaves:
    """The one name of each array's saved elements (``x_saved``)."""

    def __init__(self, lowering):
        self.low = lowering
        self.names = {}

    def saved(self, base):
        if base not in self.names:
            self.names[base] = self.low.namer.fresh(base + "_saved")
            self.low.scope.locals = self.low.scope.locals | {self.names[base]}
        return self.names[base]

    def push(self, s, out):
        """``stack.append(np.copy(x[i]))`` -> ``x_saved = np.copy(x[i]); stack.append(x_saved)``;
        False if ``s`` is not a save of elements."""
        call = s.value
        if not (self.low.scope.generated and is_tape_call(call, self.low.scope, "append")):
            return False
        base = element_base(call.args[0], self.low.scope)
        if base is None:
            return False
        saved = self.saved(base)
        out.append(assign(saved, self.low.flat(call.args[0], out), s.lineno))
        call.args = [name(saved)]
        out.append(s)
        return True

    def pop(self, base, value, lineno, out):
        """The restore ``x[i] = stack.pop()``: its value popped into ``x_saved``."""
        saved = self.saved(base)
        out.append(assign(saved, value, lineno))
        return name(saved)
