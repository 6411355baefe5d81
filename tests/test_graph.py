"""srcad.graph: the computation graph as dot text (checked structurally), SVG when Graphviz's
dot program is installed, inline display in notebooks, the CLI's --graph, and bad input."""
import contextlib
import doctest
import io
import linecache
import os
import pathlib
import re
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import programs
import srcad
from golden.functions import ARRAY_CASES, CASES
from golden.functions import activity, for_with_stack, if_else, shape_saved_in_loop, \
    straight_line, while_with_break
from srcad import drawing
from srcad.drawing import GraphvizNotFound

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot program is not installed")

NODE = re.compile(r'^\s*(\w+) \[label="((?:[^"\\]|\\.)*)"(.*)\];$', re.M)
EDGE = re.compile(r'^\s*(\w+) -> (\w+) \[(.*)\];$', re.M)


class Dot:
    """The parts of srcad's dot text a reader looks at: nodes by the first line of their
    label, edges, and the clusters (by label) around each node."""

    def __init__(self, text):
        self.text = text
        self.nodes, self.clusters, open_clusters = {}, {}, []
        for line in text.splitlines():
            if re.match(r"\s*subgraph cluster_\w+ \{", line):
                open_clusters.append(None)
            elif re.match(r"\s*graph \[label=", line) and open_clusters:
                open_clusters[-1] = re.search(r'label="((?:[^"\\]|\\.)*)"', line).group(1)
            elif line.strip() == "}" and open_clusters:
                open_clusters.pop()
            m = NODE.match(line)
            if m and not m.group(1).startswith("legend_") and m.group(1) != "graph":
                first = m.group(2).split("\\n")[0]
                self.nodes[first] = (m.group(1), m.group(2), m.group(3))
                self.clusters[first] = [c for c in open_clusters if c]
        self.edges = [(a, b, attrs) for a, b, attrs in EDGE.findall(text)
                      if not a.startswith("legend_")]

    def id(self, label):
        return self.nodes[label][0]

    def attrs(self, label):
        return self.nodes[label][2]

    def label(self, label):
        return self.nodes[label][1]

    def edge(self, source, target):
        """Attributes of the edge from the node labelled ``source`` to ``target``, or None."""
        for a, b, attrs in self.edges:
            if a == self.id(source) and b == self.id(target):
                return attrs
        return None

    def active(self, label):
        return 'fillcolor="white"' not in self.attrs(label)


def test_straight_line_nodes_edges_and_activity():
    g = srcad.graph(straight_line, 0.7, 1.3, wrt=0)
    dot = Dot(g.dot)
    assert g.dot.startswith('digraph "straight_line" {')
    assert set(dot.nodes) == {"x (wrt)", "y", "x_times_y = x * y", "sin_x = np.sin(x)",
                              "z = x_times_y + sin_x", "out = z * z", "return out"}
    assert "subgraph cluster_1" not in g.dot                # no loop, no branch
    assert dot.edge("x (wrt)", "x_times_y = x * y") is not None
    assert dot.edge("y", "x_times_y = x * y") is not None
    assert dot.edge("x_times_y = x * y", "z = x_times_y + sin_x") is not None
    assert dot.edge("z = x_times_y + sin_x", "out = z * z") is not None
    assert dot.edge("out = z * z", "return out") is not None
    assert dot.edge("sin_x = np.sin(x)", "x_times_y = x * y") is None
    assert all(dot.active(n) for n in dot.nodes if n != "y")
    assert not dot.active("y")                              # wrt=0 only
    assert "color=\"#1f4e8c\"" in dot.edge("x (wrt)", "sin_x = np.sin(x)")   # a derivative flows
    assert "#1f4e8c" not in dot.edge("y", "x_times_y = x * y")
    assert g.saved == []
    assert "the reverse sweep saves nothing on its stack" in g.dot
    assert "subgraph cluster_legend" in g.dot


