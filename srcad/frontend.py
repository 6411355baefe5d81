"""Function -> gast tree + scope, and the fence: unsupported syntax fails here, before anything runs.

The tree's line numbers are those of the real file, so every later error points at the user's line.
"""
import ast
import builtins
import functools
import inspect
import linecache
import pickle
import sys
import sysconfig
import textwrap
import types
import weakref
from dataclasses import dataclass, field

import gast

from .build import assign, attr, aug, call, const, name
from .checkpoint_marks import checkpoint_marks
from .closures import lift_nested
from .errors import (NotDifferentiable, UnsupportedSyntax, UsageError, call_site, lines_with,
                     written_back)
from .factories import factories_inlined, function_aliases
from .function_values import (lambdas_as_defs, maps_as_generators, partials_inlined,
                              specialised_calls)
from .generators import generators_as_loops, generators_inlined
from .kinds import LOCAL, UNRESOLVED  # noqa: F401  (resolve()'s markers, used by the stages)
from .naming import Namer
from .sugar import (dict_calls_as_literals, namedtuples_in_field_order, plain_loops,
                    transposed_zips, unpacked_one_level, without_comprehensions)
from .walk import walk



@dataclass(frozen=True)
class Method:
    """A method looked up on a local value, e.g. ``x.reshape`` -> Method("reshape")."""
    name: str


@dataclass
class Scope:
    """Where the function's free names come from: its module globals and closure cells."""
    globals: dict
    cells: dict = field(default_factory=dict)
    locals: set = field(default_factory=set)
    seen: dict = field(default_factory=dict)   # what each free name resolved to, for staleness
    generated: bool = False         # srcad's own output, being differentiated again
    tapes: frozenset = frozenset()  # its stacks: lists used only to save and restore values
    runtime: dict = field(default_factory=dict)   # names the transform may introduce itself
    nested: dict = field(default_factory=dict)    # its nested functions, lifted (closures.py)
    checkpointed: dict = field(default_factory=dict)   # line -> snapshots (checkpoint_marks.py)
    temps: frozenset = frozenset()  # the temporaries lowering made (each read once, right after)

    def lookup(self, name):
        if name in self.locals:
            return LOCAL
        if name in self.nested:
            return self.nested[name]
        if name in self.runtime:
            return self.runtime[name]
        if name in self.cells:
            try:
                value = self.cells[name].cell_contents
            except ValueError:
                return UNRESOLVED
            self.seen[("cell", name)] = (self.cells[name], value)
            return value
        if name in self.globals:
            value = self.globals[name]
            self.seen[("global", name)] = (self.globals, value)
            return value
        if hasattr(builtins, name):
            return getattr(builtins, name)
        return UNRESOLVED

    def resolve(self, node):
        """The Python object an expression like ``np.linalg.norm`` names, or a marker."""
        if isinstance(node, gast.Name):
            return self.lookup(node.id)
        if isinstance(node, gast.Attribute):
            base = self.resolve(node.value)
            if base is LOCAL:
                return Method(node.attr)
            if base is UNRESOLVED or isinstance(base, Method):
                return UNRESOLVED
            return getattr(base, node.attr, UNRESOLVED)
        return UNRESOLVED


LIBRARY_PREFIXES = ("numpy", "scipy", "math", "builtins", "srcad.runtime")


def is_user_function(func):
    """Python functions srcad transforms itself (not library code that needs a rule)."""
    if not isinstance(func, types.FunctionType):
        return False
    module = getattr(func, "__module__", "") or ""
    if module.split(".")[0] in ("numpy", "scipy", "math", "srcad"):
        return False    # (srcad's own: its runtime helpers have rules, its API is no helper)
    filename = func.__code__.co_filename
    return not any(filename.startswith(p) for p in _library_dirs())


@functools.lru_cache(maxsize=1)
def _library_dirs():
    paths = sysconfig.get_paths()
    dirs = {paths.get("stdlib"), paths.get("platstdlib"), paths.get("purelib"), paths.get("platlib")}
    return tuple(d for d in dirs if d)


