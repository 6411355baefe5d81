"""Python builtins and methods on sequences, dicts and structures: ``max``/``min`` of a sequence
(the derivative goes to the item it returns, the first one if several are equal, as Python picks
it), ``tuple``/``list`` of one (the identity on the items; of a dict, its keys, which carry no
derivative), ``d.get``, ``x.item()``, and the runtime helpers for stores into dicts and fields
of namedtuples and dataclasses (so that a derivative using them is differentiated again)."""
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
# x.item() of an array of one element: the Python number
defrule(("method", "item"), "a", "da += np.reshape(dout, np.shape(a))",
        "dout = float(np.reshape(da, ()))")
# a store into a dict no other name holds (normalize): the new dict's cotangent minus the
# overwritten item goes to the old dict, its item to the value
defrule(rt.with_item, "d, key, value", "dd += item_dropped(dout, d, key)\ndvalue += dout[key]",
        "dout = with_item(zeros_filled(dd, d), key, dvalue)")
# d.get(key, default): the item if the dict has it, else the default
defrule(("method", "get"), "a, key, default=None",
        "da += item_grad(dout, a, key)\nddefault += default_grad(dout, a, key)",
        "dout = got_tangent(da, a, key, ddefault)")
# the helpers the rules above write, read again for a second derivative (linear in g)
defrule(rt.picked, "g, seq, chosen", "dg += dout[picked_index(seq, chosen)]",
        "dout = picked(dg, seq, chosen)")
nondiff(rt.picked_index, rt.keep_aux)
defrule(rt.field_grad, "g, a, name", "dg += field_tangent(dout, a, name)",
        "dout = field_grad(dg, a, name)")
defrule(rt.field_tangent, "da, a, name", "dda += field_grad(dout, a, name)",
        "dout = field_tangent(dda, a, name)")
defrule(rt.item_dropped, "g, like, key", "dg += item_padded(dout, g, key)",
        "dout = item_dropped(dg, like, key)")
defrule(rt.item_padded, "g, like, key", "dg += item_padded(dout, g, key)",
        "dout = item_padded(dg, like, key)")
defrule(rt.item_grad, "g, d, key", "dg += got_tangent(dout, d, key, 0.0)",
        "dout = item_grad(dg, d, key)")
defrule(rt.default_grad, "g, d, key", "dg += default_grad(dout, d, key)",
        "dout = default_grad(dg, d, key)")
defrule(rt.got_tangent, "da, d, key, ddefault",
        "dda += item_grad(dout, d, key)\ndddefault += default_grad(dout, d, key)",
        "dout = got_tangent(dda, d, key, dddefault)")
