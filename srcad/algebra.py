"""Rewrites of an adjoint's arithmetic that a hand-writer does without thinking: a factor common
to two terms of a sum taken out once (``g * a + g * b`` -> ``g * (a + b)``), a negation of a
negation dropped. Each keeps the value (to rounding) and the broadcast shape, and saves work."""
import gast

from .walk import fingerprint


def terms(e, sign=1):
    """``e`` as ``[(sign, term)]`` over its additions and subtractions."""
    if isinstance(e, gast.BinOp) and isinstance(e.op, (gast.Add, gast.Sub)):
        return terms(e.left, sign) + terms(e.right, sign if isinstance(e.op, gast.Add) else -sign)
    return [(sign, e)]


def factors(e):
    """``e`` as the list of its left-associated product's factors."""
    if isinstance(e, gast.BinOp) and isinstance(e.op, gast.Mult):
        return factors(e.left) + [e.right]
    return [e]


def product(fs):
    out = fs[0]
    for f in fs[1:]:
        out = gast.BinOp(left=out, op=gast.Mult(), right=f)
    return out


def summed(signed):
    """``[(sign, term)]`` as one expression (a leading minus kept as a unary one)."""
    sign, out = signed[0]
    if sign < 0:
        out = gast.UnaryOp(op=gast.USub(), operand=out)
    for sign, t in signed[1:]:
        out = gast.BinOp(left=out, op=gast.Add() if sign > 0 else gast.Sub(), right=t)
    return out


def factored(e):
    """``e`` with each name that leads two or more of its terms' products taken out once:
    ``g * a + g * b * c - h`` -> ``g * (a + b * c) - h``. None when nothing is common."""
    parts = terms(e)
    if len(parts) < 2:
        return None
    groups = {}
    for k, (_, t) in enumerate(parts):
        fs = factors(t)
        if len(fs) > 1 and isinstance(fs[0], gast.Name):
            groups.setdefault(fingerprint(fs[0]), []).append(k)
    common = [ks for ks in groups.values() if len(ks) > 1]
    if not common:
        return None
    out, done = [], set()
    for k, (sign, t) in enumerate(parts):
        if k in done:
            continue
        group = next((ks for ks in common if ks[0] == k), None)
        if group is None:
            out.append((sign, t))
            continue
        rest = [(parts[j][0] * sign, product(factors(parts[j][1])[1:])) for j in group]
        out.append((sign, gast.BinOp(left=factors(t)[0], op=gast.Mult(), right=summed(rest))))
        done |= set(group)
    return summed(out)


class Folder(gast.NodeTransformer):
    """Arithmetic on constants, ``e ** 1`` -> ``e``, negations that cancel or become a
    subtraction."""

    OPS = {gast.Add: lambda a, b: a + b, gast.Sub: lambda a, b: a - b,
           gast.Mult: lambda a, b: a * b}

    def visit_BinOp(self, node):
        self.generic_visit(node)
        left, right = node.left, node.right
        num = lambda n: isinstance(n, gast.Constant) and type(n.value) in (int, float)
        if num(left) and num(right) and type(node.op) in self.OPS:
            return gast.Constant(value=self.OPS[type(node.op)](left.value, right.value), kind=None)
        if isinstance(node.op, gast.Pow) and num(right) and right.value == 1 and type(right.value) is int:
            return left
        if isinstance(node.op, (gast.Add, gast.Sub)) and unnegated(right) is not None:
            op = gast.Sub() if isinstance(node.op, gast.Add) else gast.Add()   # a + -b -> a - b
            return gast.BinOp(left=left, op=op, right=unnegated(right))
        if isinstance(node.op, (gast.Mult, gast.Div)):
            left, right = unnegated(node.left), unnegated(node.right)
            if left is not None and right is not None:     # (-a) * (-b / c) -> a * (b / c)
                return gast.BinOp(left=left, op=node.op, right=right)
        return node

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        if isinstance(node.op, (gast.Add, gast.Sub)) and unnegated(node.value) is not None:
            node.op = gast.Sub() if isinstance(node.op, gast.Add) else gast.Add()
            node.value = unnegated(node.value)      # d += -a * b -> d -= a * b
        return node

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, gast.USub) and isinstance(node.operand, gast.UnaryOp) and \
                isinstance(node.operand.op, gast.USub):
            return node.operand.operand
        return node


def unnegated(e):
    """``e`` without its leading minus (``-a`` -> ``a``, ``-a / b`` -> ``a / b``); else None."""
    if isinstance(e, gast.UnaryOp) and isinstance(e.op, gast.USub):
        return e.operand
    if isinstance(e, gast.BinOp) and isinstance(e.op, (gast.Mult, gast.Div)):
        left = unnegated(e.left)
        if left is not None:
            return gast.BinOp(left=left, op=e.op, right=e.right)
    return None
