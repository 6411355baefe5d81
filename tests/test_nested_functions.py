"""Nested function definitions (issue 9, point 1): a ``def`` inside a differentiated function,
called there, reading the enclosing variables — those being differentiated included. srcad
lifts it into a helper whose first parameters are the variables it reads (srcad/closures.py);
each case is checked against central differences in both modes, and to second order."""
import numpy as np
import pytest

import srcad
from oracle import assert_close, check_grad, check_jvp

RNG = np.random.default_rng(3)
W = RNG.standard_normal((3, 3)) * 0.5
XS = RNG.standard_normal((4, 3))
V = RNG.standard_normal(3)


def check_all(f, args, wrt, order=2):
    srcad.check_grad(f, wrt=wrt, modes=("reverse", "forward"), order=order)(*args)


def rnn_loss(params, xs):
    def step(h, x):
        return np.tanh(np.dot(h, params["W"]) + x)
    h = np.zeros(3)
    for x in xs:
        h = step(h, x)
    return np.sum(h * h)


def test_rnn_step_reads_the_differentiated_parameters():
    check_all(rnn_loss, ({"W": W}, XS), wrt=(0, 1))
    g = srcad.grad(rnn_loss)({"W": W}, XS)
    assert list(g) == ["W"] and g["W"].shape == (3, 3)


def test_the_nested_function_gets_its_own_derivative_named_after_it():
    text = srcad.source(srcad.grad(rnn_loss))
    assert "def dstep_dparams_dh(params, h, x, dout=1.0):" in text
    assert "h = step(params, h, x)" in text
    assert "dstep_dparams_dh(params, h, x, dout=dh)" in text
    jtext = srcad.source(srcad.jvp(rnn_loss))
    assert "def step_jvp(params, h, x, dparams, dh):" in jtext


def scaled_sum(x, v):
    def scaled(a):
        return a * x + np.sin(v)      # x and v are read when scaled is called
    total = 0.0
    for k in range(3):
        total = total + np.sum(scaled(v * k))
        x = x * 1.5                   # a closure sees the rebinding at its next call
    return total


def test_free_variables_are_read_at_each_call():
    assert_close(scaled_sum(0.7, V), sum(np.sum(V * k * 0.7 * 1.5 ** k + np.sin(V))
                                         for k in range(3)), what="primal")
    check_grad(scaled_sum, (0.7, V), wrt=(0, 1))
    check_jvp(scaled_sum, (0.7, V), wrt=(0, 1))
    check_all(scaled_sum, (0.7, V), wrt=(0, 1))


def calls_a_sibling(x, w):
    def inner(a):
        return np.tanh(a * w)         # reads w
    def outer(a):
        return inner(a) * x           # reads x, and calls inner, which needs w
    return np.sum(outer(np.cos(w)))


def test_a_nested_function_calls_another():
    check_all(calls_a_sibling, (0.4, V), wrt=(0, 1))


def nested_twice(x, v):
    def layer(a):
        def activation(b):
            return np.tanh(b * x)
        return activation(a) + a
    return np.sum(layer(layer(v)))


def test_a_definition_inside_a_nested_function():
    check_all(nested_twice, (0.8, V), wrt=(0, 1))


def make_model(scale):
    def model(x, v):
        def term(a):
            return scale * a * a + x      # scale: the enclosing closure's cell
        return np.sum(term(v))
    return model


def test_a_nested_function_reads_the_closure_of_its_enclosing_function():
    model = make_model(2.5)
    check_all(model, (0.3, V), wrt=(0, 1))
    other = make_model(-1.0)          # same code, another cell: another derivative
    assert_close(srcad.grad(other, wrt=1)(0.3, V), -2.0 * V, what="gradient")
    assert_close(srcad.grad(model, wrt=1)(0.3, V), 5.0 * V, what="gradient")


def defaults_and_keywords(x, v):
    def poly(a, power=2, *, shift=0.5):
        return (a + shift) ** power * x
    return np.sum(poly(v)) + np.sum(poly(v, 3)) + np.sum(poly(a=v, shift=1.0))


def test_constant_defaults_and_keyword_calls():
    check_all(defaults_and_keywords, (0.9, V), wrt=(0, 1))


def keyword_only_helper(h, *, w):
    return np.tanh(h * w)


def uses_keyword_only_helper(w, v):
    return np.sum(keyword_only_helper(v, w=w))


def test_a_helper_with_keyword_only_parameters():
    """(a module-level helper: its keyword-only parameter was not known as a parameter in the
    reverse sweep, a TypeError inside the derivative)"""
    check_all(uses_keyword_only_helper, (0.6, V), wrt=(0, 1))


def defined_in_a_branch_and_a_loop(x, v, flag):
    total = 0.0
    if flag:
        def f(a):
            return a * x
    else:
        def g(a):
            return a - x
    for k in range(2):
        def h(a):
            return np.sin(a * k) + x
        total = total + np.sum(h(v))
    return total + (np.sum(f(v)) if flag else np.sum(g(v)))