def test_loop_saves_the_overwritten_value_with_its_size_per_trip():
    g = srcad.graph(for_with_stack, 0.7, 3)
    dot = Dot(g.dot)
    assert dot.clusters["x = sin_x - 0.5"] == ["for i in range(n)"]
    assert dot.clusters["x_times_x = x * x"] == ["for i in range(n)", "if x > 0"]
    assert dot.clusters["y = y - x"] == ["for i in range(n)", "if x > 0", "else"]
    assert dot.clusters["y = 0.0"] == []
    assert "saved: 8 B per trip" in dot.label("x = sin_x - 0.5")
    assert 'color="#d9480f"' in dot.attrs("x = sin_x - 0.5")
    assert [(s.name, s.size, s.loops) for s in g.saved] == [("x", "8 B", ("for i in range(n)",))]
    assert g.saved[0].line == for_with_stack.__code__.co_firstlineno + 7
    assert "stack holds:\\l  x (line" in g.dot
    # the next trip reads the x this trip binds: a dashed edge that does not pull the layout
    carried = dot.edge("x = sin_x - 0.5", "x_times_x = x * x")
    assert 'style="dashed"' in carried and 'constraint="false"' in carried
    assert 'style="dashed"' not in dot.edge("x (wrt)", "x_times_x = x * x")
    # the if branch's y reaches the else branch's use only through the next trip
    assert 'style="dashed"' in dot.edge("y = y + x_times_x", "y = y - x")
    assert 'style="dashed"' not in dot.edge("y = 0.0", "y = y - x")
    # the generated derivative pushes exactly this one value
    src = srcad.source(srcad.grad(for_with_stack), 0.7, 3)
    assert re.findall(r"stack\.append\((.*)\)", src) == ["x"]


def test_array_sizes_in_bytes_and_shapes_saved_as_shapes():
    W, U, X = ARRAY_CASES["shape_saved_in_loop"][2]
    g = srcad.graph(shape_saved_in_loop, W, U, X, wrt=(0, 1))
    sizes = {s.name: s.size for s in g.saved}
    assert sizes == {"h": f"{2 * 4 * 8} B"}     # h has shape (2, 4), float64
    assert g.saved[0].loops == ("for t in range(1, X.shape[0])",)
    assert "saved: 64 B per trip" in Dot(g.dot).label("h = np.tanh(X_t_at_W_plus_h_at_U)")
    # without example arguments the shapes are unknown: the sums of X[t] @ W + h @ U need
    # their operands' shapes, saved as shapes only
    general = srcad.graph(shape_saved_in_loop, wrt=(0, 1))
    assert "general: no example arguments" in general.dot
    sizes = {s.name: s.size for s in general.saved}
    assert sizes["X_t_at_W"] == sizes["h_at_U"] == "its shape"
    assert sizes["h"] == "a value of unknown kind"


def test_branch_is_a_cluster_with_its_test():
    dot = Dot(srcad.graph(if_else, 1.5).dot)
    assert dot.clusters["x > 1.0"] == ["if x > 1.0"]
    assert 'shape="diamond"' in dot.attrs("x > 1.0")
    assert not dot.active("x > 1.0")                        # a comparison has no derivative
    assert dot.clusters["y = x * x"] == ["if x > 1.0"]
    assert dot.clusters["y = math.exp(x)"] == ["if x > 1.0", "else"]
    assert dot.edge("x (wrt)", "x > 1.0") is not None
    for y in ("y = x * x", "y = math.exp(x)"):              # both bindings reach the use
        assert dot.edge(y, "out = 3.0 * y") is not None


def test_while_loop_saves_its_trip_count():
    g = srcad.graph(while_with_break, 7.0)
    controls = [s for s in g.saved if s.control]
    assert [(s.name, s.size, s.loops) for s in controls] == [("trip count", "an int", ())]
    assert "saved: trip count, an int" in g.dot
    assert 'shape="plaintext"' in Dot(g.dot).attrs("break")
    src = srcad.source(srcad.grad(while_with_break), 7.0)
    assert "trips" in "".join(re.findall(r"stack\.append\((.*)\)", src))


