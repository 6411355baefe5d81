"""Provenance: ``srcad.source(df, origin=True)`` and the CLI's ``--origin`` name the user line
each block of generated code comes from; an exception raised inside generated code notes that
line; a SrcadError's traceback starts at the user's call, srcad's frames kept aside."""
import os
import pathlib
import re
import subprocess
import sys
import traceback

import numpy as np
import pytest

import srcad

import provenance_programs as programs
from golden.real_shapes import CASES as REAL_CASES

HERE = pathlib.Path(__file__).parent
FILE = HERE / "provenance_programs.py"
SRCAD = pathlib.Path(srcad.__file__).parent


def line_of(text):
    """The line of provenance_programs.py that holds ``text``."""
    lines = FILE.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def origin(text):
    return f"# provenance_programs.py:{line_of(text)}: {text}"


def layer_args():
    return np.array([0.5, -0.2]), np.arange(6.0).reshape(2, 3) / 7, np.zeros(3)


# ---- origin comments ----------------------------------------------------------------------------
def test_each_block_is_headed_by_its_user_line():
    df = srcad.grad(programs.two_lines)
    df(1.5)
    assert srcad.source(df, origin=True) == (
        "def dtwo_lines_dx(x, dout=1.0):\n"
        "    # forward sweep\n"
        f"    {origin('y = x * x')}\n"
        "    y = x * x\n"
        "    # reverse sweep\n"
        f"    {origin('return math.log(y)')}\n"
        "    dy = dout / y\n"
        f"    {origin('y = x * x')}\n"
        "    dx = 2.0 * x * dy\n"
        "    return dx\n")


def test_a_comment_only_where_the_origin_changes():
    df = srcad.grad(programs.layer)
    df(*layer_args())
    text = srcad.source(df, origin=True)
    lines = text.splitlines()
    tanh = lines.index("    " + origin("h = np.tanh(x @ W + b)"))
    assert lines[tanh + 1:tanh + 3] == ["    x_at_W_plus_b = x @ W + b",     # two statements,
                                        "    h = np.tanh(x_at_W_plus_b)"]    # one comment
    assert "def layer" not in text      # the return srcad adds comes from no statement


def test_without_origin_the_source_is_unchanged():
    df = srcad.grad(programs.calls_layer)
    df(*layer_args())
    plain = srcad.source(df)
    assert "#" not in plain.replace("# forward sweep", "").replace("# reverse sweep", "")
    marked = srcad.source(df, origin=True)
    assert [line for line in marked.splitlines() if "provenance_programs.py" not in line] == \
        plain.splitlines()


@pytest.mark.parametrize("name", sorted(REAL_CASES))
def test_origin_comments_are_all_that_origin_adds(name):
    """The golden programs' sources with origins, the comment lines taken out, are the
    sources without (helpers in the same order)."""
    fn, wrt, make_args = REAL_CASES[name]
    df = srcad.grad(fn, wrt=wrt)
    df(*make_args())
    marked = srcad.source(df, origin=True)
    assert "# real_shapes.py:" in marked
    kept = [line for line in marked.splitlines() if not re.match(r"\s*# real_shapes\.py:\d+: ", line)]
    assert kept == srcad.source(df).splitlines()


def test_helpers_are_headed_by_their_own_lines():
    df = srcad.grad(programs.calls_layer)
    df(*layer_args())
    text = srcad.source(df, origin=True)
    helper, caller = text.split("\n\n\n")
    assert helper.startswith("def dlayer_dx(") and origin("h = np.tanh(x @ W + b)") in helper
    assert origin("s = layer(x, W, b)") in caller and origin("return s * 3.0") in caller


def test_origin_of_a_derivative_of_a_derivative_is_the_users_line():
    d2 = srcad.grad(srcad.grad(programs.two_lines))
    d2(1.5)
    text = srcad.source(d2, origin=True)
    assert origin("y = x * x") in text and origin("return math.log(y)") in text
    assert "<srcad" not in text


def test_origin_before_any_call_keeps_the_general_note():
    text = srcad.source(srcad.grad(programs.two_lines), origin=True)
    assert text.startswith("# general version") and origin("y = x * x") in text


def test_standalone_module_with_origins_runs(tmp_path):
    df = srcad.grad(programs.calls_layer)
    args = layer_args()
    want = df(*args)
    text = srcad.source(df, standalone=True, origin=True)
    assert origin("s = layer(x, W, b)") in text
    namespace = {}
    exec(compile(text, str(tmp_path / "d.py"), "exec"), namespace)
    assert np.allclose(namespace[namespace["__all__"][0]](*args), want, rtol=1e-13)


