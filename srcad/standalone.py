"""A derivative as a module people keep: ``srcad.source(df, standalone=True)`` and the CLI's
``--standalone`` write the generated functions after the imports they need (numpy under the
user's alias, the user's module for the helpers and constants it calls) and a copy of the
srcad runtime helpers they call, so that the module runs without srcad.

Every generated function srcad compiles keeps its source (``__srcad_source__``, codegen.py);
the names it reads are looked up where the compiled function looks them up (its cells: the
runtime helpers and derived helpers srcad passed it, the user's closure; then the user's
globals), so the module binds each name to the very object the in-process derivative uses.
"""
import ast
import builtins
import inspect
import keyword
import math
import os
import re
import symtable
import sys
import textwrap
import types

import numpy as np

from . import checkpointing, runtime
from .codegen import emit
from .errors import UsageError, derived_from
from .frontend import definition

RUNTIME_MODULES = (runtime, checkpointing)     # what generated code calls, copied in
_BUILTINS = frozenset(dir(builtins))

# What the copied runtime helpers raise in place of srcad's errors (they import them lazily
# from srcad.errors, which a standalone module does not have).
_ERRORS = '''\
class SrcadError(Exception):
    """Raised by the derivative's own checks (srcad.SrcadError where srcad is installed)."""

    def __init__(self, message, filename="<unknown>", lineno=0, hint=None):
        text = f"{filename}:{lineno}: {message}"
        super().__init__(text + (f"\\n  hint: {hint}" if hint else ""))


class UsageError(SrcadError, TypeError):
    def __init__(self, message, hint=None):
        super().__init__(message, "<unknown>", 0, hint)


class NoRule(SrcadError):
    pass


class UnsupportedSyntax(SrcadError):
    pass


def call_site():
    return "<unknown>", 0
'''
_LAZY_ERRORS = re.compile(r"^[ \t]*from \.errors import [^\n]*\n", re.MULTILINE)


class Module:
    """The parts of a standalone module as they are found: imports, definitions, aliases."""

    def __init__(self):
        self.names = {}         # module-level name -> the object it must be bound to
        self.imports = []       # import lines, in the order found
        self.from_user = {}     # importable user module -> names imported from it
        self.constants = []     # name = literal (values of a module that cannot be imported)
        self.functions = []     # generated functions' sources, callees first
        self.aliases = []       # name = other name
        self.runtime = {}       # name in srcad.runtime -> the names generated code calls it by
        self.written = {}       # code of each function written -> the name of its def
        self.user_modules = []  # (importable name, file) of the user modules imported

    def bind(self, name, obj, why):
        """Claim the module-level ``name`` for ``obj``; a second object for it is refused."""
        if name in self.names:
            if self.names[name] is obj or _same_value(self.names[name], obj):
                return False
            raise UsageError(
                f"srcad.source(standalone=True): the name {name!r} stands for two different "
                f"objects in the generated code ({_describe(self.names[name])} and "
                f"{_describe(obj)}), and one module can bind it to one only",
                f"rename one of them in your code ({why})")
        self.names[name] = obj
        return True


def standalone_source(fn, origin_text=None, written_to=None, note=""):
    """The text of a module holding the generated function ``fn`` (as srcad compiled it), the
    generated functions it calls, and what they read. ``origin_text(fn, text)``: the source of
    a generated function as shown (with provenance comments); ``written_to``: the path the
    module will be written to (a relative ``sys.path`` line then finds the user's module)."""
    module = Module()
    _collect(fn, module, origin_text or (lambda f, text: text))
    runtime_text = _runtime_source(module)
    user_lines = _user_imports(module, written_to)
    paths = any(line.startswith("sys.path") for line in user_lines)
    head = [_header(fn, module, paths, note)]
    if module.imports or user_lines:
        head.append("\n".join(sorted(module.imports, key=_import_order) + user_lines))
    if module.constants:
        head.append("\n".join(module.constants))
    head.append(f"__all__ = [{fn.__code__.co_name!r}]")
    parts = ["\n\n".join(head), runtime_text.strip("\n"), "\n\n\n".join(
        f.strip("\n") for f in module.functions), "\n".join(module.aliases)]
    return "\n\n\n".join(p for p in parts if p) + "\n"


def _import_order(line):
    """The standard library's imports first, then the others (as isort writes them)."""
    top = line.split()[1].partition(".")[0]
    return (top not in sys.stdlib_module_names, line)


