"""Clean generated code to hand-written shape.

Passes, repeated until nothing changes: zero adjoints propagated (``dx = 0.0; dx += a`` becomes
``dx = a``, contributions of a zero vanish), dead code removed (with the pushes of values no
one pops), single-use temporaries inlined, empty blocks dropped. Last, ``+=`` on arrays that
may share memory with another name becomes ``d = d + e``.
"""

import gast

from .analysis import SCALAR
from .accumulate import Accumulation
from .build import is_reversal, loads, stores
from .copies import CopyPasses
from .reaching import reached_loads
from .restores import unseen_changes
from .walk import clone, fingerprint, walk, walk_stmts

PURE_CALLS = {"range", "reversed", "len"}


def header(s):
    """The expressions a statement evaluates itself (not its nested blocks)."""
    if isinstance(s, gast.Assign):
        parts = [s.value] + [t for t in s.targets if not isinstance(t, gast.Name)]
        return parts
    if isinstance(s, gast.AugAssign):
        return [s.value, s.target]
    if isinstance(s, (gast.If, gast.While)):
        return [s.test]
    if isinstance(s, gast.For):
        return [s.iter]
    if isinstance(s, (gast.Expr, gast.Return)):
        return [s.value] if s.value is not None else []
    if isinstance(s, (gast.Assert,)):
        return [s.test] + ([s.msg] if s.msg else [])
    if isinstance(s, gast.Raise):
        return [x for x in (s.exc, s.cause) if x is not None]
    return []


def uses(s):
    names = set()
    for h in header(s):
        names |= loads(h)
    if isinstance(s, gast.AugAssign) and isinstance(s.target, gast.Name):
        names.add(s.target.id)
    return names


def written(s):
    """Names an assignment changes: its bound names, or an augmented target's base."""
    if isinstance(s, gast.AugAssign):
        t = s.target
        base = t if isinstance(t, gast.Name) else t.value if isinstance(t, gast.Subscript) else None
        return {base.id} if isinstance(base, gast.Name) else set()
    return stores(s) | {t.value.id for t in s.targets
                        if isinstance(t, gast.Subscript) and isinstance(t.value, gast.Name)}


def modified(s):
    """Names a statement changes in any way (bind, augment, subscript store), at any depth."""
    out = set()
    for n in walk(s):
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store):
            out.add(n.id)
        elif isinstance(n, gast.Subscript) and isinstance(n.ctx, gast.Store) and \
                isinstance(n.value, gast.Name):
            out.add(n.value.id)
        elif isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and \
                n.func.attr in ("append", "pop") and isinstance(n.func.value, gast.Name):
            out.add(n.func.value.id)     # a list changed in place
    return out


def is_pop(node):
    return any(isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and n.func.attr == "pop"
               for n in walk(node))


def is_push(s):
    return isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and \
        isinstance(s.value.func, gast.Attribute) and s.value.func.attr == "append"


def is_init(s):
    return isinstance(s, gast.Assign) and isinstance(s.value, gast.List) and not s.value.elts


def has_call(node):
    return any(isinstance(n, gast.Call) for n in walk(node))


def is_marker(s):
    return isinstance(s, gast.Expr) and isinstance(s.value, gast.Constant) and isinstance(
        s.value.value, str)


def is_zero(value):
    if isinstance(value, gast.Constant) and not isinstance(value.value, bool) and \
            isinstance(value.value, (int, float)) and value.value == 0:
        return True
    if isinstance(value, gast.Call):
        f = value.func
        fname = f.id if isinstance(f, gast.Name) else f.attr if isinstance(f, gast.Attribute) else ""
        return fname == "zeros_like"
    return False


