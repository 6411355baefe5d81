"""analysis: activity is varied AND useful; kinds follow the arguments."""
from srcad.analysis import SCALAR, analyze
from srcad.frontend import read_function
from srcad.normalize import normalize

from . import stage_samples as s


def facts(fn, wrt, kinds):
    parsed = read_function(fn)
    return analyze(normalize(parsed), wrt, kinds, parsed)


def test_activity():
    f = facts(s.activity, ("x",), {"x": SCALAR, "n": SCALAR})
    assert "y" in f.active and "x" in f.active
    assert "k" not in f.active          # not varied: depends on n only
    assert "unused" not in f.active     # varied but not useful
    assert "z" not in f.active          # floor carries no derivative


def test_kinds_follow_arguments():
    f = facts(s.anf, ("x",), {"x": "array2", "y": SCALAR})
    assert f.kinds["x_times_y"] == "array2"
    assert f.kinds["sin_x_times_y"] == "array2"
