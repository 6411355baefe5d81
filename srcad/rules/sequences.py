"""Python builtins that take one iterable: ``max``/``min`` of a sequence (the derivative goes to
the item it returns, the first one if several are equal, as Python picks it) and ``tuple``/
``list`` of one (the identity on the items; of a dict, its keys, which carry no derivative)."""
import builtins

from .. import runtime as rt
from ..kinds import DICT, ITERABLE
from . import defrule, nondiff


def converted(template):
    def rule(call):
        a = call.bound.get("iterable")
        kinds = getattr(call, "kinds", {})     # (reverse mode knows them)
        return "" if kinds.get(getattr(a, "id", None)) in (DICT, ITERABLE) else template
    return rule


for f in (builtins.max, builtins.min):
    defrule(f, "iterable", "diterable += picked(dout, iterable, out)",
            "dout = diterable[picked_index(iterable, out)]")
defrule(builtins.tuple, "iterable", converted("diterable += dout"),
        converted("dout = tuple(diterable)"))
defrule(builtins.list, "iterable", converted("diterable += dout"),
        converted("dout = list(diterable)"))
# the helpers the rules above write, read again for a second derivative (linear in g)
defrule(rt.picked, "g, seq, chosen", "dg += dout[picked_index(seq, chosen)]",
        "dout = picked(dg, seq, chosen)")
nondiff(rt.picked_index)
