"""Custom rules written as Python functions (``srcad.defvjp`` / ``srcad.defjvp``), used by
user-style programs and checked against central differences in both modes and to second order;
``srcad.check_rule`` on good rules and on deliberately wrong ones; rule functions srcad cannot
use, refused when they are registered."""
import custom_rule_programs as p
import numpy as np
import pytest
from oracle import assert_close, numeric_grad

import srcad
from srcad import rules

RNG = np.random.default_rng(3)
W, XS = RNG.normal(size=3), RNG.normal(size=(5, 3))
LOGITS = RNG.normal(size=4) * 3.0


def test_softplus_in_a_loss():
    srcad.check_grad(p.softplus_loss, wrt=0, order=2)(W, XS)
    srcad.check_grad(p.softplus_loss, wrt=1)(W, XS)
    assert_close(srcad.grad(p.softplus_loss)(W, XS), numeric_grad(p.softplus_loss, [W, XS], 0))
    text = srcad.source(srcad.grad(p.softplus_loss), W, XS)
    assert "softplus(" in text and "(1.0 + np.exp(-" in text      # the rule, written out


def test_logsumexp_with_a_stable_vjp():
    srcad.check_grad(p.log_likelihood, order=2)(LOGITS, 2)
    assert_close(srcad.grad(p.log_likelihood)(LOGITS, 2),
                 numeric_grad(p.log_likelihood, [LOGITS, 2], 0))
    big = LOGITS + 1000.0                          # exp(1000) overflows; the rule does not
    g = srcad.grad(p.log_likelihood)(big, 2)
    assert np.all(np.isfinite(g)) and g.sum() == pytest.approx(0.0, abs=1e-12)
    _, t = srcad.jvp(p.log_likelihood)(big, 2, np.ones(4))
    assert t == pytest.approx(0.0, abs=1e-12)
    text = srcad.source(srcad.grad(p.log_likelihood), LOGITS, 2)
    assert "np.exp(logits - " in text and "logsumexp_vjp" not in text


def test_a_parameter_without_a_derivative():
    srcad.check_grad(p.uses_shifted_power, order=2)(W)
    with pytest.raises(srcad.SrcadError):
        srcad.grad(p.shifted_power, wrt=1)(W, 1)            # n is an int: no derivative


def test_a_default_parameter_left_out_of_the_rule():
    srcad.check_grad(p.uses_smooth, wrt=0, order=2)(W, 0.3)
    assert rules.lookup(p.smooth, 1).missing == ("alpha",)
    with pytest.raises(srcad.SrcadError, match="alpha"):
        srcad.grad(p.uses_smooth, wrt=1)(W, 0.3)            # an error, not a silent zero


def test_a_rule_inside_a_loop_and_a_helper():
    w, h0 = RNG.normal(size=3), RNG.normal(size=3)
    for wrt in (0, 1):
        srcad.check_grad(p.unrolled, wrt=wrt, order=2)(w, h0, 4)
    h = srcad.hessian(p.unrolled)(w, h0, 3)
    assert_close(h, h.T)


# ---- check_rule ---------------------------------------------------------------------------------
def test_check_rule_passes_good_rules():
    report = srcad.check_rule(p.softplus, W)
    assert set(report) == {("x", "reverse"), ("x", "forward")}
    assert max(report.values()) < 1e-7
    assert set(srcad.check_rule(p.cell, W, W[::-1].copy())) == {
        ("h", "reverse"), ("h", "forward"), ("w", "reverse"), ("w", "forward")}
    assert set(srcad.check_rule(p.shifted_power, W, 2)) == {("x", "reverse"), ("x", "forward")}
    srcad.check_rule(p.logsumexp, LOGITS)
    srcad.check_rule(p.smooth, W, alpha=0.25)
    srcad.check_rule(np.linalg.norm, XS, 1, axis=1)           # string templates too
    srcad.check_rule(np.sum, XS, axis=0, keepdims=True)
    srcad.check_rule(np.tanh, 0.3)                              # an element-wise rule, a float


def test_check_rule_catches_a_wrong_vjp():
    with pytest.raises(AssertionError) as info:
        srcad.check_rule(p.wrong_softplus, W)
    text = str(info.value)
    assert "reverse rule is wrong for x: max |error|" in text and "forward" not in text


def test_check_rule_catches_a_wrong_jvp_and_names_the_parameter():
    message = r"forward rule is wrong for y: max \|error\| [0-9.e-]+"
    with pytest.raises(AssertionError, match=message) as info:
        srcad.check_rule(p.wrong_tangent, W, W + 1.0)
    assert "for x" not in str(info.value) and "reverse" not in str(info.value)


def test_check_rule_catches_a_wrong_string_template():
    def twice(x):
        return 2.0 * x
    srcad.defrule(twice, "x", "dx += 3.0 * dout", "dout = 2.0 * dx")
    try:
        with pytest.raises(AssertionError, match="reverse rule is wrong for x"):
            srcad.check_rule(twice, W)
    finally:
        rules.REGISTRY.pop(twice)
        rules.CHANGES[0] += 1


def test_check_rule_of_a_function_without_a_rule():
    with pytest.raises(srcad.UsageError, match="has no registered derivative rule"):
        srcad.check_rule(p.unrolled, W, W, 2)


# ---- rule functions srcad refuses, when they are registered --------------------------------
def target(x, y):
    return x * y


def with_branch(dout, out, x, y):
    if x > 0:
        return dout * y, dout * x
    return dout * y, dout * x


def wrong_names(dout, out, a, b):
    return dout * b, dout * a


def local_named_like_a_derivative(dout, out, x, y):
    dx = dout * y
    return dx, dout * x


def assigns_a_parameter(dout, out, x, y):
    x = x * 1.0
    return dout * y, dout * x


def too_many(dout, out, x, y):
    return dout * y, dout * x, dout


def make_closure():
    scale = 2.0

    def closure_rule(dout, out, x, y):
        return dout * y * scale, dout * x
    return closure_rule


@pytest.mark.parametrize("rule_fn, what", [
    (with_branch, "not an assignment to names \\(If\\)"),
    (wrong_names, "are not those of target"),
    (local_named_like_a_derivative, "assigns to dx"),
    (assigns_a_parameter, "assigns to x"),
    (too_many, "returns 3 derivatives for 2 parameters"),
    (make_closure(), "reads scale from an enclosing function"),
])
def test_rule_functions_srcad_cannot_use_are_refused(rule_fn, what):
    with pytest.raises(srcad.SrcadError, match=what) as info:
        srcad.defvjp(target)(rule_fn)
    assert str(info.value).startswith(__file__ + ":")
    assert not rules.has_rule(target)


def test_a_lambda_is_refused():
    with pytest.raises(srcad.SrcadError, match="written with def"):
        srcad.defjvp(target)(lambda dx, dy, out, x, y: dx * y + x * dy)
