"""Emit the generated tree as text (astor), compile it, and register it in linecache so that
tracebacks, ``inspect.getsource``, pdb and a second transformation all see readable source.
"""
import itertools
import linecache
import textwrap
import types

import astor
import gast

from .reverse import MARK
from .walk import walk

_counter = itertools.count(1)


def emit(tree):
    """Source text of a gast FunctionDef, with the sweep markers turned into comments."""
    fix_empty_blocks(tree)
    text = astor.to_source(gast.gast_to_ast(tree))
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        quote = next((q for q in ('"""', "'", '"') if stripped.startswith(q + MARK)), None)
        if quote:
            indent = line[: len(line) - len(line.lstrip())]
            lines.append(indent + "# " + stripped[len(quote) + len(MARK):-len(quote)])
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def fix_empty_blocks(tree):
    for node in walk(tree):
        for field in ("body", "orelse"):
            block = getattr(node, field, None)
            if field == "body" and isinstance(block, list) and not block:
                node.body = [gast.Pass()]


def compile_function(source, fname, user_globals, externals, user_cells, label):
    """Build the function from ``source`` with the user's globals (live module constants) and
    closure cells, plus ``externals`` (runtime helpers, derived helpers) as extra cells."""
    free = sorted(externals) + sorted(n for n in user_cells if n not in externals)
    wrapper = (f"def __srcad_factory__({', '.join(free)}):\n"
               + textwrap.indent(source, "    ")
               + f"    return {fname}\n")
    filename = f"<srcad {label} #{next(_counter)}>"
    code = compile(wrapper, filename, "exec")
    linecache.cache[filename] = (len(wrapper), None, wrapper.splitlines(True), filename)
    namespace = dict(user_globals)
    exec(code, namespace)
    values = [externals[n] if n in externals else _cell_value(user_cells[n]) for n in free]
    inner = namespace["__srcad_factory__"](*values)
    closure = tuple(user_cells[n] if n in user_cells and n not in externals
                    else types.CellType(externals[n]) for n in inner.__code__.co_freevars)
    fn = types.FunctionType(inner.__code__, user_globals, fname, inner.__defaults__,
                            closure or None)
    fn.__kwdefaults__ = inner.__kwdefaults__
    return fn


def _cell_value(cell):
    try:
        return cell.cell_contents
    except ValueError:
        return None
