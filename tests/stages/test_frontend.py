"""frontend: a function in -> its gast tree (the file's line numbers), its scope, and the fence:
syntax srcad refuses fails here, naming file:line. The functions read are defined below, so
their source is this file."""
import functools
import inspect
import math
import types

import gast
import numpy as np
import pytest

from srcad.errors import NotDifferentiable, SrcadError, UnsupportedSyntax, UsageError
from srcad.frontend import LOCAL, UNRESOLVED, Method, Parsed, read_function
from srcad.walk import walk

HERE = __file__
SCALE = 3.0


def line_of(fn, marker):
    """The file line of ``fn``'s source that holds ``marker`` (a comment)."""
    lines, start = inspect.getsourcelines(fn)
    found = [start + i for i, text in enumerate(lines) if marker in text]
    assert len(found) == 1, (marker, found)
    return found[0]


def file_line(marker):
    """The line of this file that holds ``marker``."""
    with open(HERE) as f:
        found = [i for i, text in enumerate(f, 1) if marker in text and "file_line(" not in text]
    assert len(found) == 1, (marker, found)
    return found[0]


def refusal(fn, error=UnsupportedSyntax):
    with pytest.raises(error) as info:
        read_function(fn)
    return info.value


def names_in(node):
    return {n.id for n in walk(node) if isinstance(n, gast.Name)}


def calls_in(node):
    return [n for n in walk(node) if isinstance(n, gast.Call) and isinstance(n.func, gast.Name)]


# ---- what read_function returns --------------------------------------------------------------
def decorated_identity(fn):
    return fn


@decorated_identity
def plain(x, y: float) -> float:
    z = np.sin(x) * SCALE      # line: z
    w = z + y                  # line: w
    return w * x               # line: return


def test_returns_a_parsed_function_def():
    parsed = read_function(plain)
    assert isinstance(parsed, Parsed)
    assert isinstance(parsed.tree, gast.FunctionDef)
    assert parsed.name == parsed.tree.name == "plain"
    assert parsed.fn is plain
    assert [a.id for a in parsed.tree.args.args] == ["x", "y"]
    assert [type(s).__name__ for s in parsed.tree.body] == ["Assign", "Assign", "Return"]


def test_filename_and_line_numbers_are_the_files():
    parsed = read_function(plain)
    assert parsed.filename == HERE == plain.__code__.co_filename
    assert parsed.lineno == parsed.tree.lineno == line_of(plain, "def plain(")
    assert [s.lineno for s in parsed.tree.body] == [
        line_of(plain, "# line: z"), line_of(plain, "# line: w"), line_of(plain, "# line: return")]
    for node in walk(parsed.tree.body[0]):      # expressions too, not only statements
        if isinstance(node, gast.expr):
            assert node.lineno == line_of(plain, "# line: z")


def test_decorators_and_return_annotation_are_dropped():
    tree = read_function(plain).tree
    assert tree.decorator_list == [] and tree.returns is None


def test_scope_resolves_locals_globals_and_builtins():
    scope = read_function(plain).scope
    assert scope.locals == {"x", "y", "z", "w"}
    assert scope.globals is plain.__globals__
    assert scope.nested == {} and scope.cells == {}
    assert not scope.generated and scope.tapes == frozenset()
    assert scope.lookup("z") is LOCAL
    assert scope.lookup("np") is np and scope.lookup("SCALE") == 3.0
    assert scope.lookup("len") is len
    assert scope.lookup("no_such_name_anywhere") is UNRESOLVED
    sin = read_function(plain).tree.body[0].value.left.func     # np.sin
    assert scope.resolve(sin) is np.sin


def test_scope_remembers_what_free_names_resolved_to():
    scope = read_function(plain).scope
    scope.lookup("SCALE")
    assert scope.seen[("global", "SCALE")] == (plain.__globals__, 3.0)


def method_call(x):
    return x.reshape(-1)


