"""A derived function shown in notebooks (``_repr_html_``, ``_repr_markdown_``, through IPython's
own display machinery) and on terminals (``srcad.show``): highlighted with pygments when it is
installed, plain (and escaped) when not; colour only where it is wanted."""
import io

import numpy as np
import pytest

import srcad
from srcad import display

ANSI = "\x1b["


def f(x, n):
    y = 0.0
    for i in range(n):
        if x > 0:
            y = y + x * x
        else:
            y = y - x
    return y


def loss(w, x):
    return np.sum(np.tanh(x @ w) ** 2)


def uses_a_string(x):
    label = "<b> & 'q'"
    return x * len(label)


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self):
        super().isatty()        # a closed stream raises ValueError, as a real one does
        return True


@pytest.fixture
def without_pygments(monkeypatch):
    """srcad as it runs where pygments is not installed."""
    monkeypatch.setattr(display, "pygments", None)


@pytest.fixture
def formatter():
    """IPython's DisplayFormatter: what Jupyter calls to show a cell's value."""
    pytest.importorskip("IPython", reason="IPython is in the test and notebook extras")
    from IPython.core.formatters import DisplayFormatter
    return DisplayFormatter()


# ---- notebooks ------------------------------------------------------------------------------
def test_notebook_shows_the_general_source_before_any_call(formatter):
    df = srcad.grad(f)
    data, _ = formatter.format(df)
    assert {"text/plain", "text/html", "text/markdown"} <= set(data)
    markdown = data["text/markdown"]
    assert markdown.startswith("```python\n# general version: argument kinds unknown (x, n)")
    assert markdown.endswith("\n```\n")
    assert markdown[len("```python\n"):-len("```\n")] == srcad.source(df)
    html = data["text/html"]
    assert html.startswith('<div class="srcad-source"')
    assert "dfdx" in html and "<pre" in html


def test_notebook_shows_the_source_of_the_last_call(formatter):
    df = srcad.grad(f)
    df(0.7, 3)
    data, _ = formatter.format(df)
    expected = srcad.source(df)
    assert "general version" not in expected
    assert data["text/markdown"] == f"```python\n{expected.rstrip()}\n```\n"


def test_html_is_highlighted_with_pygments(formatter):
    pytest.importorskip("pygments")
    df = srcad.grad(f)
    df(0.7, 3)
    html = formatter.format(df)[0]["text/html"]
    assert "<span style=" in html                          # inline styles: no stylesheet needed
    assert "reversed" in html and "dx" in html
    assert 'style="color: #1f1f1f"' in html                # readable on a dark theme too


def test_html_without_pygments_is_escaped_plain_text(without_pygments):
    df = srcad.grad(uses_a_string)
    df(2.0)
    html = df._repr_html_()
    assert "<span" not in html
    assert html == ('<div class="srcad-source" style="color: #1f1f1f"><pre>'
                    + __import__("html").escape(srcad.source(df)) + "</pre></div>")


def test_markdown_does_not_need_pygments(without_pygments):
    df = srcad.grad(f)
    assert df._repr_markdown_().startswith("```python\n")


def test_markdown_fence_is_longer_than_any_backticks_in_the_source():
    text = display.markdown_text("x = 1  # ``` and ````\n")
    assert text.startswith("`````python\n") and text.endswith("\n`````\n")


def test_matrices_show_the_derivative_they_sweep_with(formatter):
    for made in (srcad.jacobian(loss), srcad.hessian(loss), srcad.hvp(loss)):
        data, _ = formatter.format(made)
        assert data["text/markdown"] == display.markdown_text(srcad.source(made))


def test_helpers_are_shown_with_the_function():
    df = srcad.grad(loss, wrt="w")
    df(np.ones(3), np.ones((2, 3)))
    assert "def dloss_dw(" in df._repr_markdown_()


