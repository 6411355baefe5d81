"""``srcad.source(df, *example_args)``: the source specialised to example arguments, made
without a call; the general version (no call, no example) says so in its first line; the
CLI's ``--args`` is the same thing from the command line."""
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import srcad


def f(x, y):
    return np.sin(x) * y + x * x


def loop(x, n):
    y = 0.0
    for i in range(n):
        y = y + np.sin(x) * x
    return y


def tanh_sum(x, y):
    return np.sum(np.tanh(x) * y)


ARGS = (0.5, 2.0)
VECTOR = (np.array([0.5, -1.0, 2.0]), 2.0)

# name -> (a maker of a new derived function, example arguments, the extra arguments a call takes)
CASES = {
    "grad": (lambda: srcad.grad(f), ARGS, ()),
    "grad wrt both": (lambda: srcad.grad(f, wrt=(0, 1)), ARGS, ()),
    "grad of an array": (lambda: srcad.grad(tanh_sum), VECTOR, ()),
    "value_and_grad": (lambda: srcad.value_and_grad(f, wrt="y"), ARGS, ()),
    "vjp": (lambda: srcad.vjp(f), ARGS, (1.0,)),
    "vjp of an array": (lambda: srcad.vjp(f), VECTOR, (np.ones(3),)),
    "jvp": (lambda: srcad.jvp(f), ARGS, (1.0,)),
    "jvp wrt both": (lambda: srcad.jvp(f, wrt=(0, 1)), ARGS, (1.0, 1.0)),
    "loop with an int": (lambda: srcad.grad(loop), (0.3, 4), ()),
    "grad of grad": (lambda: srcad.grad(srcad.grad(f)), ARGS, ()),
    "jvp of grad": (lambda: srcad.jvp(srcad.grad(f)), ARGS, (1.0,)),
    "grad of jvp": (lambda: srcad.grad(srcad.jvp(f)), ARGS + (1.0,), ()),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_arguments_give_the_source_of_a_real_call(name):
    make, args, extra = CASES[name]
    called = make()
    called(*args, *extra)
    assert srcad.source(make(), *args) == srcad.source(called)


@pytest.mark.parametrize("name", [n for n in sorted(CASES) if CASES[n][2]])
def test_the_cotangent_or_tangents_may_be_given_or_left_out(name):
    make, args, extra = CASES[name]
    assert srcad.source(make(), *args, *extra) == srcad.source(make(), *args)


@pytest.mark.parametrize("matrix, extra", [
    (lambda: srcad.jacobian(f, mode="reverse"), ()),
    (lambda: srcad.jacobian(f, mode="forward"), ()),
    (lambda: srcad.hessian(f), ()),
    (lambda: srcad.hvp(f), (1.0,)),
])
def test_matrices_show_the_derivative_they_sweep_with(matrix, extra):
    called = matrix()
    called(*ARGS, *extra)
    assert srcad.source(matrix(), *ARGS) == srcad.source(called)
    assert srcad.source(matrix(), *ARGS, *extra) == srcad.source(called)


def test_keyword_arguments():
    called = srcad.grad(f)
    called(0.5, y=2.0)
    assert srcad.source(srcad.grad(f), 0.5, y=2.0) == srcad.source(called)


def test_nothing_is_run():
    # x and y do not broadcast: a call would fail, the transform only needs their kinds
    x, y = np.ones(3), np.ones(4)
    with pytest.raises(ValueError):
        srcad.grad(f, wrt=(0, 1))(x, y)
    assert srcad.source(srcad.grad(f, wrt=(0, 1)), x, y).startswith("def df_dx_dy(")


def test_specialised_source_drops_the_general_helpers():
    df = srcad.grad(f)
    general = srcad.source(df)
    assert "unbroadcast(" in general and "assert_scalar(" in general
    specialised = srcad.source(df, *ARGS)
    for helper in ("unbroadcast(", "assert_scalar(", "add_seq(", "shape_of("):
        assert helper not in specialised
    assert specialised.startswith("def dfdx(x, y, dout=1.0):")


# ---- the general version --------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda: srcad.grad(f), lambda: srcad.vjp(f), lambda: srcad.jvp(f, wrt=(0, 1)),
    lambda: srcad.grad(srcad.grad(f)), lambda: srcad.hessian(f),
], ids=["grad", "vjp", "jvp", "grad of grad", "hessian"])
def test_general_version_says_so_first(make):
    lines = srcad.source(make()).splitlines()
    assert lines[0].startswith("# general version: argument kinds unknown (x, y); ")
    comment = [line for line in lines if line.startswith("#")][:2]
    assert "srcad.source(df, x, y)" in " ".join(comment) and "--args" in " ".join(comment)
    assert all(len(line) <= 100 for line in comment)
    assert lines[2].startswith("def ") or lines[1].startswith("def ")


