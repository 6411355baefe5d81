"""forward: core function in -> tangent statements interleaved with the primal ones, before the
optimizer. Facts, not printed sources: where each tangent statement goes, that there is no
stack, that loops and branches keep their shape, and the user's line numbers."""
import gast
import numpy as np
import pytest

from srcad.pipeline import derive
from srcad.walk import walk, walk_stmts

from .test_reverse import S, finished, line_of, loops, text, transformed


def jvp(fn, wrt, kinds, mode="jvp"):
    return transformed(fn, wrt, kinds, mode)


def assigned(s):
    """Names an assignment binds (a tuple target's too)."""
    if not isinstance(s, gast.Assign):
        return []
    t = s.targets[0]
    elts = t.elts if isinstance(t, gast.Tuple) else [t]
    return [e.id for e in elts if isinstance(e, gast.Name)]


def no_stack(fwd):
    calls = [n for n in walk(fwd.tree) if isinstance(n, gast.Call)
             and isinstance(n.func, gast.Attribute) and n.func.attr in ("append", "pop")]
    names = {n.id for n in walk(fwd.tree) if isinstance(n, gast.Name)}
    return not calls and "stack" not in names and fwd.tapes == set()


# ---- samples ----------------------------------------------------------------------------------
def straight(x, y):
    z = x * y                  # line: z
    w = np.sin(z)              # line: w
    k = y * 2.0                # line: k
    return w + x * k           # line: return


def starts_constant(x, n):
    s = 0.0                    # line: s
    for i in range(n):         # line: for
        s = s + np.sin(x) * i  # line: body
    return s


def overwrite(x, n):
    for i in range(n):
        x = np.sin(x)          # line: x
    return x


def newton(x, tol):
    step = 1.0
    while abs(step) > tol:     # line: while
        step = x * 0.5
        x = x - step
    return x


def branch(x):
    if x > 0:                  # line: if
        y = x * x              # line: then
    else:
        y = np.cos(x)          # line: else
    return y


def nested_loops(x, n, m):
    for i in range(n):
        for j in range(m):
            x = x * 0.5 + j    # line: inner
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
    (newton, ("x",), {"x": S, "tol": S}),
    (calls_helper, ("x",), {"x": S}),
], ids=["straight", "newton", "calls_helper"])
def test_optimised_it_is_what_derive_makes(fn, wrt, kinds):
    """If this fails, ``_derive`` changed: make test_reverse.stages call the stages as it does."""
    assert finished(fn, wrt, kinds, "jvp") == derive(fn, wrt, "jvp", kinds).source


# ---- straight-line code ----------------------------------------------------------------------
def test_each_tangent_follows_its_primal_statement():
    fwd = jvp(straight, ("x",), {"x": S, "y": S})
    body = [text(s) for s in fwd.tree.body]
    for primal, tangent in [("z = x * y", "dz = "), ("w = np.sin(z)", "dw = ")]:
        assert body[body.index(primal) + 1].startswith(tangent)
    assert body[body.index("w = np.sin(z)") + 1] == "dw = dz * np.cos(z)"


def test_a_statement_without_tangent_inputs_gets_no_tangent():
    fwd = jvp(straight, ("x",), {"x": S, "y": S})
    body = [text(s) for s in fwd.tree.body]
    assert "k = y * 2.0" in body
    assert not any(s.startswith("dk") for s in body)
    assert not {n.id for n in walk(fwd.tree) if isinstance(n, gast.Name)} & {"dy", "dk"}


def test_no_stack_and_one_sweep():
    for fn, wrt, kinds in [(straight, ("x",), {"x": S, "y": S}),
                           (overwrite, ("x",), {"x": S, "n": S}),
                           (newton, ("x",), {"x": S, "tol": S}),
                           (branch, ("x",), {"x": S})]:
        fwd = jvp(fn, wrt, kinds)
        assert no_stack(fwd), fn.__name__
        assert not any(isinstance(n, gast.Constant) and isinstance(n.value, str)
                       for n in walk(fwd.tree)), fn.__name__       # no sweep markers
        assert fwd.pairs == []


def test_tangent_parameters_and_the_returned_pair():
    fwd = jvp(straight, ("x", "y"), {"x": S, "y": S})
    assert [a.id for a in fwd.tree.args.args] == ["x", "y", "dx", "dy"]
    assert fwd.seeds == {"dx", "dy"}
    ret = fwd.tree.body[-1]
    assert isinstance(ret, gast.Return) and isinstance(ret.value, gast.Tuple)
    assert [text(e) for e in ret.value.elts] == ["out", "dout"]


def test_tangent_only_returns_the_tangent():
    fwd = jvp(straight, ("x",), {"x": S, "y": S}, mode="tangent")
    assert text(fwd.tree.body[-1]) == "return dout"