def test_a_source_srcad_cannot_make_is_a_note_not_a_traceback(monkeypatch):
    df = srcad.grad(f)

    def refuses(*args, **kwargs):
        raise srcad.UsageError("this is why", "do this instead")
    monkeypatch.setattr(df, "source_to_show", refuses)
    markdown = df._repr_markdown_()
    assert "this is why" in markdown and "do this instead" in markdown
    assert all(line.startswith("# ") for line in markdown.splitlines()[1:-1])   # comments
    assert "srcad.source(df, *example_args)" in markdown
    assert "this is why" in df._repr_html_()


def test_a_real_ipython_shell_displays_it(formatter):
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    try:
        shell.user_ns["df"] = srcad.grad(f)
        data, _ = shell.display_formatter.format(shell.user_ns["df"])
        assert "dfdx" in data["text/html"] and "dfdx" in data["text/markdown"]
    finally:
        InteractiveShell.clear_instance()


# ---- terminals ------------------------------------------------------------------------------
def test_show_prints_the_source(capsys):
    df = srcad.grad(f)
    srcad.show(df, 0.7, 3)
    assert capsys.readouterr().out == srcad.source(df, 0.7, 3)
    srcad.show(df)
    assert capsys.readouterr().out == srcad.source(df)


def test_show_does_not_change_what_source_shows_later():
    df = srcad.grad(f)
    df(0.7, 3)
    before = srcad.source(df)
    srcad.show(df, np.ones(2), 3, file=io.StringIO())
    assert srcad.source(df) == before


def test_show_colours_a_terminal_when_pygments_is_installed(monkeypatch):
    pytest.importorskip("pygments")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    out = Terminal()
    srcad.show(srcad.grad(f), file=out)
    assert ANSI in out.getvalue()
    assert out.getvalue().endswith("\n")


def test_show_is_plain_on_a_pipe_or_a_file():
    out = io.StringIO()
    srcad.show(srcad.grad(f), file=out)
    assert ANSI not in out.getvalue() and out.getvalue() == srcad.source(srcad.grad(f))


def test_show_honours_no_color(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    out = Terminal()
    srcad.show(srcad.grad(f), file=out)
    assert ANSI not in out.getvalue()


def test_show_always_and_never(monkeypatch):
    pytest.importorskip("pygments")
    monkeypatch.setenv("NO_COLOR", "1")         # an explicit choice wins over the environment
    out = io.StringIO()
    srcad.show(srcad.grad(f), file=out, color="always")
    assert ANSI in out.getvalue()
    out = Terminal()
    srcad.show(srcad.grad(f), file=out, color="never")
    assert ANSI not in out.getvalue()


def test_show_without_pygments_is_plain_even_when_asked_for_colour(without_pygments):
    out = Terminal()
    srcad.show(srcad.grad(f), file=out, color="always")
    assert out.getvalue() == srcad.source(srcad.grad(f))


def test_wants_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert display.wants_color("auto", Terminal())
    assert not display.wants_color("auto", io.StringIO())
    assert not display.wants_color("auto", object())     # no isatty at all
    closed = Terminal()
    closed.close()
    assert not display.wants_color("auto", closed)
    monkeypatch.setenv("TERM", "dumb")
    assert not display.wants_color("auto", Terminal())
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("NO_COLOR", "")                   # no-color.org: an empty value is unset
    assert display.wants_color("auto", Terminal())


def test_show_refuses_what_is_not_a_derived_function():
    with pytest.raises(srcad.UsageError, match="srcad.show needs a function made by srcad.grad"):
        srcad.show(f)


def test_show_refuses_an_unknown_colour_choice():
    with pytest.raises(srcad.UsageError, match="color='sometimes'") as err:
        srcad.show(srcad.grad(f), color="sometimes")
    assert "'auto'" in str(err.value) and "'never'" in str(err.value)


def test_show_checks_example_arguments_as_source_does():
    with pytest.raises(TypeError):
        srcad.show(srcad.grad(f), 1.0, 2, 3, file=io.StringIO())
