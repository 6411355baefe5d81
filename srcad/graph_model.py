"""The computation graph of a function as srcad's core language sees it (``srcad.graph``):
one node per core statement, data-flow edges from each binding to the statements it reaches,
loops and branches as nested clusters, activity from the analysis and the values the reverse
sweep pushes on its stack from the reverse transform itself, so the picture shows what the
generated derivative really does. Rendering is ``graph_dot``'s; the public face ``drawing``'s.
"""
import ast
from dataclasses import dataclass, field

import gast
import numpy as np

from .analysis import analyze, assigned_names, is_user_function, loaded_names, targets
from .frontend import read_function
from .kinds import SCALAR, UNKNOWN, ndim_of
from .optimize import Optimizer
from .pipeline import helper_deriver, helper_results, lowered, pure_in
from .normalize import local_targets
from .purity import Purity
from .reverse import ReverseMode
from .tree_facts import is_push
from .value_lattice import Array, Scalar
from .values import infer_values
from .walk import walk

LABEL_WIDTH = 44    # longer statements are cut short in a node (the tooltip has them whole)


@dataclass(frozen=True)
class Saved:
    """A value the forward sweep pushes on the stack for the reverse sweep."""
    name: str
    line: int
    size: str       # "96 B" when the example arguments give its shape, else its kind
    loops: tuple    # labels of the loops around the push: it is pushed once per trip
    control: bool = False   # a branch flag or a trip count, not a value of the function

    def describe(self):
        where = f" per trip of {self.loops[-1]}" if self.loops else ""
        return f"{self.name} (line {self.line}: {self.size}{where})"


@dataclass
class Node:
    id: str
    label: str
    kind: str           # "param", "op", "loop" (a for's target), "test", "jump" or "return"
    names: tuple        # what it binds
    line: int
    order: int          # position in the function: edges are listed in this order
    loops: tuple = ()   # labels of the loops around it
    active: bool = False
    wrt: bool = False
    saved: list = field(default_factory=list)
    why: str = ""       # for an inactive binding: why it carries no derivative
    source: str = ""    # the whole statement


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    name: str
    active: bool
    carried: bool       # from a later statement of a loop: the value of the previous trip


@dataclass
class Cluster:
    id: str
    label: str
    kind: str           # "root", "loop", "branch" or "else"
    members: list = field(default_factory=list)     # node ids, in order
    children: list = field(default_factory=list)


@dataclass
class Model:
    name: str
    filename: str
    params: tuple
    wrt: tuple
    specialised: bool
    nodes: dict         # id -> Node, in order
    edges: list
    root: Cluster

    @property
    def saved(self):
        return [s for n in self.nodes.values() for s in n.saved]


def text(node):
    """Python source of a core node, on one line."""
    return ast.unparse(gast.gast_to_ast(node)).replace("\n", " ")


def shortened(s, width=LABEL_WIDTH):
    return s if len(s) <= width else s[:width - 3] + "..."


def size_of(name, values, kinds):
    """Bytes of one saved value when the example arguments fix its shape, else its kind."""
    v = values.get(name) if values is not None else None
    dtype = getattr(v, "dtype", None)
    itemsize = dtype.itemsize if isinstance(dtype, np.dtype) else \
        8 if isinstance(v, Scalar) and v.type in (float, int) else None
    shape = values.shape(name) if values is not None else None
    if itemsize is not None and shape is not None and isinstance(v, (Array, Scalar)):
        return f"{int(np.prod(shape, dtype=np.int64)) * itemsize} B"
    kind = kinds.get(name) or UNKNOWN
    if kind == SCALAR:
        return "8 B" if values is not None else "a number"
    nd = ndim_of(kind)
    return f"a {nd}-d array" if nd else "a value of unknown kind"


def lowered_facts(fn, wrt, kinds, values):
    """``fn`` lowered and analysed as ``pipeline.derive`` does: (parsed, namer, the runtime's
    names, the names lowering made, the core function, its facts)."""
    parsed, before, namer, runtime_names, core = lowered(fn, kinds)
    known = infer_values(core, dict(values), parsed.scope, helper_results((fn.__code__,), [])) \
        if values is not None else None
    facts = analyze(core, wrt, kinds, parsed, known)
    return parsed, namer, runtime_names, local_targets(core) - before, core, facts


def reverse_plan(fn, lowering):
    """Run the reverse transform and its cleanup on the lowered function (which they change:
    draw it first): the ReverseMode with its save decisions, the names the generated code
    pushes on its stacks, and the control pushes it keeps: (the reverse ``if`` popping a
    branch flag or the reverse loop popping a trip count, its pushes)."""
    parsed, namer, runtime_names, generated, core, facts = lowering
    purity = Purity(read_function, is_user_function)
    externals = dict(parsed.scope.nested)
    derive_helper = helper_deriver("parts", namer, externals, [], (fn.__code__,), purity)
    mode = ReverseMode(core, facts, parsed, namer, runtime_names, derive_helper, "vjp",
                       generated, purity)
    rev = mode.run(f"{fn.__name__}_graph")
    tree = Optimizer(rev, runtime_names, pure_in(parsed.scope, purity, externals)).run()
    pushed, kept = set(), set()
    for s in walk(tree):
        if is_push(s) and isinstance(s.value.func.value, gast.Name) and \
                s.value.func.value.id in rev.tapes:
            pushed |= {n.id for n in walk(s.value) if isinstance(n, gast.Name)}
            kept.add(id(s))
    controls = [(pop, pushes) for pushes, pop in mode.pairs
                if isinstance(pop, (gast.If, gast.For)) and any(id(p) in kept for p in pushes)]
    return mode, pushed, controls


