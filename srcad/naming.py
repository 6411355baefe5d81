"""Deterministic names for generated code: adjoints ``d<name>``, temporaries, collision suffixes.

Every name is derived from user names and a counter; nothing depends on ids or hashing, so the
same function always gives the same source.
"""
import builtins
import keyword

import gast

BUILTINS = frozenset(dir(builtins))   # a temporary named "slice" would shadow the builtin


class Namer:
    """Hands out fresh names that collide with nothing the user's function mentions."""

    def __init__(self, taken):
        self.taken = set(taken) | BUILTINS

    def fresh(self, base):
        base = base if base.isidentifier() and not keyword.iskeyword(base) else "tmp"
        name, k = base, 1
        while name in self.taken:
            k += 1
            name = f"{base}_{k}"
        self.taken.add(name)
        return name

    def reserve(self, name):
        self.taken.add(name)
        return name


def derivative_name(fname, wrt):
    """``dfdx`` for one-letter names, else ``drk4_dalpha``, ``dtwo_calls_dx_dy``: the parts
    stay apart."""
    parts = ["d" + "".join(c if c.isalnum() or c == "_" else "_" for c in w).strip("_")
             for w in wrt]
    short = len(fname) == 1 and len(parts) == 1 and len(parts[0]) == 2
    return f"d{fname}{'' if short else '_'}{''.join(parts) if short else '_'.join(parts)}"


MAX_NAME = 32   # beyond this a name built from its operands stops being readable


def temp_base(node):
    """A readable base name for the temporary holding ``node``'s value (``x_times_y``); a
    name that would grow past MAX_NAME keeps only the operation (``times``, ``sin``)."""
    base = _operand_name(node)
    if len(base) <= MAX_NAME:
        return base
    if isinstance(node, gast.Call):
        f = node.func
        return f.attr if isinstance(f, gast.Attribute) else f.id if isinstance(f, gast.Name) else "tmp"
    words = {gast.Add: "sum", gast.Sub: "difference", gast.Mult: "product", gast.Div: "ratio"}
    if isinstance(node, gast.BinOp):
        return words.get(type(node.op), "tmp")
    return "tmp"


def _operand_name(node):
    words = {gast.Add: "plus", gast.Sub: "minus", gast.Mult: "times", gast.Div: "over",
             gast.Pow: "pow", gast.MatMult: "at", gast.FloorDiv: "floordiv", gast.Mod: "mod"}

    def word(n):
        if isinstance(n, gast.Name):
            return n.id
        if isinstance(n, gast.Constant) and isinstance(n.value, (int, float)):
            v = n.value
            text = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
            return "c" + text.replace(".", "_").replace("-", "neg")
        if isinstance(n, gast.Attribute):
            return n.attr
        if isinstance(n, gast.Call):
            return word(n.func)
        return None

    if isinstance(node, gast.BinOp):
        a, b, w = word(node.left), word(node.right), words.get(type(node.op))
        if a and b and w and a.startswith("c") and isinstance(node.left, gast.Constant):
            return f"{b}_{w}_{a[1:]}" if w in ("plus", "times") else f"{a}_{w}_{b}"
        if a and b and w and isinstance(node.right, gast.Constant):
            return f"{a}_{w}_{b[1:]}"
        if a and b and w:
            return f"{a}_{w}_{b}"
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        a = word(node.operand)
        if a:
            return f"neg_{a}"
    if isinstance(node, gast.Call):
        f = word(node.func)
        args = [word(a) for a in node.args[:2]]
        if f and all(args) and args:
            return "_".join([f] + args)
        if f:
            return f
    if isinstance(node, gast.Subscript):
        a = word(node.value)
        if a:
            return f"{a}_item"
    if isinstance(node, gast.Attribute):
        a = word(node.value)
        if a:
            return f"{a}_{node.attr}"
    if isinstance(node, (gast.Tuple, gast.List)):     # (w,) -> w_tuple, [a, b] -> a_b_list
        parts = [word(e) for e in node.elts]
        kind = "tuple" if isinstance(node, gast.Tuple) else "list"
        if parts and all(parts):
            return "_".join(parts + [kind])
    return "tmp"
