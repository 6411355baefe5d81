"""Zero adjoints propagated: ``dx = 0.0; dx += a`` becomes ``dx = a``, and the contributions
of an adjoint known to be zero vanish. A mixin of ``optimize.Optimizer`` (it uses ``memo``)."""
import gast

from .analysis import SCALAR
from .build import loads, stores
from .tree_facts import is_pop, is_zero, modified, written
from .walk import walk


class ZeroAdjoints:
    def zeros(self, stmts, zero):
        out = []
        for s in stmts:
            out.extend(self.zero_stmt(s, zero))
        stmts[:] = out
        return zero

    def zero_contribution(self, expr, zero):
        ds = self.memo(loads, expr) & self.adjoints
        return bool(ds) and ds <= zero

    def without_zero_terms(self, expr, zero):
        """``expr`` without the terms of its sums (``+``, ``-``, ``add_seq``) whose every
        derivative is zero. Such a term is zero, but evaluating it may fail: a symbolic zero is
        the scalar ``0.0``, and a product rule's term ``np.kron(da, b)`` or ``a @ da`` with
        ``da = 0.0`` has the wrong shape. (Each remaining term of a rule has the result's
        shape, or the rule widens the sum with ``broadcast_like``.)"""
        def is_zero_term(e):    # (a pop is never dropped: the stack needs it)
            return self.zero_contribution(e, zero) and not self.memo(is_pop, e)

        if isinstance(expr, gast.BinOp):
            left = self.without_zero_terms(expr.left, zero)
            right = self.without_zero_terms(expr.right, zero)
            if isinstance(expr.op, (gast.Add, gast.Sub)):
                if is_zero_term(right) and not is_zero_term(left):
                    return left
                if is_zero_term(left) and not is_zero_term(right):
                    return right if isinstance(expr.op, gast.Add) else gast.copy_location(
                        gast.UnaryOp(op=gast.USub(), operand=right), expr)
            if left is expr.left and right is expr.right:
                return expr
            return gast.copy_location(gast.BinOp(left=left, op=expr.op, right=right), expr)
        if isinstance(expr, gast.Call):
            args = [self.without_zero_terms(a, zero) for a in expr.args]
            f = expr.func
            if isinstance(f, gast.Name) and f.id == self.runtime.get("add_seq", "add_seq") and \
                    len(args) >= 2 and not expr.keywords:
                if is_zero_term(args[1]) and not is_zero_term(args[0]):
                    return args[0]
                if len(args) == 2 and is_zero_term(args[0]) and not is_zero_term(args[1]):
                    return args[1]
            if all(a is b for a, b in zip(args, expr.args)):
                return expr
            return gast.copy_location(gast.Call(func=f, args=args, keywords=expr.keywords), expr)
        return expr

    def shaped(self, d, value=None):
        """Whether the derivative ``d`` is of an array (or of a value of unknown kind; a
        temporary is if the derivatives it is computed from are): a zero of it stays the zero
        it computes, with its shape, rather than the scalar 0.0. (Where it is surely zero,
        whatever reads it is simplified too, and it then goes as dead code; where it is zero
        on some paths only, a subscript or a reshape may read it.)"""
        kind = self.kinds.get(d)
        if kind is not None:
            return kind not in (SCALAR, "array0")
        if d in self.shaped_temps:
            return True
        if value is not None and any(self.shaped(a) for a in self.memo(loads, value) & self.adjoints
                                     if a != d):
            self.shaped_temps.add(d)
            return True
        return False

    def zero_stmt(self, s, zero):
        if isinstance(s, (gast.Assign, gast.AugAssign)) and zero:
            before, s.value = s.value, self.without_zero_terms(s.value, zero)
            if isinstance(s.value, gast.Tuple) and s.value is not before and \
                    isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and \
                    s.targets[0].id in self.memo(listed, self.tree):
                s.value = gast.copy_location(gast.List(elts=s.value.elts, ctx=gast.Load()),
                                             s.value)
        if isinstance(s, gast.Assign):
            names = stores(s)
            t = s.targets[0]
            if isinstance(t, gast.Name) and t.id in self.adjoints:
                if is_zero(s.value):
                    zero.add(t.id)
                    return [s]
                if self.zero_contribution(s.value, zero) and not self.memo(is_pop, s.value):
                    if not self.shaped(t.id, s.value):
                        s.value = gast.Constant(value=0.0, kind=None)
                    zero.add(t.id)
                    return [s]
            elif isinstance(t, gast.Tuple) and names <= self.adjoints and \
                    not any(self.shaped(n) for n in names) and \
                    self.zero_contribution(s.value, zero):
                new = []
                for e in t.elts:
                    z = gast.Assign(targets=[gast.Name(id=e.id, ctx=gast.Store(), annotation=None,
                                                       type_comment=None)],
                                    value=gast.Constant(value=0.0, kind=None), type_comment=None)
                    z.lineno = s.lineno
                    new.append(z)
                    zero.add(e.id)
                return new
            zero -= written(s)
            return [s]
        if isinstance(s, gast.AugAssign):
            if self.zero_contribution(s.value, zero):
                return []
            t = s.target
            if isinstance(t, gast.Name) and t.id in zero and t.id not in self.dense:
                value = s.value if isinstance(s.op, gast.Add) else gast.UnaryOp(
                    op=gast.USub(), operand=s.value)
                new = gast.Assign(targets=[gast.Name(id=t.id, ctx=gast.Store(), annotation=None,
                                                     type_comment=None)],
                                  value=value, type_comment=None)
                new.lineno = s.lineno
                zero.discard(t.id)
                return [new]
            zero -= self.memo(modified, s)
            return [s]
        if isinstance(s, gast.If):
            z1, z2 = set(zero), set(zero)
            self.zeros(s.body, z1)
            self.zeros(s.orelse, z2)
            zero &= z1 & z2
            return [s]
        if isinstance(s, (gast.For, gast.While)):
            entry = set(zero) - stores(s)
            jumps = any(isinstance(n, (gast.Break, gast.Continue)) for n in self.memo(walk, s))
            head = entry - self.memo(modified, s) if jumps else set(entry)
            for _ in range(len(s.body) + 3):
                if jumps:
                    break
                end = self.zero_state(s.body, set(head))
                new = entry & end
                if new == head:
                    break
                head = new
            self.zeros(s.body, set(head))
            zero.intersection_update(head)
            return [s]
        zero -= self.memo(modified, s)
        return [s]

    def zero_state(self, stmts, zero):
        """What ``zeros`` would leave as the zero set after ``stmts``, changing nothing."""
        for s in stmts:
            if isinstance(s, gast.Assign):
                names = stores(s)
                t = s.targets[0]
                if isinstance(t, gast.Name) and t.id in self.adjoints and (
                        is_zero(s.value) or self.zero_contribution(s.value, zero)
                        and not self.memo(is_pop, s.value)):
                    zero.add(t.id)
                elif isinstance(t, gast.Tuple) and names <= self.adjoints and \
                        self.zero_contribution(s.value, zero):
                    zero |= names
                else:
                    zero -= written(s)
            elif isinstance(s, gast.AugAssign):
                if not self.zero_contribution(s.value, zero):
                    zero -= self.memo(modified, s)
            elif isinstance(s, gast.If):
                z1 = self.zero_state(s.body, set(zero))
                z2 = self.zero_state(s.orelse, set(zero))
                zero &= z1 & z2
            elif isinstance(s, (gast.For, gast.While)):
                entry = set(zero) - stores(s)
                head = entry - self.memo(modified, s)
                if not any(isinstance(n, (gast.Break, gast.Continue)) for n in self.memo(walk, s)):
                    head = set(entry)
                    for _ in range(len(s.body) + 3):
                        new = entry & self.zero_state(s.body, set(head))
                        if new == head:
                            break
                        head = new
                zero.intersection_update(head)
            else:
                zero -= self.memo(modified, s)
        return zero



def listed(tree):
    """The names ``.pop()`` or ``.append()`` is called on: a derivative of a list the reverse
    sweep pops from (``a, b = items``, ``items`` appended to) must stay the list ``add_seq``
    would make, not become the tuple ``(da, db)`` when a zero term is dropped."""
    return {n.func.value.id for n in walk(tree) if isinstance(n, gast.Call) and
            isinstance(n.func, gast.Attribute) and n.func.attr in ("pop", "append") and
            isinstance(n.func.value, gast.Name)}