def is_tape_call(node, scope, method):
    """``stack.append(...)`` / ``stack.pop()`` on a stack of srcad's own output."""
    return (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
            and node.func.attr == method and isinstance(node.func.value, gast.Name)
            and node.func.value.id in scope.tapes and not node.keywords
            and len(node.args) == (1 if method == "append" else 0))


@dataclass
class Parsed:
    fn: object
    tree: gast.FunctionDef
    scope: Scope
    filename: str
    lineno: int

    @property
    def name(self):
        return self.tree.name


DEEP_TREES = 8000   # recursion limit while reading and transforming a function


def allow_deep_trees():
    """ast, gast and astor walk trees recursively, and a long expression (a sum of 400 terms)
    is a tree deeper than Python's default limit of 1000 frames allows. Raised, never lowered:
    another thread may be in the middle of a walk."""
    if sys.getrecursionlimit() < DEEP_TREES:
        sys.setrecursionlimit(DEEP_TREES)


def not_a_function(thing):
    if isinstance(thing, types.MethodType):
        return f"the bound method {thing.__func__.__qualname__}"
    if isinstance(thing, functools.partial):
        return f"a functools.partial of {getattr(thing.func, '__name__', 'a callable')}"
    if inspect.isclass(thing):
        return f"the class {thing.__name__}"
    return f"an instance of {type(thing).__name__}"


def advice_for(thing):
    if isinstance(thing, types.MethodType):
        return (f"differentiate {thing.__func__.__qualname__} itself, with the instance as its "
                f"first argument and wrt naming the others")
    if isinstance(thing, functools.partial):
        return "differentiate the wrapped function itself, with wrt naming the free parameters"
    if callable(thing) and not inspect.isclass(thing):
        return (f"differentiate {type(thing).__name__}.__call__ with the object as its first "
                f"argument, or pass a function defined with def")
    return "pass a function defined with def"


def too_deep(fn, filename, lineno):
    return UnsupportedSyntax(f"cannot differentiate {fn.__name__}: its code is nested too deeply "
                             f"for Python to walk (RecursionError)", filename, lineno,
                             "split long expressions and deep nesting into several statements "
                             "or helper functions")


def read_function(fn):
    """Parse ``fn``'s source into a gast FunctionDef with file line numbers and a scope."""
    allow_deep_trees()
    if isinstance(fn, (types.BuiltinFunctionType, types.BuiltinMethodType)) or (
            not isinstance(fn, types.FunctionType) and callable(fn) and not inspect.isclass(fn)
            and type(fn).__module__ == "numpy"):
        raise NotDifferentiable(
            f"{getattr(fn, '__name__', fn)!r} is a builtin or compiled function: srcad reads "
            f"Python source", *call_site(),
            "give it a derivative rule (srcad.defrule) or wrap it in a Python function")
    if not isinstance(fn, types.FunctionType):
        raise UsageError(f"srcad can only differentiate Python functions, got {not_a_function(fn)}",
                         advice_for(fn))
    code = fn.__code__
    filename = code.co_filename
    try:
        tree, start = _parsed_source(fn, code, filename)
    except RecursionError:
        raise too_deep(fn, filename, code.co_firstlineno) from None
    if isinstance(tree, gast.AsyncFunctionDef):
        raise UnsupportedSyntax("cannot differentiate an async function", filename, tree.lineno,
                                "differentiate a plain (synchronous) function")
    if not isinstance(tree, gast.FunctionDef) or tree.name != fn.__name__ and not is_lambda(fn):
        raise NotDifferentiable(f"cannot find the definition of {fn.__name__} in its source",
                                filename, start, "define the function with def")
    tree.decorator_list = []
    tree.returns = None
    cells = dict(zip(code.co_freevars, fn.__closure__ or ()))
    tapes = getattr(fn, "__srcad_tapes__", None)
    nested = {}
    scope = Scope(fn.__globals__, cells, generated=tapes is not None, tapes=frozenset(tapes or ()))
    if tapes is None:
        scope.locals = local_names(tree)
        namer = Namer({n.id for n in walk(tree) if isinstance(n, gast.Name)} | set(fn.__globals__))
        function_aliases(tree, scope)
        factories_inlined(tree, scope, namer, definition, is_user_function)
        scope.locals = local_names(tree)
        maps_as_generators(tree, lambda n, f: scope.lookup(n) is f, namer)
        partials_inlined(tree, scope, namer)
        generators_inlined(tree, scope, namer, definition)
        lambdas_as_defs(tree, namer)
        tree, nested = lift_nested(fn, tree, filename, remember_source)
        scope.nested = {**scope.nested, **dict(nested)}    # (inlined generators bind some)
        scope.locals = local_names(tree)
        specialised_calls(tree, scope, namer, is_user_function, definition, remember_source,
                          filename)
        tree.body = plain_loops(tree.body, namer)
        tree.body = unpacked_one_level(tree.body, namer)
        dict_calls_as_literals(tree, lambda n, f: scope.lookup(n) is f)
        namedtuples_in_field_order(tree, scope.resolve)
        generators_as_loops(tree, scope, namer)
        transposed_zips(tree, lambda n, f: scope.lookup(n) is f, namer)
        without_comprehensions(tree, namer, lambda n, f: scope.lookup(n) is f, filename)
        checkpoint_marks(tree, scope, filename)
        generators_inlined(tree, scope, namer, definition)
    else:
        unbatched(tree.body, frozenset(tapes), frozenset(getattr(fn, "__srcad_trip_lists__", ())))
        mark_write_backs(tree, written_back(filename))
        for node in tree.body:      # (see aliasing.Stale: its reads are at forward points)
            node.reverse_sweep = node.lineno in lines_with(filename, "reverse")
    parsed = Parsed(fn, tree, scope, filename, tree.lineno)
    Fence(parsed).visit(tree)
    scope.locals = local_names(tree)
    return parsed


