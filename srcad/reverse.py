"""Reverse mode: each core statement gives a (forward, reverse) pair; compound statements
combine their children's pairs. Values the reverse sweep reads and the forward sweep later
overwrites are pushed on a plain list before the overwrite and popped after the adjoint.
"""
from dataclasses import dataclass, field

import gast
import numpy as np

from . import templates
from .analysis import (SCALAR, SEQ, UNKNOWN, assignments, atom_name,
                       helper_call, helper_values, loaded_names, ndim_of, restored_pop,
                       targets)
from .errors import SrcadError
from .build import MARK, aug, attr, call, const, contribution, may_broadcast, summed
from .normalize import assign, index_value, name
from .planning import Planning
from .saving import Saving
from .sweeps import Sweeps
from .walk import clone, walk

def may_be_infinite(partial):
    """Any partial but a constant can be inf or NaN (a division, a log, or an operand's value
    in the branch np.where did not select)."""
    try:
        float(partial)
        return False
    except ValueError:
        return True


def array_names(kinds):
    return frozenset(v for v, k in kinds.items() if isinstance(k, str) and k.startswith("array"))


@dataclass
class Reversed:
    """The generated function and what codegen and the optimizer need to know about it."""
    tree: gast.FunctionDef
    adjoints: set                  # every derivative variable name
    temps: set                     # names the optimizer may inline or rename
    pairs: list = field(default_factory=list)   # (pushes, pop) statements that go together
    kinds: dict = field(default_factory=dict)   # adjoint name -> kind of its primal
    seeds: set = field(default_factory=set)     # parameters holding derivatives from the caller
    dense: set = field(default_factory=set)     # adjoints updated element-wise (d[i] += ...)
    tapes: set = field(default_factory=set)     # the lists it saves values on
    inherited: frozenset = frozenset()          # the stacks of its input (a derivative)
    shapes: dict = field(default_factory=dict)  # name -> shape the values know (derivatives too)
    scalars: set = field(default_factory=set)   # names surely holding numbers
    seed_order: tuple = ()                      # the seed parameters, in order
    arrays: frozenset = frozenset()             # names of the function surely holding arrays


class CallInfo:
    """What a rule with a computed template sees of its call site."""

    def __init__(self, bound, kinds):
        self.bound, self.kinds = bound, kinds

    def ndim(self, param):
        a = self.bound.get(param)
        if isinstance(a, gast.Name):
            return ndim_of(self.kinds.get(a.id) or "unknown")
        if isinstance(a, gast.Constant):
            return 0
        return None

    def given(self, param):
        a = self.bound.get(param)
        return isinstance(a, gast.AST) and not (isinstance(a, gast.Constant) and a.value is None)