def test_a_method_of_a_local_resolves_to_its_name():
    parsed = read_function(method_call)
    func = parsed.tree.body[0].value.func
    assert parsed.scope.resolve(func) == Method("reshape")


def make_closure(k):
    def scaled(x):
        return x * k
    return scaled


def test_closure_cells_are_in_the_scope():
    fn = make_closure(2.5)
    parsed = read_function(fn)
    assert set(parsed.scope.cells) == {"k"}
    assert parsed.scope.lookup("k") == 2.5
    assert "k" not in parsed.scope.locals


def test_each_read_is_a_fresh_tree():
    """Later stages change the tree in place: two reads must not share nodes."""
    first, second = read_function(plain).tree, read_function(plain).tree
    assert first is not second
    first.body.clear()
    assert len(second.body) == 3 and len(read_function(plain).tree.body) == 3


# ---- nested functions are lifted (closures.py) -------------------------------------------------
def with_nested(x, a):
    def step(v):                     # line: step
        return np.tanh(v * a)
    y = step(x)                      # line: call
    return step(y)


def test_nested_function_is_lifted_into_the_scope():
    parsed = read_function(with_nested)
    step = parsed.scope.nested["step"]
    assert set(parsed.scope.nested) == {"step"}
    assert isinstance(step, types.FunctionType)
    assert step.__qualname__ == "with_nested.<locals>.step"
    assert step.__code__.co_filename == HERE
    assert parsed.scope.lookup("step") is step
    # the definition left the tree; each call passes the enclosing variable it reads first
    assert not any(isinstance(n, gast.FunctionDef) for n in walk(parsed.tree)
                   if n is not parsed.tree)
    calls = [c for c in calls_in(parsed.tree) if c.func.id == "step"]
    assert len(calls) == 2
    assert all(isinstance(c.args[0], gast.Name) and c.args[0].id == "a" for c in calls)
    assert [a.id for a in calls[0].args] == ["a", "x"]
    assert calls[0].lineno == line_of(with_nested, "# line: call")


def test_lifted_function_reads_back_with_the_users_lines():
    step = read_function(with_nested).scope.nested["step"]
    parsed = read_function(step)
    assert [a.id for a in parsed.tree.args.args] == ["a", "v"]
    assert parsed.filename == HERE
    assert parsed.lineno == line_of(with_nested, "# line: step")
    assert parsed.tree.body[0].lineno == line_of(with_nested, "# line: step") + 1
    assert step(0.5, 2.0) == pytest.approx(np.tanh(1.0))


def with_named_lambda(x, a):
    f = lambda v: v * a     # noqa: E731
    return f(x) + f(a)


def test_a_named_lambda_is_lifted_like_a_def():
    parsed = read_function(with_named_lambda)
    assert set(parsed.scope.nested) == {"f"}
    assert parsed.scope.nested["f"](2.0, 3.0) == 6.0
    assert all(c.args[0].id == "a" for c in calls_in(parsed.tree) if c.func.id == "f")


def nested_escapes(x):
    def step(v):
        return v * 2.0
    return step                     # refused


def nested_called_before_def(x):
    y = step(x)                     # refused
    def step(v):                    # noqa: E306
        return v * 2.0
    return y


def test_nested_function_used_as_a_value_is_refused():
    err = refusal(nested_escapes)
    assert "step" in err.message and "call" in err.message
    assert (err.filename, err.lineno) == (HERE, line_of(nested_escapes, "# refused"))


def test_nested_function_called_before_its_definition_is_refused():
    err = refusal(nested_called_before_def)
    assert "before its definition" in err.message
    assert (err.filename, err.lineno) == (HERE, line_of(nested_called_before_def, "# refused"))


# ---- the fence: unsupported syntax names file:line ----------------------------------------------
G = 0.0


def has_try(x):
    y = x * 2.0
    try:                            # refused
        y = np.log(y)
    except ValueError:
        y = 0.0
    return y


def has_with(x):
    with np.errstate(all="ignore"):     # refused
        y = np.log(x)
    return y


def has_global(x):
    global G                        # refused
    G = x
    return x * 2.0


