"""Clean generated code to hand-written shape.

Passes, repeated until nothing changes: zero adjoints propagated (``dx = 0.0; dx += a`` becomes
``dx = a``, contributions of a zero vanish), dead code removed (with the pushes of values no
one pops), single-use temporaries inlined, empty blocks dropped. Then scalars stay scalar
(``scalars``), constants fold (``tidying``), and ``+=`` on arrays that may share memory with
another name becomes ``d = d + e``.
"""

import gast

from .accumulate import Accumulation
from .algebra import Folder
from .analysis import SCALAR
from .batching import Batching
from .build import loads
from .copies import CopyPasses
from .liveness import DeadCode
from .reaching import name_loads, names_in, reached_loads
from .restores import unseen_changes
from .scalars import ScalarFactors
from .tidying import drop_unused_stack, element_loops, print_appends, return_directly, tidy
from .tree_facts import header, is_pop, is_push, modified
from .trip_lists import trip_lists
from .walk import clone, fingerprint, walk
from .zero_adjoints import ZeroAdjoints


_MISSING = object()


class Remembering:
    """Facts of nodes, remembered while a pass does not change them."""

    def memo(self, fact, node):
        """``fact(node)`` remembered by node identity; each pass starts afresh (``forget``),
        and the node is held so its id cannot be reused while remembered."""
        entry = self.remembered.get(id(node))
        if entry is None or entry[0] is not node:
            entry = self.remembered[id(node)] = (node, {})
        facts = entry[1]
        value = facts.get(fact, _MISSING)
        if value is _MISSING:
            value = fact(node)
            value = facts[fact] = frozenset(value) if type(value) is set else value
        return value

    def forget(self):
        self.remembered = {}

    def forget_rewritten(self):
        """After an inlining pass changed the block at ``self.chain``: forget what it said
        it rewrote in place (``self.rewritten``, statements of that block, None: it did not
        say, so everything) and the compound statements around the block. Statements it
        replaced or deleted are new nodes or gone."""
        if self.rewritten is None:
            return self.forget()
        for s in self.rewritten:
            for n in walk(s):
                self.remembered.pop(id(n), None)
        for outer, k in self.chain[1:]:
            self.remembered.pop(id(outer[k]), None)