class ReverseMode(Planning, Saving, Sweeps):
    def __init__(self, fn, facts, parsed, namer, runtime, derive_helper, mode="grad",
                 generated=frozenset(), purity=None):
        self.fn, self.facts, self.parsed, self.namer = fn, facts, parsed, namer
        self.purity = purity
        self.residuals = {}     # id(helper call) -> (its forward half, the name of what it saved)
        self.generated = set(generated)
        self.extra_adjoints = set()
        self.shape_saved = set()    # values the reverse sweep reads only for their shape
        self.contributions = {}     # (argument's derivative, helper, k) -> one name for every call
        self.runtime = runtime          # template global name -> name in the generated code
        self.derive_helper = derive_helper
        self.mode = mode
        self.active = facts.active
        self.kinds = facts.kinds
        self.adj_names = {}
        self.temps = set()
        self.pairs = []
        self.dense = set()
        self.stack = namer.fresh("stack")
        self.tape_derivatives = {}      # a stack of the input (a derivative) -> its adjoint stack
        self.primal = {n.id for n in walk(fn) if isinstance(n, gast.Name)} | {
            a.id for a in fn.args.args + fn.args.kwonlyargs}

    # ---- names -------------------------------------------------------------------------
    def adj(self, v):
        if v not in self.adj_names:
            self.adj_names[v] = self.namer.fresh("d" + v)
        return self.adj_names[v]

    def tape_derivative(self, tape):
        """The adjoint of a stack is a stack: a restore pushes the adjoint of the restored
        value, the matching push pops it (srcad's stacks are LIFO, so reversing the order of
        the sweeps pairs them up again)."""
        if tape not in self.tape_derivatives:
            self.tape_derivatives[tape] = self.namer.fresh("d" + tape)
        return self.tape_derivatives[tape]

    def temp(self, base):
        t = self.namer.fresh(base)
        self.temps.add(t)
        return t

    def adj_temp(self, base):
        t = self.temp(base)
        self.extra_adjoints.add(t)
        return t

    def rt(self, n):
        return name(self.runtime.get(n, n))

    def is_active(self, node):
        return isinstance(node, gast.Name) and node.id in self.active

    # ---- adjoints of single statements -------------------------------------------------
    def adjoint(self, stmt, dout, self_ref):
        """Statements accumulating ``dout`` (derivative of the target) into the operands."""
        op = self.facts.ops[id(stmt)]
        value = stmt.value
        tnames = targets(stmt)
        out = clone(value) if self_ref else name(tnames[0]) if len(tnames) == 1 else \
            gast.Tuple(elts=[name(t) for t in tnames], ctx=gast.Load())   # w, v = eigh(a)
        if op.kind == "copy":
            if not self.is_active(value):
                return []
            return [self.accumulate(name(self.adj(value.id)), dout, tnames)]
        if op.kind == "pack":
            items = value.values if isinstance(value, gast.Dict) else \
                value.args if isinstance(value, gast.Call) else value.elts
            keys = value.keys if isinstance(value, gast.Dict) else \
                [const(i) for i in range(len(items))]
            return [aug(self.adj(e.id), gast.Subscript(value=clone(dout), slice=clone(k),
                                                       ctx=gast.Load()))
                    for k, e in zip(keys, items) if self.is_active(e)]
        if op.kind == "subscript":
            return self.subscript_adjoint(value, dout, tnames)
        if op.kind in ("restore", "restore_add"):
            tape = self.tape_derivative(restored_pop(value, self.parsed.scope).func.value.id)
            return [gast.Expr(value=call(attr(name(tape), "append"), clone(dout)))]
        if op.kind == "helper":
            return self.helper_adjoint(stmt, op, dout)
        if op.kind == "rule" and op.rule.elementwise and len(tnames) == 1:
            return self.elementwise_adjoint(op, dout, out, tnames[0])
        if op.kind == "rule" and not op.rule.elementwise:
            # a tuple result: dout is a tuple
            return self.template_adjoint(op, dout, out, stmt.lineno)
        if len(tnames) > 1 and isinstance(value, gast.Name):
            self.dense.add(value.id)
            return [aug(gast.Subscript(value=name(self.adj(value.id)), slice=const(i),
                                       ctx=gast.Store()), name(self.adj(t)))
                    for i, t in enumerate(tnames) if t in self.active]
        if op.kind in ("nondiff", "global", "compare"):
            return []
        raise SrcadError(f"cannot differentiate this statement ({op.kind})", self.parsed.filename,
                         stmt.lineno, "assign the result to one name, then index it")

    def elementwise_adjoint(self, op, dout, out, target):
        """``target``: the name bound to ``out`` (its shape is out's, also where ``out`` is the
        expression of a self-referencing update)."""
        rule, bound = op.rule, op.bound
        mapping = {p: a for p, a in bound.items() if isinstance(a, gast.AST)}
        mapping.update({k: v for k, v in self.runtime.items()})
        mapping["out"] = out
        grouped = {}
        for (p, _), partial in zip(rule.params, rule.partials):
            a = bound.get(p)
            if partial is not None and self.is_active(a):
                grouped.setdefault(a.id, []).append(templates.expr(partial, mapping))
        others = [a for a in bound.values() if isinstance(a, gast.AST)]
        result = []
        masked = isinstance(out, gast.Name) and out.id in self.masked and any(
            may_be_infinite(p) for p in rule.partials if p)
        for var, partials in grouped.items():
            value, sub = contribution(partials, dout)
            if masked:   # a zero from np.where's other branch stays zero, even times inf
                total = partials[0]
                for p in partials[1:]:
                    total = gast.BinOp(left=total, op=gast.Add(), right=p)
                value, sub = call(self.rt("scaled"), clone(dout), total), False
            if may_broadcast(var, others, self.kinds) and not self.same_shape(var, target):
                value = unbroadcast_to(self.rt, self.facts.values, value, var, target)
            result.append(aug(self.adj(var), value, sub))
        return result

    def where_fed(self, body):
        """Names whose derivative may hold exact zeros from ``np.where``'s unselected branch,
        while their partials there may be inf or NaN: upstream of a ``where`` operand."""
        fed = set()
        stmts = list(assignments(body))
        for s in stmts:
            op = self.facts.ops[id(s)]
            if op.kind == "rule" and op.key is np.where:
                fed |= {a.id for a in op.operands if isinstance(a, gast.Name)}
        changed = True
        while changed:
            changed = False
            for s in stmts:
                if set(targets(s)) & fed and self.kinds.get(targets(s)[0]) != SCALAR:
                    new = {a.id for a in self.facts.ops[id(s)].operands
                           if isinstance(a, gast.Name)} - fed
                    fed |= new
                    changed = changed or bool(new)
        return fed

    def template_adjoint(self, op, dout, out, lineno):
        rule, bound = op.rule, op.bound
        src = templates.source(rule, "reverse", CallInfo(bound, self.kinds),
                               self.parsed.filename, lineno)
        mapping, dropped = templates.bind_parameters(
            rule, bound, lambda a: self.adj(a.id) if self.is_active(a) else None, self.runtime)
        mapping["out"] = out
        mapping["dout"] = dout
        body = []
        for s in templates.stmts(src, {}):
            tgt = s.target if isinstance(s, gast.AugAssign) else s.targets[0]
            if isinstance(tgt, gast.Name) and tgt.id in dropped:
                continue
            body.append(s)
        local = {n.id for s in body for n in walk(s) if isinstance(n, gast.Name)
                 and isinstance(n.ctx, gast.Store) and n.id not in mapping}
        for n in sorted(local):     # a template's own names may hold derivatives (its g):
            mapping[n] = self.adj_temp(n)   # a zero test of what reads them must see them
        sub = templates.Substitute(mapping)
        for s in body:      # a template parses at line 1: its statements are the call's line's
            for n in walk(s):
                if hasattr(n, "lineno"):
                    n.lineno = lineno
        return [sub.visit(s) for s in body]

    def accumulate(self, target, dout, tnames):
        """``target += dout``; for a structure (a tuple unpacked, a list or dict element) the
        element-wise ``add_seq``, as ``+`` would concatenate lists and tuples."""
        store, load = clone(target), clone(target)
        store.ctx, load.ctx = gast.Store(), gast.Load()
        if not self.structured(dout, tnames):
            return aug(store, dout)
        return gast.Assign(targets=[store], value=call(self.rt("add_seq"), load, dout),
                           type_comment=None)

    def structured(self, dout, tnames):
        """Whether ``dout`` may be a list or tuple: a tuple target's, or a sequence's (a name
        later unpacked, ``W, b = layer``, or indexed, ``layers[i]``, is one even when its kind is
        unknown)."""
        return isinstance(dout, gast.Tuple) or any(
            self.kinds.get(t) in (SEQ, UNKNOWN, None) or t in self.unpacked for t in tnames)

    def subscript_adjoint(self, value, dout, tnames):
        base = value.value
        if not self.is_active(base):
            return []
        self.dense.add(base.id)
        index = value.slice
        simple = all(isinstance(n, (gast.Constant, gast.Slice, gast.Tuple, gast.UnaryOp,
                                    gast.USub, gast.Load, gast.Store))
                     or (isinstance(n, gast.Name) and self.kinds.get(n.id) == SCALAR)
                     for n in walk(index))
        d = self.adj(base.id)
        seq = self.kinds.get(base.id) == SEQ
        if self.kinds.get(base.id) in (SEQ, UNKNOWN, None) and (
                isinstance(index, gast.Slice) or self.structured(dout, tnames)):
            # a slice, or an element that is a list or tuple itself: += would concatenate
            return [assign(d, call(self.rt("add_at"), name(d), index_value(clone(index)), dout),
                           0)]
        if seq or simple:
            target = gast.Subscript(value=name(d), slice=clone(index), ctx=gast.Store())
            return [aug(target, dout)]
        return [assign(d, call(self.rt("add_at"), name(d), index_value(clone(index)), dout), 0)]

    def helper_adjoint(self, stmt, op, dout):
        value, func = stmt.value, op.func
        arguments, wrt, kinds = helper_call(func, value, self.kinds, self.active, self.parsed,
                                            stmt.lineno)
        if not wrt:
            return []
        split = self.purity is not None and not self.purity.function(func)
        fname, seed, forward = self.derive_helper(func, wrt, kinds, stmt, split, helper_values(
            func, arguments, self.facts.values))
        outs = []
        for p in wrt:     # each call of the helper reuses the names: no _2, _3 suffixes
            base = self.adj(arguments[p].id) + "_" + func.__name__
            key = (base, sum(o.startswith(base) for o in outs))
            if key not in self.contributions:
                self.contributions[key] = self.temp(base)
            outs.append(self.contributions[key])
        self.extra_adjoints.update(outs)
        if split:   # not pure: it runs once, in the forward sweep, and saves what we need
            saved = self.namer.fresh(func.__name__ + "_saved")
            self.primal.add(saved)
            self.residuals[id(stmt)] = (forward, saved)
            args, keywords = [name(saved)], []
        else:
            args = [clone(a) for a in value.args]
            keywords = [gast.keyword(arg=k.arg, value=clone(k.value)) for k in value.keywords]
        if isinstance(seed, tuple):     # one seed per part of the helper's tuple result
            parts = dout.elts if isinstance(dout, gast.Tuple) and len(dout.elts) == len(seed) \
                else [gast.Subscript(value=clone(dout), slice=const(i), ctx=gast.Load())
                      for i in range(len(seed))]
            if keywords or len(args) != getattr(getattr(func, "__code__", None),
                                                "co_argcount", -1) or \
                    any(isinstance(a, gast.Starred) for a in args):
                keywords += [gast.keyword(arg=k, value=v) for k, v in zip(seed, parts)]
            else:
                args += parts
        else:
            keywords.append(gast.keyword(arg=seed, value=dout))
        vjp = gast.Call(func=name(fname), args=args, keywords=keywords)
        target = name(outs[0], store=True) if len(outs) == 1 else gast.Tuple(
            elts=[name(o, store=True) for o in outs], ctx=gast.Store())
        result = [gast.Assign(targets=[target], value=vjp, type_comment=None)]
        for p, o in zip(wrt, outs):
            result.append(aug(self.adj(arguments[p].id), name(o)))
        return result


    # ---- arrays and lists changed in place -------------------------------------------
    def mutation_adjoint(self, s, op):
        """``x[i] = v``: ``dv += dx[i]``, then ``dx[i] = 0`` (the old element is gone);
        ``lst.append(v)``: ``dv += dlst.pop()`` (the derivative list shrinks with the list)."""
        x = targets(s)[0]
        self.dense.add(x)
        dx = name(self.adj(x))
        value = op.operands[-1]
        if op.kind == "append":
            taken = call(attr(dx, "pop"))
            if self.is_active(value):
                return [aug(self.adj(value.id), taken)]
            return [gast.Expr(value=taken)]
        index = s.targets[0].slice
        out = []
        if self.is_active(value):
            part = gast.Subscript(value=dx, slice=clone(index), ctx=gast.Load())
            if not self.is_element(x, index) and self.kinds.get(x) != SEQ:
                part = call(attr(self.rt("np"), "copy"), part)   # dx[i] is zeroed next
                if self.may_repeat(index):
                    part = call(self.rt("last_written"), dx, index_value(clone(index)))
                if self.kinds.get(value.id) != self.kinds.get(x) or self.kinds.get(x) is None:
                    part = call(self.rt("unbroadcast"), part, name(value.id))
            out.append(aug(self.adj(value.id), part))
        out.append(assign(gast.Subscript(value=name(dx.id), slice=clone(index),
                                         ctx=gast.Store()), const(0.0), s.lineno))
        return out

    def may_repeat(self, index):
        """Whether ``index`` may hold an integer array, which may repeat an index (a mask,
        ``x > 0``, cannot)."""
        return any(isinstance(n, gast.Name) and self.kinds.get(n.id) != SCALAR and
                   n.id not in self.masks for n in walk(index))

    def is_element(self, x, index):
        """Is ``x[index]`` one element (an immutable scalar, or a list's item), not a view?"""
        kind = self.kinds.get(x)
        if kind == SEQ:
            return not isinstance(index, gast.Slice)
        nd = ndim_of(kind or UNKNOWN)
        parts = index.elts if isinstance(index, gast.Tuple) else [index]
        scalar = all(isinstance(p, gast.Constant) and type(p.value) is int or
                     isinstance(p, gast.UnaryOp) or
                     isinstance(p, gast.Name) and self.kinds.get(p.id) == SCALAR for p in parts)
        return scalar and nd == len(parts)

    def replace_self(self, target, adj, lineno):
        """``x = f(x, y)``: contributions to ``y`` first, then ``dx = dx * df/dx``."""
        d = self.adj(target)
        others, mine = [], None
        for a in adj:
            if isinstance(a.target, gast.Name) and a.target.id == d:
                value = a.value if isinstance(a.op, gast.Add) else gast.UnaryOp(
                    op=gast.USub(), operand=a.value)
                mine = assign(d, value, lineno)
            else:
                others.append(a)
        return others + [mine or assign(d, self.zero(target), lineno)]   # f constant in x

    def has_adjoint(self, stmt):
        return any(id(n) in self.adjoints for n in walk(stmt))

    def run(self, fname):
        fn = self.fn
        params = [a.id for a in fn.args.args + fn.args.kwonlyargs]
        body, ret = fn.body[:-1], fn.body[-1]
        result = ret.value
        parts = seed_parts(self.mode, body, atom_name(result)) or []
        if parts:
            body = body[:-1]    # the tuple's parts are the parameters: nothing to unpack
        self.result_parts = set(parts)
        self.plan(body, params)
        self.pushes(body, params)
        fwd, rev = self.sweep(body)
        rev = self.shapes_renamed(rev)
        result_name = atom_name(result)
        if isinstance(result, gast.Constant) and self.mode in ("grad", "value_and_grad") and \
                (isinstance(result.value, bool) or not isinstance(result.value, (int, float))):
            raise SrcadError(f"srcad.{self.mode} needs a function with a scalar output, but "
                             f"{fn.name} returns {result.value!r}", self.parsed.filename,
                             getattr(ret, "lineno", None) or fn.lineno,
                             "return the value to differentiate (is a return statement missing?)")
        seed = self.adj(result_name) if result_name else self.namer.fresh("dout")
        seeds = [self.adj(e) for e in parts] if parts else [seed]
        inits = []
        for v in sorted(self.active | set(self.facts.wrt), key=self.order_key(fn)):
            if v != result_name and v not in parts:
                zero = self.zero(v)
                if v in loaded_names(zero) and v not in self.surely_bound:
                    self.unbound.add(v)     # zeros_like(v) of a name bound on some paths only
                inits.append(assign(self.adj(v), zero, fn.lineno))
        for tape in sorted(self.tape_derivatives.values()):
            inits.append(assign(tape, gast.List(elts=[], ctx=gast.Load()), fn.lineno))
        checks = []
        if self.mode in ("grad", "value_and_grad") and result_name and \
                self.kinds.get(result_name) != SCALAR and not self.surely_scalar(result_name):
            checks.append(gast.Expr(value=call(self.rt("assert_scalar"), name(result_name))))
        grads = [name(self.adj(w)) for w in self.facts.wrt]
        grads = grads[0] if len(grads) == 1 else gast.Tuple(elts=grads, ctx=gast.Load())
        if self.mode in ("value_and_grad", "split"):
            value = clone(result)
            if result_name and any(result_name in ts for ts in self.saved.values()):
                value = name(self.namer.fresh("value"))    # the reverse sweep restores it
                kept = assign(value.id, clone(result), fn.lineno)
                if self.mode == "split":
                    fwd.append(kept)        # the forward half returns it
                else:
                    checks.insert(0, kept)
            grads = gast.Tuple(elts=[value, grads], ctx=gast.Load())
        marker = lambda text: gast.Expr(value=const(MARK + text))
        placeholders = [assign(v, const(None), fn.lineno) for v in sorted(self.unbound)]
        new_body = ([assign(self.stack, gast.List(elts=[], ctx=gast.Load()), fn.lineno),
                     marker("forward sweep")] + placeholders + fwd + [marker("reverse sweep")] + checks +
                    inits + rev + [gast.Return(value=grads)])
        args = clone(fn.args)
        for seed_name in seeds:
            seed_param = name(seed_name)
            seed_param.ctx = gast.Param()
            args.args.append(seed_param)
            args.defaults.append(const(1.0))
        tree = gast.FunctionDef(name=fname, args=args, body=new_body, decorator_list=[],
                                returns=None, type_comment=None, type_params=[])
        for n in walk(tree):
            if isinstance(n, (gast.stmt, gast.expr)) and getattr(n, "lineno", None) is None:
                n.lineno = fn.lineno
        adjoints = set(self.adj_names.values()) | set(seeds) | self.extra_adjoints
        kinds = {self.adj_names[v]: self.kinds.get(v) for v in self.adj_names}
        temps = self.temps | self.generated | {
            self.adj_names[v] for v in self.adj_names if v in self.generated}
        dense = {self.adj_names[v] for v in self.dense if v in self.adj_names}
        tapes = {self.stack} | set(self.tape_derivatives.values())
        return Reversed(tree, adjoints, temps, self.pairs, kinds, set(seeds), dense, tapes,
                        self.parsed.scope.tapes, *known_shapes(self.facts, self.kinds, self.adj_names),
                        seed_order=tuple(seeds), arrays=array_names(self.kinds))

    def uniform(self, t):
        """``t`` has one shape wherever it is bound: a number, or an array whose shape the
        values know."""
        return self.kinds.get(t) == SCALAR or self.facts.values is not None and \
            self.facts.values.shape(t) is not None

    def same_shape(self, a, b):
        """``a`` and ``b`` surely have one shape (the values know both): broadcasting did not
        widen either."""
        return self.facts.values is not None and self.facts.values.same_shape(a, b)

    def surely_scalar(self, v):
        """``v`` has shape (): a scalar, or a 0-d array (np.sum's result)."""
        return self.facts.values is not None and self.facts.values.shape(v) == ()

    def order_key(self, fn):
        order = {a.id: i for i, a in enumerate(fn.args.args + fn.args.kwonlyargs)}
        for n in walk(fn):
            if isinstance(n, gast.Name) and n.id not in order:
                order[n.id] = len(order)
        return lambda v: (order.get(v, len(order)), v)


