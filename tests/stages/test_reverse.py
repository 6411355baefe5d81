"""reverse: core function in -> the two sweeps, before the optimizer. Facts, not printed
sources (those are pinned in tests/golden): what is pushed and popped, where, which statement
kinds the reverse sweep has, and the user's line numbers on what it generates.

``transformed`` runs the stages exactly as ``pipeline._derive`` does, up to
``ReverseMode(...).run`` (or ``ForwardMode(...).run``, for test_forward.py)."""
import ast
import inspect

import gast
import numpy as np
import pytest

from srcad.analysis import analyze, is_user_function
from srcad.build import MARK, local_targets
from srcad.codegen import emit
from srcad.forward import ForwardMode
from srcad.frontend import read_function
from srcad.naming import derivative_name
from srcad.optimize import Optimizer
from srcad.pipeline import RUNTIME, derive, helper_deriver, lowered, pure_in
from srcad.purity import Purity
from srcad.reverse import ReverseMode
from srcad.variadic import restore_parameters
from srcad.walk import walk, walk_stmts

S, A1 = "scalar", "array1"


# ---- running the stages ------------------------------------------------------------------------
def transformed(fn, wrt, kinds, mode="grad"):
    """``Reversed`` (tree and facts) of ``fn`` from ReverseMode (mode "grad", "vjp", ...) or
    ForwardMode (mode "jvp" / "tangent"), the stages before it called as ``_derive`` calls them."""
    return stages(fn, wrt, kinds, mode)[0]


def stages(fn, wrt, kinds, mode="grad"):
    """``transformed``'s result, and what ``_derive`` hands the optimizer besides."""
    forward = mode in ("jvp", "tangent")
    parsed, before, namer, runtime_names, core = lowered(fn, kinds, forward)
    generated = local_targets(core) - before
    purity = Purity(read_function, is_user_function)
    facts = analyze(core, wrt, kinds, parsed, None)
    helpers, externals = [], {runtime_names[n]: RUNTIME[n] for n in RUNTIME}
    externals.update(parsed.scope.nested)
    derive_helper = helper_deriver("jvp" if forward else "vjp", namer, externals, helpers, (),
                                   purity)
    if forward:
        out = ForwardMode(core, facts, parsed, namer, runtime_names, derive_helper, generated,
                          mode == "tangent").run(f"{fn.__name__}_jvp")
    else:
        out = ReverseMode(core, facts, parsed, namer, runtime_names, derive_helper, mode,
                          generated, purity).run(derivative_name(fn.__name__, wrt))
    return out, (parsed, runtime_names, pure_in(parsed.scope, purity, externals))


def finished(fn, wrt, kinds, mode="grad"):
    """The source ``_derive`` would go on to make from ``transformed``'s tree."""
    out, (parsed, runtime_names, pure) = stages(fn, wrt, kinds, mode)
    return emit(restore_parameters(Optimizer(out, runtime_names, pure).run(), parsed.tree))


def text(node):
    return ast.unparse(gast.gast_to_ast(node))


def is_marker(s, which):
    return isinstance(s, gast.Expr) and isinstance(s.value, gast.Constant) and \
        s.value.value == MARK + which


def sweeps(rev):
    """(forward sweep, reverse sweep): the top-level statements between the markers."""
    body = rev.tree.body
    start = next(i for i, s in enumerate(body) if is_marker(s, "forward sweep"))
    middle = next(i for i, s in enumerate(body) if is_marker(s, "reverse sweep"))
    return body[start + 1:middle], body[middle + 1:]


def stack_calls(stmts, rev, method):
    """``stack.<method>(...)`` calls on the generated stack(s), in order."""
    return [n for s in stmts for n in walk(s) if isinstance(n, gast.Call)
            and isinstance(n.func, gast.Attribute) and n.func.attr == method
            and isinstance(n.func.value, gast.Name) and n.func.value.id in rev.tapes]


def pushed(stmts, rev):
    """What each push saves, as text."""
    return [text(c.args[0]) for c in stack_calls(stmts, rev, "append")]