def test_general_note_stays_short_for_many_parameters():
    def many(alpha, beta, gamma, delta, epsilon, zeta, eta, theta, *rest, **options):
        return alpha * beta
    text = srcad.source(srcad.grad(many))
    head = text.split("\ndef ")[0].splitlines()
    assert len(head) <= 2 and all(line.startswith("# ") and len(line) <= 100 for line in head)
    assert "alpha, beta" in head[0] and "..." in head[0]


def test_general_note_is_display_only():
    df = srcad.grad(f)
    srcad.source(df)                                # the general version first
    for entry in df.specialised.values():
        assert "general version" not in entry[1].source
    assert df(*ARGS) == pytest.approx(2.0 * 0.5 + 2.0 * np.cos(0.5))
    assert not srcad.source(df).startswith("#")     # now the call's specialisation
    # a derivative of it, transformed after its general version was shown, still works
    second = srcad.grad(df)
    srcad.source(second)
    assert second(*ARGS) == pytest.approx(2.0 - 2.0 * np.sin(0.5))
    fresh_inner = srcad.grad(f)
    srcad.source(fresh_inner)
    assert srcad.grad(fresh_inner)(*ARGS) == pytest.approx(2.0 - 2.0 * np.sin(0.5))


def test_examples_do_not_change_what_source_shows_later():
    df = srcad.grad(tanh_sum)
    srcad.source(df, *ARGS)
    assert srcad.source(df).startswith("# general version")
    df(*VECTOR)
    vector_source = srcad.source(df)
    assert srcad.source(df, *ARGS) != vector_source
    assert srcad.source(df) == vector_source
    second = srcad.grad(srcad.grad(f))
    srcad.source(second, *ARGS)
    assert srcad.source(second.inner).startswith("# general version")


# ---- bad example arguments: the errors of a call -------------------------------------------
@pytest.mark.parametrize("bad", [(0.5,), (0.5, 2.0, 3.0, 4.0)])
@pytest.mark.parametrize("transform", [srcad.grad, srcad.value_and_grad, srcad.hessian])
def test_wrong_count_is_the_calls_type_error(transform, bad):
    with pytest.raises(TypeError) as by_call:
        transform(f)(*bad)
    with pytest.raises(TypeError) as by_source:
        srcad.source(transform(f), *bad)
    assert str(by_source.value) == str(by_call.value)
    assert "f()" in str(by_source.value)


@pytest.mark.parametrize("transform", [srcad.vjp, srcad.jvp, srcad.hvp])
def test_wrong_count_with_a_cotangent_or_tangent(transform):
    with pytest.raises(TypeError, match=r"f\(\) (missing|takes)"):
        srcad.source(transform(f), 0.5)
    with pytest.raises(TypeError, match=r"f\(\) (missing|takes)"):
        srcad.source(transform(f), 0.5, 2.0, 1.0, 1.0)


@pytest.mark.parametrize("transform", [srcad.grad, srcad.vjp, srcad.jvp, srcad.hessian,
                                       lambda fn: srcad.grad(srcad.grad(fn))])
