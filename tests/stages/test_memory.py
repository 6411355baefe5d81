"""memory: which objects each value may be (fresh, a view, an item of a list), by definition;
aliasing: which names a change in place reaches."""
import numpy as np

from srcad.aliasing import sharing
from srcad.analysis import assignments, kind_of_value
from srcad.memory import ENTRY, Helpers, Memory, Reaching, memory_of, read_helper, statement_ops


def copies_and_views(p):
    c = np.copy(p)
    d = p.copy()
    e = np.array(p)
    f = p * 2.0
    v = p[1:]
    w = np.asarray(p)
    t = v.T
    c[0] = 1.0
    return c + d + e + f + v + w + t


def lists(p):
    h = np.sin(p)
    outs = [h]
    outs.append(p * 2.0)
    first = outs[0]
    first[0] = 1.0
    return h


def rebound(p):
    q = p[1:]
    q = q * 2.0
    q[0] = 1.0
    return q


def loop_with_break(p, n):
    q = p
    for i in range(n):
        if i > 2:
            break
        q = p * 2.0
    q[0] = 1.0
    return q


def core_of(fn, *args):
    names = list(fn.__code__.co_varnames[:fn.__code__.co_argcount])
    parsed, core, kinds = read_helper(fn, {n: kind_of_value(a) for n, a in zip(names, args)})
    stmts = list(assignments(core.body))
    return core, stmts, statement_ops(core, stmts, kinds, parsed.scope), kinds


def shared(fn, *args):
    _, stmts, ops, kinds = core_of(fn, *args)
    return sharing(stmts, ops, kinds)


def test_copies_are_fresh_views_are_not():
    share = shared(copies_and_views, np.ones(4))
    assert share["p"] >= {"v", "w", "t"}
    assert not share["p"] & {"c", "d", "e", "f"}
    assert "c" not in share                 # np.copy's result shares with no name


def test_a_list_holds_its_items():
    share = shared(lists, np.ones(4))
    assert "outs" in share["h"] and "outs" in share["first"]    # changing an item changes it
    assert not share.get("outs", frozenset()) - {"outs"}         # changing it changes no item


def test_a_name_bound_again_is_a_new_value():
    core, stmts, ops, kinds = core_of(rebound, np.ones(4))
    reaching = Reaching(core)
    memory = memory_of(stmts, ops, kinds, Helpers(), reaching)
    store = next(s for s in stmts if s.lineno == rebound.__code__.co_firstlineno + 3)
    changed = reaching.values(store, "q")
    assert len(changed) == 1
    assert not memory.reached(changed, [f"p@{ENTRY}"])


def test_definitions_reach_past_a_break():
    core, stmts, ops, kinds = core_of(loop_with_break, np.ones(4), 3)
    reaching = Reaching(core)
    store = next(s for s in stmts if s.lineno == loop_with_break.__code__.co_firstlineno + 6)
    assert len(reaching.values(store, "q")) == 2        # q = p, and q = p * 2.0
    memory = memory_of(stmts, ops, kinds, Helpers(), reaching)
    assert memory.reached(reaching.values(store, "q"), [f"p@{ENTRY}"])


def test_relations():
    m = Memory()
    m.make("p", "p@entry", entry=True)
    m.make("lst", "lst@1")
    m.link("same", "v", "p")
    m.link("holds", "lst", "v")
    m.link("item", "e", "lst")
    m.solve()
    assert m.relation("v", "p@entry") == "same"
    assert m.relation("lst", "p@entry") == "holds"
    assert m.relation("e", "p@entry") == "same"
    assert m.reached(["e"], ["p", "lst", "v"]) == {"p", "lst", "v"}
    assert m.reached(["lst"], ["p", "v", "e"]) == set()