def _collect(fn, module, origin_text, text=None, def_name=None):
    """Write ``fn`` (a generated function, or a function of the user's that srcad has the
    source of) into ``module`` after what it calls, as ``def def_name`` (its own name if
    None): two derivatives of one helper for two kinds of arguments share a name, and the
    caller's names for them tell them apart."""
    code = fn.__code__
    again = code in module.written    # equal code: one derivative bound twice (two callers)
    def_name = module.written[code] if again else def_name or code.co_name
    module.written[code] = def_name
    text = text or fn.__srcad_source__
    if not again:
        module.bind(def_name, fn, "a generated derivative")
    cells = dict(zip(code.co_freevars, (_cell(c) for c in fn.__closure__ or ())))
    for name in _free_names(text):
        if name in cells:
            value = cells[name]
        elif name in fn.__globals__:
            value = fn.__globals__[name]
        elif name in _BUILTINS:
            continue
        else:
            raise UsageError(f"srcad.source(standalone=True): the generated {code.co_name} reads "
                             f"{name!r}, which is bound nowhere")
        if not (again and module.names.get(name) is value):
            _place(name, value, fn, module, origin_text)
    if again:       # its names were placed again: they must be bound to the same objects
        return def_name
    shown = origin_text(fn, text) if _is_generated(fn) else text
    if def_name != code.co_name:
        shown = re.sub(rf"^def {code.co_name}\(", f"def {def_name}(", shown, count=1,
                       flags=re.MULTILINE)
    module.functions.append(shown)
    return def_name


def generated_functions(fn, seen=None):
    """``fn`` after the generated functions it calls (each once, in the order it first names
    them): the functions of ``srcad.source(df)`` as compiled."""
    seen = [] if seen is None else seen
    if any(f.__code__ == fn.__code__ for f in seen):   # equal: one derivative bound twice
        return seen
    cells = dict(zip(fn.__code__.co_freevars, (_cell(c) for c in fn.__closure__ or ())))
    for name in _free_names(fn.__srcad_source__):
        if _is_generated(cells.get(name)):
            generated_functions(cells[name], seen)
    seen.append(fn)
    return seen


def _place(name, value, fn, module, origin_text):
    """Bind ``name`` in the module as the generated code reads it: an import, a copied runtime
    helper, a generated function (written too), or a literal constant."""
    runtime_name = _runtime_name(value)
    if runtime_name is not None:
        module.bind(name, value, "a runtime helper")
        module.runtime.setdefault(runtime_name, set()).add(name)
        return
    if _is_generated(value):
        real = value.__code__.co_name
        taken = module.names.get(real, value) is not value
        real = _collect(value, module, origin_text, def_name=name if taken else None)
        if name != real and module.bind(name, value, "a generated derivative"):
            module.aliases.append(f"{name} = {real}")
        return
    if not module.bind(name, value, "a name your function reads"):
        return
    if isinstance(value, types.ModuleType):
        module.imports.append(_import_module(name, value))
        return
    line = _import_object(name, value)
    if line is not None:
        module.imports.append(line)
        return
    user = _user_module(fn)
    if user is not None and fn.__globals__.get(name, _MISSING) is value:
        module.from_user.setdefault(user, []).append(name)
        return
    if _is_literal(value):
        module.constants.append(f"{name} = {value!r}")
        return
    if isinstance(value, types.FunctionType) and "<locals>" in value.__qualname__:
        del module.names[name]      # a nested function srcad lifted: written as it was read
        real = _collect(value, module, origin_text, emit(definition(value)))
        if name != real and module.bind(name, value, "a nested function"):
            module.aliases.append(f"{name} = {real}")
        return
    where = "a closure variable" if name in fn.__code__.co_freevars else "a global"
    raise UsageError(
        f"srcad.source(standalone=True): the derivative reads {where} {name!r} "
        f"({_describe(value)}), which a module can neither import nor write as a literal",
        "define it at module level in an importable module (a .py file), or pass it to the "
        "function as an argument")


_MISSING = object()


def _cell(cell):
    try:
        return cell.cell_contents
    except ValueError:
        return None


def _free_names(text):
    """The names the functions of ``text`` read from outside themselves, in order of first use."""
    names = []

    def visit(table, enclosing=frozenset()):
        top = table.get_type() == "module"     # defaults of parameters are read there
        for sym in table.get_symbols():
            outside = not sym.is_assigned() if top else sym.is_global() or (
                sym.is_free() and sym.get_name() not in enclosing)
            if outside and sym.is_referenced() and sym.get_name() not in names:
                names.append(sym.get_name())
        own = frozenset() if top else enclosing | {
            sym.get_name() for sym in table.get_symbols() if sym.is_local()}
        for child in table.get_children():      # (a nested function reads its enclosing one's)
            visit(child, own)
    visit(symtable.symtable(text, "<srcad>", "exec"))
    defined = {n.name for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)}
    return [n for n in names if n not in defined]