def has_yield(x):
    for i in range(3):
        yield x * i                 # refused


def has_yield_from(x):
    yield from [x]                  # refused


def has_set_comp(xs):
    ys = {x * 2.0 for x in xs}      # refused
    return sum(ys)


def has_generator_expression(xs):
    ys = (x * 2.0 for x in xs)      # refused (read lazily, later)
    return sum(ys)


def has_inline_lambda(xs):
    return sorted(xs, key=lambda v: -v)[0]


def has_del(x):
    y = [x * 2.0]
    del y[0]                        # refused
    return x


def has_import(x):
    import math as m  # refused
    return m.sin(x)


def has_dict_literal(x):
    d = {"x": x}                    # refused
    return d["x"]


def has_for_else(x, n):
    for i in range(n):
        x = x * 2.0
    else:
        x = x + 1.0
    return x                        # (for ... else is reported at the for line)


def has_walrus(x):
    if (y := x * 2.0) > 1.0:        # refused
        return y
    return x


def has_class(x):
    class Box:                      # refused
        pass
    return x


def has_attribute_store(x, box):
    box.value = x                   # refused
    return x


def has_positional_only(x, /, y):   # refused
    return x * y


def has_nonlocal_in_nested(x):
    total = 0.0

    def add(v):
        nonlocal total
        total = total + v

    def add_twice(v):
        add(v)                      # refused (add updates total from inside another function)
    add_twice(x)
    return total


async def is_async(x):              # refused
    return x


REFUSED = [
    (has_try, "try/except"),
    (has_with, "with block"),
    (has_global, "global statement"),
    (has_yield, "yield"),
    (has_yield_from, "yield from"),
    (has_set_comp, "set comprehension"),
    (has_generator_expression, "generator expression"),
    (has_del, "del statement"),
    (has_import, "import"),
    (has_walrus, ":="),
    (has_class, "class definition"),
    (has_attribute_store, "attribute"),
    (has_positional_only, "positional-only"),
    (has_nonlocal_in_nested, "with nonlocal"),
    (is_async, "async function"),
]


@pytest.mark.parametrize("fn, words", REFUSED, ids=[f.__name__ for f, _ in REFUSED])
def test_unsupported_syntax_names_file_and_line(fn, words):
    err = refusal(fn)
    assert isinstance(err, SrcadError)
    assert words in err.message and err.message.startswith("cannot differentiate")
    line = line_of(fn, "# refused")
    assert (err.filename, err.lineno) == (HERE, line)
    assert str(err).startswith(f"{HERE}:{line}: ")
    assert err.hint     # says what to do instead


def test_for_else_is_read_as_a_loop_with_a_flag():
    parsed = read_function(has_for_else)
    loops = [n for n in walk(parsed.tree) if isinstance(n, gast.For)]
    assert loops and not any(loop.orelse for loop in loops)
    assert loops[0].lineno == line_of(has_for_else, "for i in range(n):")


def test_a_refusal_names_the_construct_not_only_the_first_line():
    """The line is the construct's, not the function's first line."""
    err = refusal(has_try)
    assert err.lineno != has_try.__code__.co_firstlineno


# ---- things that are not Python functions -------------------------------------------------------
LAMBDA = lambda x: x * 2.0      # noqa: E731  line: lambda


class Model:
    def loss(self, x):
        return x * 2.0

    def __call__(self, x):
        return x * 2.0


def test_a_lambda_is_read_as_the_def_it_stands_for():
    parsed = read_function(LAMBDA)
    assert parsed.tree.name == "LAMBDA" and [a.id for a in parsed.tree.args.args] == ["x"]
    assert isinstance(parsed.tree.body[0], gast.Return)
    assert parsed.tree.lineno == file_line("line: lambda")


def test_an_inline_lambda_becomes_a_nested_def():
    parsed = read_function(has_inline_lambda)
    assert set(parsed.scope.nested) == {"key"}
    assert not any(isinstance(n, gast.Lambda) for n in walk(parsed.tree))