def popped_into(stmts, rev):
    """Names assigned ``stack.pop()``, in order."""
    return [s.targets[0].id for s in walk_stmts(stmts) if isinstance(s, gast.Assign)
            and isinstance(s.targets[0], gast.Name) and stack_calls([s.value], rev, "pop")
            and stack_calls([s.value], rev, "pop")[0] is s.value]


def placeholders(rev):
    """``v = None`` statements (a value saved where it may still be unbound)."""
    return [s.targets[0].id for s in walk_stmts(rev.tree.body) if isinstance(s, gast.Assign)
            and isinstance(s.value, gast.Constant) and s.value.value is None]


def loops(stmts, kind=gast.For):
    return [s for s in walk_stmts(stmts) if isinstance(s, kind)]


def line_of(fn, marker):
    lines, start = inspect.getsourcelines(fn)
    found = [start + i for i, t in enumerate(lines) if marker in t]
    assert len(found) == 1, (marker, found)
    return found[0]


def adjoint_statements(stmts, rev):
    """Statements of the reverse sweep that change an adjoint (``dv += ...``, ``dv = ...``)."""
    out = []
    for s in walk_stmts(stmts):
        target = s.target if isinstance(s, gast.AugAssign) else \
            s.targets[0] if isinstance(s, gast.Assign) else None
        if isinstance(target, gast.Subscript):
            target = target.value
        if isinstance(target, gast.Name) and target.id in rev.adjoints:
            out.append(s)
    return out


# ---- samples ----------------------------------------------------------------------------------
def straight(x, y):
    z = x * y                  # line: z
    w = np.sin(z)              # line: w
    return w + x               # line: return


def overwrite(x, a, n):
    for i in range(n):         # line: for
        x = np.sin(x) + a      # line: x
    return x


def self_update(x, n):
    for i in range(n):
        x = np.sin(x)          # line: x
    return x


def rnn(h, xs, w):
    for t in range(len(xs)):   # line: for
        h = np.tanh(w * h * xs[t])     # line: h
    return h


def rnn_changing_xs(h, xs, w):
    for t in range(len(xs)):
        h = np.tanh(w * h * xs[t])
        xs = xs * 2.0          # line: xs
    return h


def body_local(x, n):
    for i in range(n):
        y = np.sin(x)          # line: y
        x = y * y              # line: x
    return x


def newton(x, tol):
    step = 1.0
    while abs(step) > tol:     # line: while
        step = x * 0.5         # line: step
        x = x - step           # line: x
    return x


def flagged(x, n):
    for i in range(n):
        if x > 1.0:            # line: if
            x = x * 0.5
        else:
            x = np.sin(x)
    return x


def early_exit(x, n):
    for i in range(n):
        x = np.sin(x)
        if x < 0.1:
            break
    return x


def square(v):
    return v * v


def calls_helper(x):
    y = square(x)              # line: call
    return y + x


def calls_nested(x, a):
    def scale(v):
        return v * a
    y = scale(x)               # line: call
    return np.sin(y)


# ---- the helper runs the pipeline's stages ---------------------------------------------------
@pytest.mark.parametrize("fn, wrt, kinds", [
    (straight, ("x",), {"x": S, "y": S}),
    (rnn, ("h", "w"), {"h": S, "xs": A1, "w": S}),
    (newton, ("x",), {"x": S, "tol": S}),
    (calls_nested, ("x",), {"x": S, "a": S}),
], ids=["straight", "rnn", "newton", "calls_nested"])
def test_optimised_it_is_what_derive_makes(fn, wrt, kinds):
    """If this fails, ``_derive`` changed: make ``stages`` call the stages as it does."""
    assert finished(fn, wrt, kinds) == derive(fn, wrt, "grad", kinds).source


# ---- straight-line code ----------------------------------------------------------------------
def test_straight_line_has_no_stack():
    rev = transformed(straight, ("x",), {"x": S, "y": S})
    fwd, _ = sweeps(rev)
    assert pushed(rev.tree.body, rev) == [] and stack_calls(rev.tree.body, rev, "pop") == []
    assert rev.pairs == []
    assert placeholders(rev) == []
    assert not loops(rev.tree.body) and not loops(rev.tree.body, gast.If)
    # the forward sweep is the core function's body, unchanged
    assert [text(s) for s in fwd] == ["z = x * y", "w = np.sin(z)", "out = w + x"]
    assert isinstance(rev.tree.body[-1], gast.Return) and text(rev.tree.body[-1]) == "return dx"


