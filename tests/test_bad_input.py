"""The bad-input gallery: srcad called wrongly, or on odd input, answers with a clear error
that names the file and line (the user's call, or the function's line) and says what to do
instead; or, for odd but valid input, with the right answer. One test per case."""
import math
import re

import numpy as np
import pytest

import gallery_programs as g
import srcad
from test_cache import load

HERE = __file__
ACTIONS = ("use", "pass", "define", "give", "name", "call", "return", "wrap", "split", "differentiate",
           "rewrite", "match", "transform")


def raised(action):
    with pytest.raises(Exception) as info:
        action()
    return info.value


# id -> (what the user does, words the message must hold, where it must point: "call" = the
# line of the call in this file, "def" = a line of gallery_programs.py)
GALLERY = {
    "wrt index out of range": (lambda: srcad.grad(g.two, wrt=5)(1.0, 2.0), ["wrt=5", "range"], "def"),
    "negative wrt out of range": (lambda: srcad.grad(g.two, wrt=-3)(1.0, 2.0), ["-3"], "def"),
    "wrt names no parameter": (lambda: srcad.grad(g.two, wrt="z")(1.0, 2.0), ["'z'"], "def"),
    "wrt of the wrong type": (lambda: srcad.grad(g.two, wrt=1.5)(1.0, 2.0), ["1.5"], "call"),
    "wrt names a parameter twice": (lambda: srcad.grad(g.two, wrt=(0, 0)), ["twice"], "call"),
    "empty wrt": (lambda: srcad.grad(g.two, wrt=()), ["names no parameter"], "call"),
    "wrt argument is a string": (lambda: srcad.grad(g.two)("a", 2.0), ["str"], "call"),
    "wrt argument is complex": (lambda: srcad.grad(g.vector)(1j), ["complex"], "call"),
    "wrt argument is a complex array": (lambda: srcad.grad(g.array_sum)(np.ones(2) * 1j),
                                        ["complex"], "call"),
    "wrt argument is None": (lambda: srcad.grad(g.vector)(None), ["nonetype"], "call"),
    "not a function: int": (lambda: srcad.grad(3), ["int"], "call"),
    "not a function: str": (lambda: srcad.grad("two"), ["str"], "call"),
    "a builtin": (lambda: srcad.grad(math.sin), ["builtin"], "call"),
    "a NumPy ufunc": (lambda: srcad.grad(np.sin), ["builtin"], "call"),
    "a class": (lambda: srcad.grad(g.Model), ["class model"], "call"),
    "a callable object": (lambda: srcad.grad(g.Model()), ["model"], "call"),
    "a functools.partial of a builtin": (lambda: srcad.grad(g.PARTIAL_OF_A_BUILTIN), ["partial"],
                                         "call"),
    "wrt names what a partial holds": (lambda: srcad.grad(g.PARTIAL, wrt="x")(3.0),
                                       ["holds fixed"], "call"),
    "positional-only parameters": (lambda: srcad.grad(g.positional_only)(1.0, 2.0),
                                   ["positional-only"], "def"),
    "recursion": (lambda: srcad.grad(g.factorial)(0.5, 3), ["recursive"], "def"),
    "array output to grad": (lambda: srcad.grad(g.vector)(np.ones(3)), ["vjp", "shape (3,)"], "call"),
    "tuple output to grad": (lambda: srcad.grad(g.pair)(1.0), ["tuple of 2", "jacobian"], "call"),
    "string output to grad": (lambda: srcad.grad(g.text)(1.0), ["'not a number'"], "def"),
    "no return statement": (lambda: srcad.grad(g.no_return)(1.0), ["none", "return"], "def"),
    "array output to value_and_grad": (lambda: srcad.value_and_grad(g.vector)(np.ones(2)),
                                       ["vjp"], "call"),
    "vjp without dout": (lambda: srcad.vjp(g.vector)(), ["dout"], "call"),
    "vjp with a misshapen dout": (lambda: srcad.vjp(g.vector)(np.ones(3), np.ones(4)),
                                  ["dout", "(4,)", "(3,)"], "call"),
    "jvp with a misshapen tangent": (lambda: srcad.jvp(g.vector)(np.ones(3), np.ones(4)),
                                     ["tangent", "(4,)", "(3,)"], "call"),
    "jvp without its tangent": (lambda: srcad.jvp(g.two)(1.0, 2.0), ["tangent", "missing"], "call"),
    "hvp without v": (lambda: srcad.hvp(g.scalar_math)(), ["v last"], "call"),
    "hessian of an array function": (lambda: srcad.hessian(g.vector)(np.ones(2)), ["scalar"], "call"),
    "source of a plain function": (lambda: srcad.source(g.two), ["srcad.grad"], "call"),
    "value_and_grad transformed again": (lambda: srcad.grad(srcad.value_and_grad(g.scalar_math)),
                                         ["value_and_grad"], "call"),
    "exec without a source": (lambda: srcad.grad(exec_made())(1.0), ["source"], "<string>"),
}