@pytest.mark.parametrize("builtin", [math.sin, len, np.sin, np.add], ids=["math.sin", "len",
                                                                         "np.sin", "np.add"])
def test_a_builtin_or_compiled_function_is_not_differentiable(builtin):
    err = refusal(builtin, NotDifferentiable)
    assert "builtin or compiled" in err.message and "Python source" in err.message
    assert "defrule" in err.hint
    assert err.filename == HERE     # the caller's line: srcad's own frames are skipped


@pytest.mark.parametrize("thing, words", [
    (Model, "the class Model"),
    (Model().loss, "bound method Model.loss"),
    (Model(), "instance of Model"),
    (functools.partial(plain, 1.0), "functools.partial of plain"),
    (3, "instance of int"),
], ids=["class", "bound method", "callable object", "partial", "int"])
def test_other_callables_are_a_usage_error_at_the_call(thing, words):
    err = refusal(thing, UsageError)
    assert isinstance(err, TypeError)
    assert words in err.message
    assert err.filename == HERE and err.lineno > 0
    assert err.hint


def test_a_function_without_source_is_not_differentiable():
    namespace = {}
    exec("def made(x):\n    return x * 2.0\n", namespace)
    err = refusal(namespace["made"], NotDifferentiable)
    assert "source is not available" in err.message
    assert err.filename == "<string>" and err.lineno == 1


def test_a_derivatives_batched_saves_read_as_single_ones():
    import ast
    import textwrap

    from srcad.frontend import unbatched
    body = gast.ast_to_gast(ast.parse(textwrap.dedent("""
        for i in range(n):
            stack.append((u, v))
            u = u * 2
        for i in range(n):
            u, v = stack.pop()
            other.append((u, v))
    """))).body
    unbatched(body, frozenset({"stack"}))
    text = ast.unparse(gast.gast_to_ast(gast.Module(body=body, type_ignores=[])))
    assert text.splitlines() == [
        "for i in range(n):", "    stack.append(u)", "    stack.append(v)", "    u = u * 2",
        "for i in range(n):", "    v = stack.pop()", "    u = stack.pop()",
        "    other.append((u, v))"]


def test_a_derivatives_lists_of_trips_read_as_trip_counters():
    import ast
    import textwrap

    from srcad.frontend import unbatched
    body = gast.ast_to_gast(ast.parse(textwrap.dedent("""
        trips_2 = []
        while k < n:
            trips = []
            while abs(step) > tol:
                step = f(y)
                trips.append((y, step))
                y = y - step
            trips_2.append(trips)
        stack.append(trips_2)
        trips_2 = stack.pop()
        for trips in reversed(trips_2):
            for y, step in reversed(trips):
                dy = dy * step
        mine = []
        for w in reversed(mine):
            mine.append(w)
        trips_3 = []
        trips_3 = stack.pop()
        for w in reversed(trips_3):
            trips_3.append(w)
    """))).body
    unbatched(body, frozenset({"stack"}), frozenset({"trips", "trips_2"}))
    text = ast.unparse(gast.gast_to_ast(gast.Module(body=body, type_ignores=[])))
    assert text.splitlines() == [
        "trips_2 = 0", "while k < n:", "    trips = 0", "    while abs(step) > tol:",
        "        step = f(y)", "        trips += 1", "        stack.append(y)",
        "        stack.append(step)", "        y = y - step",
        "    trips_2 += 1", "    stack.append(trips)", "stack.append(trips_2)",
        "trips_2 = stack.pop()", "for _trips_2 in range(trips_2):", "    trips = stack.pop()",
        "    for _trips in range(trips):", "        step = stack.pop()", "        y = stack.pop()",
        "        dy = dy * step",
        "mine = []", "for w in reversed(mine):", "    mine.append(w)",
        "trips_3 = []", "trips_3 = stack.pop()", "for w in reversed(trips_3):",
        "    trips_3.append(w)"]   # a user's list: the derivative does not name it
