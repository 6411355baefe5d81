"""Binomial checkpointing of loops (issue 20): the schedule is revolve's (the fewest recomputed
steps for the snapshots, verified against the recursion it solves), the gradients are those of
the unmarked loop and of finite differences, the memory is bounded, and what is not supported
yet is refused at the loop's line."""
import gc
import tracemalloc
import weakref
from functools import lru_cache

import numpy as np
import pytest

import checkpoint_programs as p
import srcad
from srcad.checkpointing import Checkpoints, advances, split

RNG = np.random.default_rng(20)


# ---- the schedule ---------------------------------------------------------------------------
@lru_cache(maxsize=None)
def fewest(steps, free):
    """The recursion revolve solves: reversing ``steps`` from one stored state, ``free`` more
    snapshots, a snapshot put after ``m`` steps."""
    if steps <= 1:
        return 0
    if free == 0:
        return steps * (steps - 1) // 2
    return min(m + fewest(steps - m, free - 1) + fewest(m, free) for m in range(1, steps))


@pytest.mark.parametrize("free", range(0, 6))
def test_the_closed_form_and_the_split_are_optimal(free):
    for steps in range(1, 90):
        assert advances(steps, free) == fewest(steps, free), (steps, free)
        if free and steps > 1:
            m = split(steps, free)
            assert m + fewest(steps - m, free - 1) + fewest(m, free) == fewest(steps, free)


class State:
    alive = 0

    def __init__(self, t):
        self.t = t
        State.alive += 1
        weakref.finalize(self, State.died)

    @staticmethod
    def died():
        State.alive -= 1


@pytest.mark.parametrize("steps, snapshots", [(1, 1), (2, 1), (7, 1), (10, 2), (33, 3),
                                              (100, 4), (250, 6), (40, 50)])
def test_the_states_come_back_last_to_first_with_at_most_k_kept(steps, snapshots):
    gc.collect()
    start = State.alive
    cp = Checkpoints(steps, snapshots)
    state = State(0)
    for t in range(steps):
        cp.save(t, state)
        state = State(t + 1)
    del state
    gc.collect()
    most = 0
    for t in reversed(range(steps)):
        got = cp.before(t, lambda j, s: State(j + 1))
        assert got.t == t
        del got
        gc.collect()
        most = max(most, State.alive - start)
    assert most <= snapshots
    assert cp.advances == advances(steps, snapshots - 1) - max(cp.first)


def test_asking_for_the_states_out_of_order_is_an_error():
    cp = Checkpoints(5, 2)
    for t in range(5):
        cp.save(t, t)
    with pytest.raises(RuntimeError, match="step 4 was due|before step 4"):
        cp.before(2, lambda j, s: s + 1)


def test_the_mark_is_a_plain_loop_when_the_function_runs():
    assert list(srcad.checkpointed(range(3), snapshots=2)) == [0, 1, 2]
    for bad in (0, -1, 2.5, True, "3"):
        with pytest.raises(ValueError, match="snapshots"):
            srcad.checkpointed(range(3), snapshots=bad)


# ---- gradients --------------------------------------------------------------------------------
def u0(n=12):
    return np.sin(np.linspace(0.0, 6.0, n)) + 0.1 * RNG.standard_normal(n)


@pytest.mark.parametrize("T", [0, 1, 2, 5, 17, 60])
def test_the_gradient_is_the_unmarked_loop_s(T):
    x = u0()
    got = srcad.grad(p.heat, wrt=(0, 1))(0.1, x, T)
    want = srcad.grad(p.heat_all, wrt=(0, 1))(0.1, x, T)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-12, atol=1e-14)
    assert srcad.value_and_grad(p.heat)(0.1, x, T)[0] == pytest.approx(p.heat_all(0.1, x, T))


@pytest.mark.parametrize("k", [1, 2, 3, 7, 100])
def test_any_number_of_snapshots(k):
    f, x = p.heat_k(k), u0()
    np.testing.assert_allclose(srcad.grad(f, wrt=(0, 1))(0.1, x, 23)[1],
                               srcad.grad(p.heat_all, wrt=(0, 1))(0.1, x, 23)[1], rtol=1e-12)