def test_straight_line_adjoints_run_in_reverse_order():
    rev = transformed(straight, ("x",), {"x": S, "y": S})
    _, back = sweeps(rev)
    accumulated = [text(s.target) for s in back if isinstance(s, gast.AugAssign)]
    assert accumulated == ["dw", "dx", "dz", "dx"]      # out = w + x, w = sin(z), z = x * y
    # the seed is the last parameter, defaulting to 1.0
    assert [a.id for a in rev.tree.args.args] == ["x", "y", "dout"]
    assert text(rev.tree.args.defaults[-1]) == "1.0" and rev.seeds == {"dout"}


def test_adjoints_carry_the_users_line_numbers():
    rev = transformed(straight, ("x",), {"x": S, "y": S})
    _, back = sweeps(rev)
    lines = {text(s): s.lineno for s in back if isinstance(s, gast.AugAssign)}
    assert lines["dz += dw * np.cos(z)"] == line_of(straight, "# line: w")
    assert lines["dx += dz * y"] == line_of(straight, "# line: z")
    assert lines["dw += dout"] == line_of(straight, "# line: return")
    body_lines = {line_of(straight, m) for m in ("# line: z", "# line: w", "# line: return")}
    def_line = straight.__code__.co_firstlineno
    assert {s.lineno for s in adjoint_statements(back, rev)} <= body_lines | {def_line}
    # only the zero initialisations at the top of the reverse sweep belong to the def line
    assert all(isinstance(s, gast.Assign) and text(s.value) == "0.0"
               for s in adjoint_statements(back, rev) if s.lineno == def_line)


def test_every_generated_node_has_a_line_number():
    for fn, wrt, kinds in [(straight, ("x",), {"x": S, "y": S}),
                           (overwrite, ("x",), {"x": S, "a": S, "n": S}),
                           (newton, ("x",), {"x": S, "tol": S})]:
        rev = transformed(fn, wrt, kinds)
        for node in walk(rev.tree):
            if isinstance(node, (gast.stmt, gast.expr)):
                assert isinstance(node.lineno, int), text(node)


# ---- loops: what is saved ---------------------------------------------------------------------
def test_a_loop_pushes_exactly_the_overwritten_value_the_reverse_reads():
    rev = transformed(overwrite, ("x",), {"x": S, "a": S, "n": S})
    fwd, back = sweeps(rev)
    assert pushed(fwd, rev) == ["x"]             # not sin(x)'s temporary, not a
    assert pushed(back, rev) == []
    assert popped_into(back, rev) == ["x"]
    assert len(rev.pairs) == 1
    assert placeholders(rev) == []               # x is bound (a parameter) before the loop
    # pushed in the loop body, just before the statement that overwrites it
    (loop,) = loops(fwd)
    (push,) = [i for i, s in enumerate(loop.body) if pushed([s], rev)]
    assert text(loop.body[push + 1]).startswith("x = ")
    assert loop.body[push].lineno == line_of(overwrite, "# line: x")


def test_the_reverse_loop_runs_the_same_range_backwards():
    rev = transformed(overwrite, ("x",), {"x": S, "a": S, "n": S})
    _, back = sweeps(rev)
    (loop,) = loops(back)
    assert text(loop.iter) == "reversed(range(n))"    # n unchanged: the range is recomputed
    assert text(loop.target) == "i"
    assert loop.lineno == line_of(overwrite, "# line: for")
    pop = next(s for s in loop.body if popped_into([s], rev))
    assert pop.lineno == line_of(overwrite, "# line: x")
    assert loop.body.index(pop) < next(i for i, s in enumerate(loop.body)
                                       if "np.cos(x)" in text(s))   # restored, then read


