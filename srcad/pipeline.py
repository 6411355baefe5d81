"""The pipeline behind every transform: ``derive()`` runs each stage in order (read ->
normalize -> analyze -> reverse or forward -> optimize -> emit -> compile), derives the helpers
a function calls, and keeps the cache of generated derivatives.
"""
import inspect
import math
import threading
import types
from dataclasses import dataclass, field

import gast
import numpy as np

from . import rules, runtime
from .analysis import analyze, is_user_function
from .checkpoint_loops import checkpoint_loops
from .checkpointing import Checkpoints
from .codegen import compile_function, emit, line_table
from .errors import NotDifferentiable, SrcadError
from .forward import ForwardMode
from .frontend import UNRESOLVED, allow_deep_trees, read_function, too_deep
from .naming import Namer, derivative_name
from .normalize import local_targets, normalize
from .optimize import Optimizer
from .purity import Purity
from .reverse import ReverseMode
from .split import split_sweeps
from .tidying import drop_unused_stack
from .value_lattice import unnamed
from .values import Value, infer_values, kind_of_abstract, value_of
from .variadic import restore_parameters
from .views import changed_in_place, lower_in_place
from .walk import walk

RUNTIME = {   # every public helper of srcad.runtime is available to generated code
    "np": np, "math": math, "Checkpoints": Checkpoints,
    **{n: f for n, f in vars(runtime).items()
       if callable(f) and not n.startswith("_") and getattr(f, "__module__", None) == runtime.__name__},
}

_MISSING = object()
_cache = {}                 # cache_key(...) -> (code object, Generated)
_cache_lock = threading.RLock()


@dataclass
class Generated:
    """One specialised derivative: its source, and how to build it for a function object."""
    name: str
    source: str
    seed: object            # its seed parameter, or one per part of a helper's tuple result
    externals: dict
    helpers: list = field(default_factory=list)
    wrt: tuple = ()
    depends: tuple = ()     # (globals dict, name, object) and (cell, None, object) it relied on
    tangents: dict = field(default_factory=dict)   # forward mode: wrt name -> tangent parameter
    tapes: tuple = ()       # its stacks, which a second transformation must recognise
    trip_lists: tuple = ()  # its lists of loop trips, read back as trip counters (trip_lists)
    forward: object = None  # a helper that is not pure: the Generated of its forward half
    changes: tuple = ()     # parameters the function changes in place (x[i] = v)
    rules_seen: int = field(default_factory=rules.generation)   # the rule table it was made with
    lines: dict = field(default_factory=dict)   # line of source -> its origin (codegen.line_table)

    def valid(self):
        """False once a name the transform resolved (a helper, a rule's function, a captured
        function) is bound to another object: the derivative must then be made again."""
        if self.rules_seen != rules.generation():
            return False
        for where, key, obj in self.depends:
            if key is None:
                if not _filled(where) or where.cell_contents is not obj:
                    return False
            elif where.get(key, _MISSING) is not obj:
                return False
        return True

    def bind(self, fn):
        cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
        code = fn.__code__
        compiled = compile_function(self.source, self.name, fn.__globals__, self.externals, cells,
                                    f"{fn.__module__}.{fn.__qualname__}", self.lines,
                                    (code.co_filename, code.co_firstlineno))
        compiled.__srcad_tapes__ = self.tapes
        compiled.__srcad_trip_lists__ = self.trip_lists
        return compiled


def derive(fn, wrt, mode, kinds, busy=(), values=None):
    """Run the pipeline: read -> normalize -> analyze -> reverse -> optimize -> emit.

    A failure inside srcad itself becomes an SrcadError at the function's line (the original
    exception is kept as ``err.internal``), so no internal traceback reaches the user."""
    allow_deep_trees()
    try:
        return _derive(fn, wrt, mode, kinds, busy, values)
    except SrcadError:
        raise
    except RecursionError:
        raise too_deep(fn, fn.__code__.co_filename, fn.__code__.co_firstlineno) from None
    except Exception as exc:
        code = fn.__code__
        err = SrcadError(f"internal error while differentiating {fn.__name__}: "
                         f"{type(exc).__name__}: {exc}", code.co_filename, code.co_firstlineno,
                         "this is a bug in srcad; please report it with this function")
        err.internal = exc
        raise err from None