def test_branch_flags_in_a_loop():
    def pick(x, y, n):
        s = x
        for i in range(n):
            if s > 1.0:                 # s is overwritten: the branch taken is saved
                s = s * 0.5 + y
            else:
                s = s + x * y
        return s
    g = srcad.graph(pick, 0.9, 0.4, 6)
    flags = [s for s in g.saved if s.name == "branch taken"]
    assert len(flags) == 1 and flags[0].loops == ("for i in range(n)",)
    assert "saved: branch taken, a bool per trip" in Dot(g.dot).label("s > 1.0")
    assert "stack.append(True)" in srcad.source(srcad.grad(pick), 0.9, 0.4, 6)


def test_a_long_stack_is_summed_up_above_the_picture():
    def spins(x, n):
        for i in range(n):
            x = np.sin(x)
            x = np.sin(x)
            x = np.sin(x)
            x = np.sin(x)
            x = np.sin(x)
            x = np.sin(x)
            x = np.sin(x)
            x = np.sin(x)
            x = np.sin(x)
            x = np.sin(x)
        return x
    g = srcad.graph(spins, 0.5, 4)
    assert len(g.saved) == 10
    title = g.dot.splitlines()[1]
    assert title.count(" per trip of for i in range(n)") == 8
    assert "and 2 more (outlined in red)" in title
    assert g.dot.count('color="#d9480f", penwidth="2.5"') == 10 + 1     # and the legend's


def test_inactive_variables_say_why():
    g = srcad.graph(activity, 0.7, 1.3)
    dot = Dot(g.dot)
    assert not dot.active("scale = y_times_y + 1.0")
    assert "does not depend on a wrt argument" in dot.attrs("scale = y_times_y + 1.0")
    assert not dot.active("unused = np.cos(x)")
    assert "does not reach the output" in dot.attrs("unused = np.cos(x)")
    assert dot.active("sin_x = np.sin(x)")
    assert dot.edge("scale = y_times_y + 1.0", "out = sin_x * scale") is not None
    assert dot.edge("x (wrt)", "unused = np.cos(x)") is not None   # varied, but useless

    def counted(x, n):
        k = n * 2                       # an integer: no derivative
        return x * k
    dot = Dot(srcad.graph(counted, 0.5, 3).dot)
    assert not dot.active("k = n * 2") and not dot.active("n")


def test_wrt_by_name_and_from_a_derived_function():
    by_name = Dot(srcad.graph(straight_line, 0.7, 1.3, wrt="y").dot)
    assert "y (wrt)" in by_name.nodes and "x" in by_name.nodes
    derived = Dot(srcad.graph(srcad.grad(straight_line, wrt=1), 0.7, 1.3).dot)
    assert "y (wrt)" in derived.nodes
    both = srcad.graph(straight_line, wrt=(0, 1))
    assert {"x (wrt)", "y (wrt)"} <= set(Dot(both.dot).nodes)


def test_deterministic_and_nothing_runs():
    def divides(x, zero):
        return np.sum(np.tanh(x) ** 2) / zero       # ZeroDivisionError if it ran
    first = srcad.graph(divides, np.ones(3), 0.0).dot
    assert first == srcad.graph(divides, np.ones(3), 0.0).dot


@pytest.mark.parametrize("name", sorted(CASES) + sorted(ARRAY_CASES))
def test_every_golden_function_draws_and_accounts_for_every_push(name):
    fn, wrt, args = {**CASES, **ARRAY_CASES}[name]
    g = srcad.graph(fn, *args, wrt=wrt)
    assert g.dot.count("{") == g.dot.count("}")
    src = srcad.source(srcad.vjp(fn, wrt=wrt), *args)
    main = src[src.rfind("def "):]          # the function's own, after its helpers'
    saved = {s.name for s in g.saved}
    for pushed in re.findall(r"stack\w*\.append\((.*)\)", main):
        assert any(re.search(rf"\b{re.escape(n)}\b", pushed) for n in saved) or \
            pushed in ("True", "False") and "branch taken" in saved or \
            pushed.startswith("trips") and "trip count" in saved, (pushed, saved)