class Builder:
    """Walks the core function once to make nodes and clusters, then follows its data flow
    (reaching bindings over structured control flow) to make edges: once with each loop body
    followed once, then twice; the edges only the second finds carry a value to the next
    trip."""

    def __init__(self, parsed, core, facts, wrt):
        self.parsed, self.core, self.facts, self.wrt = parsed, core, facts, wrt
        self.nodes, self.of_stmt, self.edges = {}, {}, {}
        self.loops = []
        self.clusters = 0
        self.compound = []      # (if, for or while statement, its node), in order
        self.trips = 2          # how often flow() follows a loop's body

    def node(self, kind, label, names, line, stmt=None, source=""):
        n = Node(f"n{len(self.nodes)}", shortened(label), kind, tuple(names), line,
                 len(self.nodes), tuple(self.loops), source=source or label)
        self.nodes[n.id] = n
        if stmt is not None:
            self.of_stmt[id(stmt)] = n
        return n

    def cluster(self, label, kind):
        self.clusters += 1
        return Cluster(f"cluster_{self.clusters}", shortened(label), kind)

    # ---- nodes and clusters ------------------------------------------------------------
    def build(self):
        root = Cluster("root", "", "root")
        for p in [a.id for a in self.core.args.args + self.core.args.kwonlyargs]:
            root.members.append(self.node("param", p, (p,), self.parsed.lineno).id)
        self.block(self.core.body, root)
        return root

    def block(self, stmts, cluster):
        for s in stmts:
            line = getattr(s, "lineno", None) or self.parsed.lineno
            if isinstance(s, gast.If):
                inner = self.cluster(f"if {text(s.test)}", "branch")
                inner.members.append(self.node("test", text(s.test), (), line, s).id)
                self.compound.append((s, self.nodes[inner.members[-1]]))
                self.block(s.body, inner)
                if s.orelse:
                    other = self.cluster("else", "else")
                    self.block(s.orelse, other)
                    inner.children.append(other)
                cluster.children.append(inner)
            elif isinstance(s, (gast.For, gast.While)):
                head = f"for {text(s.target)} in {text(s.iter)}" if isinstance(s, gast.For) \
                    else f"while {text(s.test)}"
                inner = self.cluster(head, "loop")
                self.loops.append(inner.label)
                if isinstance(s, gast.For):
                    n = self.node("loop", text(s.target), sorted(assigned_names([s.target])),
                                  line, s, head)
                else:
                    n = self.node("test", text(s.test), (), line, s)
                inner.members.append(n.id)
                self.compound.append((s, n))
                self.block(s.body, inner)
                self.loops.pop()
                cluster.children.append(inner)
            elif isinstance(s, gast.Return):
                label = "return" if s.value is None else f"return {text(s.value)}"
                cluster.members.append(self.node("return", label, (), line, s).id)
            elif isinstance(s, gast.Assign):
                whole = text(s)
                cluster.members.append(self.node("op", whole, targets(s), line, s, whole).id)
            elif isinstance(s, (gast.Break, gast.Continue)):
                cluster.members.append(self.node("jump", text(s), (), line, s).id)
            elif not isinstance(s, gast.Pass):
                whole = text(s)
                cluster.members.append(self.node("op", whole, sorted(assigned_names([s])), line,
                                                 s, whole).id)

    # ---- data flow ---------------------------------------------------------------------
    def uses(self, node, names, state):
        for v in sorted(names):     # sources in the function's order: deterministic text
            for source in sorted(state.get(v, ()), key=lambda i: self.nodes[i].order):
                self.edges[(source, node.id, v)] = None

    def flow(self, stmts, state):
        """Follow ``stmts`` from the bindings ``state`` (name -> node ids); the state after."""
        for s in stmts:
            n = self.of_stmt.get(id(s))
            if isinstance(s, gast.If):
                self.uses(n, loaded_names(s.test), state)
                body = self.flow(s.body, dict(state))
                state = merged(body, self.flow(s.orelse, dict(state)))
            elif isinstance(s, (gast.For, gast.While)):
                entry, after = state, dict(state)
                if isinstance(s, gast.For):
                    self.uses(n, loaded_names(s.iter), state)
                for _ in range(self.trips):   # a second time: with what a trip binds
                    trip = merged(entry, after)
                    if isinstance(s, gast.While):
                        self.uses(n, loaded_names(s.test), trip)
                    else:
                        trip.update({t: {n.id} for t in n.names})
                    after = self.flow(s.body, trip)
                state = merged(entry, after)
            elif n is not None:
                self.uses(n, loaded_names(s.value if isinstance(s, gast.Assign) else s), state)
                if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Subscript):
                    self.uses(n, {s.targets[0].value.id}, state)   # x[i] = v changes x
                state = dict(state)
                state.update({t: {n.id} for t in n.names})
        return state

    def run(self):
        root = self.build()
        params = [n for n in self.nodes.values() if n.kind == "param"]
        start = {p.names[0]: {p.id} for p in params}
        self.trips = 1              # each loop body once: the flow within one trip
        self.flow(self.core.body, start)
        within = set(self.edges)
        self.edges, self.trips = {}, 2
        self.flow(self.core.body, start)
        active = self.facts.active
        for n in self.nodes.values():
            n.wrt = n.kind == "param" and n.names[0] in self.wrt
            n.active = bool(set(n.names) & active) or n.kind == "return" and bool(
                loaded_names(self.core.body[-1]) & active)
        edges = [Edge(s, t, v, self.nodes[s].active and self.nodes[t].active and v in active,
                      (s, t, v) not in within) for (s, t, v) in self.edges]
        explain(self.nodes, edges)
        return root, edges


