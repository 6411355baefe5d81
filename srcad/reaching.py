"""Which loads of a name one assignment reaches, on the structured trees the sweeps build (no
goto; a ``break``, ``continue`` or ``return`` makes a later store an uncertain kill). The
optimizer asks it when a temporary is bound more than once (a value a reverse iteration binds
again, as the forward sweep did): each binding read once may still be written into its
reader."""
import gast

from .walk import walk


def load_nodes(node, t):
    for m in walk(node):
        if isinstance(m, gast.Name) and m.id == t and isinstance(m.ctx, gast.Load):
            yield m
        elif isinstance(m, gast.AugAssign) and isinstance(m.target, gast.Name) and \
                m.target.id == t:
            yield m


def name_loads(node, t):
    return sum(1 for _ in load_nodes(node, t))


def kills(s, t):
    """``s`` surely binds ``t`` again (a plain assignment at this level)."""
    if not isinstance(s, gast.Assign):
        return False
    for target in s.targets:
        if isinstance(target, gast.Name) and target.id == t:
            return True
        if isinstance(target, (gast.Tuple, gast.List)) and any(
                isinstance(e, gast.Name) and e.id == t for e in target.elts):
            return True
    return False


def jumps(stmts):
    return any(isinstance(n, (gast.Break, gast.Continue, gast.Return))
               for s in stmts for n in walk(s))


def exposed(stmts, t, mentions=None):
    """The loads of ``t`` in ``stmts`` that a binding before them may reach: not those after
    a sure rebinding in the same block. ``mentions(s)``: the names in ``s`` (an index that
    skips statements without ``t``)."""
    out = []
    for k, s in enumerate(stmts):
        out += exposed_in(s, t, mentions)
        if kills(s, t) and not jumps(stmts[:k]):
            break
    return out


def exposed_in(s, t, mentions=None):
    if mentions is not None and t not in mentions(s):
        return []
    if isinstance(s, (gast.For, gast.While, gast.If)):
        head = s.iter if isinstance(s, gast.For) else s.test
        return list(load_nodes(head, t)) + exposed(s.body, t, mentions) + \
            exposed(s.orelse, t, mentions)
    return list(load_nodes(s, t))


def reached(chain, t, mentions=None):
    """The loads of ``t`` the assignment ``chain[0]`` may reach (a superset).

    ``chain``: ``(block, index)`` pairs from the assignment's own block out to the function's
    body, each naming the statement at that level (the assignment, then the compound
    statement holding the block before)."""
    out = []
    first, at = chain[0]      # loads after the binding in its block: each trip binds first
    dominated = {id(n) for n in exposed(first[at + 1:], t, mentions)}
    for level, (block, i) in enumerate(chain):
        rest = block[i + 1:]
        out += exposed(rest, t, mentions)
        if any(kills(m, t) and not jumps(rest[:k]) for k, m in enumerate(rest)):
            return out
        if level + 1 < len(chain):
            outer_block, j = chain[level + 1]
            if isinstance(outer_block[j], (gast.For, gast.While)):   # the next trip
                out += [n for n in exposed(block[:i + 1], t, mentions)
                        if id(n) not in dominated]
                if isinstance(outer_block[j], gast.While):
                    out += list(load_nodes(outer_block[j].test, t))
    return out


def reached_loads(chain, t, mentions=None):
    return len(reached(chain, t, mentions))


def names_in(node):
    return {n.id for n in walk(node) if isinstance(n, gast.Name)}