def exec_made():
    namespace = {}
    exec("def made(x):\n    return x * 2.0\n", namespace)
    return namespace["made"]


@pytest.mark.parametrize("case", list(GALLERY))
def test_gallery(case):
    action, words, where = GALLERY[case]
    err = raised(action)
    assert isinstance(err, srcad.SrcadError), f"{type(err).__name__}: {err}"
    msg = str(err)
    location = {"call": HERE, "def": g.__file__}.get(where, where)
    assert msg.startswith(f"{location}:") and re.match(r"^.+:\d+: ", msg), msg
    if where == "call":     # the line of this file that holds the case
        line = int(msg[len(location) + 1:].split(":")[0])
        assert case in open(HERE).read().splitlines()[line - 1] or \
            "lambda" in open(HERE).read().splitlines()[line - 1], msg
    assert all(w in msg.lower() for w in (w.lower() for w in words)), msg
    assert any(a in msg.lower() for a in ACTIONS), f"no advice in: {msg}"
    for internal in ("Traceback", 'File "', "<gast.", "object at 0x", "/srcad/"):
        assert internal not in msg, msg


@pytest.mark.parametrize("args, kwargs", [((1.0,), {}), ((1.0, 2.0, 3.0), {}),
                                          ((1.0,), {"z": 2.0}), ((1.0,), {"x": 2.0})],
                         ids=["too few", "too many", "unknown keyword", "twice by keyword"])
def test_wrong_arguments_raise_what_the_original_raises(args, kwargs):
    expected = raised(lambda: g.two(*args, **kwargs))
    got = raised(lambda: srcad.grad(g.two)(*args, **kwargs))
    assert type(got) is type(expected) and str(got) == str(expected)


def test_a_file_that_no_longer_exists(tmp_path):
    namespace = {}
    path = str(tmp_path / "deleted.py")
    exec(compile("\n\ndef gone(x):\n    return x * 2.0\n", path, "exec"), namespace)
    msg = str(raised(lambda: srcad.grad(namespace["gone"])(1.0)))
    assert msg.startswith(f"{path}:3: ") and "source" in msg and "define" in msg


def test_nan_and_inf_propagate_as_numpy_does():
    v = np.array([0.5, np.nan, np.inf, -1.0])
    with np.errstate(invalid="ignore"):
        got = srcad.grad(g.array_sum)(v)
        want = np.cos(v) * v + np.sin(v)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got[~np.isnan(want)], want[~np.isnan(want)])
    assert math.isnan(srcad.grad(g.scalar_math)(math.nan))


def test_math_domain_errors_are_the_originals():
    expected = raised(lambda: g.scalar_math(math.inf))
    got = raised(lambda: srcad.grad(g.scalar_math)(math.inf))
    assert type(got) is type(expected) and str(got) == str(expected)


def test_a_million_iterations_of_for_and_while():
    n = 10 ** 6
    assert srcad.grad(g.long_for)(0.3, n) == pytest.approx(
        sum(math.cos(0.3 + i * 1e-6) for i in range(n)), rel=1e-9)
    assert srcad.grad(g.long_while)(0.3, n) == pytest.approx(1.0, rel=1e-9)


def test_deep_nesting_and_a_long_expression(tmp_path):
    deep = load(tmp_path, "deep_nesting", g.deep_source(depth=25, terms=400)).deep
    h = 1e-6
    assert srcad.grad(deep)(0.7) == pytest.approx((deep(0.7 + h) - deep(0.7 - h)) / (2 * h),
                                                  rel=1e-6)


def test_an_expression_too_long_to_walk_is_refused_clearly(tmp_path):
    module = load(tmp_path, "too_deep", g.deep_source(depth=1, terms=6000))
    msg = str(raised(lambda: srcad.grad(module.deep)(0.7)))
    assert msg.startswith(f"{module.__file__}:4: ") and "nested too deeply" in msg and "split" in msg


def test_a_500_line_function(tmp_path):
    module = load(tmp_path, "five_hundred", g.long_source(500))
    assert len(open(module.__file__).read().splitlines()) >= 500
    gx, gy = srcad.grad(module.long, wrt=(0, 1))(0.7, 0.4)
    h = 1e-6
    assert gx == pytest.approx((module.long(0.7 + h, 0.4) - module.long(0.7 - h, 0.4)) / (2 * h),
                               rel=1e-6)
    assert gy == pytest.approx((module.long(0.7, 0.4 + h) - module.long(0.7, 0.4 - h)) / (2 * h),
                               rel=1e-6)
