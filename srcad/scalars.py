"""Keep scalars scalar in derivative arithmetic, where an array pass would be wasted.

Two rewrites of the finished reverse sweep, both about how many passes over an array a
statement makes (each ``*`` whose result is an array is one):

- a full reduction's cotangent is left a scalar, ``dsum = dout`` rather than
  ``unreduce(dout, a, None, False)``, when every use of it multiplies it into an array of
  ``a``'s shape anyway (``dsum * (2 * a)``): broadcasting then happens once, in that product;
- a product's scalar factors are multiplied first and its constants folded, ``200.0 * dout * a``
  for ``dout * 100.0 * (2 * a)``, when that makes fewer array passes.

Only statements that read a derivative are rewritten: the forward sweep computes the user's
values exactly as the user's code does.
"""

import gast
import numpy as np

from .build import attr, call, const, replace_child, summed
from .walk import walk

ELEMENTWISE = (gast.Mult, gast.Div, gast.Add, gast.Sub, gast.Pow)


def is_number(node):
    return isinstance(node, gast.Constant) and type(node.value) in (int, float)


class ScalarFactors:
    """The two rewrites over one function; ``shapes`` are the shapes the values analysis knows
    (of values and of their derivatives), ``scalars`` names surely holding numbers."""

    def __init__(self, tree, derivatives, shapes, scalars, numpy="np", elementwise_helpers=()):
        self.tree = tree
        self.derivatives = derivatives
        self.shapes = shapes        # name -> shape, where the values know it; updated here
        self.scalars = scalars
        self.numpy = numpy          # what generated code calls NumPy
        self.elementwise_helpers = set(elementwise_helpers)     # runtime ones: scaled(g, p)

    def shape(self, name):
        return self.shapes.get(name)

    def scalar(self, name):
        return name in self.scalars or self.shapes.get(name) == ()

    # ---- the cotangent of a full reduction ---------------------------------------------------
    def lazy_reductions(self, unreduce):
        """``d = unreduce(g, a, None, False)`` -> ``d = g`` where every use broadcasts ``d``;
        says whether one did."""
        parents = {}
        for node in walk(self.tree):
            for child in gast.iter_child_nodes(node):
                parents[id(child)] = node
        assigned, changed = {}, False
        for s in walk(self.tree):
            if isinstance(s, (gast.Assign, gast.AugAssign, gast.For)):
                for t in walk(s.targets[0] if isinstance(s, gast.Assign) else s.target):
                    if isinstance(t, gast.Name):
                        assigned.setdefault(t.id, []).append(s)
        for spread in list(walk(self.tree)):
            if not (isinstance(spread, gast.Call) and isinstance(spread.func, gast.Name) and
                    spread.func.id == unreduce and len(spread.args) == 4 and
                    isinstance(spread.args[1], gast.Name) and
                    all(isinstance(a, gast.Constant) and a.value in (None, False)
                        for a in spread.args[2:])):
                continue
            parent, lazy = parents.get(id(spread)), set()
            if isinstance(parent, gast.Assign) and isinstance(parent.targets[0], gast.Name):
                full = self.shape(spread.args[1].id)
                if not (full and self.broadcast_anyway(parent.targets[0].id, full, parents,
                                                       assigned, lazy)):
                    continue
            elif not self.use_broadcasts(spread, ("as", spread.args[1].id), parents, assigned,
                                         lazy):
                continue    # within one expression, ``a`` is the ``a`` it reduces
            replace_child(parent, spread, spread.args[0])
            self.shapes.update(dict.fromkeys(lazy, ()))
            changed = True
        return changed

    def broadcast_anyway(self, d, full, parents, assigned, seen):
        """Every read of ``d`` (bound once) ends in a product with an array of shape ``full``."""
        if d in seen or len(assigned.get(d, ())) != 1:
            return False
        seen.add(d)
        for n in walk(self.tree):
            if isinstance(n, gast.Name) and n.id == d and isinstance(n.ctx, gast.Load):
                if not self.use_broadcasts(n, full, parents, assigned, seen):
                    return False
        return True

    def use_broadcasts(self, node, full, parents, assigned, seen):
        while True:
            parent = parents.get(id(node))
            if isinstance(parent, gast.UnaryOp) and isinstance(parent.op, gast.USub):
                node = parent
            elif isinstance(parent, gast.BinOp) and isinstance(parent.op, (gast.Mult, gast.Div)):
                other = parent.right if parent.left is node else parent.left
                if any(isinstance(n, gast.Name) and n.id in seen for n in walk(other)):
                    return False        # d * d: a scalar again
                if self.shape_of(other, full) == full:
                    return True
                if self.shape_of(other, full) != ():
                    return False
                node = parent
            elif isinstance(parent, gast.Assign) and parent.value is node and \
                    isinstance(parent.targets[0], gast.Name) and full[0] != "as":
                return self.broadcast_anyway(parent.targets[0].id, full, parents, assigned, seen)
            else:
                return False

    def shape_of(self, e, full=None):
        """An elementwise expression's shape, from its names' shapes (None: not known);
        ``full`` ``("as", a)`` stands for the shape of ``a`` itself."""
        if is_number(e):
            return ()
        if isinstance(e, gast.Name):
            return full if full and full[0] == "as" and e.id == full[1] else self.shape(e.id)
        if isinstance(e, gast.UnaryOp) and isinstance(e.op, gast.USub):
            return self.shape_of(e.operand, full)
        if self.numpy_call(e, "size"):
            return ()           # an int
        if isinstance(e, gast.BinOp) and isinstance(e.op, ELEMENTWISE):
            return same_or_scalar([self.shape_of(e.left, full), self.shape_of(e.right, full)])
        if isinstance(e, gast.Compare) and len(e.comparators) == 1:
            return same_or_scalar([self.shape_of(e.left, full),
                                   self.shape_of(e.comparators[0], full)])
        if self.numpy_call(e, "where", 3) or isinstance(e, gast.Call) and not e.keywords and \
                isinstance(e.func, gast.Name) and e.func.id in self.elementwise_helpers:
            return same_or_scalar([self.shape_of(a, full) for a in e.args])
        return None

    def unary_ufunc(self, e):
        """``np.log(x)`` and the like: one argument, its shape kept."""
        if not (isinstance(e, gast.Call) and isinstance(e.func, gast.Attribute)):
            return False
        ufunc = getattr(np, e.func.attr, None)
        return isinstance(ufunc, np.ufunc) and ufunc.nin == 1 and ufunc.nout == 1 and \
            self.numpy_call(e, e.func.attr)

    def numpy_call(self, e, function, nargs=1):
        """``e`` is ``np.<function>(...)`` with ``nargs`` positional arguments."""
        return isinstance(e, gast.Call) and isinstance(e.func, gast.Attribute) and \
            e.func.attr == function and isinstance(e.func.value, gast.Name) and \
            e.func.value.id == self.numpy and len(e.args) == nargs and not e.keywords

    # ---- sums that undo broadcasting ----------------------------------------------------------
    def unbroadcasts(self, unbroadcast):
        """``unbroadcast(e, v)`` where the shapes are known: ``e`` when they are one, ``np.sum(e)``
        for a number ``v``, ``np.sum(e, axis=0)`` where ``e`` has one more leading axis (the
        adjoints of rule templates: ``np.where(c, dout, 0.0)``)."""
        owner = self

        class Rewrite(gast.NodeTransformer):
            def visit_Call(self, node):
                self.generic_visit(node)
                if not (isinstance(node.func, gast.Name) and node.func.id == unbroadcast and
                        len(node.args) == 2 and not node.keywords and
                        isinstance(node.args[1], gast.Name)):
                    return node
                want, got = owner.shape(node.args[1].id), owner.shape_of(node.args[0])
                if want is None or got is None or None in want or None in got:
                    return node
                if got == want:
                    return node.args[0]
                extra = len(got) - len(want)
                if extra <= 0 or got[extra:] != want:
                    return node
                return summed(owner.numpy, node.args[0], extra if want else None)
        Rewrite().visit(self.tree)

    # ---- what is read only for its shape -----------------------------------------------------
    def note_full_spreads(self, unreduce):
        """Remember ``unreduce(g, t, None, False)`` where ``t``'s shape is known: once inlining
        has put an expression there (``t`` computed only to be measured), ``static_spreads``
        writes the shape instead."""
        self.spreads = [(node, self.shapes[node.args[1].id]) for node in walk(self.tree)
                        if self.full_spread(node, unreduce) and
                        isinstance(node.args[1], gast.Name) and
                        self.shapes.get(node.args[1].id)]

    def static_spreads(self, unreduce):
        """``unreduce(g, M.dot(v), None, False)`` -> ``np.broadcast_to(g, (2,))``."""
        parents = {id(c): n for n in walk(self.tree) for c in gast.iter_child_nodes(n)}
        for node, shape in self.spreads:
            parent = parents.get(id(node))
            if parent is None or not self.full_spread(node, unreduce) or \
                    isinstance(node.args[1], gast.Name):
                continue
            replace_child(parent, node, call(attr(self.numpy, "broadcast_to"), node.args[0],
                                             const(tuple(shape))))

    @staticmethod
    def full_spread(node, unreduce):
        return isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
            node.func.id == unreduce and len(node.args) == 4 and not node.keywords and all(
                isinstance(a, gast.Constant) and a.value in (None, False) for a in node.args[2:])

    def shape_reads(self, positions=None):
        """``np.size(h ** 2)`` -> ``np.size(h)``: an operand read only for its size or shape
        loses what a number does to it elementwise (which never changes a shape), and an
        operand of the result's shape stands for an elementwise result, so the reverse sweep
        computes no array only to measure it. ``positions``: runtime helper -> the argument
        it reads only for its shape (``unreduce(g, x, ...)``: x)."""
        positions = positions or {}
        parents = {id(c): n for n in walk(self.tree) for c in gast.iter_child_nodes(n)}
        for node in walk(self.tree):
            if self.numpy_call(node, "size") or self.numpy_call(node, "shape"):
                node.args[0] = self.shape_source(node.args[0])
            k = positions.get(node.func.id) if isinstance(node, gast.Call) and \
                isinstance(node.func, gast.Name) else None
            if k is not None and len(node.args) > k:
                node.args[k] = self.shape_source(node.args[k])
            if self.numpy_call(node, "size") and isinstance(node.args[0], gast.Name) and \
                    self.scalar(node.args[0].id):
                replace_child(parents[id(node)], node, const(1))

    def shape_source(self, e):
        """The part of ``e`` that gives it its shape: an elementwise operation's operand
        beside a number (which never changes a shape), or one that has the result's shape."""
        while True:
            if isinstance(e, gast.UnaryOp) and isinstance(e.op, gast.USub) or \
                    self.unary_ufunc(e):
                e = e.operand if isinstance(e, gast.UnaryOp) else e.args[0]
                continue
            if not (isinstance(e, gast.BinOp) and isinstance(e.op, ELEMENTWISE)):
                return e
            left, right, whole = (self.shape_of(x) for x in (e.left, e.right, e))
            if right == () or whole is not None and left == whole:
                e = e.left
            elif left == () or whole is not None and right == whole:
                e = e.right
            else:
                return e

    # ---- scalar factors first ----------------------------------------------------------------
    def products(self):
        for node in walk(self.tree):
            for field, value in gast.iter_fields(node):
                if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Mult) and \
                        self.reads_derivative(value):
                    setattr(node, field, self.reordered(value))
                elif isinstance(value, list):
                    value[:] = [self.reordered(v) if isinstance(v, gast.BinOp) and
                                isinstance(v.op, gast.Mult) and self.reads_derivative(v) else v
                                for v in value]

    def reads_derivative(self, e):
        return any(isinstance(n, gast.Name) and n.id in self.derivatives for n in walk(e))

    def reordered(self, product):
        factors = self.factors(product)
        if sum(map(is_number, factors)) == 0:
            return product
        constant = 1
        for f in factors:
            if is_number(f):
                constant = constant * f.value
        scalars = [f for f in factors if not is_number(f) and self.is_scalar(f)]
        arrays = [f for f in factors if not is_number(f) and not self.is_scalar(f)]
        ordered = ([gast.Constant(value=constant, kind=None)] if constant != 1 or not
                   (scalars or arrays) else []) + scalars + arrays
        new = ordered[0]
        for f in ordered[1:]:
            new = gast.BinOp(left=new, op=gast.Mult(), right=f)
        return new if self.passes(new) < self.passes(product) else product

    def factors(self, e):
        if isinstance(e, gast.BinOp) and isinstance(e.op, gast.Mult):
            return self.factors(e.left) + self.factors(e.right)
        return [e]

    def is_scalar(self, e):
        if isinstance(e, gast.BinOp) and isinstance(e.op, ELEMENTWISE):
            return self.is_scalar(e.left) and self.is_scalar(e.right)
        if isinstance(e, gast.UnaryOp) and isinstance(e.op, gast.USub):
            return self.is_scalar(e.operand)
        return is_number(e) or isinstance(e, gast.Name) and self.scalar(e.id)

    def passes(self, e):
        """Array passes a product makes: one per ``*`` whose result may be an array."""
        if isinstance(e, gast.BinOp) and isinstance(e.op, gast.Mult):
            own = 0 if self.is_scalar(e.left) and self.is_scalar(e.right) or \
                self.scalar_product(e) else 1
            return own + self.passes(e.left) + self.passes(e.right)
        return 0

    def scalar_product(self, e):
        return all(self.is_scalar(f) for f in self.factors(e))




def same_or_scalar(shapes):
    """The shape of an elementwise result: the one shape its operands that are not numbers
    share (None: unknown, or broadcasting that the rewrites here do not follow)."""
    if any(sh is None for sh in shapes):
        return None
    arrays = {sh for sh in shapes if sh != ()}
    return arrays.pop() if len(arrays) == 1 else () if not arrays else None