# ---- an exception inside generated code ---------------------------------------------------------
def test_exception_in_generated_code_notes_the_users_line():
    df = srcad.grad(programs.two_lines)
    df(1.5)
    with pytest.raises(ZeroDivisionError) as info:
        df(0.0)                 # dy = dout / y, the derivative of math.log(y), at y = 0
    text = "".join(traceback.format_exception(info.value))
    assert 'File "<srcad provenance_programs.two_lines' in text   # the generated frame...
    assert "    dy = dout / y\n" in text                              # ...with its own line
    assert "dtwo_lines_dx (generated by srcad, line " in text        # and the note:
    assert f'  File "{FILE}", line {line_of("return math.log(y)")}\n' \
           f"    return math.log(y)" in text


def test_the_note_is_added_once_through_nested_entry_points():
    hvp = srcad.hvp(programs.two_lines)
    hvp(1.5, 1.0)
    with pytest.raises(ZeroDivisionError) as info:
        hvp(0.0, 1.0)
    notes = info.value.__notes__
    assert len(notes) == len(set(notes))
    assert all("comes from:" in n for n in notes)


def test_a_plain_exception_keeps_its_whole_traceback():
    df = srcad.grad(programs.two_lines)
    with pytest.raises(ZeroDivisionError) as info:
        df(0.0)
    assert "<srcad" in "".join(traceback.format_tb(info.value.__traceback__))


# ---- a SrcadError starts at the user's call -----------------------------------------------------
def srcad_frames(exc):
    return [f for f in traceback.extract_tb(exc.__traceback__)
            if os.path.abspath(f.filename).startswith(str(SRCAD))]


def test_refusal_at_transform_starts_at_the_users_call():
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(programs.refused)
    exc = info.value
    frames = traceback.extract_tb(exc.__traceback__)
    assert frames[0].filename == __file__ and frames[0].name == \
        "test_refusal_at_transform_starts_at_the_users_call"
    assert len(srcad_frames(exc)) == 1                      # the entry point's raise alone
    assert "exc.internal_traceback" in srcad_frames(exc)[0].line
    text = "".join(traceback.format_exception(exc))
    assert "frontend.py" not in text and "ast.py" not in text
    assert f"provenance_programs.py:{line_of('try:')}: cannot differentiate try/except" in text


def test_internal_traceback_keeps_srcads_frames():
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(programs.refused)
    internal = traceback.extract_tb(info.value.internal_traceback)
    assert any(f.filename.endswith(os.path.join("srcad", "frontend.py")) for f in internal)
    assert len(internal) > 3


def test_refusal_at_the_first_call_starts_at_the_users_call():
    df = srcad.grad(programs.no_rule)
    with pytest.raises(srcad.SrcadError) as info:
        df(0.5)
    frames = traceback.extract_tb(info.value.__traceback__)
    assert frames[0].filename == __file__
    assert len(srcad_frames(info.value)) == 1
    assert str(info.value).startswith(f"{FILE}:{line_of('np.frexp')}: ")
    assert len(traceback.extract_tb(info.value.internal_traceback)) > 3


@pytest.mark.parametrize("entry", ["hessian", "jacobian", "hvp", "check_grad", "source"])
def test_every_public_entry_point_hides_srcads_frames(entry):
    calls = {
        "hessian": lambda: srcad.hessian(programs.no_rule)(0.5),
        "jacobian": lambda: srcad.jacobian(programs.no_rule)(0.5),
        "hvp": lambda: srcad.hvp(programs.no_rule)(0.5, 1.0),
        "check_grad": lambda: srcad.check_grad(programs.no_rule)(0.5),
        "source": lambda: srcad.source(srcad.grad(programs.no_rule), 0.5),
    }
    with pytest.raises(srcad.SrcadError) as info:
        calls[entry]()
    assert len(srcad_frames(info.value)) == 1, traceback.format_exception(info.value)
    internal = traceback.extract_tb(info.value.internal_traceback)
    assert any("srcad" in f.filename and not f.filename.endswith("errors.py") and
               not f.filename.endswith("api.py") for f in internal)


def test_usage_error_is_still_a_type_error_at_the_users_line():
    with pytest.raises(TypeError) as info:
        srcad.grad(programs.two_lines, wrt=object())
    assert isinstance(info.value, srcad.UsageError)
    assert str(info.value).startswith(f"{__file__}:")
    assert len(srcad_frames(info.value)) == 1


# ---- CLI --------------------------------------------------------------------------------------
def test_cli_origin_prints_the_comments():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE.parent), str(HERE)]))
    done = subprocess.run([sys.executable, "-m", "srcad", f"{FILE}:two_lines", "--args", "1.5",
                           "--origin"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert origin("return math.log(y)") in done.stdout