def _runtime_name(value):
    for module in RUNTIME_MODULES:
        for n, f in vars(module).items():
            if f is value and callable(f) and not n.startswith("_") and \
                    getattr(f, "__module__", None) == module.__name__:
                return n
    return None


def _runtime_value(name):
    return next((getattr(m, name) for m in RUNTIME_MODULES if hasattr(m, name)), None)


def _is_generated(value):
    return isinstance(value, types.FunctionType) and hasattr(value, "__srcad_source__")


def _import_module(name, module):
    real = module.__name__
    if real == name:
        return f"import {real}"
    if real.rpartition(".")[2] == name and "." in real:
        return f"from {real.rpartition('.')[0]} import {name}"
    return f"import {real} as {name}"


def _import_object(name, value):
    """``from numpy import sin`` for an object that is what its own module calls it (a function
    or class of a library, not of the user's module, which is imported as a whole)."""
    owner = getattr(value, "__module__", None)
    own = getattr(value, "__name__", None)
    if not isinstance(owner, str) or not isinstance(own, str) or owner == "__main__" or \
            owner.startswith("srcad") or not _is_library(owner):
        return None
    if getattr(sys.modules.get(owner), own, _MISSING) is not value:
        if owner.startswith("numpy") and getattr(np, own, _MISSING) is value:
            owner = "numpy"     # np.sin.__module__ is "numpy", np.sum's "numpy.core..."
        else:
            return None
    return f"from {owner} import {own}" + (f" as {name}" if name != own else "")


def _is_library(module_name):
    """A module installed with Python or in site-packages (not the user's own files)."""
    module = sys.modules.get(module_name.partition(".")[0])
    path = getattr(module, "__file__", None)
    if module_name.partition(".")[0] in sys.stdlib_module_names:
        return True
    return path is not None and "site-packages" in path.split(os.sep)


def _user_module(fn):
    """(importable name, file) of the module whose globals ``fn`` reads, or None when it has
    no file (a notebook cell, exec'd code)."""
    name = fn.__globals__.get("__name__")
    path = fn.__globals__.get("__file__")
    if not path:
        return None
    if name == "__main__" or not name or name.startswith("srcad_cli_") or \
            sys.modules.get(name) is None:
        name = os.path.splitext(os.path.basename(path))[0]
    if not all(part.isidentifier() and not keyword.iskeyword(part) for part in name.split(".")):
        return None
    return name, os.path.abspath(path)


def _is_literal(value):
    if isinstance(value, float) and not math.isfinite(value):
        return False
    if isinstance(value, (bool, int, float, complex, str, bytes, type(None))):
        return True
    if isinstance(value, (tuple, list)) and type(value) in (tuple, list):
        return all(_is_literal(v) for v in value)
    return False


def _same_value(a, b):
    return _is_literal(a) and _is_literal(b) and type(a) is type(b) and a == b


def _describe(value):
    if isinstance(value, types.ModuleType):
        return f"the module {value.__name__}"
    if callable(value):
        return f"{type(value).__name__} {getattr(value, '__qualname__', value)!s:.40}"
    return f"a {type(value).__name__}"


def _user_imports(module, written_to):
    """``from model import h, C`` per user module, after a ``sys.path`` line when the module is
    written to another directory than the user's file's."""
    lines, added = [], set()
    for (name, path), names in module.from_user.items():
        module.user_modules.append((name, path))
        root = os.path.dirname(path)
        for _ in name.split(".")[1:]:
            root = os.path.dirname(root)
        if written_to is not None and root not in added and \
                os.path.abspath(os.path.dirname(written_to) or ".") != root:
            relative = os.path.relpath(root, os.path.abspath(os.path.dirname(written_to) or "."))
            for line in ("import os", "import sys"):
                if line not in module.imports:
                    module.imports.append(line)
            lines.append(f"sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath("
                         f"__file__)), {relative!r}))")
            added.add(root)
        lines.append(f"from {name} import {', '.join(sorted(names, key=str.lower))}")
    return lines


