"""iteration: how a loop reads what it iterates, by the parameters' kinds (the call's
specialisation) and by local bindings: snippet in, core language out."""
import ast

import gast

from srcad.frontend import read_function
from srcad.iterables import KEYS, Iterables
from srcad.normalize import normalize


def body(fn, **kinds):
    tree = normalize(read_function(fn), kinds=kinds)
    # ast.unparse never wraps a line, however long the file path in it is
    return [line.strip() for line in ast.unparse(gast.gast_to_ast(tree)).splitlines()[1:]]


def over(d, x):
    t = 0.0
    for k in d:
        t = t + k * x
    return t


def indexed(d, x):
    t = 0.0
    for k in d:
        t = t + d[k] * x
    return t


def built(x):
    d = dict(a=1.0)
    t = 0.0
    for k in sorted(d):
        t = t + d[k] * x
    return t


def viewed(d):
    vs = d.values()
    t = 0.0
    for v in vs:
        t = t + v
    return t


def test_a_list_or_an_array_is_read_by_position():
    for kind in ("seq", "array2"):
        assert body(over, d=kind, x="scalar")[1:3] == ["for i in range(len(d)):", "k = d[i]"]


def test_a_dict_or_an_iterable_is_read_by_its_keys():
    for kind in ("dict", "iterable"):
        assert body(over, d=kind, x="scalar")[1:4] == [
            "d_keys = keys_of(d)", "for i in range(len(d_keys)):", "k = d_keys[i]"]


def test_an_unknown_kind_is_checked_at_run_time():
    where = f"{__file__}:{over.__code__.co_firstlineno + 2}"
    assert body(over, d="unknown", x="scalar")[1:4] == [
        f"require_sequence(d, {where!r})", "for i in range(len(d)):", "k = d[i]"]
    where = f"{__file__}:{indexed.__code__.co_firstlineno + 2}"
    assert body(indexed, d="unknown", x="scalar")[1] == f"d_keys = loop_keys(d, {where!r})"


def test_a_dict_built_here_and_sorted():
    assert body(built, x="scalar")[2:5] == [
        "d_keys = keys_of(d)", "seq = sorted(d_keys)", "for i in range(len(seq)):"]


def test_a_view_bound_to_a_name_is_the_loop_over_the_view():
    lines = body(viewed, d="dict")
    assert "d_keys = keys_of(d)" in lines and "key = d_keys[i]" in lines and "v = d[key]" in lines


def test_a_dict_literal_is_read_by_its_keys():
    """(The fence refuses dict literals today; how a loop reads one is decided already.)"""
    tree = gast.parse("def f(x):\n    d = {0: x}\n    for k in d:\n        x = x + d[k]\n"
                      "    return x\n").body[0]
    assert Iterables(tree, None, {"x": "scalar"}).of(gast.Name(
        id="d", ctx=gast.Load(), annotation=None, type_comment=None)) == KEYS
