"""Copies the sweeps leave (``dv = dsum``, an adjoint passed on unchanged): the optimizer's
passes that remove them, so an adjoint reads like one written by hand. A mixin of
``optimize.Optimizer`` (it uses its ``temps``, ``chain`` and ``counts_cache``)."""
import ast

import gast

from .algebra import Folder, factored, unnegated
from .kinds import SCALAR
from .reaching import load_nodes, name_loads, names_in, reached, reached_loads
from .tree_facts import modified
from .walk import clone, fingerprint, walk

MERGED_WIDTH = 80   # a merged accumulation longer than this reads worse than two
PACKED_WIDTH = 99   # a container's adjoint with its parts written in: one printed line at most


def stored(node, names):
    """Whether ``node`` binds or changes one of ``names``."""
    for n in walk(node):
        if isinstance(n, gast.Name) and n.id in names and not isinstance(n.ctx, gast.Load):
            return True
        if isinstance(n, gast.AugAssign) and isinstance(n.target, gast.Name) and \
                n.target.id in names:
            return True
    return False


def is_copy(s):
    return isinstance(s, gast.Assign) and len(s.targets) == 1 and \
        isinstance(s.targets[0], gast.Name) and isinstance(s.value, gast.Name)


def stack_call(n):
    """``stack.pop()``: a transform of the derivative pairs it with its own stack, as a
    statement of its own."""
    return isinstance(n.func, gast.Attribute) and n.func.attr in ("pop", "append")


def text(node):
    """The source of an expression, whatever its context (load or store)."""
    return ast.unparse(gast.gast_to_ast(node))


def offset(index):
    """``i`` -> ("i", 0), ``i - 1`` -> ("i", -1), ``3`` -> (None, 3); else None."""
    if isinstance(index, gast.Constant) and type(index.value) is int:
        return None, index.value
    if isinstance(index, gast.Name):
        return index.id, 0
    if isinstance(index, gast.BinOp) and isinstance(index.left, gast.Name) and \
            isinstance(index.op, (gast.Add, gast.Sub)) and isinstance(index.right, gast.Constant) \
            and type(index.right.value) is int:
        return index.left.id, index.right.value * (1 if isinstance(index.op, gast.Add) else -1)
    return None


def distinct(a, b):
    """Indices surely naming different elements (``i`` and ``i - 1``)."""
    if isinstance(a, gast.Tuple) and isinstance(b, gast.Tuple) and len(a.elts) == len(b.elts):
        return any(distinct(x, y) for x, y in zip(a.elts, b.elts))
    oa, ob = offset(a), offset(b)
    return oa is not None and ob is not None and oa[0] == ob[0] and oa[1] != ob[1]


def elsewhere_in(m, d, k):
    """Every use of ``d`` in ``m`` is an element other than ``d[k]``."""
    inside = set()
    for n in walk(m):
        if isinstance(n, gast.Subscript) and isinstance(n.value, gast.Name) and n.value.id == d:
            if not distinct(n.slice, k):
                return False
            inside.add(id(n.value))
    return all(id(n) in inside for n in walk(m) if isinstance(n, gast.Name) and n.id == d)


