"""Small facts about generated statements that the optimizer's passes share: what a
statement evaluates, reads, writes or changes in place; pushes, pops and zeros."""
import gast

from .build import loads, stores
from .walk import walk

PURE_CALLS = {"range", "reversed", "len"}


def header(s):
    """The expressions a statement evaluates itself (not its nested blocks)."""
    if isinstance(s, gast.Assign):
        parts = [s.value] + [t for t in s.targets if not isinstance(t, gast.Name)]
        return parts
    if isinstance(s, gast.AugAssign):
        return [s.value, s.target]
    if isinstance(s, (gast.If, gast.While)):
        return [s.test]
    if isinstance(s, gast.For):
        return [s.iter]
    if isinstance(s, (gast.Expr, gast.Return)):
        return [s.value] if s.value is not None else []
    if isinstance(s, (gast.Assert,)):
        return [s.test] + ([s.msg] if s.msg else [])
    if isinstance(s, gast.Raise):
        return [x for x in (s.exc, s.cause) if x is not None]
    return []


def uses(s):
    names = set()
    for h in header(s):
        names |= loads(h)
    if isinstance(s, gast.AugAssign) and isinstance(s.target, gast.Name):
        names.add(s.target.id)
    return names


def written(s):
    """Names an assignment changes: its bound names, or an augmented target's base."""
    if isinstance(s, gast.AugAssign):
        t = s.target
        base = t if isinstance(t, gast.Name) else t.value if isinstance(t, gast.Subscript) else None
        return {base.id} if isinstance(base, gast.Name) else set()
    return stores(s) | {t.value.id for t in s.targets
                        if isinstance(t, gast.Subscript) and isinstance(t.value, gast.Name)}


def modified(s):
    """Names a statement changes in any way (bind, augment, subscript store), at any depth."""
    out = set()
    for n in walk(s):
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store):
            out.add(n.id)
        elif isinstance(n, gast.Subscript) and isinstance(n.ctx, gast.Store) and \
                isinstance(n.value, gast.Name):
            out.add(n.value.id)
        elif isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and \
                n.func.attr in ("append", "pop") and isinstance(n.func.value, gast.Name):
            out.add(n.func.value.id)     # a list changed in place
    return out


def is_pop(node):
    return any(isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and n.func.attr == "pop"
               for n in walk(node))


def is_push(s):
    return isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and \
        isinstance(s.value.func, gast.Attribute) and s.value.func.attr == "append"


def is_init(s):
    return isinstance(s, gast.Assign) and isinstance(s.value, gast.List) and not s.value.elts


def has_call(node):
    return any(isinstance(n, gast.Call) for n in walk(node))


def is_marker(s):
    return isinstance(s, gast.Expr) and isinstance(s.value, gast.Constant) and isinstance(
        s.value.value, str)


def is_zero(value):
    if isinstance(value, gast.Constant) and not isinstance(value.value, bool) and \
            isinstance(value.value, (int, float)) and value.value == 0:
        return True
    if isinstance(value, gast.Call):
        f = value.func
        fname = f.id if isinstance(f, gast.Name) else f.attr if isinstance(f, gast.Attribute) else ""
        return fname == "zeros_like"
    return False


# calls that read a list without keeping it (a list passed to them is not aliased by their result)
READS_LIST = {"len", "sum", "max", "min", "tuple", "list", "sorted", "enumerate", "zip", "reversed",
              "zeros_like", "unreduce", "unstack_like", "spread", "split_like", "joined"}


def private_lists(tree, appended="appended"):
    """Lists the function makes (``xs = []``) and only appends to, pops from, reads elements of
    and passes to calls that read them: nothing else holds them, so undoing an append
    (``xs.pop()``) after the last read of ``xs`` changes nothing anyone sees."""
    made, other = set(), set()
    allowed = set()
    for node in walk(tree):
        if isinstance(node, gast.Assign) and is_init(node) and len(node.targets) == 1 and \
                isinstance(node.targets[0], gast.Name):
            made.add(node.targets[0].id)
            allowed.add(id(node.targets[0]))
        elif isinstance(node, gast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], gast.Name) and isinstance(node.value, gast.Call) and \
                isinstance(node.value.func, gast.Name) and node.value.func.id == appended and \
                node.value.args and isinstance(node.value.args[0], gast.Name) and \
                node.value.args[0].id == node.targets[0].id:   # xs = appended(xs, v)
            allowed.update((id(node.targets[0]), id(node.value.args[0])))
        elif isinstance(node, gast.Call):
            f = node.func
            if isinstance(f, gast.Attribute) and isinstance(f.value, gast.Name) and \
                    f.attr in ("append", "pop"):
                allowed.add(id(f.value))
            if isinstance(f, gast.Attribute) and isinstance(f.value, gast.Name) and \
                    f.value.id == "np" or isinstance(f, gast.Name) and f.id in READS_LIST:
                allowed.update(id(a) for a in node.args if isinstance(a, gast.Name))
        elif isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name) and \
                isinstance(node.ctx, gast.Load):
            allowed.add(id(node.value))
        elif isinstance(node, gast.For) and isinstance(node.iter, gast.Name):
            allowed.add(id(node.iter))
    for node in walk(tree):
        if isinstance(node, gast.Name) and id(node) not in allowed:
            other.add(node.id)
    params = {a.id for a in tree.args.args} if isinstance(tree, gast.FunctionDef) else set()
    return made - other - params


def is_undo_of_append(s, lists):
    """``xs.pop()`` as a statement, on one of ``lists``."""
    return isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and \
        isinstance(s.value.func, gast.Attribute) and s.value.func.attr == "pop" and \
        not s.value.args and isinstance(s.value.func.value, gast.Name) and \
        s.value.func.value.id in lists