def test_a_loop_over_unchanged_xs_rereads_xs_t_and_pushes_nothing_for_it():
    rev = transformed(rnn, ("h", "w"), {"h": S, "xs": A1, "w": S})
    fwd, back = sweeps(rev)
    assert pushed(fwd, rev) == ["h"]             # the carried state only
    assert placeholders(rev) == []
    (loop,) = loops(back)
    assert text(loop.body[0]) == "xs_item = xs[t]"   # read again first, at the reverse's index
    assert loop.body[0].lineno == line_of(rnn, "# line: h")
    assert "xs_item" not in popped_into(back, rev)
    assert any("xs_item" in text(s) for s in adjoint_statements(loop.body, rev))


def test_statements_of_a_reverse_loop_carry_the_line_they_come_from():
    rev = transformed(rnn, ("h", "w"), {"h": S, "xs": A1, "w": S})
    fwd, back = sweeps(rev)
    (loop,) = loops(back)
    assert loop.lineno == line_of(rnn, "# line: for")
    assert {s.lineno for s in walk_stmts(loop.body)} == {line_of(rnn, "# line: h")}
    assert {s.lineno for s in walk_stmts(loops(fwd)[0].body)} == {line_of(rnn, "# line: h")}


def test_a_changing_xs_is_pushed_instead_of_reread():
    rev = transformed(rnn_changing_xs, ("h", "w"), {"h": S, "xs": A1, "w": S})
    fwd, back = sweeps(rev)
    assert sorted(pushed(fwd, rev)) == ["h", "xs_item"]
    (loop,) = loops(back)
    assert "xs_item = xs[t]" not in [text(s) for s in loop.body]
    # the range is hoisted: xs (its length) changes in the loop
    (forward_loop,) = loops(fwd)
    assert isinstance(forward_loop.iter, gast.Name) and text(loop.iter) == \
        f"reversed({forward_loop.iter.id})"


def test_a_value_read_only_after_its_binding_is_saved_at_the_body_end():
    rev = transformed(body_local, ("x",), {"x": S, "n": S})
    fwd, back = sweeps(rev)
    (loop,) = loops(fwd)
    (reverse_loop,) = loops(back)
    assert pushed(loop.body[-1:], rev) == ["y"]            # the body's last statement
    assert popped_into(reverse_loop.body[:1], rev) == ["y"]  # the reverse body's first
    assert sorted(pushed(fwd, rev)) == ["x", "y"]          # x before its overwrite, as usual
    assert placeholders(rev) == []                          # no y = None for the first trip
    assert loop.body[-1].lineno == reverse_loop.body[0].lineno == line_of(body_local, "# line: x")


def test_pushes_and_pops_are_paired():
    for fn, wrt, kinds in [(overwrite, ("x",), {"x": S, "a": S, "n": S}),
                           (body_local, ("x",), {"x": S, "n": S}),
                           (rnn, ("h", "w"), {"h": S, "xs": A1, "w": S}),
                           (flagged, ("x",), {"x": S, "n": S})]:
        rev = transformed(fn, wrt, kinds)
        fwd, back = sweeps(rev)
        assert len(stack_calls(fwd, rev, "append")) == sum(len(p) for p, _ in rev.pairs), \
            fn.__name__
        assert len(stack_calls(back, rev, "pop")) == len(rev.pairs), fn.__name__
        assert stack_calls(back, rev, "append") == [] and stack_calls(fwd, rev, "pop") == []


# ---- control flow -----------------------------------------------------------------------------
def test_a_while_with_a_hoisted_test_counts_its_trips_and_needs_no_flag():
    rev = transformed(newton, ("x",), {"x": S, "tol": S})
    fwd, back = sweeps(rev)
    (loop,) = loops(fwd, gast.While)
    assert text(loop.test) == "True"           # the test's statements are inside the loop
    assert any("abs(step)" in text(s) for s in loop.body)
    assert isinstance(loop.body[-1], gast.If) and isinstance(loop.body[-1].body[0], gast.Break)
    assert pushed(fwd, rev) == ["trips"]       # the trip count, after the loop, and nothing else
    assert pushed([fwd[-1]], rev) == ["trips"]
    assert not any(isinstance(c.args[0], gast.Constant) for c in stack_calls(fwd, rev, "append"))
    (reverse_loop,) = loops(back)
    assert text(reverse_loop.iter) == "range(stack.pop())"
    assert not loops(back, gast.If) and not loops(back, gast.While)   # no branch on a flag
    assert reverse_loop.lineno == line_of(newton, "# line: while")
    lines = {s.lineno for s in adjoint_statements(reverse_loop.body, rev)}
    assert {line_of(newton, "# line: step"), line_of(newton, "# line: x")} <= lines