def merged(a, b):
    return {k: set(a.get(k, ())) | set(b.get(k, ())) for k in set(a) | set(b)}


def explain(nodes, edges):
    """Why each inactive binding carries no derivative: it does not depend on a wrt argument,
    its value does not reach the output, or its op has none (a comparison, an integer)."""
    after, before = {}, {}
    for e in edges:
        after.setdefault(e.source, set()).add(e.target)
        before.setdefault(e.target, set()).add(e.source)
    varied = reach([n.id for n in nodes.values() if n.wrt], after)
    useful = reach([n.id for n in nodes.values() if n.kind == "return"], before)
    for n in nodes.values():
        if n.active or n.kind in ("test", "jump", "return") or not n.names:
            continue
        if n.id not in varied:
            n.why = "inactive: does not depend on a wrt argument"
        elif n.id not in useful:
            n.why = "inactive: does not reach the output"
        else:
            n.why = "inactive: its op carries no derivative (an integer, a comparison, a " \
                    "function marked nondiff)"


def reach(start, step):
    seen, todo = set(start), list(start)
    while todo:
        for m in step.get(todo.pop(), ()):
            if m not in seen:
                seen.add(m)
                todo.append(m)
    return seen


def saved_values(builder, mode, pushed, values, kinds):
    """Mark the nodes whose value the forward sweep pushes for the reverse sweep: a binding
    that a later one overwrites, or a loop block's value kept for its own reverse trip."""
    places = dict(mode.saved)
    for block_id, names in mode.block_saved.items():
        for s in mode.blocks[block_id]:
            if isinstance(s, gast.Assign):
                kept = [t for t in targets(s) if t in names]
                if kept:
                    places[id(s)] = places.get(id(s), []) + kept
    for stmt_id, names in places.items():
        n = builder.of_stmt.get(stmt_id)
        if n is None:
            continue
        for t in names:
            if t in pushed and t not in [s.name for s in n.saved]:
                size = "its shape" if t in mode.shape_saved else size_of(t, values, kinds)
                n.saved.append(Saved(t, n.line, size, n.loops))


def saved_controls(builder, controls):
    """Mark the branches whose flag and the loops whose trip count the forward sweep pushes
    (the reverse ``if`` or loop the pop drives is at the line of the statement it reverses).
    A trip count is pushed once the loop ends: per trip of the loops around it."""
    compound = {}
    for stmt, node in builder.compound:
        key = "if" if isinstance(stmt, gast.If) else "loop"
        compound.setdefault((key, stmt.lineno), []).append(node)
    for pop, pushes in controls:
        flag = isinstance(pop, gast.If)
        nodes = compound.get(("if" if flag else "loop", pop.lineno))
        if not nodes:
            continue
        node = nodes.pop(0)
        if flag:
            node.saved.append(Saved("branch taken", node.line, "a bool", node.loops, True))
        else:
            node.saved.append(Saved("trip count", node.line, "an int", node.loops[:-1], True))


def build_model(fn, wrt, kinds, values):
    """The graph of ``fn`` differentiated with respect to ``wrt`` (parameter names), for
    arguments of these ``kinds`` and, when example arguments were given, ``values``."""
    lowering = lowered_facts(fn, wrt, kinds, values)
    parsed, core, facts = lowering[0], lowering[4], lowering[5]
    builder = Builder(parsed, core, facts, wrt)
    root, edges = builder.run()
    params = tuple(a.id for a in core.args.args + core.args.kwonlyargs)
    mode, pushed, controls = reverse_plan(fn, lowering)
    saved_values(builder, mode, pushed, facts.values, facts.kinds)
    saved_controls(builder, controls)
    return Model(parsed.tree.name, parsed.filename, params, tuple(wrt), values is not None,
                 builder.nodes, edges, root)