class Optimizer(Remembering, DeadCode, CopyPasses, ZeroAdjoints):
    def __init__(self, rev, runtime=None, pure=None, listing=True, keep_loops=frozenset()):
        self.runtime = runtime or {}
        self.pure = pure or (lambda call: True)    # a call that is not pure is never moved or dropped
        self.tree = rev.tree
        self.adjoints = rev.adjoints
        self.temps = rev.temps
        self.pairs = rev.pairs
        self.kinds = rev.kinds
        self.arrays = rev.arrays
        self.listing = listing      # loops may keep lists of trips (not in a split derivative)
        self.keep_loops = keep_loops    # lines of index loops that stay so (checkpointed)
        self.sinking = False
        self.seeds = rev.seeds
        self.dense = set(rev.dense)
        self.inherited = rev.inherited
        self.params = {a.id for a in self.tree.args.args + self.tree.args.kwonlyargs}
        self.remembered = {}
        self.shaped_temps = set()
        self.scalar_factors = ScalarFactors(self.tree, self.adjoints, dict(rev.shapes),
                                            rev.scalars, self.runtime.get("np", "np"),
                                            [self.runtime.get("scaled", "scaled")])

    def run(self):
        unreduce = self.runtime.get("unreduce", "unreduce")
        self.scalar_factors.note_full_spreads(unreduce)
        self.clean()
        self.scalar_factors.shape_reads({self.runtime.get(h, h): k for h, k in (
            ("unreduce", 1), ("unbroadcast", 1), ("shape_of", 0))})
        self.scalar_factors.unbroadcasts(self.runtime.get("unbroadcast", "unbroadcast"))
        if self.scalar_factors.lazy_reductions(unreduce):
            self.clean()
        self.scalar_factors.static_spreads(unreduce)
        Folder().visit(self.tree)
        self.scalar_factors.products()
        self.sink_arrays()
        accumulation = Accumulation(self.adjoints, self.kinds, self.runtime)
        accumulation.sequences(self.tree.body)
        accumulation.share(self.tree.body, set(s for s in self.seeds if self.kinds.get(s) != SCALAR))
        drop_unused_stack(self.tree)
        Batching(self.tree, self.pairs).run()
        lists = trip_lists(self.tree, self.pairs, self.temps) if self.listing else []
        self.trip_list_names = frozenset(pop.targets[0].id for _, pop in lists)
        if lists:
            Batching(self.tree, self.pairs + lists).run()
        return_directly(self.tree.body)
        print_appends(self.tree.body, self.runtime.get("appended", "appended"))
        element_loops(self.tree, self.keep_loops)
        return self.tree

    def sink_arrays(self):
        """Once the shapes are settled (no ``unreduce`` reads an array any more): arrays read
        once are made where they are read (``array_read_once``)."""
        if not self.arrays:
            return
        self.sinking = True
        self.stored_into = {n.value.id for n in walk(self.tree) if isinstance(n, gast.Subscript)
                            and not isinstance(n.ctx, gast.Load) and
                            isinstance(n.value, gast.Name)}     # x[i] = v: x stays a name
        self.forget()
        self.counts_cache = self.counts()
        self.views = self.view_names()
        self.inline(self.tree.body)
        self.sinking = False
        tidy(self.tree.body)

    def clean(self):
        """The passes, repeated until the tree no longer changes."""
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
            tidy(self.tree.body)
            after = fingerprint(self.tree)
            if after == before:
                break
            before = after

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
            self.chain, self.rewritten = ((stmts, i),) + chain, None
            if self.try_inline(stmts, i) or self.try_coalesce(stmts, i) or \
                    self.try_forward_copy(stmts, i) or self.try_forward_pack(stmts, i) or \
                    self.try_rename_definition(stmts, i) or \
                    self.try_merge_accumulations(stmts, i) or \
                    self.try_sink_accumulation(stmts, i) or self.try_cancel_reset(stmts, i) or \
                    self.try_inline_negation(stmts, i) or self.try_inline_packed(stmts, i):
                self.forget_rewritten()     # what was remembered of them may be stale
                continue
            i += 1

    def mentions(self, stmt):
        """The names in ``stmt`` (remembered until the tree changes)."""
        return self.memo(names_in, stmt)

    def pure_expr(self, node):
        return all(self.pure(n) for n in walk(node) if isinstance(n, gast.Call))

    def single_use_temp(self, tname):
        loads_, stores_ = self.counts_cache
        return tname in self.temps and stores_.get(tname) == 1 and loads_.get(tname) == 1

    def array_read_once(self, t):
        """An array of the user's, bound once in straight-line code and read once, later: made
        where it is read (``db = 2 * dout * (1.0 - x[:-1])``), NumPy then reuses the memory of
        its temporaries instead of allocating ``b`` and ``db`` both."""
        loads_, stores_ = self.counts_cache
        return self.sinking and len(self.chain) == 1 and stores_.get(t) == 1 and \
            loads_.get(t) == 1 and t in self.arrays and t not in self.stored_into and t not in self.params and t not in self.adjoints

    def read_once_here(self, t):
        """A temporary bound more than once whose binding at ``self.chain`` is read once."""
        loads_, stores_ = self.counts_cache
        if t not in self.temps or stores_.get(t, 0) < 2:
            return False
        block, i = self.chain[0]
        return sum(name_loads(m, t) for m in block[i + 1:]) == 1 and \
            reached_loads(self.chain, t, self.mentions) == 1

    def try_inline(self, stmts, i):
        s = stmts[i]
        if not (isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)):
            return False
        t = s.targets[0].id
        if is_pop(s.value) or not self.pure_expr(s.value) or \
                not (self.single_use_temp(t) or self.read_once_here(t) or
                     self.array_read_once(t)):
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
                                self.rewritten = [m]
                                return True
                            if isinstance(value, list):
                                for k, v in enumerate(value):
                                    if isinstance(v, gast.Name) and v.id == t:
                                        value[k] = clone(s.value)
                                        del stmts[i]
                                        self.rewritten = [m]
                                        return True
                    if isinstance(h, gast.Name) and h.id == t:
                        replaced = self.replace_header(m, h, s.value)
                        if replaced:
                            del stmts[i]
                            self.rewritten = [m]
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
