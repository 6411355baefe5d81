"""Changes to an array that no one sees: the forward sweep's ``x[i] = v`` (after saving the old
element) and the reverse sweep's ``x[i] = stack.pop()`` that puts it back, when nothing else
reads ``x``'s values (its shape aside). Dropping all three leaves ``x`` as the derivative's
caller passed it, which is what the restores were for; a gradient linear in ``x`` then needs
no forward loop at all."""
import gast

from .shape_reads import SAVED_SHAPE
from .walk import walk, walk_blocks

SHAPE_ATTRIBUTES = ("shape", "ndim", "dtype", "size")


def element_restore(s):
    """``x[i] = stack.pop()``: the name ``x``, else None."""
    if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Subscript) and \
            isinstance(s.targets[0].value, gast.Name) and isinstance(s.value, gast.Call) and \
            isinstance(s.value.func, gast.Attribute) and s.value.func.attr == "pop":
        return s.targets[0].value.id
    return None


def element_store(s, x):
    return isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Subscript) and \
        isinstance(s.targets[0].value, gast.Name) and s.targets[0].value.id == x


def unseen_changes(body, pairs, runtime):
    """Ids of the statements (saves, changes, restores) of arrays whose changes no one reads."""
    groups = {}
    for pushes, pop in pairs:
        x = element_restore(pop)
        if x is not None and len(pushes) == 1:
            groups.setdefault(x, []).append((pushes[0], pop))
    after = {id(b[k]): b[k + 1] for b in walk_blocks(body) for k in range(len(b) - 1)}
    drop = set()
    for x, found in groups.items():
        skip = set()
        for push, pop in found:
            change = after.get(id(push))
            if change is None or not element_store(change, x):
                break
            skip |= {id(push), id(change), id(pop)}
        else:
            stores = [s for b in walk_blocks(body) for s in b if element_store(s, x)]
            if all(id(s) in skip for s in stores) and not read(body, x, skip, runtime):
                drop |= skip
    return drop


def read(stmts, x, skip, runtime):
    """Whether a statement outside ``skip`` reads ``x``'s values (or binds a name to it)."""
    for s in stmts:
        if id(s) in skip:
            continue
        if isinstance(s, (gast.For, gast.While, gast.If)):
            head = s.iter if isinstance(s, gast.For) else s.test
            if reads_values(head, x, runtime) or read(s.body, x, skip, runtime) or \
                    read(s.orelse, x, skip, runtime):
                return True
        elif reads_values(s, x, runtime):
            return True
    return False


def reads_values(node, x, runtime):
    helpers = {runtime.get(h, h): i for h, i in SAVED_SHAPE.items()}
    shape_only = {id(n.args[helpers[n.func.id]]) for n in walk(node) if isinstance(n, gast.Call)
                  and isinstance(n.func, gast.Name) and n.func.id in helpers and
                  len(n.args) > helpers[n.func.id]}
    shape_only |= {id(n.value) for n in walk(node) if isinstance(n, gast.Attribute) and
                   n.attr in SHAPE_ATTRIBUTES}
    return any(isinstance(n, gast.Name) and n.id == x and isinstance(n.ctx, gast.Load) and
               id(n) not in shape_only for n in walk(node)) or \
        any(isinstance(n, gast.AugAssign) and isinstance(n.target, gast.Name) and
            n.target.id == x for n in walk(node))