def cache_key(fn, wrt, mode, kinds, values=None):
    """Identity of the code and of what its names resolve to: equal code objects in two
    modules (or closures over two different functions) must not share a derivative."""
    code = fn.__code__
    captured = tuple(id(c.cell_contents) if callable(c.cell_contents) else c.cell_contents
                     for c in (fn.__closure__ or ()) if _filled(c) and (
                         callable(c.cell_contents) or type(c.cell_contents) in (int, bool, str)))
    # (a captured number the transform may write into the derivative, snapshots=k, counts too)
    return (id(code), id(fn.__globals__), captured, wrt, mode, tuple(sorted(kinds.items())),
            values)


def _filled(cell):
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True


def _derive(fn, wrt, mode, kinds, busy=(), values=None):
    key = cache_key(fn, wrt, mode, kinds, values)
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] is fn.__code__ and hit[1].valid():
        return hit[1]
    if any(code is fn.__code__ for code in busy):
        code = fn.__code__
        raise SrcadError(f"cannot differentiate the recursive function {fn.__name__}",
                         code.co_filename, code.co_firstlineno,
                         "rewrite the recursion as a loop")
    busy = busy + (fn.__code__,)
    parsed, before, namer, runtime_names, core = lowered(fn, kinds, mode in ("jvp", "tangent"))
    generated = local_targets(core) - before
    purity = Purity(read_function, is_user_function)
    inferred = []       # the helpers whose results the values read: their globals count too
    known = infer_values(core, dict(values), parsed.scope, helper_results(busy, inferred)) \
        if values is not None else None
    facts = analyze(core, wrt, kinds, parsed, known)
    helpers, externals = [], {runtime_names[n]: RUNTIME[n] for n in RUNTIME}
    externals.update(parsed.scope.nested)   # lifted nested functions, called by name

    forward = mode in ("jvp", "tangent")
    derive_helper = helper_deriver("jvp" if forward else "parts", namer, externals, helpers,
                                   busy, purity)
    if forward:
        return _derive_forward(fn, wrt, (parsed, inferred), namer, core, generated, facts,
                               helpers, externals, runtime_names, derive_helper, key,
                               mode == "tangent", purity)
    fname = derivative_name(parsed.tree.name, wrt)
    mode_kind = mode if mode in ("grad", "value_and_grad", "split", "parts") else "vjp"
    rev = ReverseMode(core, facts, parsed, namer, runtime_names, derive_helper, mode_kind,
                      generated, purity).run(fname)
    optimizer = Optimizer(rev, runtime_names, pure_in(parsed.scope, purity, externals),
                          listing=mode != "split", keep_loops=frozenset(parsed.scope.checkpointed))
    tree = optimizer.run()
    if parsed.scope.checkpointed:
        checkpoint_loops(tree, parsed.scope.checkpointed, runtime_names, parsed.filename, namer,
                         split=mode == "split")
        drop_unused_stack(tree)
    used = {n.id for n in walk(tree) if isinstance(n, gast.Name)}
    externals = {k: v for k, v in externals.items() if k in used}
    seed = tree.args.args[-1].id if len(rev.seed_order) < 2 else \
        tuple(a.id for a in tree.args.args[-len(rev.seed_order):])
    tapes = tuple(sorted((rev.tapes | parsed.scope.tapes) & used))
    depends = _depends(parsed, helpers, inferred)
    forward = None
    if mode == "split":
        halves = split_sweeps(tree, namer.fresh(f"{parsed.tree.name}_fwd"),
                              namer.fresh(f"{parsed.tree.name}_saved"))
        text, lines = _emitted(restore_parameters(halves[0], parsed.tree))
        forward = Generated(halves[0].name, text, None, externals, [], wrt, depends, tapes=tapes,
                            lines=lines)
        tree = halves[1]
    source, lines = _emitted(restore_parameters(tree, parsed.tree))
    gen = Generated(fname, source, seed, externals, helpers, wrt, depends, tapes=tapes, lines=lines,
                    forward=forward, changes=changed_parameters(core),
                    trip_lists=tuple(sorted(optimizer.trip_list_names)))
    return _remember(key, fn, gen)