@pytest.mark.parametrize("bad", ["text", None, [1.0, "a"], np.array([1 + 2j])])
def test_a_wrt_that_is_no_float_is_the_calls_usage_error(transform, bad):
    with pytest.raises(srcad.SrcadError) as by_source:
        srcad.source(transform(f), bad, 2.0)
    assert isinstance(by_source.value, TypeError)
    assert "wrt='x'" in by_source.value.message
    with pytest.raises(srcad.SrcadError) as by_call:
        extra = (1.0,) if transform in (srcad.vjp, srcad.jvp) else ()
        transform(f)(bad, 2.0, *extra)
    assert by_source.value.message == by_call.value.message


def test_a_tangent_of_the_wrong_shape():
    with pytest.raises(TypeError, match="the tangent for x"):
        srcad.source(srcad.jvp(f), *VECTOR, np.ones(2))


def test_integers_are_promoted_as_a_call_promotes_them():
    called = srcad.grad(f)
    called(1, 2.0)
    assert srcad.source(srcad.grad(f), 1, 2.0) == srcad.source(called)


def test_source_of_a_plain_function_with_examples():
    with pytest.raises(TypeError, match="srcad.source needs"):
        srcad.source(f, *ARGS)


# ---- the command line -----------------------------------------------------------------------
MODULE = textwrap.dedent("""
    import numpy as np

    def two(x, y):
        return np.sin(x) * y + x * x
""")


@pytest.fixture
def module(tmp_path):
    path = tmp_path / "cli_code.py"
    path.write_text(MODULE)
    return path


def run(*args):
    return subprocess.run([sys.executable, "-m", "srcad"] + [str(a) for a in args],
                          capture_output=True, text=True, timeout=60)


def test_cli_without_args_shows_the_general_version(module):
    done = run(f"{module}:two")
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith("# general version: argument kinds unknown (x, y); ")
    assert "--args" in done.stdout.split("def ")[0]
    assert "unbroadcast(" in done.stdout


@pytest.mark.parametrize("mode, make", [("reverse", srcad.grad), ("forward", srcad.jvp)])
def test_cli_with_args_is_the_specialised_source(module, mode, make):
    done = run(f"{module}:two", "--mode", mode, "--args", "0.5, 2.0")
    assert done.returncode == 0, done.stderr
    assert done.stdout == srcad.source(make(f), *ARGS).replace("def dfdx(", "def dtwo_dx(") \
        .replace("def f_jvp(", "def two_jvp(")
    assert not done.stdout.startswith("#") and "unbroadcast(" not in done.stdout


def test_cli_args_run_nothing(module):
    done = run(f"{module}:two", "--wrt", "x,y", "--args", "np.ones(3), np.ones(4)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("def dtwo_dx_dy(")


@pytest.mark.parametrize("args, words", [("0.5", "missing"), ("'text', 2.0", "wrt='x'")])
def test_cli_bad_args(module, args, words):
    done = run(f"{module}:two", "--args", args)
    assert done.returncode == 2
    assert done.stderr.startswith("srcad: ") and words in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def rosenbrock_loop(v):
    total = 0.0
    for i in range(len(v) - 1):
        total = total + 100.0 * (v[i + 1] - v[i] ** 2) ** 2 + (1.0 - v[i]) ** 2
    return total


def test_a_copy_put_back_unchanged_is_gone():
    # dtotal_plus_v_item = dtotal; ...; dtotal = dtotal_plus_v_item: the seed passed on unchanged
    v = np.array([0.5, 1.2, -0.3])
    d = srcad.grad(rosenbrock_loop)
    source = srcad.source(d, v)
    assert "dtotal = " not in source and "dtotal_plus" not in source
    h = 1e-6
    np.testing.assert_allclose(d(v), [(rosenbrock_loop(v + h * e) - rosenbrock_loop(v - h * e))
                                      / (2 * h) for e in np.eye(3)], rtol=1e-6)
