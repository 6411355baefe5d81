"""Every ```python block of every docs/*.md file (and of README.md) runs, as written.

The blocks of one file run in order in one namespace, with the repository root as the working
directory (so ``examples/...`` paths work). Blocks fenced with another language (```text,
```console, ```bash) are shown, not run. Two HTML comments, invisible on the rendered page,
let a file say more:

- ``<!-- prints -->`` on the line before a fence: that block is the output of the python
  block before it, compared line by line (trailing spaces and blank lines at either end
  ignored). This keeps generated source shown in the docs equal to what srcad prints.
- ``<!-- docs-test: requires pygments, graphviz -->`` on a line of its own: the file's blocks
  need these optional libraries; without them the file is skipped (the default install has none of them).

Each block is compiled with the markdown file's name and its own line numbers, and that file's
code (everything else blanked) is registered in linecache, so srcad reads the functions a
block defines as it reads a module's, and a failure points at ``docs/x.md:LINE``.
"""
import contextlib
import io
import linecache
import pathlib
import re
import sys
from dataclasses import dataclass

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]     # the README's too
FENCE = re.compile(r"^```(\S*)")
REQUIRES = re.compile(r"^<!--\s*docs-test:\s*requires\s+([^>]*?)\s*-->\s*$", re.M)
PRINTS = "<!-- prints -->"


@dataclass
class Block:
    language: str
    first_line: int        # 1-based line number of the block's first code line
    text: str
    is_output: bool        # marked <!-- prints -->: expected stdout of the previous block


def blocks_of(text):
    """The fenced blocks of a markdown text, in order."""
    lines = text.splitlines()
    found, i = [], 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        previous = next((line.strip() for line in reversed(lines[:i]) if line.strip()), "")
        end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("```")), None)
        assert end is not None, f"line {i + 1}: a fenced block that is never closed"
        found.append(Block(match[1], i + 2, "\n".join(lines[i + 1:end]) + "\n",
                           previous == PRINTS))
        i = end + 1
    return found


def shadow_source(text, blocks):
    """The markdown file with everything but its python blocks blanked, line for line."""
    shadow = [""] * (len(text.splitlines()) + 1)
    for block in blocks:
        if block.language == "python" and not block.is_output:
            for k, line in enumerate(block.text.splitlines()):
                shadow[block.first_line - 1 + k] = line
    return [line + "\n" for line in shadow]


def same_output(printed, expected):
    def tidy(text):
        return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())
    return tidy(printed) == tidy(expected)


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_docs_code_blocks_run(path, monkeypatch):
    text = path.read_text()
    for names in REQUIRES.findall(text):
        for name in names.replace(",", " ").split():
            pytest.importorskip(name)
    blocks = blocks_of(text)
    filename = str(path)
    lines = shadow_source(text, blocks)
    monkeypatch.setitem(linecache.cache, filename, (sum(map(len, lines)), None, lines, filename))
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))
    module_name = f"docs_{path.stem.replace('-', '_')}"
    namespace = {"__name__": module_name, "__file__": filename}
    printed = None
    for block in blocks:
        if block.is_output:
            assert printed is not None, \
                f"{path.name}:{block.first_line}: output block with no python block before it"
            assert same_output(printed, block.text), (
                f"{path.name}:{block.first_line}: the block above prints\n{printed}\n"
                f"not what the docs show:\n{block.text}")
            continue
        if block.language != "python":
            continue
        code = compile("\n" * (block.first_line - 1) + block.text, filename, "exec")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(code, namespace)                 # noqa: S102 - running the docs is the test
        printed = out.getvalue()
        sys.stdout.write(printed)


def test_docs_folder_has_the_pages_the_readme_links():
    readme = (ROOT / "README.md").read_text()
    ours = {"index", "tutorial", "custom-rules", "migrating", "errors", "performance",
            "supported", "internals", "testing"}
    assert ours <= {p.stem for p in DOCS}
    for page in ours | {"standalone", "notebooks", "graph"}:    # the last three: other issues
        assert f"docs/{page}.md" in readme, page


def test_the_runner_reads_blocks_outputs_and_requirements():
    text = ("# t\n\n```python\nprint(1 + 1)\n```\n\n<!-- prints -->\n```text\n2\n```\n\n"
            "```console\n$ srcad f.py:g\n```\n<!-- docs-test: requires some_lib -->\n"
            "not `<!-- docs-test: requires inline -->`\n")
    blocks = blocks_of(text)
    assert [(b.language, b.first_line, b.is_output) for b in blocks] == [
        ("python", 4, False), ("text", 9, True), ("console", 13, False)]
    assert shadow_source(text, blocks)[3] == "print(1 + 1)\n"
    assert REQUIRES.findall(text) == ["some_lib"]
    assert same_output("2\n\n", "2\n") and not same_output("3\n", "2\n")


def test_the_module_map_lists_every_module():
    """docs/internals.md names each module of srcad under its part (the layers contract)."""
    text = (ROOT / "docs" / "internals.md").read_text()
    modules = [p.stem for p in (ROOT / "srcad").glob("*.py") if p.stem != "__init__"] + ["rules"]
    missing = [m for m in modules if f"- `{m}` — " not in text]
    assert not missing, f"docs/internals.md does not list {missing}"