class Optimizer(CopyPasses):
    def __init__(self, rev, runtime=None, pure=None):
        self.runtime = runtime or {}
        self.pure = pure or (lambda call: True)    # a call that is not pure is never moved or dropped
        self.tree = rev.tree
        self.adjoints = rev.adjoints
        self.temps = rev.temps
        self.pairs = rev.pairs
        self.kinds = rev.kinds
        self.seeds = rev.seeds
        self.dense = set(rev.dense)
        self.inherited = rev.inherited
        self.params = {a.id for a in self.tree.args.args + self.tree.args.kwonlyargs}
        self.remembered = {}
        self.shaped_temps = set()

    def run(self):
        before = fingerprint(self.tree)
        for _ in range(12):
            self.forget()
            self.zeros(self.tree.body, set())
            self.forget()
            self.dead_code()
            self.forget()
            self.counts_cache = self.counts()   # inlining moves uses, it never copies them
            self.views = self.view_names()
            self.inline(self.tree.body)
            unseen = unseen_changes(self.tree.body, self.pairs, self.runtime)
            if unseen:
                self.remove_ids(self.tree.body, unseen)
                self.pairs = [(p, q) for p, q in self.pairs if id(q) not in unseen]
            self.tidy(self.tree.body)
            after = fingerprint(self.tree)
            if after == before:
                break
            before = after
        self.fold(self.tree)
        accumulation = Accumulation(self.adjoints, self.kinds, self.runtime)
        accumulation.sequences(self.tree.body)
        accumulation.share(self.tree.body, set(s for s in self.seeds if self.kinds.get(s) != SCALAR))
        self.drop_unused_stack()
        self.appends(self.tree.body)
        return self.tree

    def appends(self, stmts):
        """``lst = appended(lst, v)`` (the core language's in-place append) prints as
        ``lst.append(v)``."""
        helper = self.runtime.get("appended", "appended")
        for i, s in enumerate(stmts):
            for field in ("body", "orelse"):
                if isinstance(getattr(s, field, None), list):
                    self.appends(getattr(s, field))
            v = getattr(s, "value", None)
            if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and \
                    isinstance(v, gast.Call) and isinstance(v.func, gast.Name) and \
                    v.func.id == helper and len(v.args) == 2 and \
                    isinstance(v.args[0], gast.Name) and v.args[0].id == s.targets[0].id:
                method = gast.Attribute(value=v.args[0], attr="append", ctx=gast.Load())
                stmts[i] = gast.Expr(value=gast.Call(func=method, args=[v.args[1]], keywords=[]))
                stmts[i].lineno = s.lineno

    # ---- facts of a node, remembered while a pass does not change it -----------------------
    def memo(self, fact, node):
        """``fact(node)`` remembered by node identity; each pass starts afresh (``forget``),
        and the node is held so its id cannot be reused while remembered."""
        key = (fact, id(node))
        hit = self.remembered.get(key)
        if hit is None or hit[0] is not node:
            value = fact(node)
            hit = self.remembered[key] = (node, frozenset(value) if type(value) is set else value)
        return hit[1]

    def forget(self):
        self.remembered = {}

    # ---- zero adjoints --------------------------------------------------------------------
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
            s.value = self.without_zero_terms(s.value, zero)
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

    # ---- dead code ---------------------------------------------------------------------------
    def dead_code(self):
        for _ in range(6):
            self.dead_pops = []
            live = self.live_block(self.tree.body, set(), None, remove=True)
            if not self.dead_pops:
                return
            drop = set()
            for pushes, pop in self.pairs:
                if any(pop is d for d in self.dead_pops):
                    drop |= {id(p) for p in pushes} | {id(pop)}
            drop |= self.unread_tapes()
            self.remove_ids(self.tree.body, drop)
            self.pairs = [(p, q) for p, q in self.pairs if id(q) not in drop]
            del live

    def unread_tapes(self):
        """Statements of the input's stacks when every value popped from them is dead (the
        pairing of their pushes and pops is not known here, so it is all or nothing)."""
        dead = {id(d) for d in self.dead_pops}
        drop = set()
        for tape in self.inherited:
            mine = [s for s in walk_stmts(self.tree.body) if tape in {
                n.id for n in walk(s if not isinstance(s, (gast.If, gast.For, gast.While))
                                        else (s.test if not isinstance(s, gast.For) else s.iter))
                if isinstance(n, gast.Name)}]
            pops = [s for s in mine if not (isinstance(s, gast.Expr) or is_init(s))]
            if pops and all(id(s) in dead for s in pops):
                drop |= {id(s) for s in mine}
        return drop

    def remove_ids(self, stmts, drop):
        stmts[:] = [s for s in stmts if id(s) not in drop]
        for s in stmts:
            for field in ("body", "orelse"):
                if isinstance(getattr(s, field, None), list):
                    self.remove_ids(getattr(s, field), drop)

    def live_block(self, stmts, live, loop, remove):
        """Backward liveness; with ``remove`` drops dead statements. Returns live-in."""
        keep = []
        for s in reversed(stmts):
            live, alive = self.live_stmt(s, live, loop, remove)
            if alive or not remove:
                keep.append(s)
        if remove:
            stmts[:] = list(reversed(keep))
        return live

    def live_stmt(self, s, live, loop, remove):
        if isinstance(s, gast.Assign):
            names = stores(s)
            sub_target = any(not isinstance(t, (gast.Name, gast.Tuple, gast.List)) for t in s.targets)
            base = s.targets[0].value if sub_target else None
            if sub_target and isinstance(base, gast.Name) and base.id in self.adjoints and \
                    base.id not in live and not self.memo(is_pop, s.value):
                return live, False    # an element of a derivative no one reads any more
            if not sub_target and not (names & live) and self.memo(self.pure_expr, s.value):
                if self.memo(is_pop, s.value):
                    if remove:
                        self.dead_pops.append(s)
                    return live, True
                return live, False
            return (live - names) | self.memo(uses, s), True
        if isinstance(s, gast.AugAssign):
            t = s.target
            base = t.id if isinstance(t, gast.Name) else t.value.id if isinstance(t, gast.Subscript) \
                and isinstance(t.value, gast.Name) else None
            if base is not None and base not in live and not self.memo(is_pop, s.value):
                return live, False
            return live | self.memo(uses, s), True
        if isinstance(s, gast.If):
            l1 = self.live_block(s.body, set(live), loop, remove)
            l2 = self.live_block(s.orelse, set(live), loop, remove)
            if remove and not s.body and not s.orelse:
                if self.memo(is_pop, s.test):
                    self.dead_pops.append(s)
                    return live | self.memo(uses, s), True
                if not has_call(s.test):
                    return live, False
            return l1 | l2 | self.memo(uses, s), True
        if isinstance(s, (gast.For, gast.While)):
            if remove and self.faint_loop(s, live):
                return live, False
            exit_live = set(live)
            head = set(live) | self.memo(uses, s)
            for _ in range(len(s.body) + 3):
                body_in = self.live_block(s.body, set(head), (exit_live, head), False)
                new = head | body_in
                if isinstance(s, gast.For):
                    new = (new - {s.target.id}) | self.memo(uses, s) | exit_live
                if new == head:
                    break
                head = new
            self.live_block(s.body, set(head), (exit_live, head), remove)
            if remove and not s.body and not (isinstance(s, gast.For) and s.target.id in live):
                if self.memo(is_pop, s.iter if isinstance(s, gast.For) else s.test):
                    self.dead_pops.append(s)
                    return head, True
                node = s.iter if isinstance(s, gast.For) else s.test
                if all(isinstance(n.func, gast.Name) and n.func.id in PURE_CALLS
                       for n in walk(node) if isinstance(n, gast.Call)):
                    return live, False
            return head, True
        if isinstance(s, gast.Break):
            return set(loop[0]) if loop else live, True
        if isinstance(s, gast.Continue):
            return set(loop[1]) if loop else live, True
        if isinstance(s, gast.Return):
            return self.memo(uses, s), True
        return live | self.memo(uses, s), True

    def faint_loop(self, loop, live):
        """A loop whose statements only feed its own control (``while True: x = g(x); if x <
        c: break`` with ``x`` dead after it) computes nothing anyone reads."""
        header_node = loop.iter if isinstance(loop, gast.For) else loop.test
        if isinstance(loop, gast.For) and loop.target.id in live:
            return False
        if not self.memo(self.pure_expr, loop):     # a draw in it must still be made
            return False
        if any(isinstance(n, gast.Call) and not (isinstance(n.func, gast.Name) and n.func.id in
                                                  PURE_CALLS) for n in walk(header_node)):
            return False
        body = list(walk_stmts(loop.body))
        for b in body:
            if isinstance(b, (gast.Expr, gast.Return, gast.Assert, gast.Raise)) or (
                    isinstance(b, (gast.Assign, gast.AugAssign)) and (
                        self.memo(is_pop, b.value) or not stores(b) and not isinstance(b, gast.AugAssign))):
                return False
            if isinstance(b, (gast.If, gast.While, gast.For)) and self.memo(is_pop, 
                    b.iter if isinstance(b, gast.For) else b.test):
                return False
        needed, changed = set(live), True
        while changed:
            changed = False
            for b in body:
                if isinstance(b, (gast.Assign, gast.AugAssign)) and written(b) & needed:
                    new = self.memo(uses, b) - needed
                    needed |= new
                    changed = changed or bool(new)
        return not any(isinstance(b, (gast.Assign, gast.AugAssign)) and written(b) & needed
                       for b in body)

    # ---- single-use temporaries --------------------------------------------------------------
    def counts(self):
        loads_, stores_ = {}, {}
        for n in walk(self.tree):
            if isinstance(n, gast.Name):
                bucket = loads_ if isinstance(n.ctx, gast.Load) else stores_
                bucket[n.id] = bucket.get(n.id, 0) + 1
            elif isinstance(n, gast.AugAssign) and isinstance(n.target, gast.Name):
                loads_[n.target.id] = loads_.get(n.target.id, 0) + 1
        return loads_, stores_

    def inline(self, stmts, chain=()):
        """``chain``: (block, index) of each compound statement around ``stmts``."""
        for k, s in enumerate(stmts):
            for field in ("body", "orelse"):
                if isinstance(getattr(s, field, None), list):
                    self.inline(getattr(s, field), ((stmts, k),) + chain)
        i = 0
        while i < len(stmts):
            self.chain = ((stmts, i),) + chain
            if self.try_inline(stmts, i) or self.try_coalesce(stmts, i) or \
                    self.try_forward_copy(stmts, i) or self.try_rename_definition(stmts, i) or \
                    self.try_merge_accumulations(stmts, i) or self.try_cancel_reset(stmts, i):
                continue
            i += 1

    def pure_expr(self, node):
        return all(self.pure(n) for n in walk(node) if isinstance(n, gast.Call))

    def single_use_temp(self, tname):
        loads_, stores_ = self.counts_cache
        return tname in self.temps and stores_.get(tname) == 1 and loads_.get(tname) == 1

    def read_once_here(self, t):
        """A temporary bound more than once whose binding at ``self.chain`` is read once."""
        loads_, stores_ = self.counts_cache
        return t in self.temps and stores_.get(t, 0) > 1 and reached_loads(self.chain, t) == 1

    def try_inline(self, stmts, i):
        s = stmts[i]
        if not (isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)):
            return False
        t = s.targets[0].id
        if not (self.single_use_temp(t) or self.read_once_here(t)) or is_pop(s.value) or \
                not self.pure_expr(s.value):
            return False
        reads = loads(s.value)
        for j in range(i + 1, len(stmts)):
            m = stmts[j]
            if t in {n.id for n in walk(m) if isinstance(n, gast.Name)}:
                if isinstance(m, gast.While) or is_push(m):
                    return False    # a push saves a name: a transform again pairs it with a pop
                for h in header(m):
                    if isinstance(m, gast.AugAssign) and h is m.target:
                        if not isinstance(h, gast.Subscript):
                            continue
                        h = h.slice     # d[i - 1] += v: the index may take it, d may not
                    for parent in walk(h):
                        for field, value in gast.iter_fields(parent):
                            if isinstance(value, gast.Name) and value.id == t:
                                setattr(parent, field, clone(s.value))
                                del stmts[i]
                                return True
                            if isinstance(value, list):
                                for k, v in enumerate(value):
                                    if isinstance(v, gast.Name) and v.id == t:
                                        value[k] = clone(s.value)
                                        del stmts[i]
                                        return True
                    if isinstance(h, gast.Name) and h.id == t:
                        replaced = self.replace_header(m, h, s.value)
                        if replaced:
                            del stmts[i]
                            return True
                return False
            if self.touched(m) & (reads | {t}):
                return False
        return False

    VIEWING = {"reshape", "transpose", "ravel", "squeeze", "swapaxes", "moveaxis", "expand_dims",
               "broadcast_to", "diagonal", "flip", "asarray", "T", "view", "unbroadcast",
               "broadcast_like", "unreduce", "fliplr", "flipud", "atleast_1d", "atleast_2d",
               "atleast_3d", "asanyarray", "split", "array_split", "hsplit", "vsplit", "dsplit",
               "diag"}

    def view_names(self):
        """name -> names that may be views of it (``v = x[1:3]``, ``v = x.T``...), so that
        changing ``x`` in place stops an expression reading ``v`` from moving past it."""
        views = {}
        for n in walk(self.tree):
            if not (isinstance(n, gast.Assign) and isinstance(n.targets[0], gast.Name)):
                continue
            base = self.view_base(n.value)
            if base is not None:
                views.setdefault(base.id, set()).add(n.targets[0].id)
        return views

    def view_base(self, v):
        """The name whose memory ``v`` may be (a view of), through subscripts and viewing
        calls (``np.array_split(x, 2)[0]`` is a view of ``x``); None for a new value."""
        while not isinstance(v, gast.Name):
            if isinstance(v, (gast.Subscript, gast.Attribute)):
                v = v.value
            elif isinstance(v, gast.Call) and isinstance(v.func, (gast.Attribute, gast.Name)):
                fname = v.func.attr if isinstance(v.func, gast.Attribute) else v.func.id
                if fname not in self.VIEWING:
                    return None
                v = v.args[0] if v.args else getattr(v.func, "value", None)
            else:
                return None
        return v

    def touched(self, m):
        """Names whose values a statement may change: what it modifies, and views of that."""
        out, todo = set(), list(modified(m))
        while todo:
            n = todo.pop()
            if n not in out:
                out.add(n)
                todo.extend(self.views.get(n, ()))
        return out

    def replace_header(self, m, h, value):
        if isinstance(m, gast.AugAssign) and isinstance(m.target, gast.Subscript) and \
                m.target.slice is h:
            m.target.slice = clone(value)
            return True
        for field in ("value", "test", "iter"):
            if getattr(m, field, None) is h:
                setattr(m, field, clone(value))
                return True
        return False

    def try_coalesce(self, stmts, i):
        """``a_t, b_t = e; ...; da = a_t`` -> ``da, b_t = e`` when ``da`` is untouched between."""
        s = stmts[i]
        if not (isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Tuple)):
            return False
        for e in s.targets[0].elts:
            if not self.single_use_temp(e.id):
                continue
            for j in range(i + 1, len(stmts)):
                m = stmts[j]
                if isinstance(m, gast.Assign) and isinstance(m.targets[0], gast.Name) and \
                        isinstance(m.value, gast.Name) and m.value.id == e.id:
                    x = m.targets[0].id
                    between = stmts[i + 1:j]
                    if x in loads(s.value) or any(
                            x in {n.id for n in walk(b) if isinstance(n, gast.Name)} for b in between):
                        break
                    e.id = x
                    del stmts[j]
                    return True
                if e.id in {n.id for n in walk(m) if isinstance(n, gast.Name)}:
                    break
        return False

    # ---- tidy ------------------------------------------------------------------------------
    def tidy(self, stmts):
        out = []
        for s in stmts:
            if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and \
                    isinstance(s.value, gast.Name) and s.value.id == s.targets[0].id:
                continue
            for field in ("body", "orelse"):
                if isinstance(getattr(s, field, None), list):
                    self.tidy(getattr(s, field))
            if isinstance(s, gast.For) and is_reversal(s.iter):
                s.iter = gast.Call(func=gast.Name(id="reversed", ctx=gast.Load(), annotation=None,
                                                  type_comment=None), args=[s.iter.value], keywords=[])
            if isinstance(s, gast.If) and not s.body and s.orelse:
                s.test = negate(s.test)
                s.body, s.orelse = s.orelse, []
            out.append(s)
        stmts[:] = out

    def fold(self, tree):
        Folder().visit(tree)

    def drop_unused_stack(self):
        body = self.tree.body
        mentions = {}
        for n in walk(self.tree):
            if isinstance(n, gast.Name):
                mentions[n.id] = mentions.get(n.id, 0) + 1
        body[:] = [s for s in body if not (
            isinstance(s, gast.Assign) and isinstance(s.value, gast.List) and not s.value.elts
            and isinstance(s.targets[0], gast.Name) and mentions[s.targets[0].id] == 1)]
        markers = [i for i, s in enumerate(body) if is_marker(s)]
        if len(markers) == 2 and markers[1] == markers[0] + 1:
            del body[markers[1]]
            del body[markers[0]]

def negate(test):
    if isinstance(test, gast.UnaryOp) and isinstance(test.op, gast.Not):
        return test.operand
    return gast.UnaryOp(op=gast.Not(), operand=test)


class Folder(gast.NodeTransformer):
    """Arithmetic on constants, ``e ** 1`` -> ``e``."""

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
        return node

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, gast.USub) and isinstance(node.operand, gast.UnaryOp) and \
                isinstance(node.operand.op, gast.USub):
            return node.operand.operand
        return node
