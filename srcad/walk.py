"""``walk(node)``: every node under ``node``, breadth first like ``ast.walk``, as a list.

The transforms walk small trees thousands of times; ``ast.walk`` (a generator over
``iter_child_nodes``/``iter_fields``) was half of the transform time. This one reads each
node class's child fields once, and skips the expression-context nodes (``Load``/``Store``),
which no stage looks for on their own: a stage asks ``isinstance(name.ctx, gast.Load)``.
"""
import copy
import pickle

import gast

_LEAF_FIELDS = {"ctx", "id", "attr", "kind", "type_comment", "name", "arg", "asname",
                "module", "level", "names", "is_async", "conversion"}
_child_fields = {}


def child_fields(cls):
    fields = _child_fields.get(cls)
    if fields is None:
        fields = tuple(f for f in cls._fields if f not in _LEAF_FIELDS and
                       not (cls is gast.Constant and f == "value"))
        _child_fields[cls] = fields
    return fields


def walk(node):
    out = [node]
    AST = gast.AST
    i = 0
    while i < len(out):
        n = out[i]
        i += 1
        fields = _child_fields.get(type(n)) or child_fields(type(n))
        for f in fields:
            v = getattr(n, f, None)
            if v is None:
                continue
            if type(v) is list:
                for x in v:
                    if isinstance(x, AST):
                        out.append(x)
            elif isinstance(v, AST):
                out.append(v)
    return out


def walk_stmts(stmts):
    """Every statement in ``stmts`` and in their blocks, in order."""
    for s in stmts:
        yield s
        for field in ("body", "orelse"):
            yield from walk_stmts(getattr(s, field, None) or [])


def fingerprint(tree):
    """A value equal for two trees exactly when they print the same: each node's type, its
    leaf values and the length of its lists, breadth first (a cheap gast.dump)."""
    parts = []
    for n in walk(tree):
        parts.append(type(n))
        for f in n._fields:
            v = getattr(n, f, None)
            if f == "ctx":
                parts.append(type(v))
            elif type(v) is list:
                parts.append(tuple(v) if f in _LEAF_FIELDS else len(v))
            elif f in _LEAF_FIELDS or type(n) is gast.Constant and f == "value":
                parts.append(repr(v))     # repr: 1 and 1.0 differ, nan equals nan
            elif v is None or isinstance(v, gast.AST):
                parts.append(v is None)   # x[2:] and x[:2] differ by where the None is
    return tuple(parts)


def clone(node):
    """A deep copy of a tree (or of a list of trees); pickling is several times faster than
    ``copy.deepcopy`` on gast nodes. Anything pickle refuses is deep-copied instead."""
    try:
        return pickle.loads(pickle.dumps(node, pickle.HIGHEST_PROTOCOL))
    except Exception:           # a node carrying an object pickle cannot write
        return copy.deepcopy(node)


def walk_blocks(stmts):
    """``stmts`` and every statement list nested in it (bodies and else-blocks)."""
    yield stmts
    for s in stmts:
        for field in ("body", "orelse"):
            if isinstance(getattr(s, field, None), list):
                yield from walk_blocks(getattr(s, field))


def rewritten(stmts, each):
    """``stmts`` with each statement ``s`` replaced by the list ``each(s)``, the blocks nested
    in ``s`` rewritten first; nested function and class definitions are left as they are."""
    out = []
    for s in stmts:
        if isinstance(s, (gast.FunctionDef, gast.ClassDef)):
            out.append(s)
            continue
        for field in ("body", "orelse"):
            if isinstance(getattr(s, field, None), list):
                setattr(s, field, rewritten(getattr(s, field), each))
        out.extend(each(s))
    return out