def _header(fn, module, paths, note):
    """The module's docstring: what it derives, that it needs no srcad, how it finds the
    user's modules."""
    origin = derived_from(fn.__code__.co_filename)
    made = f"{fn.__code__.co_name}: a derivative srcad generated"
    if origin is not None and origin[0] and not origin[0].startswith("<"):
        made += f" from {os.path.basename(origin[0])}:{origin[1]}"
    lines = [made + ".", "", "Standalone: it runs without srcad" + (
        " (the srcad runtime helpers it calls are copied in)." if module.runtime else ".")]
    if module.user_modules:
        names = ", ".join(n for n, _ in module.user_modules)
        where = "the sys.path line below finds it from this file" if paths else \
            "next to it, or with its directory on PYTHONPATH"
        lines.append(f"It imports {names}: run it where that is importable ({where}).")
    if note:
        lines += [""] + textwrap.wrap(note, 95)
    body = "\n".join(textwrap.fill(line, 95) if line else line for line in lines)
    return f'"""{body}\n"""'


# ---- the runtime helpers, copied -----------------------------------------------------------
def _runtime_source(module):
    """The definitions of the runtime helpers the module calls, and of what they call, as they
    are written in srcad/runtime.py (a lazy ``from .errors import`` becomes local classes). A
    helper whose name the user's code takes is written under the name the generated code
    calls it by (``unreduce_``), and so are the calls of it in the other helpers."""
    if not module.runtime:
        return ""
    tree, text = _runtime_tree()
    defs = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    imports = {}
    for n in tree.body:
        if isinstance(n, (ast.Import, ast.ImportFrom)):
            for a in n.names:
                imports[(a.asname or a.name).partition(".")[0]] = ast.get_source_segment(text, n)
    wanted, todo = set(), list(module.runtime)
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        wanted.add(name)
        todo.extend(n.id for n in ast.walk(defs[name]) if isinstance(n, ast.Name)
                    and n.id in defs and n.id not in wanted)
    pieces, needs, errors = [], [], set()
    for node in tree.body:
        if getattr(node, "name", None) not in wanted:
            continue
        piece = _segment(text, node)
        for line in _LAZY_ERRORS.findall(piece):
            errors.update(p.strip() for p in line.split("import", 1)[1].split("#")[0].split(","))
        pieces.append(_LAZY_ERRORS.sub("", piece))
        for n in ast.walk(node):
            if isinstance(n, ast.Name) and n.id in imports and imports[n.id] not in needs:
                needs.append(imports[n.id])
    renamed = _runtime_names(module, wanted | errors)
    for line in needs:
        bound = line.split(" as ")[-1].split()[-1].partition(".")[0]
        if bound in module.names and module.names[bound] is not sys.modules.get(bound) and \
                module.names[bound] is not np:
            raise UsageError(f"srcad.source(standalone=True): the copied srcad runtime helpers "
                             f"need {line!r}, but the derivative reads {bound!r} as "
                             f"{_describe(module.names[bound])}", f"rename {bound} in your code")
    module.imports.extend(line for line in needs if line not in module.imports)
    body = "\n\n\n".join(pieces)
    if errors:
        body = _ERRORS + "\n\n" + body
    for old, new in renamed.items():
        body = re.sub(rf"\b{old}\b", new, body)
    for name, uses in module.runtime.items():
        module.aliases.extend(f"{use} = {renamed.get(name, name)}" for use in sorted(uses)
                              if use != renamed.get(name, name))
    return ("# ---- srcad runtime helpers (copied from srcad) ----\n"
            + body + "\n\n\n# ---- the derivative ----\n")


def _runtime_names(module, names):
    """Copied runtime name -> the name it is written under, where the user's code takes it:
    the name the generated code calls it by if that is free, else the name and underscores."""
    renamed = {}
    for name in sorted(names):
        if name not in module.names:
            module.names[name] = _runtime_value(name)
            continue
        if _runtime_name(module.names[name]) == name:
            continue
        new = next((use for use in sorted(module.runtime.get(name, ()))
                    if _runtime_name(module.names.get(use)) == name), name + "_")
        while new in module.names and _runtime_name(module.names[new]) != name:
            new += "_"
        module.names[new] = _runtime_value(name)
        renamed[name] = new
    return renamed


def _runtime_tree():
    """The runtime modules' source as one text (each a module of its own, so their
    concatenation is one) and its tree."""
    texts = []
    for module in RUNTIME_MODULES:
        with open(inspect.getsourcefile(module), encoding="utf-8") as f:
            texts.append(f.read())
    text = "\n".join(texts)
    return ast.parse(text), text


def _segment(text, node):
    lines = text.splitlines()
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return "\n".join(lines[start - 1:node.end_lineno])
