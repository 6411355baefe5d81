"""Forward mode: tangent statements interleaved with the primal ones; no stack.

Each active assignment ``t = op(a, b)`` is followed by ``dt = ...`` built from the same rule
table: element-wise rules from their partials (``dt = da * p_a + db * p_b``), other rules from
their ``forward`` template, where terms of operands that carry no tangent are dropped.
"""

import gast

from . import templates
from .analysis import (SCALAR, atom_name, helper_call, helper_values, is_tape_call, loaded_names,
                       restored_pop, targets)
from .errors import SrcadError
from .normalize import assign, located, name
from .build import attr, call, const, contribution, may_broadcast
from .reverse import CallInfo, Reversed
from .walk import clone, walk


class ForwardMode:
    def __init__(self, fn, facts, parsed, namer, runtime, derive_helper, generated=frozenset(),
                 tangent_only=False):
        self.fn, self.facts, self.parsed, self.namer = fn, facts, parsed, namer
        self.tangent_only = tangent_only
        self.tape_tangents = {}   # a stack of the input (a derivative) -> its stack of tangents
        self.runtime = runtime
        self.derive_helper = derive_helper
        self.kinds = facts.kinds
        self.active = facts.active
        self.tangent_names = {}
        self.temps = set(generated)
        self.extra = set()

    def tan(self, v):
        if v not in self.tangent_names:
            self.tangent_names[v] = self.namer.fresh("d" + v)
        return self.tangent_names[v]

    def tape_tangent(self, tape):
        if tape not in self.tape_tangents:
            self.tape_tangents[tape] = self.namer.fresh("d" + tape)
        return self.tape_tangents[tape]

    def rt(self, n):
        return name(self.runtime.get(n, n))

    def is_active(self, node):
        return isinstance(node, gast.Name) and node.id in self.active

    def zero(self, v):
        kind = self.kinds.get(v)
        if kind == SCALAR:
            return const(0.0)
        return call(self.rt("zeros_like"), name(v))

    # ---- statements ---------------------------------------------------------------------
    def block(self, stmts):
        out = []
        for s in stmts:
            out.extend(self.stmt(s))
        return out

    def stmt(self, s):
        if isinstance(s, gast.Assign):
            return self.assignment(s)
        line = getattr(s, "lineno", None)
        if isinstance(s, gast.If):
            return [located(gast.If(test=s.test, body=self.block(s.body),
                                    orelse=self.block(s.orelse)), line)]
        if isinstance(s, gast.For):
            return [located(gast.For(target=s.target, iter=s.iter, body=self.block(s.body),
                                     orelse=[], type_comment=None), line)]
        if isinstance(s, gast.While):
            return [located(gast.While(test=s.test, body=self.block(s.body), orelse=[]), line)]
        if isinstance(s, gast.Expr) and is_tape_call(s.value, self.parsed.scope, "append") and \
                self.is_active(s.value.args[0]):   # a saved value's tangent is saved beside it
            tape = self.tape_tangent(s.value.func.value.id)
            push = call(attr(name(tape), "append"), name(self.tan(s.value.args[0].id)))
            return [s, located(gast.Expr(value=push), s.lineno)]
        return [s]

    def assignment(self, s):
        tn = targets(s)
        if not any(t in self.active for t in tn):
            return [s]
        op = self.facts.ops[id(s)]
        if op.kind in ("restore", "restore_add"):
            pop = restored_pop(s.value, self.parsed.scope)
            tangent = call(attr(name(self.tape_tangent(pop.func.value.id)), "pop"))
            if op.kind == "restore_add" and isinstance(s.value, gast.BinOp):
                tangent = gast.BinOp(left=name(self.tan(tn[0])), op=gast.Add(), right=tangent)
            elif op.kind == "restore_add":
                tangent = call(self.rt("add_seq"), name(self.tan(tn[0])), tangent)
            return [s, located(assign(self.tan(tn[0]), tangent, s.lineno), s.lineno)]
        if op.kind in ("setitem", "append"):
            return [located(x, s.lineno) for x in self.mutation(s, op)]
        if not any(self.is_active(a) for a in op.operands):
            return [s] + [located(assign(self.tan(t), self.zero(t), s.lineno), s.lineno)
                          for t in tn if t in self.active]
        if op.kind == "helper":
            return [located(x, s.lineno) for x in self.helper(s, op)]
        self_ref = bool(set(tn) & loaded_names(s.value))
        out = clone(s.value) if self_ref else name(tn[0]) if len(tn) == 1 else \
            gast.Tuple(elts=[name(t) for t in tn], ctx=gast.Load())   # w, v = eigh(a)
        tangent = self.tangent(s, op, out)
        if len(tn) > 1:
            stmts = [s, assign(gast.Tuple(elts=[name(self.tan(t), store=True) for t in tn],
                                          ctx=gast.Store()), tangent, s.lineno)]
            return [located(x, s.lineno) for x in stmts]
        if self_ref:    # the tangent needs the operands' old values: compute it first
            hold = self.namer.fresh(self.tan(tn[0]) + "_new")
            self.temps.add(hold)
            self.extra.add(hold)
            stmts = [assign(hold, tangent, s.lineno), s, assign(self.tan(tn[0]), name(hold), s.lineno)]
        else:
            stmts = [s, assign(self.tan(tn[0]), tangent, s.lineno)]
        return [located(x, s.lineno) for x in stmts]

    def mutation(self, s, op):
        """``x[i] = v`` / ``lst.append(v)``: the tangent changes the same way beside it."""
        x, value = targets(s)[0], op.operands[-1]
        tangent = name(self.tan(value.id)) if self.is_active(value) else self.zero_of(value)
        if op.kind == "append":
            return [s, gast.Expr(value=call(attr(name(self.tan(x)), "append"), tangent))]
        target = gast.Subscript(value=name(self.tan(x)), slice=clone(s.targets[0].slice),
                                ctx=gast.Store())
        return [s, assign(target, tangent, s.lineno)]

    def tangent(self, s, op, out):
        value = s.value
        if op.kind == "copy":
            return name(self.tan(value.id))
        if op.kind == "pack" and isinstance(value, gast.Dict):
            return gast.Dict(keys=[clone(k) for k in value.keys],
                             values=[name(self.tan(e.id)) if self.is_active(e) else
                                     self.zero_of(e) for e in value.values])
        if op.kind == "pack" and isinstance(value, gast.Call):      # a namedtuple
            return gast.Call(func=clone(value.func), keywords=[], args=[
                name(self.tan(e.id)) if self.is_active(e) else self.zero_of(e)
                for e in value.args])
        if op.kind == "pack":
            pack = gast.List if isinstance(value, gast.List) else gast.Tuple
            return pack(elts=[name(self.tan(e.id)) if self.is_active(e) else self.zero_of(e)
                              for e in value.elts], ctx=gast.Load())
        if op.kind == "subscript":
            return gast.Subscript(value=name(self.tan(value.value.id)),
                                  slice=clone(value.slice), ctx=gast.Load())
        if op.kind == "rule" and op.rule.elementwise:
            return self.elementwise(op, out)
        if op.kind == "rule":
            return self.template(op, out, s)
        if isinstance(value, gast.Name):   # unpacking a tuple
            return name(self.tan(value.id))
        raise SrcadError("cannot differentiate this statement in forward mode",
                         self.parsed.filename, s.lineno, "use reverse mode (srcad.grad)")

    def zero_of(self, atom):
        if isinstance(atom, gast.Name):
            return self.zero(atom.id)
        return const(0.0)

    def elementwise(self, op, out):
        mapping = {p: a for p, a in op.bound.items() if isinstance(a, gast.AST)}
        mapping.update(self.runtime)
        mapping["out"] = out
        grouped = {}
        for (p, _), partial in zip(op.rule.params, op.rule.partials):
            a = op.bound.get(p)
            if partial is not None and self.is_active(a):
                grouped.setdefault(a.id, []).append(templates.expr(partial, mapping))
        operands = [a for a in op.bound.values() if isinstance(a, gast.AST)]
        total, widen = None, False
        for var, partials in grouped.items():
            term, sub = contribution(partials, name(self.tan(var)))
            widen = widen or may_broadcast(var, operands, self.kinds)
            if total is None:
                total = gast.UnaryOp(op=gast.USub(), operand=term) if sub else term
            else:
                total = gast.BinOp(left=total, op=gast.Sub() if sub else gast.Add(), right=term)
        if widen:   # a broadcast operand: the tangent takes the result's shape
            total = call(self.rt("broadcast_like"), total, clone(out))
        return total

    def template(self, op, out, s):
        rule = op.rule
        src = templates.source(rule, "forward", CallInfo(op.bound, self.kinds),
                               self.parsed.filename, s.lineno)
        if src is None:
            raise SrcadError("cannot differentiate this call in forward mode: its rule has no "
                             "forward template", self.parsed.filename, s.lineno,
                             "use reverse mode (srcad.grad), or give the rule a forward template")
        expr = templates._parse_stmts(src)[0].value
        mapping, inactive = templates.bind_parameters(
            rule, op.bound, lambda a: name(self.tan(a.id)) if self.is_active(a) else None,
            self.runtime)
        mapping["out"] = out
        dnames = {"d" + p.lstrip("*") for p, _ in rule.params}
        terms = [t for t in split_terms(clone(expr))
                 if not (names_in(t[0]) & dnames <= inactive)]
        sub = templates.Substitute({**mapping, **{d: const(0.0) for d in inactive}})
        sequence = self.kinds.get(targets(s)[0]) in ("seq", "unknown", None)   # may be a list
        total = None
        for term, minus in terms:
            term = sub.visit(term)
            if total is None:
                total = gast.UnaryOp(op=gast.USub(), operand=term) if minus else term
            elif sequence:   # tangents of lists add element-wise (+ would concatenate)
                total = call(self.rt("add_seq"), total, term, *([const(-1.0)] if minus else []))
            else:
                total = gast.BinOp(left=total, op=gast.Sub() if minus else gast.Add(), right=term)
        return total if total is not None else const(0.0)

    def helper(self, s, op):
        value, func = s.value, op.func
        arguments, wrt, kinds = helper_call(func, value, self.kinds, self.active, self.parsed,
                                            s.lineno)
        fname, tangent_params, _ = self.derive_helper(func, wrt, kinds, s,
                                                      values=helper_values(func, arguments,
                                                                           self.facts.values))
        keywords = [gast.keyword(arg=k.arg, value=clone(k.value)) for k in value.keywords]
        keywords += [gast.keyword(arg=tangent_params[p], value=name(self.tan(arguments[p].id)))
                     for p in wrt]
        jvp = gast.Call(func=name(fname), args=[clone(a) for a in value.args],
                        keywords=keywords)
        tn = targets(s)
        if len(tn) == 1:
            return [assign(gast.Tuple(elts=[name(tn[0], store=True), name(self.tan(tn[0]), store=True)],
                                      ctx=gast.Store()), jvp, s.lineno)]
        primal, tangent = self.namer.fresh("values"), self.namer.fresh("tangents")
        self.temps |= {primal, tangent}
        return [assign(gast.Tuple(elts=[name(primal, store=True), name(tangent, store=True)],
                                  ctx=gast.Store()), jvp, s.lineno),
                assign(gast.Tuple(elts=[name(t, store=True) for t in tn], ctx=gast.Store()),
                       name(primal), s.lineno),
                assign(gast.Tuple(elts=[name(self.tan(t), store=True) for t in tn], ctx=gast.Store()),
                       name(tangent), s.lineno)]

    # ---- the whole function -------------------------------------------------------------
    def run(self, fname):
        fn = self.fn
        body, ret = fn.body[:-1], fn.body[-1]
        result = ret.value
        new_body = self.block(body)
        params = [a.id for a in fn.args.args + fn.args.kwonlyargs]
        new_body = [assign(self.tan(p), self.zero(p), fn.lineno) for p in params
                    if p in self.active and p not in self.facts.wrt] + new_body
        rname = atom_name(result)
        tangent = name(self.tan(rname)) if rname in self.active else self.zero_of(result)
        new_body = [assign(t, gast.List(elts=[], ctx=gast.Load()), fn.lineno)
                    for t in sorted(self.tape_tangents.values())] + new_body
        returned = tangent if self.tangent_only else gast.Tuple(
            elts=[clone(result), tangent], ctx=gast.Load())
        new_body.append(gast.Return(value=returned))
        args = clone(fn.args)
        for w in self.facts.wrt:
            p = name(self.tan(w))
            p.ctx = gast.Param()
            args.args.append(p)
        if args.defaults:   # tangents come after defaulted parameters: keep them keyword-able
            args.defaults = args.defaults + [const(None)] * len(self.facts.wrt)
        tree = gast.FunctionDef(name=fname, args=args, body=new_body, decorator_list=[],
                                returns=None, type_comment=None, type_params=[])
        for n in walk(tree):
            if isinstance(n, (gast.stmt, gast.expr)) and getattr(n, "lineno", None) is None:
                n.lineno = fn.lineno
        tangents = set(self.tangent_names.values()) | self.extra
        kinds = {self.tangent_names[v]: self.kinds.get(v) for v in self.tangent_names}
        seeds = {self.tan(w) for w in self.facts.wrt}
        return Reversed(tree, tangents, self.temps | {
            self.tangent_names[v] for v in self.tangent_names if v in self.temps}, [], kinds, seeds,
            tapes=set(self.tape_tangents.values()), inherited=self.parsed.scope.tapes)


def split_terms(expr, minus=False):
    """Top-level terms of a sum, each with its sign."""
    if isinstance(expr, gast.BinOp) and isinstance(expr.op, (gast.Add, gast.Sub)):
        return split_terms(expr.left, minus) + split_terms(
            expr.right, minus != isinstance(expr.op, gast.Sub))
    return [(expr, minus)]


def names_in(node):
    return {n.id for n in walk(node) if isinstance(n, gast.Name)}
