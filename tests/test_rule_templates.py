"""A rule whose template does not parse is refused when it is registered (a string template)
or where a call uses it (a template computed by a function), with an error naming the rule's
function and quoting the template — never as an internal error of srcad."""
import numpy as np
import pytest

import srcad
from srcad import rules
from srcad.errors import RuleError


def target(x):
    return 2.0 * x


@pytest.fixture
def clean_registry():
    yield
    rules.REGISTRY.pop(target, None)
    rules.CHANGES[0] += 1


@pytest.mark.parametrize("reverse, forward, what", [
    ("dx += dout *", None, "reverse template does not parse"),
    ("dx += dout", "dout = (dx", "forward template does not parse"),
    ("dx += dout", "dx * 2.0", "one assignment, dout = <expression>"),
    ("print(dout)", None, "must be assignments"),
    ("da += dout * 2.0", None, "assigns da, which is no parameter's derivative"),
    ("g = dout * 2.0\ndx += dout", None, "assigns g, which is no parameter's derivative"),
])
def test_defrule_refuses_a_template_that_does_not_parse(reverse, forward, what, clean_registry):
    with pytest.raises(RuleError, match=what) as info:
        srcad.defrule(target, "x", reverse=reverse, forward=forward)
    text = str(info.value)
    assert "test_rule_templates.target" in text and "test_rule_templates.py:" in text
    assert repr(forward if "forward" in what or "dout =" in what else reverse) in text
    assert not rules.has_rule(target)


def test_defelementwise_refuses_a_partial_that_does_not_parse(clean_registry):
    with pytest.raises(RuleError, match=r"partial template does not parse.*'1.0 \+'"):
        srcad.defelementwise(target, "x", "1.0 +")
    assert not rules.has_rule(target)


def uses_target(x):
    return target(x) * x


@pytest.mark.parametrize("transform, args", [(srcad.grad, (1.5,)), (srcad.jvp, (1.5, 1.0))])
def test_a_template_function_whose_text_does_not_parse(transform, args, clean_registry):
    srcad.defrule(target, "x", lambda call: "dx += 2.0 *", lambda op: "dout = (2.0 * dx")
    with pytest.raises(RuleError, match="derivative rule of .*target cannot be used") as info:
        transform(uses_target)(*args)
    assert "internal error" not in str(info.value)
    assert str(info.value).startswith(f"{__file__}:{uses_target.__code__.co_firstlineno + 1}:")


def test_a_template_function_that_raises_names_the_rule(clean_registry):
    def broken(call):
        raise KeyError("axis")
    srcad.defrule(target, "x", broken, "dout = 2.0 * dx")
    with pytest.raises(RuleError, match="reverse template function .*target raised KeyError"):
        srcad.grad(uses_target)(1.5)
    assert srcad.jvp(uses_target)(1.5, 1.0) == (4.5, 6.0)


def test_the_built_in_table_is_unchanged():
    assert srcad.grad(lambda_free)(np.array([0.5, 1.0])).shape == (2,)


def lambda_free(x):
    return np.sum(np.sin(x) * np.linalg.norm(x))


def test_a_template_may_name_temporaries_it_reads(clean_registry):
    srcad.defrule(target, "x", reverse="g = 2.0 * dout\ndx += g", forward="dout = 2.0 * dx")
    assert srcad.grad(uses_target)(1.5) == pytest.approx(6.0)


def test_a_template_function_s_stray_target_is_refused_at_the_call(clean_registry):
    srcad.defrule(target, "x", lambda call: "dy += 2.0 * dout", "dout = 2.0 * dx")
    with pytest.raises(RuleError, match="assigns dy, which is no parameter's derivative"):
        srcad.grad(uses_target)(1.5)