def unbroadcast_to(rt, values, value, var, target):
    """``value`` (shaped like ``target``) summed to ``var``'s shape: ``np.sum`` over the axes
    broadcasting surely added, where the values know them, else ``unbroadcast``."""
    axes = None if values is None else values.leading_axes(var, target)
    if axes is None:
        return call(rt("unbroadcast"), value, name(var))
    return summed(rt("np"), value, None if axes == "all" else len(axes))


def seed_parts(mode, body, result_name):
    """A helper's derivative returning a tuple of distinct names ``out = (a, b)`` takes one
    seed per part (``da``, ``db``), called as ``dh(x, y, dk1, dk2)``: no tuple is built
    to be unpacked again."""
    if mode != "parts" or not body or not result_name:
        return None
    last = body[-1]
    if not (isinstance(last, gast.Assign) and len(last.targets) == 1 and
            isinstance(last.targets[0], gast.Name) and last.targets[0].id == result_name and
            isinstance(last.value, gast.Tuple) and last.value.elts and
            all(isinstance(e, gast.Name) for e in last.value.elts)):
        return None
    parts = [e.id for e in last.value.elts]
    if len(set(parts)) != len(parts) or result_name in parts or any(
            isinstance(n, gast.Name) and n.id == result_name for s in body[:-1]
            for n in walk(s)):
        return None
    return parts


def known_shapes(facts, kinds, adj_names):
    """Shapes of values and of their derivatives, and the names surely holding numbers."""
    shapes, values = {}, facts.values
    if values is not None:
        for v in values:
            if values.shape(v) is not None:
                shapes[v] = values.shape(v)
        for v, d in adj_names.items():
            if values.shape(v) is not None and d not in values:
                shapes[d] = values.shape(v)
    scalars = {n for n, k in kinds.items() if k == SCALAR}
    scalars |= {adj_names[v] for v in scalars if v in adj_names}
    return shapes, scalars