def lowered(fn, kinds, forward=False):
    """``fn`` read and lowered to the core language: (parsed, its names before, the namer,
    the runtime helpers' names in it, the core function)."""
    parsed = read_function(fn)
    before = set(parsed.scope.locals)
    names_seen = {n.id for n in walk(parsed.tree) if isinstance(n, gast.Name)}
    namer = Namer(names_seen | parsed.scope.locals)
    runtime_names = {}
    for n in RUNTIME:
        same = n not in parsed.scope.locals and parsed.scope.lookup(n) is RUNTIME[n]
        runtime_names[n] = n if (same or n not in names_seen) else namer.fresh(n + "_")
        namer.reserve(runtime_names[n])
    parsed.scope.runtime = {runtime_names[n]: RUNTIME[n] for n in RUNTIME}
    core = lower_in_place(normalize(parsed, namer, kinds), parsed, namer, kinds,
                          forward=forward)
    return parsed, before, namer, runtime_names, core


def helper_results(busy, inferred):
    """``value(func, args, kwargs)``: the value a user helper's call returns, inferred from
    its own core with its arguments' values (None: not known). A helper's result then has
    the shape its arguments give it, as a NumPy function's has."""
    memo = {}

    def value(func, args, kwargs):
        if not is_user_function(func) or any(c is func.__code__ for c in busy):
            return None
        try:
            params = inspect.signature(func).bind(*args, **kwargs)
        except TypeError:
            return None
        params.apply_defaults()
        if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               for p in inspect.signature(func).parameters.values()):
            return None
        given = {p: v if isinstance(v, Value) else value_of(v)
                 for p, v in params.arguments.items()}
        key = (func.__code__, id(func.__globals__), tuple(sorted(given.items())))
        if key not in memo:
            memo[key] = None        # (while it is being inferred: a recursion)
            memo[key] = _helper_result(func, given, busy + (func.__code__,), inferred)
        return memo[key]
    return value


def _helper_result(func, given, busy, inferred):
    kinds = {p: kind_of_abstract(v) for p, v in given.items()}
    try:
        parsed, _, _, _, core = lowered(func, kinds)
        inferred.append(parsed)
        env = infer_values(core, given, parsed.scope, helper_results(busy, inferred))
    except Exception:       # srcad refuses it (with a reason) when it transforms it
        return None
    ret = core.body[-1]
    if not (isinstance(ret, gast.Return) and isinstance(ret.value, gast.Name)):
        return None
    return unnamed(env.get(ret.value.id))


def pure_in(scope, purity, externals):
    """Whether a call in generated code is pure: derived helpers are (but the forward half
    or the jvp of a helper that is not), others as their function in the user's scope."""
    forward_halves = {n for n, f in externals.items() if getattr(f, "__srcad_forward__", False)
                      or getattr(f, "__srcad_impure__", False)}

    def pure(node):
        func = node.func
        if isinstance(func, gast.Name) and func.id in externals:
            return func.id not in forward_halves
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and \
                func.value.id not in scope.locals and scope.lookup(func.value.id) is UNRESOLVED:
            return True     # a method of a value srcad made itself (stack.append)
        return purity.call(node, scope)
    return pure