@pytest.mark.slow
def test_every_corpus_program_draws_and_accounts_for_every_push():
    for c in programs.CASES:
        g = srcad.graph(c.fn, *c.args)
        assert "general" in srcad.graph(c.fn).dot
        try:
            src = srcad.source(srcad.vjp(c.fn), *c.args)
        except srcad.SrcadError:
            continue
        main = src[src.rfind("def "):]
        saved = {s.name for s in g.saved}
        for pushed in re.findall(r"stack\w*\.append\((.*)\)", main):
            assert any(re.search(rf"\b{re.escape(n)}\b", pushed) for n in saved) or \
                pushed in ("True", "False") and "branch taken" in saved or \
                pushed.startswith("trips") and "trip count" in saved, (c.id, pushed, saved)


@needs_dot
def test_svg_parses_as_dot():
    g = srcad.graph(for_with_stack, 0.7, 3)
    svg = g.svg()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "x = sin_x &#45; 0.5" in svg
    done = subprocess.run(["dot", "-Tsvg"], input=srcad.graph(activity).dot, text=True,
                          capture_output=True)
    assert done.returncode == 0 and not done.stderr, done.stderr


def test_without_graphviz_svg_says_how_to_install_and_notebooks_show_the_text(monkeypatch):
    g = srcad.graph(for_with_stack, 0.7, 3)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(GraphvizNotFound, match="install Graphviz"):
        g.svg()
    assert g._repr_svg_() is None
    html = g._repr_html_()
    assert html.startswith("<pre") and "digraph &quot;for_with_stack&quot;" in html


def test_displayed_by_ipython():
    formatters = pytest.importorskip("IPython.core.formatters")
    bundle, _ = formatters.DisplayFormatter().format(srcad.graph(for_with_stack, 0.7, 3))
    assert "text/html" in bundle
    if shutil.which("dot"):
        assert "<svg" in bundle["image/svg+xml"] and "<svg" in bundle["text/html"]
    else:
        assert "digraph" in bundle["text/html"]


def test_the_docstring_example_runs():
    failed, tried = doctest.testmod(drawing, optionflags=doctest.ELLIPSIS)
    assert tried >= 5 and failed == 0


def test_str_repr_and_save(tmp_path):
    g = srcad.graph(for_with_stack, 0.7, 3)
    assert str(g) == g.dot
    assert "1 saved value" in repr(g)
    g.save(tmp_path / "g.dot")
    assert (tmp_path / "g.dot").read_text() == g.dot
    with pytest.raises(srcad.UsageError, match=r"must end in \.dot, \.gv or \.svg"):
        g.save(tmp_path / "g.png")
    if shutil.which("dot"):
        g.save(tmp_path / "g.svg")
        assert "<svg" in (tmp_path / "g.svg").read_text()


def test_bad_input():
    with pytest.raises(srcad.UsageError, match="srcad.graph needs a function, got int"):
        srcad.graph(3)
    with pytest.raises(srcad.SrcadError, match="wrt='z' is not a parameter of straight_line"):
        srcad.graph(straight_line, wrt="z")
    with pytest.raises(srcad.SrcadError, match="wrt=5 is out of range"):
        srcad.graph(straight_line, wrt=5)
    with pytest.raises(srcad.UsageError, match="not a derivative of a derivative"):
        srcad.graph(srcad.grad(srcad.grad(if_else)))
    with pytest.raises(srcad.UsageError, match="not a Hessian"):
        srcad.graph(srcad.hessian(if_else))
    with pytest.raises(TypeError, match="argument"):
        srcad.graph(straight_line, 1.0, 2.0, 3.0, 4.0)
    with pytest.raises(srcad.UsageError, match="differentiates with respect to floats"):
        srcad.graph(straight_line, "a", 1.0)

    def tries(x):
        try:
            return x
        except ValueError:
            return 0.0
    with pytest.raises(srcad.SrcadError, match=r"test_graph.py:\d+: "):
        srcad.graph(tries)


