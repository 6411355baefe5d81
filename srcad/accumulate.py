"""How derivatives accumulate, decided last: ``d += e`` stays in place only on an array no
other name can share, and on the derivative of a list it adds element-wise.
"""
import gast
import numpy as np

from .analysis import SCALAR
from .build import loads, stores
from .walk import walk


def is_list_pop(value):
    return isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and \
        value.func.attr == "pop" and isinstance(value.func.value, gast.Name) and not value.args


class Accumulation:
    def __init__(self, adjoints, kinds, runtime):
        self.adjoints, self.kinds, self.runtime = adjoints, kinds, runtime

    def sequences(self, stmts):
        """``d += e`` on the derivative of a list would concatenate: add element-wise (also
        where the kind is unknown and a list is possible)."""
        for i, s in enumerate(stmts):
            for field in ("body", "orelse"):
                if isinstance(getattr(s, field, None), list):
                    self.sequences(getattr(s, field))
            if isinstance(s, gast.AugAssign) and isinstance(s.target, gast.Name) and \
                    s.target.id in self.adjoints and self.kinds.get(s.target.id) in ("seq", "unknown") \
                    and isinstance(s.op, (gast.Add, gast.Sub)):
                args = [gast.Name(id=s.target.id, ctx=gast.Load(), annotation=None,
                                  type_comment=None), s.value]
                if isinstance(s.op, gast.Sub):
                    args.append(gast.Constant(value=-1.0, kind=None))
                new = gast.Assign(targets=[gast.Name(id=s.target.id, ctx=gast.Store(),
                                                     annotation=None, type_comment=None)],
                                  value=gast.Call(func=gast.Name(
                                      id=self.runtime.get("add_seq", "add_seq"), ctx=gast.Load(),
                                      annotation=None, type_comment=None), args=args, keywords=[]),
                                  type_comment=None)
                new.lineno = s.lineno
                stmts[i] = new

    def share(self, stmts, shared):
        for s in list(stmts):
            if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Subscript):
                self.own(stmts, s, s.targets[0].value, shared)
            elif isinstance(s, gast.Assign) and is_list_pop(s.value):
                self.own(stmts, s, s.value.func.value, shared)
                shared |= stores(s) & self.adjoints     # the item may be shared, the list is not
            elif isinstance(s, gast.Assign):
                names = stores(s)
                if names & self.adjoints:
                    if isinstance(s.targets[0], gast.Name) and (self.fresh(s.value) or all(
                            self.kinds.get(n) == SCALAR for n in names)):   # scalars are values
                        shared -= names
                    else:
                        shared |= names | (loads(s.value) & self.adjoints)
            elif isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and isinstance(
                    s.value.func, gast.Attribute) and s.value.func.attr in ("pop", "append"):
                self.own(stmts, s, s.value.func.value, shared)
            elif isinstance(s, gast.AugAssign):
                if is_list_pop(s.value):
                    self.own(stmts, s, s.value.func.value, shared)
                t = s.target
                if isinstance(t, gast.Subscript):
                    self.own(stmts, s, t.value, shared)
                elif isinstance(t, gast.Name) and t.id in shared and self.kinds.get(t.id) != SCALAR:
                    value = gast.BinOp(left=gast.Name(id=t.id, ctx=gast.Load(), annotation=None,
                                                      type_comment=None), op=s.op, right=s.value)
                    new = gast.Assign(targets=[t], value=value, type_comment=None)
                    new.lineno = s.lineno
                    stmts[stmts.index(s)] = new
                    shared.discard(t.id)
            elif isinstance(s, gast.If):
                s1, s2 = set(shared), set(shared)
                self.share(s.body, s1)
                self.share(s.orelse, s2)
                shared |= s1 | s2
            elif isinstance(s, (gast.For, gast.While)):
                for n in walk(s):
                    if isinstance(n, gast.Assign) and stores(n) & self.adjoints and not (
                            isinstance(n.targets[0], gast.Name) and (self.fresh(n.value) or all(
                                self.kinds.get(t) == SCALAR for t in stores(n)))):
                        shared |= stores(n) | (set() if is_list_pop(n.value) else
                                               loads(n.value) & self.adjoints)
                inner = set(shared)     # the body may run no time: what was shared stays so
                self.share(s.body, inner)
                shared |= inner

    def own(self, stmts, s, base, shared):
        """Before changing a derivative in place, copy it if another name may share it."""
        if isinstance(base, gast.Name) and base.id in shared:
            copy_stmt = gast.parse(f"{base.id} = {base.id}.copy()").body[0]
            copy_stmt.lineno = s.lineno
            stmts.insert(stmts.index(s), copy_stmt)
            shared.discard(base.id)

    FRESH_RUNTIME = {"zeros_like", "add_seq", "reduced_max_grad", "prod_grad", "dot_grad_left",
                     "dot_grad_right", "matmul_grad_left", "matmul_grad_right", "add_at"}
    FRESH_NUMPY = {"copy", "outer", "dot", "matmul", "where", "sum", "tensordot", "zeros_like", "mean"}
    VIEW_OF_ARGUMENT = {"unbroadcast", "transpose", "reshape"}

    def fresh(self, value):
        """Does ``value`` evaluate to an object no other variable refers to?"""
        if isinstance(value, (gast.BinOp, gast.UnaryOp, gast.Constant)):
            return True
        if isinstance(value, gast.Attribute) and value.attr == "T":
            return self.fresh(value.value)
        if isinstance(value, gast.Call):
            f = value.func
            fname = f.id if isinstance(f, gast.Name) else f.attr if isinstance(f, gast.Attribute) else ""
            if fname in self.FRESH_RUNTIME:
                return True
            if isinstance(f, gast.Attribute):
                if fname in self.FRESH_NUMPY or isinstance(getattr(np, fname, None), np.ufunc):
                    return True
            if fname in self.VIEW_OF_ARGUMENT and value.args:
                return self.fresh(value.args[0])
        return False