def mark_write_backs(tree, lines):
    """In a derivative read again: its stores on ``lines`` write a change in place of a view
    back into its array (views.py), and a store into the view that such a write-back follows
    (with only saves and names bound between) changes nothing else once read as a pure update:
    the write-back makes the array hold the change, as NumPy's shared memory did."""
    for node in walk(tree):
        if isinstance(node, gast.Assign) and node.lineno in lines:
            node.write_back = True
    for node in walk(tree):
        for block in (getattr(node, "body", None), getattr(node, "orelse", None)):
            for i, s in enumerate(block if isinstance(block, list) else ()):
                if is_store(s) and not getattr(s, "write_back", False):
                    for t in block[i + 1:i + 8]:
                        if getattr(t, "write_back", False):
                            s.written_back = True
                        if getattr(t, "write_back", False) or not (
                                isinstance(t, gast.Expr) or isinstance(t, gast.Assign) and
                                isinstance(t.targets[0], gast.Name)):
                            break


def is_store(s):
    return isinstance(s, (gast.Assign, gast.AugAssign)) and isinstance(
        s.targets[0] if isinstance(s, gast.Assign) else s.target, gast.Subscript)


def definition(fn):
    """``fn``'s definition, parsed (a fresh tree)."""
    return _parsed_source(fn, fn.__code__, fn.__code__.co_filename)[0]


def unbatched(stmts, tapes, listed=frozenset(), lists=None):
    """A derivative's batched saves read as the single ones they stand for:
    ``stack.append((a, b))`` -> ``stack.append(a); stack.append(b)`` and ``a, b = stack.pop()``
    -> ``b = stack.pop(); a = stack.pop()`` (see ``batching``); a loop's list of trips as the
    trip counter and pushes it stands for (see ``trip_lists``; ``listed``: the names of the
    lists, as the derivative says)."""
    if lists is None:
        lists = trip_list_tapes(stmts, tapes, listed)
    out = []
    for s in stmts:
        for block in ("body", "orelse"):
            if isinstance(getattr(s, block, None), list):
                unbatched(getattr(s, block), tapes, listed, lists)
        for c in counted(s, lists, tapes):
            out += single_saves(gast.copy_location(c, s), tapes)
    stmts[:] = out


