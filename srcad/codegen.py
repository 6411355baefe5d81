"""Emit the generated tree as text (astor), compile it, and register it in linecache so that
tracebacks, ``inspect.getsource``, pdb and a second transformation all see readable source.
"""
import ast
import itertools
import linecache
import math
import textwrap
import types

import astor
import gast
from astor.source_repr import split_lines

from .build import MARK
from .errors import remember_lines
from .walk import walk

_counter = itertools.count(1)
_BLOCKS = (ast.For, ast.While, ast.If, ast.FunctionDef)
MAX_LINE = 99


def line_table(tree, text):
    """Line of ``text`` (emitted from ``tree``) -> (file or None, line, role: "write_back" if
    it writes a change back through a view, "reverse" if it starts the reverse sweep) of the
    statement it prints: the user's line, so that an error
    found when the derivative is transformed again points at it. Empty if the statements of
    the text and the tree do not pair up."""
    mine, reverse = [], None
    for s in _statements([tree]):
        if not _is_mark(s):
            mine.append(s)
        elif s.value.value.endswith("reverse sweep") and reverse is None:
            reverse = len(mine)     # the first statement of the reverse sweep
    theirs = list(_statements(ast.parse(text).body))
    if len(mine) != len(theirs):
        return {}
    table = {}
    for i, (s, t) in enumerate(zip(mine, theirs)):
        if getattr(s, "lineno", None) is None:
            continue
        end = t.lineno if isinstance(t, _BLOCKS) else t.end_lineno
        role = "write_back" if getattr(s, "write_back", False) else \
            "reverse" if i == reverse else ""
        for line in range(t.lineno, end + 1):
            table[line] = (getattr(s, "filename", None), s.lineno, role)
    return table


def _statements(stmts):
    for s in stmts:
        yield s
        for field in ("body", "orelse"):
            block = getattr(s, field, None)
            if isinstance(block, list):
                yield from _statements(block)


def _is_mark(s):
    return type(s).__name__ == "Expr" and isinstance(s.value, gast.Constant) and \
        isinstance(s.value.value, str) and s.value.value.startswith(MARK)


def emit(tree):
    """Source text of a gast FunctionDef, with the sweep markers turned into comments."""
    fix_empty_blocks(tree)
    Literals().visit(tree)
    text = astor.to_source(gast.gast_to_ast(tree), pretty_source=pretty)
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


def pretty(source):
    """Lines wrapped at the width of srcad's own code and of the hand-written adjoints it is
    measured against (99 columns), not astor's 79."""
    return "".join(split_lines(source, maxline=MAX_LINE))


def fix_empty_blocks(tree):
    for node in walk(tree):
        for field in ("body", "orelse"):
            block = getattr(node, field, None)
            if field == "body" and isinstance(block, list) and not block:
                node.body = [gast.Pass()]


class Literals(gast.NodeTransformer):
    """Each number as the tree Python parses from its text. A folded ``Constant(-0.5)``
    prints ``-0.5``, which under ``**`` reads as ``-(0.5 ** 2)``; as the parser's
    ``UnaryOp(-, 0.5)`` the printer parenthesises it where precedence needs it, ``(-0.5) ** 2``.
    Infinities and NaN likewise (their text, ``1e1000``, ``1e1000 - 1e1000``)."""

    def visit_Constant(self, node):
        new = literal(node.value)
        return node if new is None else gast.copy_location(new, node)


def literal(value):
    """The tree for a number ``value`` that the printer would write as something else, or
    None when ``Constant(value)`` prints as itself."""
    if isinstance(value, bool) or not isinstance(value, (int, float, complex)):
        return None
    if isinstance(value, complex):
        return _complex(value)
    if isinstance(value, float) and math.isnan(value):
        return _minus(_number(math.inf), _number(math.inf))
    if value < 0 or (isinstance(value, float) and math.copysign(1.0, value) < 0):
        return gast.UnaryOp(op=gast.USub(), operand=_number(-value))
    return None


def _complex(value):
    """``bj``, ``-bj``, ``0.0 - bj``, ``-(0.0 - bj)`` or ``a +/- bj`` with b >= 0: exact but for
    the sign of a zero imaginary part (folding makes no complex value; the parser reads
    ``1 - 2j`` as a BinOp)."""
    negative = math.copysign(1.0, value.imag) < 0
    if math.isnan(value.imag):
        imag = _minus(_number(complex(0.0, math.inf)), _number(complex(0.0, math.inf)))
    else:
        imag = gast.Constant(value=complex(0.0, abs(value.imag)), kind=None)
    if value.real != 0:
        op = gast.Sub() if negative else gast.Add()
        return gast.BinOp(left=_number(value.real), op=op, right=imag)
    if (math.copysign(1.0, value.real) < 0) == negative:    # -(0.0 + bj) is (-0.0 - bj)
        return gast.UnaryOp(op=gast.USub(), operand=imag) if negative else \
            None if isinstance(imag, gast.Constant) else imag
    zero_minus = _minus(gast.Constant(value=0.0, kind=None), imag)
    return zero_minus if negative else gast.UnaryOp(op=gast.USub(), operand=zero_minus)


def _number(value):
    return literal(value) or gast.Constant(value=value, kind=None)


def _minus(left, right):
    return gast.BinOp(left=left, op=gast.Sub(), right=right)


def compile_function(source, fname, user_globals, externals, user_cells, label, lines=None,
                     origin=None):
    """Build the function from ``source`` with the user's globals (live module constants) and
    closure cells, plus ``externals`` (runtime helpers, derived helpers) as extra cells."""
    free = sorted(externals) + sorted(n for n in user_cells if n not in externals)
    wrapper = (f"def __srcad_factory__({', '.join(free)}):\n"
               + textwrap.indent(source, "    ")
               + f"    return {fname}\n")
    filename = f"<srcad {label} #{next(_counter)}>"
    code = compile(wrapper, filename, "exec")
    linecache.cache[filename] = (len(wrapper), None, wrapper.splitlines(True), filename)
    if origin is not None:      # the wrapper's def line comes first: each line moves down one
        remember_lines(filename, {line + 1: o for line, o in (lines or {}).items()}, origin)
    namespace = dict(user_globals)
    exec(code, namespace)
    values = [externals[n] if n in externals else _cell_value(user_cells[n]) for n in free]
    inner = namespace["__srcad_factory__"](*values)
    closure = tuple(user_cells[n] if n in user_cells and n not in externals
                    else types.CellType(externals[n]) for n in inner.__code__.co_freevars)
    fn = types.FunctionType(inner.__code__, user_globals, fname, inner.__defaults__,
                            closure or None)
    fn.__kwdefaults__ = inner.__kwdefaults__
    fn.__srcad_source__ = source    # what srcad.source(standalone=True) writes into a module
    return fn


def _cell_value(cell):
    try:
        return cell.cell_contents
    except ValueError:
        return None