class CopyPasses:
    def try_forward_copy(self, stmts, i):
        """``a = b; ...a...`` -> ``...b...`` for a temporary ``a`` whose every load this
        binding reaches is in the statements after it, while neither name changes."""
        s = stmts[i]
        if not is_copy(s) or s.targets[0].id not in self.temps and not self.immutable_copy(s):
            return False
        a, b = s.targets[0].id, s.value.id
        for j in range(i + 1, len(stmts)):     # b = a while both hold one object: nothing
            m = stmts[j]
            if is_copy(m) and m.targets[0].id == b and m.value.id == a:
                del stmts[j]
                self.rewritten = []
                return True
            if stored(m, {a, b}):
                break
        if len(self.chain) == 1 and self.counts_cache[1].get(a, 0) == 1:   # bound once, not
            # in a loop: every load of it is this binding's
            loads_ = [n for m in stmts[i + 1:] for n in load_nodes(m, a)]
            if len(loads_) != self.counts_cache[0].get(a, 0):
                return False
        else:
            loads_ = reached(self.chain, a, self.mentions)
        if not loads_ or any(isinstance(n, gast.AugAssign) for n in loads_):
            return False
        mine = {id(n) for n in loads_}
        counts = [sum(id(n) in mine for n in walk(m)) if a in self.mentions(m) else 0
                  for m in stmts[i + 1:]]
        if sum(counts) != len(loads_):
            return False
        here = [c > 0 for c in counts]
        last = i + 1 + max(k for k, n in enumerate(here) if n)
        if any(stored(m, {a, b}) for m in stmts[i + 1:last]) or \
                stored(stmts[last], {a, b}) and not rebinds_after_reading(stmts[last], a):
            return False
        pushed = {id(n) for m, c in zip(stmts[i + 1:], counts) if c for call in walk(m)
                  if isinstance(call, gast.Call) and stack_call(call) for n in call.args}
        if any(id(n) in pushed for n in loads_):
            return False    # a push saves this name: a transform again pairs it with its pop
        for n in loads_:
            n.id = b
        self.rewritten = [m for m, c in zip(stmts[i + 1:], counts) if c]
        del stmts[i]
        return True

    def try_forward_pack(self, stmts, i):
        """``t = (0.0, dy); dh(y, t[0], t[1])`` -> ``dh(y, 0.0, dy)``: a tuple of names and
        constants built only to be indexed by constants, while none of them changes."""
        s = stmts[i]
        if not (isinstance(s, gast.Assign) and len(s.targets) == 1 and
                isinstance(s.targets[0], gast.Name) and isinstance(s.value, gast.Tuple) and
                all(isinstance(e, (gast.Name, gast.Constant)) for e in s.value.elts)):
            return False
        t, elts, rest = s.targets[0].id, s.value.elts, stmts[i + 1:]
        if t not in self.temps and (t not in self.adjoints or t in self.seeds):
            return False
        loads_ = reached(self.chain, t, self.mentions)
        mine = {id(n) for n in loads_}
        parents = {id(c): node for m in rest for node in walk(m)
                   for c in gast.iter_child_nodes(node) if id(c) in mine}
        if not loads_ or len(parents) != len(loads_) or not all(
                isinstance(p, gast.Subscript) and isinstance(p.slice, gast.Constant) and
                type(p.slice.value) is int and -len(elts) <= p.slice.value < len(elts)
                for p in parents.values()):
            return False
        last = max(j for j, m in enumerate(rest) if any(id(n) in mine for n in walk(m)))
        names = {e.id for e in elts if isinstance(e, gast.Name)} | {t}
        if any(stored(m, names) for m in rest[:last]) or \
                stored(rest[last], names) and not rebinds_after_reading(rest[last], t):
            return False
        parts = {id(p): elts[p.slice.value] for p in parents.values()}
        for m in rest[:last + 1]:
            for node in walk(m):
                for field, value in gast.iter_fields(node):
                    if id(value) in parts:
                        setattr(node, field, clone(parts[id(value)]))
                    elif isinstance(value, list):
                        value[:] = [clone(parts[id(v)]) if id(v) in parts else v for v in value]
        del stmts[i]
        return True

    def mentions(self, stmt):
        """The names in ``stmt`` (the optimizer remembers them while the tree is unchanged)."""
        return names_in(stmt)

    def memo(self, fact, node):
        """``fact(node)`` (the optimizer remembers it while the tree is unchanged)."""
        return fact(node)

    def immutable_copy(self, s):
        """``dy_next = dy`` of numbers: no later change in place can reach the other name."""
        a, b = s.targets[0].id, s.value.id
        return a in self.adjoints and a not in self.seeds and \
            self.kinds.get(a) == SCALAR and self.kinds.get(b) == SCALAR

    def try_rename_definition(self, stmts, i):
        """``t = e; ...; x = t`` -> ``x = e; ...`` for a temporary ``t`` read only by the copy,
        when nothing between reads or binds ``x``."""
        s = stmts[i]
        if not (isinstance(s, gast.Assign) and len(s.targets) == 1 and
                isinstance(s.targets[0], gast.Name)) or s.targets[0].id not in self.temps:
            return False
        t = s.targets[0].id
        if not any(is_copy(m) and m.value.id == t for m in stmts[i + 1:]):
            return False
        loads_, stores_ = self.counts_cache
        if not (stores_.get(t) == 1 and loads_.get(t) == 1) and \
                reached_loads(self.chain, t, self.mentions) != 1:
            return False
        for j in range(i + 1, len(stmts)):
            m = stmts[j]
            if is_copy(m) and m.value.id == t:
                x = m.targets[0].id
                if x == t or x in {n.id for n in walk(s.value) if isinstance(n, gast.Name)} or \
                        any(x in {n.id for n in walk(b) if isinstance(n, gast.Name)}
                            for b in stmts[i + 1:j]):
                    return False
                s.targets[0].id = x
                del stmts[j]
                self.rewritten = [s]
                return True
            if name_loads(m, t):
                return False
        return False

    def try_merge_accumulations(self, stmts, i):
        """``d += a`` then ``d += b`` -> ``d += a + b`` (``d -= a + b`` when both are negated)
        when the second does not read ``d`` and the line stays short."""
        if i + 1 >= len(stmts):
            return False
        s, m = stmts[i], stmts[i + 1]
        if not (isinstance(s, gast.AugAssign) and isinstance(m, gast.AugAssign) and
                type(s.op) is type(m.op) and isinstance(s.op, (gast.Add, gast.Sub)) and
                fingerprint(s.target) == fingerprint(m.target)):
            return False
        base = s.target if isinstance(s.target, gast.Name) else getattr(s.target, "value", None)
        if not isinstance(base, gast.Name) or not self.numeric(base.id) or any(
                isinstance(n, gast.Name) and n.id == base.id for n in walk(m.value)) or any(
                isinstance(n, gast.Call) and (not self.pure(n) or stack_call(n))
                for n in walk(gast.Tuple(elts=[s.value, m.value], ctx=gast.Load()))):
            return False
        merged = merged_accumulation(s, m)
        merged.value = Folder().visit(merged.value)
        merged.value = factored(merged.value) or merged.value
        if len(ast.unparse(gast.gast_to_ast(merged))) > MERGED_WIDTH:
            return False
        merged.lineno = getattr(s, "lineno", None)
        stmts[i:i + 2] = [merged]
        return True

    def try_sink_accumulation(self, stmts, i):
        """``dv = a; ...; dv += b`` -> ``...; dv = a + b`` (also ``+=`` then ``+=``) when the
        statements between do not touch ``dv`` or change what ``a`` reads: one statement per
        derivative, as written by hand."""
        s = stmts[i]
        d = accumulated_name(s)
        if d is None or d not in self.adjoints or isinstance(s, gast.Assign) and \
                d in loads_of(s.value):
            return False
        later = next((j for j in range(i + 1, len(stmts)) if d in self.mentions(stmts[j])), None)
        if later is None or later == i + 1:
            return False
        m, between = stmts[later], stmts[i + 1:later]
        if not (isinstance(m, gast.AugAssign) and isinstance(m.op, (gast.Add, gast.Sub)) and
                accumulated_name(m) == d and d not in loads_of(m.value)):
            return False
        reads = loads_of(s.value)
        if not self.numeric(d) or any(
                self.memo(changed_names, b) & reads or self.memo(jumps, b) for b in between) or \
                any(isinstance(n, gast.Call) and (not self.pure(n) or stack_call(n))
                    for n in walk(s.value) + walk(m.value)):
            return False
        if isinstance(s, gast.Assign):
            merged = gast.Assign(targets=s.targets, value=gast.BinOp(
                left=s.value, op=m.op, right=m.value), type_comment=None)
        else:
            merged = merged_accumulation(s, m)
        merged.lineno = getattr(s, "lineno", None) or 1
        if len(ast.unparse(gast.gast_to_ast(merged))) > MERGED_WIDTH:
            return False
        stmts[later] = merged
        del stmts[i]
        self.rewritten = []
        return True

    def numeric(self, d):
        """``d`` holds a number or an array, whose sum is ``+`` (not a list or dict of them)."""
        kind = self.kinds.get(d)
        return kind == SCALAR or isinstance(kind, str) and kind.startswith("array")

    def try_inline_negation(self, stmts, i):
        """``dstep = -dy; a = dstep * p; b = dstep / q`` -> ``a = -dy * p; b = -dy / q``: the
        adjoint of ``y - step``, written where it is used as a hand-writer would (a negation
        met by another one cancels, ``algebra.Folder``)."""
        s = stmts[i]
        if not (isinstance(s, gast.Assign) and len(s.targets) == 1 and
                isinstance(s.targets[0], gast.Name) and isinstance(s.value, gast.UnaryOp) and
                isinstance(s.value.op, gast.USub) and isinstance(s.value.operand, gast.Name)):
            return False
        t, n = s.targets[0].id, s.value.operand.id
        loads_, stores_ = self.counts_cache
        if t == n or t not in self.adjoints or stores_.get(t) != 1 or t in self.params:
            return False
        uses, seen = [], 0
        for j in range(i + 1, len(stmts)):
            if seen == loads_.get(t, 0):
                break
            m = stmts[j]
            here = [p for p in walk(m) if isinstance(p, gast.BinOp) and
                    isinstance(p.op, (gast.Mult, gast.Div)) and any(
                        isinstance(o, gast.Name) and o.id == t for o in (p.left, p.right))]
            count = name_loads(m, t)
            if count and (not isinstance(m, (gast.Assign, gast.AugAssign)) or
                          len(here) != count or any(p.left is p.right for p in here)):
                return False
            if seen + count < loads_.get(t, 0) and modified(m) & self.aliases(n):
                return False    # dy[0] += ... (or a change through a view) before the last use
            uses += [(m, p) for p in here]
            seen += count
        if seen != loads_.get(t, 0) or not uses:
            return False
        for m, p in uses:
            for side in ("left", "right"):
                o = getattr(p, side)
                if isinstance(o, gast.Name) and o.id == t:
                    setattr(p, side, gast.UnaryOp(op=gast.USub(), operand=clone(s.value.operand)))
            Folder().visit(m)
        del stmts[i]
        self.rewritten = [m for m, _ in uses]
        return True

    def try_inline_packed(self, stmts, i):
        """``dW = e; ...; dparams = add_at(dparams, i, (dW, db))`` -> ``e`` in the tuple, when
        ``dW`` is read nowhere else, nothing between changes what ``e`` reads, and the line still
        fits: a container's adjoint built by index in one line, as by hand."""
        s = stmts[i]
        if not (isinstance(s, gast.Assign) and len(s.targets) == 1 and
                isinstance(s.targets[0], gast.Name) and not any(isinstance(n, gast.Call) and stack_call(n) for n in walk(s.value)) and
                self.pure_expr(s.value)):
            return False
        t = s.targets[0].id
        loads_, stores_ = self.counts_cache
        if t not in self.adjoints or t in self.params or t in self.seeds or \
                stores_.get(t) != 1 or loads_.get(t) != 1:
            return False
        reads = loads_of(s.value)
        for j in range(i + 1, len(stmts)):
            m = stmts[j]
            if t not in self.mentions(m):
                if self.touched(m) & reads or not isinstance(m, gast.Assign):
                    return False
                continue
            packs = [p for p in walk(m) if isinstance(p, gast.Tuple) and any(
                isinstance(e, gast.Name) and e.id == t for e in p.elts)]
            if not isinstance(m, gast.Assign) or len(packs) != 1:
                return False
            tuple_ = packs[0]
            k = next(k for k, e in enumerate(tuple_.elts) if isinstance(e, gast.Name) and e.id == t)
            tuple_.elts[k] = clone(s.value)
            if 4 * len(self.chain) + len(ast.unparse(gast.gast_to_ast(m))) > PACKED_WIDTH:
                tuple_.elts[k] = gast.Name(id=t, ctx=gast.Load(), annotation=None,
                                           type_comment=None)
                return False
            del stmts[i]
            self.rewritten = [m]
            return True
        return False

    def aliases(self, n):
        """``n`` and every name that may share its memory: views of it, what it is a view of,
        and theirs in turn (``self.views``, both ways)."""
        links = {}
        for base, views in self.views.items():
            for v in views:
                links.setdefault(base, set()).add(v)
                links.setdefault(v, set()).add(base)
        out, todo = set(), [n]
        while todo:
            m = todo.pop()
            if m not in out:
                out.add(m)
                todo.extend(links.get(m, ()))
        return out

    def try_cancel_reset(self, stmts, i):
        """``t = d[k]; d[k] = 0.0; ...; d[k] += t`` -> ``t = d[k]; ...`` when nothing between
        touches ``d[k]`` or ``t`` (the adjoint of ``x[k] = x[k] + ...``: ``d[k]`` keeps its
        value)."""
        if i + 2 >= len(stmts):
            return False
        s, zero = stmts[i], stmts[i + 1]
        if not (isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and
                isinstance(s.value, gast.Subscript) and isinstance(s.value.value, gast.Name) and
                isinstance(zero, gast.Assign) and isinstance(zero.targets[0], gast.Subscript) and
                text(zero.targets[0]) == text(s.value) and
                isinstance(zero.value, gast.Constant) and zero.value.value == 0):
            return False
        t, d, k = s.targets[0].id, s.value.value.id, s.value.slice
        for j in range(i + 2, len(stmts)):
            m = stmts[j]
            if isinstance(m, gast.AugAssign) and isinstance(m.op, gast.Add) and \
                    text(m.target) == text(zero.targets[0]) and \
                    isinstance(m.value, gast.Name) and m.value.id == t:
                del stmts[j]
                del stmts[i + 1]
                return True
            if stored(m, {t, d}) or not elsewhere_in(m, d, k):
                return False
        return False