def test_tangent_statements_carry_their_primals_line():
    fwd = jvp(straight, ("x",), {"x": S, "y": S})
    lines = {assigned(s)[0]: s.lineno for s in fwd.tree.body if assigned(s)}
    assert lines["z"] == lines["dz"] == line_of(straight, "# line: z")
    assert lines["w"] == lines["dw"] == line_of(straight, "# line: w")
    assert lines["k"] == line_of(straight, "# line: k")
    assert lines["out"] == lines["dout"] == line_of(straight, "# line: return")


# ---- loops and branches keep their shape --------------------------------------------------------
def test_a_tangent_that_starts_constant_is_zeroed_beside_its_primal():
    fwd = jvp(starts_constant, ("x",), {"x": S, "n": S})
    body = fwd.tree.body
    i = next(k for k, s in enumerate(body) if text(s) == "s = 0.0")
    assert text(body[i + 1]) == "ds = 0.0"
    assert body[i + 1].lineno == line_of(starts_constant, "# line: s")


def test_a_loop_keeps_its_shape():
    fwd = jvp(starts_constant, ("x",), {"x": S, "n": S})
    (loop,) = loops(fwd.tree.body)
    assert text(loop.iter) == "range(n)" and text(loop.target) == "i"   # not reversed
    assert not loop.orelse
    assert {s.lineno for s in walk_stmts(loop.body)} == {line_of(starts_constant, "# line: body")}
    primal = [s for s in loop.body if set(assigned(s)) & {"s"}]
    tangent = [s for s in loop.body if set(assigned(s)) & {"ds"}]
    assert len(primal) == 1 and len(tangent) == 1


def test_nested_loops_stay_nested():
    fwd = jvp(nested_loops, ("x",), {"x": S, "n": S, "m": S})
    (outer, inner) = loops(fwd.tree.body)
    assert fwd.tree.body.count(outer) == 1 and outer.body == [inner]
    assert [text(outer.iter), text(inner.iter)] == ["range(n)", "range(m)"]
    assert {s.lineno for s in inner.body} == {line_of(nested_loops, "# line: inner")}


def test_a_self_referencing_update_computes_its_tangent_from_the_old_values():
    fwd = jvp(overwrite, ("x",), {"x": S, "n": S})
    (loop,) = loops(fwd.tree.body)
    assert [assigned(s)[0] for s in loop.body] == ["dx_new", "x", "dx"]
    assert text(loop.body[0]) == "dx_new = dx * np.cos(x)"     # before x changes
    assert text(loop.body[2]) == "dx = dx_new"
    assert {s.lineno for s in loop.body} == {line_of(overwrite, "# line: x")}
    assert "dx_new" in fwd.temps


def test_a_while_with_a_hoisted_test_stays_a_while():
    fwd = jvp(newton, ("x",), {"x": S, "tol": S})
    (loop,) = loops(fwd.tree.body, gast.While)
    assert not loops(fwd.tree.body)                    # no for loop, no trip counter
    assert any("abs(step)" in text(s) for s in loop.body)
    stop = loop.body[-1]
    assert isinstance(stop, gast.If) and isinstance(stop.body[0], gast.Break)
    assert [assigned(s)[0] for s in stop.orelse if assigned(s)][:2] == ["step", "dstep"]
    assert not any("trips" in text(s) for s in walk_stmts(fwd.tree.body))


def test_a_branch_keeps_both_arms_with_their_tangents():
    fwd = jvp(branch, ("x",), {"x": S})
    (test,) = loops(fwd.tree.body, gast.If)
    assert text(test.test) == "x > 0"
    assert [assigned(s)[0] for s in test.body] == ["y", "dy"]
    assert [assigned(s)[0] for s in test.orelse] == ["y", "dy"]
    assert {s.lineno for s in test.body} == {line_of(branch, "# line: then")}
    assert {s.lineno for s in test.orelse} == {line_of(branch, "# line: else")}


# ---- calls ------------------------------------------------------------------------------------
def test_a_helper_call_binds_value_and_tangent_at_once():
    fwd = jvp(calls_helper, ("x",), {"x": S})
    call = fwd.tree.body[0]
    assert assigned(call) == ["y", "dy"]
    assert call.value.func.id.startswith("square_jvp")
    assert [text(a) for a in call.value.args] == ["x"]
    assert [text(k.value) for k in call.value.keywords] == ["dx"]
    assert call.lineno == line_of(calls_helper, "# line: call")


def test_a_lifted_nested_function_gets_its_enclosing_variable():
    fwd = jvp(calls_nested, ("x",), {"x": S, "a": S})
    call = fwd.tree.body[0]
    assert assigned(call) == ["y", "dy"]
    assert call.value.func.id.startswith("scale_jvp")
    assert [text(a) for a in call.value.args] == ["a", "x"]
    assert call.lineno == line_of(calls_nested, "# line: call")


# ---- known gaps (see the report of the tests' author) -------------------------------------------
def test_compound_statements_carry_their_line():
    fwd = jvp(starts_constant, ("x",), {"x": S, "n": S})
    (loop,) = loops(fwd.tree.body)
    assert loop.lineno == line_of(starts_constant, "# line: for")