@pytest.mark.parametrize("f, args, wrt", [
    (p.heat, lambda: (0.1, u0(), 9), (0, 1)),
    (p.pendulum, lambda: (1.3, u0(5), 25), (0, 1)),
    (p.forced, lambda: (0.1, u0(), 12), (0, 1)),
    (p.rnn, lambda: (0.4 * RNG.standard_normal((4, 4)), RNG.standard_normal(4),
                     RNG.standard_normal(15)), (0, 1)),
    (p.after_the_loop, lambda: (0.1, u0(), 8), (0, 1)),
], ids=["heat", "pendulum (a tuple state)", "forced (reads t)", "rnn", "read after the loop"])
def test_against_finite_differences(f, args, wrt):
    srcad.check_grad(f, wrt=wrt, modes=("reverse", "forward"))(*args())


def test_the_derivative_reads_like_the_loop():
    text = srcad.source(srcad.grad(p.heat), 0.1, u0(), 10)
    for line in ("u_snapshots = Checkpoints(T, 4)", "u_snapshots.save(t, u)",
                 "def advance_u(t, u):", "u = heat_step(u, kappa)",
                 "u = u_snapshots.before(t, advance_u)"):
        assert line in text, text
    assert "stack" not in text


def test_memory_is_bounded_by_the_snapshots():
    x = u0(20000)

    def peak(f):
        srcad.grad(f)(0.1, x, 5)        # transformed and compiled before measuring
        tracemalloc.start()
        srcad.grad(f)(0.1, x, 200)
        size = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return size
    every, kept = peak(p.heat_all), peak(p.heat)
    state = x.nbytes
    assert every > 150 * state
    assert kept < (p.SNAPSHOTS + 12) * state, (kept / state, every / state)


# ---- refusals ---------------------------------------------------------------------------------
def line_of(f, text):
    import inspect
    lines, start = inspect.getsourcelines(f)
    return start + next(i for i, s in enumerate(lines) if text in s)


@pytest.mark.parametrize("f, args, words", [
    (p.inline_body, (0.1, np.ones(3), 4), ["this checkpointed loop", "one call of a helper"]),
    (p.rebinds_what_the_step_reads, (0.1, np.ones(3), 4), ["reads kappa, which changes"]),
    (p.with_break, (0.1, np.ones(3), 4), ["break"]),
    (p.over_a_list, (0.1, [np.ones(2), np.ones(2)]), ["other than range(T)"]),
    (p.snapshots_unknown, (0.1, np.ones(3), 4, 3), ["number of snapshots"]),
    (p.nested_in_a_loop, (0.1, np.ones(3), 4), ["inside another loop"]),
], ids=["inline body", "rebinds a read", "break", "over a list", "snapshots unknown",
        "nested"])
def test_refused_at_the_loop_s_line(f, args, words):
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(f)(*args)
    text = str(info.value)
    assert text.startswith(f"{p.__file__}:{line_of(f, 'srcad.checkpointed')}:"), text
    assert "hint:" in text
    for w in words:
        assert w in text


def test_a_second_derivative_through_a_checkpointed_loop_is_refused():
    with pytest.raises(srcad.SrcadError, match="second derivative through a loop marked"):
        srcad.hessian(p.heat)(0.1, u0(4), 3)


def test_a_standalone_module_carries_the_schedule(tmp_path):
    """The standalone module copies ``Checkpoints`` in with the other runtime helpers."""
    import importlib.util
    x = u0()
    text = srcad.source(srcad.grad(p.heat), 0.1, x, 30, standalone=True)
    assert "class Checkpoints" in text and "import srcad" not in text and "from srcad." not in text
    path = tmp_path / "dheat.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("dheat_standalone", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.dheat_dkappa(0.1, x, 30) == pytest.approx(srcad.grad(p.heat)(0.1, x, 30),
                                                            rel=1e-13)


def test_closures_with_other_snapshot_counts_get_their_own_derivative():
    """The count is written into the derivative: a closure over another count is not served
    the first one's from the cache."""
    x = u0(4)
    for k in (3, 7):
        assert f"Checkpoints(T, {k})" in srcad.source(srcad.grad(p.heat_k(k)), 0.1, x, 10)