def single_saves(s, tapes):
    v = s.value if isinstance(s, (gast.Expr, gast.Assign)) else None
    if isinstance(s, gast.Expr) and isinstance(v, gast.Call) and \
            is_tape_call(v, _Tapes(tapes), "append") and isinstance(v.args[0], gast.Tuple):
        return [gast.copy_location(gast.Expr(value=call(v.func, e)), s) for e in v.args[0].elts]
    if isinstance(s, gast.Assign) and len(s.targets) == 1 and \
            isinstance(s.targets[0], gast.Tuple) and is_tape_call(v, _Tapes(tapes), "pop"):
        return [gast.copy_location(assign(e, call(v.func), s.lineno), s)
                for e in reversed(s.targets[0].elts)]
    return [s]


def trip_list_tapes(stmts, tapes, listed):
    """``{N: tape}`` for each list of trips ``N`` (one of ``listed``): bound to ``[]`` and popped
    from a tape, or walked by a loop over an outer list."""
    empty, popped = set(), {}
    for s in walk(gast.Module(body=stmts, type_ignores=[])):
        if not (isinstance(s, gast.Assign) and len(s.targets) == 1):
            continue
        t = s.targets[0]
        names = [t] if isinstance(t, gast.Name) else getattr(t, "elts", [])
        if isinstance(s.value, gast.List) and not s.value.elts and isinstance(t, gast.Name):
            empty.add(t.id)
        elif is_tape_call(s.value, _Tapes(tapes), "pop"):
            for n in names:
                if isinstance(n, gast.Name) and n.id in listed:
                    popped[n.id] = s.value.func.value.id
    lists = {n: tape for n, tape in popped.items() if n in empty}
    loops = [s for s in walk(gast.Module(body=stmts, type_ignores=[])) if isinstance(s, gast.For)
             and isinstance(s.target, gast.Name) and s.target.id in empty & listed
             and reversal_of(s.iter)]
    grew = True
    while grew:     # an outer loop's list holds the inner loop's lists
        grew = False
        for s in loops:
            if reversal_of(s.iter) in lists and s.target.id not in lists:
                lists[s.target.id] = lists[reversal_of(s.iter)]
                grew = True
    return lists


def reversal_of(e):
    """``N`` of ``reversed(N)``; else None."""
    if isinstance(e, gast.Call) and isinstance(e.func, gast.Name) and e.func.id == "reversed" \
            and len(e.args) == 1 and isinstance(e.args[0], gast.Name) and not e.keywords:
        return e.args[0].id
    return None


def counted(s, lists, tapes):
    """A list of trips' statements as the counter's: ``N = []`` -> ``N = 0``;
    ``N.append(e)`` -> ``N += 1; tape.append(e)``; ``for t in reversed(N): ...`` ->
    ``for _N in range(N): t = tape.pop(); ...``."""
    v = getattr(s, "value", None)
    if isinstance(s, gast.Assign) and isinstance(v, gast.List) and not v.elts and \
            isinstance(s.targets[0], gast.Name) and s.targets[0].id in lists:
        return [assign(s.targets[0], const(0), s.lineno)]
    if isinstance(s, gast.Expr) and isinstance(v, gast.Call) and \
            isinstance(v.func, gast.Attribute) and v.func.attr == "append" and \
            isinstance(v.func.value, gast.Name) and v.func.value.id in lists:
        n = v.func.value.id
        return [aug(n, const(1)), gast.Expr(value=call(attr(lists[n], "append"), *v.args))]
    if isinstance(s, gast.For) and reversal_of(s.iter) in lists:
        n = reversal_of(s.iter)
        pop = assign(s.target, call(attr(lists[n], "pop")), s.lineno)
        s.body = single_saves(gast.copy_location(pop, s), tapes) + s.body
        s.target = name("_" + n, store=True)
        s.iter = call("range", name(n))
    return [s]


class _Tapes:
    """The part of a Scope ``is_tape_call`` reads."""
    def __init__(self, tapes):
        self.tapes = tapes


_sources = weakref.WeakKeyDictionary()   # code -> (pickled FunctionDef, first line, ref to code)


def remember_source(code, tree, start):
    """The definition of a function srcad compiled itself (a lifted nested function)."""
    _sources[code] = (pickle.dumps(tree), start, weakref.ref(code))


