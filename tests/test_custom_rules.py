"""The public rule API: ``srcad.defrule``, ``srcad.defelementwise``, ``srcad.nondiff`` and
``srcad.constant``. The built-in table is written with the same functions; here a user gives
derivatives to functions srcad cannot read or should not trace, in both modes, and checks
them against central differences."""
import math

import numpy as np
import pytest

import srcad
from oracle import check_grad, check_jvp

# A "library" function srcad cannot read: made by exec, so it has no source file.
_namespace = {"np": np}
exec("def cube_sum(x, w):\n    return np.sum(w * x ** 3)\n", _namespace)
cube_sum = _namespace["cube_sum"]
srcad.defrule(cube_sum, "x, w",
              reverse="dx += dout * 3.0 * w * x ** 2\ndw += dout * x ** 3",
              forward="dout = np.sum(3.0 * w * x ** 2 * dx) + np.sum(x ** 3 * dw)")


def softplus(x):
    """Written with a branch srcad would follow; the rule replaces it by one expression."""
    if x > 30.0:
        return x
    return math.log1p(math.exp(x))


srcad.defelementwise(softplus, "x", "1.0 / (1.0 + math.exp(-x))")


@srcad.nondiff
def bucket(x):
    return float(np.floor(x * 4.0)) / 4.0


def uses_cube_sum(x, w):
    return cube_sum(np.sin(x), w) * 2.0


def uses_softplus(x):
    return softplus(x * x) + softplus(-x)


def uses_bucket(x):
    return x * bucket(x) + bucket(x) ** 2


def stop_gradient(x):
    return x * srcad.constant(x) + srcad.constant(x * x)


X = np.array([0.4, -1.1, 0.9])
W = np.array([1.5, 0.5, -2.0])


@pytest.mark.parametrize("wrt", [0, 1, (0, 1)])
def test_defrule_for_a_function_without_source(wrt):
    check_grad(uses_cube_sum, (X, W), wrt)
    check_jvp(uses_cube_sum, (X, W), wrt)


def test_defrule_is_what_the_generated_code_calls():
    df = srcad.grad(uses_cube_sum)
    df(X, W)
    # the rule's template 3.0 * w * x ** 2, at x = sin_x (its constant folded with the
    # 2.0 of the outer rule, scalar factors first)
    assert "6.0 * dout * w * sin_x ** 2" in srcad.source(df)


@pytest.mark.parametrize("x", [0.7, -1.3])
def test_defelementwise_on_a_user_function(x):
    check_grad(uses_softplus, (x,))
    check_jvp(uses_softplus, (x,))


def test_elementwise_rule_replaces_the_branch():
    df = srcad.grad(uses_softplus)
    assert df(0.7) == pytest.approx(2 * 0.7 / (1 + math.exp(-0.49)) - 1 / (1 + math.exp(0.7)))
    text = srcad.source(df)
    assert "math.exp(-" in text and "x > 30.0" not in text


def test_nondiff_decorator_makes_a_constant():
    assert srcad.grad(uses_bucket)(0.8) == bucket(0.8) == 0.75
    check_jvp(uses_bucket, (0.8,))


def test_constant_stops_the_derivative():
    assert srcad.grad(stop_gradient)(3.0) == 3.0        # d/dx (x * c) with c = x held fixed
    value, tangent = srcad.jvp(stop_gradient)(3.0, 1.0)
    assert (value, tangent) == (18.0, 3.0)


def test_second_order_through_a_custom_rule():
    def f(x):
        return cube_sum(x, W)
    h = srcad.hessian(f)(X)
    assert np.allclose(h, np.diag(6.0 * W * X))


def test_a_new_rule_replaces_the_old_one_and_the_cache():
    def twice(x):
        return 2.0 * x

    def g(x):
        return twice(x) * x
    assert srcad.grad(g)(3.0) == 12.0                   # traced: d(2x * x) = 4x
    srcad.defelementwise(twice, "x", "3.0")             # a (deliberately different) rule
    try:
        assert srcad.grad(g)(3.0) == 3.0 * 3.0 + 6.0    # the rule is used from now on
    finally:
        srcad.rules.REGISTRY.pop(twice)
        srcad.rules.CHANGES[0] += 1
    assert srcad.grad(g)(3.0) == 12.0


def test_a_rule_whose_parameters_do_not_match_the_call_is_an_error():
    def h(x):
        return cube_sum(x, W, 3)
    with pytest.raises(srcad.SrcadError, match="do not match the rule's parameters"):
        srcad.grad(h)(X)


def test_a_rule_without_forward_template_is_reverse_only():
    exec_ns = {}
    exec("def mystery(x):\n    return x * 2.0\n", exec_ns)
    mystery = exec_ns["mystery"]
    srcad.defrule(mystery, "x", reverse="dx += 2.0 * dout")

    def k(x):
        return mystery(x) * x
    assert srcad.grad(k)(1.5) == 6.0
    with pytest.raises(srcad.SrcadError, match="no forward template"):
        srcad.jvp(k)(1.5, 1.0)


def test_the_docs_example(tmp_path, monkeypatch):
    """The first example of docs/custom-rules.md, run as written (as a module, so srcad can
    read its functions), then checked against finite differences."""
    pytest.importorskip("scipy.special")
    import importlib
    import pathlib
    import re
    text = pathlib.Path(__file__).parent.parent.joinpath("docs", "custom-rules.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    (tmp_path / "readme_rules.py").write_text(
        "import numpy as np\nimport srcad\n" + code + "\n\n"
        "def user(a):\n"
        "    return scipy.linalg.norm(a) * np.sum(scipy.special.erfcx(a)) + bucket(a[0])\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("readme_rules")
    a = np.array([0.3, -1.2, 2.0])
    check_grad(module.user, (a,))
    check_jvp(module.user, (a,))
    assert srcad.grad(module.f)(3.0) == 3.0


def thrice(x):
    return 3.0 * x


def uses_thrice(x):
    return thrice(x) * x


def test_a_rule_registered_later_reaches_a_derivative_already_called_twice():
    """The second call of a derivative takes the fast path; a rule registered after it must
    still be seen (the fast path checks the rule table and the globals the derivative read)."""
    d = srcad.grad(uses_thrice)
    assert d(2.0) == d(2.0) == 12.0
    srcad.defelementwise(thrice, "x", "1.0")
    try:
        assert d(2.0) == 2.0 + 6.0
    finally:
        srcad.rules.REGISTRY.pop(thrice)
        srcad.rules.CHANGES[0] += 1
    assert d(2.0) == d(2.0) == 12.0