def helper_deriver(mode, namer, externals, helpers, busy, purity):
    """The callback transforms use for a helper call: derive it (cached), bind it once into
    the caller's namespace, and say how to call it (its seed, or its tangent parameters)."""
    bound = {}

    def derive_helper(func, helper_wrt, helper_kinds, stmt, split=False, values=None):
        """-> (derivative's name, its seed or tangent parameters, its forward half's name)."""
        if getattr(func, "__srcad_forward__", False) and func.__srcad_tapes__:
            raise NotDifferentiable(
                f"cannot differentiate {func.__name__} again: it is the forward half of a "
                f"helper that is not pure (a random draw or a call srcad does not know), and "
                f"its loop saves values on a stack that its reverse half consumes",
                stmt_file(func, stmt), stmt.lineno,
                "take the first derivative only, or make the helper pure (pass the random "
                "draws in as an argument)")
        gen = derive(func, helper_wrt, "split" if split else mode, helper_kinds, busy, values)
        same = (func, gen.source)    # one name for one derivative, even if made twice
        if same not in bound:
            bound[same] = (namer.fresh(gen.name), None)
            if gen.forward is not None:
                bound[same] = (bound[same][0], namer.fresh(gen.forward.name))
                externals[bound[same][1]] = gen.forward.bind(func)
                externals[bound[same][1]].__srcad_forward__ = True
                helpers.append(gen.forward)
            externals[bound[same][0]] = gen.bind(func)
            if mode == "jvp" and not purity.function(func):     # it draws as the helper does
                externals[bound[same][0]].__srcad_impure__ = True
            helpers.append(gen)
        fname, forward = bound[same]
        return fname, gen.tangents if mode == "jvp" else gen.seed, forward
    return derive_helper


def _emitted(tree):
    """The source of ``tree`` and the origin of each of its lines (codegen.line_table)."""
    text = emit(tree)
    return text, line_table(tree, text)


def stmt_file(func, stmt):
    """The file of the function a statement of a derivative being transformed comes from."""
    return getattr(stmt, "filename", None) or func.__code__.co_filename


def _derive_forward(fn, wrt, read, namer, core, generated, facts, helpers, externals,
                    runtime_names, derive_helper, key, tangent_only, purity):
    """``read``: (parsed, the helpers' parsed whose results the values read)."""
    parsed, inferred = read
    fname = f"{parsed.tree.name}_jvp"
    fwd = ForwardMode(core, facts, parsed, namer, runtime_names, derive_helper,
                      generated, tangent_only).run(fname)
    tree = Optimizer(fwd, runtime_names, pure_in(parsed.scope, purity, externals)).run()
    used = {n.id for n in walk(tree) if isinstance(n, gast.Name)}
    externals = {k: v for k, v in externals.items() if k in used}
    params = tree.args.args
    tangents = {w: params[len(params) - len(wrt) + i].id for i, w in enumerate(wrt)}
    depends = _depends(parsed, helpers, inferred)
    tapes = tuple(sorted((fwd.tapes | parsed.scope.tapes) & used))
    text, lines = _emitted(restore_parameters(tree, parsed.tree))
    gen = Generated(fname, text, None, externals, helpers, wrt, depends, tangents, tapes,
                    changes=changed_parameters(core), lines=lines)
    return _remember(key, fn, gen)


def changed_parameters(core):
    """The parameters ``core`` changes in place: an argument sharing memory with another one
    would change that one too, which no derivative of the separate arguments describes."""
    params = [a.id for a in core.args.args + core.args.kwonlyargs]
    changed = {changed_in_place(s) for s in walk(core) if isinstance(s, gast.Assign)}
    return tuple(p for p in params if p in changed)


def _remember(key, fn, gen):
    """Cache ``gen``, unless another thread cached a valid one for the same key meanwhile:
    then that one, so every caller of a helper binds one and the same derivative."""
    with _cache_lock:   # the entry holds the code object, so its id is not reused
        hit = _cache.get(key)
        if hit is not None and hit[0] is fn.__code__ and hit[1].valid():
            return hit[1]
        _cache[key] = (fn.__code__, gen)
    return gen


def _depends(parsed, helpers, inferred=()):
    """What a derivative stays valid for: the objects its function's names (and those of the
    helpers whose results its values read) resolved to, and its helpers' derivatives'."""
    depends = [(where, None if kind == "cell" else name, obj)
               for p in (parsed, *inferred)
               for (kind, name), (where, obj) in p.scope.seen.items()
               if callable(obj) or isinstance(obj, types.ModuleType) or hasattr(obj, "shape")
               or isinstance(obj, (int, float))]
    for h in helpers:
        depends.extend(h.depends)
    return tuple(depends)