def rebinds_after_reading(s, a):
    """``b = e(a)``: the last reader binds only plain names, not ``a``, after reading (``dy =
    -dy_next * c`` may read ``dy`` instead of its copy ``dy_next``)."""
    return isinstance(s, gast.Assign) and all(isinstance(t, gast.Name) and t.id != a
                                              for t in s.targets)


def merged_accumulation(s, m):
    """``d += a`` and ``d += b`` (or ``-=``) as one statement."""
    left, right, op = s.value, m.value, s.op
    if type(s.op) is not type(m.op):   # d += a; d -= b -> d += a - b; d -= a; d += b -> d -= a - b
        return gast.AugAssign(target=s.target, op=s.op,
                              value=gast.BinOp(left=left, op=gast.Sub(), right=right))
    if isinstance(op, gast.Add) and unnegated(left) is not None and unnegated(right) is not None:
        left, right, op = unnegated(left), unnegated(right), gast.Sub()
    value = gast.BinOp(left=left, op=gast.Add(), right=right)
    return gast.AugAssign(target=s.target, op=op, value=value)


def accumulated_name(s):
    """``d`` of ``d = e``, ``d += e`` or ``d -= e``; else None."""
    if isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name):
        return s.targets[0].id
    if isinstance(s, gast.AugAssign) and isinstance(s.op, (gast.Add, gast.Sub)) and \
            isinstance(s.target, gast.Name):
        return s.target.id
    return None


def loads_of(node):
    return {n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


def changed_names(s):
    """The names ``s`` binds or changes in place (``x[i] = v``, ``x += v``, ``x.m(...)``: a
    method may change its object)."""
    out = set()
    for n in walk(s):
        if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load):
            out.add(n.id)
        elif isinstance(n, (gast.Subscript, gast.Attribute)) and isinstance(n.ctx, gast.Store):
            out |= {b.id for b in walk(n.value) if isinstance(b, gast.Name)}
        elif isinstance(n, gast.AugAssign):
            out |= {b.id for b in walk(n.target) if isinstance(b, gast.Name)}
        elif isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and \
                isinstance(n.func.value, gast.Name):
            out.add(n.func.value.id)
    return out


def jumps(s):
    return any(isinstance(n, (gast.Break, gast.Continue, gast.Return)) for n in walk(s))