def test_definitions_in_a_branch_and_in_a_loop():
    check_all(defined_in_a_branch_and_a_loop, (0.7, V, True), wrt=(0, 1))
    check_all(defined_in_a_branch_and_a_loop, (0.7, V, False), wrt=(0, 1))


def state_in_a_list(x, v):
    def update(a):
        return a * x
    states = [v]
    for _ in range(3):
        states.append(update(states[-1]))
    return np.sum(states[-1])


def test_a_nested_function_in_a_list_building_loop():
    check_all(state_in_a_list, (1.1, V), wrt=(0, 1), order=1)


def redefined(x):
    def f(a):
        return a * a
    return f(x)


def test_a_redefined_enclosing_function_is_derived_again(tmp_path):
    import importlib.util
    import sys
    path = tmp_path / "redefinable.py"
    path.write_text("def outer(x):\n    def f(a):\n        return a * a\n    return f(x)\n")
    spec = importlib.util.spec_from_file_location("redefinable", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["redefinable"] = module
    spec.loader.exec_module(module)
    assert srcad.grad(module.outer)(3.0) == 6.0
    path.write_text("def outer(x):\n    def f(a):\n        return a * a * a\n    return f(x)\n")
    spec.loader.exec_module(module)
    assert srcad.grad(module.outer)(3.0) == 27.0
    del sys.modules["redefinable"]


def test_the_source_is_the_same_every_time():
    first = srcad.source(srcad.grad(calls_a_sibling, wrt=(0, 1)))
    assert srcad.source(srcad.grad(calls_a_sibling, wrt=(0, 1))) == first


def named_lambdas(x, v):
    scale = lambda a: a * x                     # noqa: E731
    shifted = lambda a, b=1.0: np.tanh(scale(a) + b)  # noqa: E731
    total = 0.0
    for k in range(3):
        total = total + np.sum(shifted(v * k))
    return total


def test_a_lambda_bound_to_a_name_is_a_nested_function():
    check_all(named_lambdas, (0.6, V), wrt=(0, 1))
    text = srcad.source(srcad.grad(named_lambdas, wrt=(0, 1)))
    assert "def dshifted_dx_da(x, a, b=1.0, dout=1.0):" in text
    assert "shifted_x_v_times_k = shifted(x, v_times_k)" in text


# ---- what srcad refuses, with file:line and a hint ---------------------------------------
def two_lambdas_on_a_line(x):
    f = lambda a: a * x; g = lambda a: a * 2.0  # noqa: E702,E731
    return f(x) + g(x)


def lambda_as_an_argument(x, v):
    return np.sum(list(map(lambda a: a * x, v)))


def escapes_as_a_value(x, v):
    def f(a):
        return a * x
    return np.sum(list(map(f, v)))


def rebinds_the_name(x):
    def f(a):
        return a * x
    f = 2.0
    return f * x


def called_before_defined(x):
    y = f(x)
    def f(a):
        return a * a
    return y


def decorated(x):
    @staticmethod
    def f(a):
        return a * a
    return f(x)


def default_from_a_variable(x):
    scale = 2.0 * x
    def f(a, s=scale):
        return a * s
    return f(x)


def defined_twice(x, flag):
    if flag:
        def f(a):
            return a * 2.0
    else:
        def f(a):
            return a * 3.0
    return f(x)


def recursive_nested(x, n):
    def power(a, k):
        return a if k <= 1 else a * power(a, k - 1)
    return power(x, n)


def changes_the_enclosing_list(x):
    acc = [x]
    def push(a):
        acc.append(a * a)
        return a
    push(x)
    return acc[-1]


def nonlocal_counter(x):
    total = x
    def add(a):
        nonlocal total
        total = total + a
        return total
    add(x)
    return total


def test_a_nested_function_updating_a_nonlocal():
    assert srcad.value_and_grad(nonlocal_counter)(0.5) == (1.0, 2.0)


@pytest.mark.parametrize("f", [lambda_as_an_argument, escapes_as_a_value])
def test_a_function_mapped_over_a_list(f):
    srcad.check_grad(f, wrt=(0, 1), modes=("reverse", "forward"), order=2)(0.5, V)


@pytest.mark.parametrize("f, args, words", [
    (rebinds_the_name, (0.5,), ["rebinding of the nested function f"]),
    (called_before_defined, (0.5,), ["before its definition"]),
    (decorated, (0.5,), ["decorated nested function f"]),
    (default_from_a_variable, (0.5,), ["default value"]),
    (defined_twice, (0.5, True), ["second definition of the nested function f"]),
    (recursive_nested, (0.5, 3), ["recursive"]),
    (changes_the_enclosing_list, (0.5,), ["in place"]),
    (two_lambdas_on_a_line, (0.5,), ["line of its own"]),
], ids=lambda p: getattr(p, "__name__", ""))
def test_refusals_name_the_line_and_give_a_hint(f, args, words):
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(f)(*args)
    msg = str(info.value)
    assert msg.startswith(f"{__file__}:"), msg
    assert "hint:" in msg, msg
    for w in words:
        assert w in msg, msg