def test_a_branch_whose_test_changes_pushes_a_flag():
    """For contrast: ``if x > 1.0`` with x overwritten in the branch cannot be tested again."""
    rev = transformed(flagged, ("x",), {"x": S, "n": S})
    fwd, back = sweeps(rev)
    flags = [c for c in stack_calls(fwd, rev, "append") if isinstance(c.args[0], gast.Constant)]
    assert sorted(c.args[0].value for c in flags) == [False, True]
    (branch,) = loops(back, gast.If)
    assert text(branch.test) == "stack.pop()"
    assert branch.lineno == line_of(flagged, "# line: if")


def test_a_branch_whose_test_is_unchanged_is_tested_again():
    rev = transformed(flagged_unchanged, ("x",), {"x": S, "c": S})
    fwd, back = sweeps(rev)
    assert pushed(fwd, rev) == []
    (branch,) = loops(back, gast.If)
    assert text(branch.test) == "c > 0"


def flagged_unchanged(x, c):
    if c > 0:
        y = np.sin(x)
    else:
        y = x * x
    return y


def test_a_loop_with_break_counts_its_trips():
    rev = transformed(early_exit, ("x",), {"x": S, "n": S})
    fwd, back = sweeps(rev)
    assert sorted(pushed(fwd, rev)) == ["trips", "x"]
    (reverse_loop,) = loops(back)
    assert text(reverse_loop.iter) == "reversed(range(n)[:stack.pop()])"


# ---- calls ------------------------------------------------------------------------------------
def test_a_helper_call_becomes_a_call_of_its_derivative():
    rev = transformed(calls_helper, ("x",), {"x": S})
    fwd, back = sweeps(rev)
    assert [text(s) for s in fwd] == ["y = square(x)", "out = y + x"]
    (call,) = [s for s in back if isinstance(s, gast.Assign) and isinstance(s.value, gast.Call)]
    assert call.value.func.id.startswith("dsquare")
    assert [k.arg for k in call.value.keywords] == ["dout"] and text(call.value.args[0]) == "x"
    assert call.lineno == line_of(calls_helper, "# line: call")
    assert pushed(fwd, rev) == []


def test_a_lifted_nested_function_gets_its_enclosing_variable():
    rev = transformed(calls_nested, ("x",), {"x": S, "a": S})
    fwd, back = sweeps(rev)
    assert text(fwd[0]) == "y = scale(a, x)"
    (call,) = [s for s in back if isinstance(s, gast.Assign) and isinstance(s.value, gast.Call)]
    assert [text(a) for a in call.value.args] == ["a", "x"]
    assert call.value.func.id.startswith("dscale")
    assert call.lineno == line_of(calls_nested, "# line: call")


# ---- known gaps (see the report of the tests' author) -------------------------------------------
def self_updates(rev):
    _, back = sweeps(rev)
    return [s for s in adjoint_statements(back, rev) if text(s) == "dx = dx * np.cos(x)"]


def test_a_self_referencing_update_scales_its_adjoint_in_place():
    """``x = sin(x)``: ``dx = dx * cos(x)`` once x is back, not ``dx += ...`` into a copy."""
    rev = transformed(self_update, ("x",), {"x": S, "n": S})
    (update,) = self_updates(rev)
    (loop,) = loops(sweeps(rev)[1])
    assert loop.body.index(update) == len(loop.body) - 1
    assert popped_into(loop.body[:-1], rev) == ["x"]


def test_a_self_referencing_update_carries_its_line():
    (update,) = self_updates(transformed(self_update, ("x",), {"x": S, "n": S}))
    assert update.lineno == line_of(self_update, "# line: x")