# ---- the command line --------------------------------------------------------------------
SOURCE = textwrap.dedent("""
    import numpy as np

    def g(x, n):
        y = 0.0
        for i in range(n):
            y = y + x * x
            x = np.sin(x) - 0.5
        return y
""")


def run(*args):
    return subprocess.run([sys.executable, "-m", "srcad", *map(str, args)], capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def module(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(SOURCE)
    return path


def test_cli_graph_prints_dot(module):
    done = run(f"{module}:g", "--graph", "--args", "0.7, 3")
    assert done.returncode == 0, done.stderr
    dot = Dot(done.stdout)
    assert "saved: 8 B per trip" in dot.label("x = sin_x - 0.5")
    assert dot.clusters["x = sin_x - 0.5"] == ["for i in range(n)"]


def test_cli_graph_to_files(module, tmp_path):
    done = run(f"{module}:g", "--graph", "--wrt", "x", "-o", tmp_path / "g.dot")
    assert done.returncode == 0 and done.stdout == "", done.stderr
    assert (tmp_path / "g.dot").read_text().startswith('digraph "g" {')
    done = run(f"{module}:g", "--graph", "-o", tmp_path / "g.png")
    assert done.returncode == 2
    assert "the file name must end in .dot, .gv or .svg" in done.stderr
    if shutil.which("dot"):
        done = run(f"{module}:g", "--graph", "--args", "0.7, 3", "-o", tmp_path / "g.svg")
        assert done.returncode == 0, done.stderr
        assert "<svg" in (tmp_path / "g.svg").read_text()


def test_same_text_whatever_the_hash_seed(module):
    """Sets of names and of bindings iterate in another order with another PYTHONHASHSEED:
    the dot text must not."""
    texts = set()
    for seed in ("1", "2", "3"):
        done = subprocess.run([sys.executable, "-m", "srcad", f"{module}:g", "--graph",
                               "--args", "0.7, 3"], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr
        texts.add(done.stdout)
    assert len(texts) == 1


def test_cli_graph_bad_wrt(module):
    done = run(f"{module}:g", "--graph", "--wrt", "z")
    assert done.returncode == 1
    assert "wrt='z' is not a parameter of g" in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_output_file_for_the_source(module, tmp_path):
    done = run(f"{module}:g", "--args", "0.7, 3", "-o", tmp_path / "dg.py")
    assert done.returncode == 0 and done.stdout == "", done.stderr
    assert (tmp_path / "dg.py").read_text().startswith("def dgdx(x, n, dy=1.0):")


# ---- docs/graph.md -----------------------------------------------------------------------
def test_the_docs_page_shows_what_srcad_prints(monkeypatch):
    """docs/graph.md's python block runs as written (compiled with the page's name and line
    numbers, its code in linecache, as the docs runner does) and prints the block after it;
    its dot text is the graph's, legend left out."""
    root = pathlib.Path(__file__).resolve().parent.parent
    path = root / "docs" / "graph.md"
    text = path.read_text()
    lines = text.splitlines()
    starts = [i + 1 for i, line in enumerate(lines) if line == "```python"]
    assert len(starts) == 1
    end = lines.index("```", starts[0])
    code = "\n" * starts[0] + "\n".join(lines[starts[0]:end]) + "\n"
    shadow = [""] * starts[0] + lines[starts[0]:end]
    shadow = [line + "\n" for line in shadow]
    monkeypatch.setitem(linecache.cache, str(path), (sum(map(len, shadow)), None, shadow,
                                                     str(path)))
    monkeypatch.chdir(root)
    namespace = {"__name__": "docs_graph"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(path), "exec"), namespace)     # noqa: S102
    shown = re.search(r"<!-- prints -->\n```text\n(.*?)```", text, re.S).group(1)
    assert out.getvalue() == shown
    dot = namespace["picture"].dot
    page_dot = re.search(r'```text\n(digraph "g" \{.*?\n\}\n)```', text, re.S).group(1)
    assert page_dot == dot[:dot.index("  subgraph cluster_legend")] + "}\n"