def _parsed_source(fn, code, filename):
    """``fn``'s top-level definition, parsed (None if the source holds something else), and its
    first line. Finding a function's lines tokenizes its whole file, so each code object is read
    once; a redefined function has a new code object and is read again."""
    hit = _sources.get(code)
    if (hit is None or hit[2]() is not code) and is_lambda(fn):
        tree = lambda_definition(code, filename)
        hit = (pickle.dumps(tree), code.co_firstlineno, weakref.ref(code))
        _sources[code] = hit
    if hit is None or hit[2]() is not code:   # equal code objects (same body, other file) differ
        try:
            lines, start = inspect.getsourcelines(fn)
        except (OSError, TypeError) as exc:
            raise NotDifferentiable(
                f"cannot differentiate {fn.__name__}: its source is not available ({exc})",
                filename, code.co_firstlineno,
                "define the function in a .py file (functions typed into the REPL or built with "
                "exec have no source srcad can read)") from None
        try:
            module = gast.parse(textwrap.dedent("".join(lines)))
        except SyntaxError as exc:
            raise NotDifferentiable(f"cannot parse the source of {fn.__name__}: {exc.msg}",
                                    filename, start, "is the file saved?") from None
        gast.increment_lineno(module, start - 1)
        hit = (pickle.dumps(module.body[0] if module.body else None), start, weakref.ref(code))
        _sources[code] = hit
    return pickle.loads(hit[0]), hit[1]


def is_lambda(fn):
    return fn.__name__ == "<lambda>"


def lambda_definition(code, filename):
    """A lambda's expression as ``def <name>(<params>): return <body>``, found in its file: the
    lambda on its first line with its parameters whose body holds the code's first position.
    It is named after the variable it is assigned to (``f = lambda x: ...``), else ``anonymous``."""
    text = "".join(linecache.getlines(filename))
    try:
        module = ast.parse(text) if text else None
    except (SyntaxError, ValueError):
        module = None
    if module is None:
        raise NotDifferentiable("cannot differentiate this lambda: its source is not available",
                                filename, code.co_firstlineno,
                                "define the function with def in a .py file")
    params = list(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
    where = next(((line, col) for line, _, col, _ in code.co_positions()
                  if line is not None and col), None)
    found, named = [], {}
    for node in ast.walk(module):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda) and \
                len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            named[id(node.value)] = node.targets[0].id
        if isinstance(node, ast.Lambda) and node.lineno == code.co_firstlineno and \
                [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs] \
                == params and (where is None or (node.body.lineno, node.body.col_offset) <= where
                               <= (node.body.end_lineno, node.body.end_col_offset)):
            found.append(node)
    if len(found) != 1:
        raise NotDifferentiable("cannot differentiate this lambda: srcad cannot tell it apart "
                                "from another lambda on its line", filename, code.co_firstlineno,
                                "define the function with def")
    lam = found[0]
    definition = ast.FunctionDef(name=named.get(id(lam), "anonymous"), args=lam.args,
                                 body=[ast.Return(value=lam.body)], decorator_list=[],
                                 returns=None, type_params=[])
    ast.copy_location(definition, lam)
    ast.copy_location(definition.body[0], lam.body)
    return gast.ast_to_gast(ast.fix_missing_locations(definition))


def local_names(tree):
    """Parameters and every name the function assigns."""
    names = {a.id for a in tree.args.args + tree.args.kwonlyargs}
    for node in walk(tree):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Param)):
            names.add(node.id)
    return names


UNSUPPORTED = {
    gast.Try: ("try/except", "move the error handling outside the differentiated function"),
    gast.With: ("a with block", "move the with block outside the differentiated function"),
    gast.AsyncWith: ("async with", "differentiate a plain (synchronous) function"),
    gast.AsyncFor: ("async for", "differentiate a plain (synchronous) function"),
    gast.Await: ("await", "differentiate a plain (synchronous) function"),
    gast.AsyncFunctionDef: ("an async function", "differentiate a plain (synchronous) function"),
    gast.Yield: ("yield (a generator)", "return a value (or a list of values) instead"),
    gast.YieldFrom: ("yield from (a generator)", "return a value instead"),
    gast.Global: ("a global statement", "pass the value in as an argument and return the result"),
    gast.Nonlocal: ("a nonlocal statement", "pass the value in as an argument and return it"),
    gast.ClassDef: ("a class definition", "define the class outside the function"),
    gast.FunctionDef: ("a nested function definition", "define the helper at module level"),
    gast.Lambda: ("a lambda", "define the helper with def at module level"),
    gast.Delete: ("a del statement", "let the variable go out of scope instead"),
    gast.Import: ("an import inside the function", "import at module level"),
    gast.ImportFrom: ("an import inside the function", "import at module level"),
    gast.ListComp: ("a list comprehension", "write a for loop that appends"),
    gast.SetComp: ("a set comprehension", "write a for loop"),
    gast.DictComp: ("a dict comprehension", "write a for loop"),
    gast.GeneratorExp: ("a generator expression", "write a for loop"),
    gast.NamedExpr: ("an assignment expression (:=)", "assign in a statement of its own"),
    gast.Starred: ("a starred expression outside a call (*xs)", "concatenate: xs + (y,)"),
    gast.Set: ("a set literal", "use a tuple or a list"),
    gast.Match: ("a match statement", "use if/elif/else"),
}


class Fence(gast.NodeVisitor):
    """Reject what srcad cannot differentiate, naming the construct, file and line."""

    def __init__(self, parsed):
        self.parsed = parsed
        self.root = parsed.tree

    def fail(self, node, what, hint):
        raise UnsupportedSyntax(f"cannot differentiate {what}", self.parsed.filename,
                                getattr(node, "lineno", self.parsed.lineno), hint)

    def generic_visit(self, node):
        entry = UNSUPPORTED.get(type(node))
        if entry and node is not self.root:
            self.fail(node, *entry)
        super().generic_visit(node)

    def visit_FunctionDef(self, node):
        if node is not self.root and self.parsed.scope.generated and \
                node.name.startswith("advance_"):     # (checkpoint_loops.py)
            self.fail(node, "a second derivative through a loop marked srcad.checkpointed",
                      "drop the mark where you take a second derivative")
        if node is not self.root:
            self.fail(node, *UNSUPPORTED[gast.FunctionDef])
        args = node.args
        if args.posonlyargs:
            self.fail(node, "positional-only parameters", "use ordinary parameters")
        self.generic_visit(node)

    def visit_Call(self, node):
        self.visit(node.func)
        for a in node.args:     # f(*args): normalize binds it to the callee's parameters
            self.visit(a.value if isinstance(a, gast.Starred) else a)
        for k in node.keywords:
            self.visit(k)

    def visit_Assign(self, node):
        for target in node.targets:
            self.check_target(target, node)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self.check_target(node.target, node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        self.check_target(node.target, node)
        self.generic_visit(node)

    def check_target(self, target, node):
        if isinstance(target, (gast.Tuple, gast.List)):
            for elt in target.elts:
                if not isinstance(elt, gast.Name):
                    self.fail(node, "a nested or starred unpacking target",
                              "unpack one level at a time into plain names")
        elif isinstance(target, gast.Subscript) and isinstance(node, gast.AugAssign) and \
                isinstance(node.op, (gast.Add, gast.Sub)) and self.parsed.scope.generated:
            pass   # an adjoint accumulated into an element: normalize makes it a pure update
        elif isinstance(target, gast.Subscript) and self.parsed.scope.generated:
            pass   # a store into an element: normalize makes it x = stored_at(x, i, v)
        elif isinstance(target, gast.Attribute):
            self.fail(node, "assignment to an attribute (obj.attr = ...)",
                      "keep the value in a local variable")

    def visit_For(self, node):
        if node.orelse:
            self.fail(node, "a for ... else", "use a flag variable instead of else")
        self.generic_visit(node)

    def visit_While(self, node):
        if node.orelse:
            self.fail(node, "a while ... else", "use a flag variable instead of else")
        self.generic_visit(node)
