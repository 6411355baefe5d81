"""Loops marked for checkpointing: ``for t in srcad.checkpointed(range(T), snapshots=k):``.

The mark is read here, before the fence: the loop becomes the plain ``for t in range(T):`` the
rest of srcad differentiates, and ``scope.checkpointed`` remembers its line and ``k``. After
the reverse sweep is made, ``checkpoint_loops`` gives that loop's saves to a ``Checkpoints``
object (binomial checkpointing, ``checkpointing.py``) instead of the stack.
"""
import gast

from .checkpointing import checkpointed
from .closures import failer
from .walk import walk


def checkpoint_marks(tree, scope, filename):
    """``tree`` (changed in place) without the marks; ``scope.checkpointed``: {line: k}."""
    fail = failer(filename)
    for loop in walk(tree):
        if not isinstance(loop, gast.For) or not isinstance(loop.iter, gast.Call) or \
                scope.resolve(loop.iter.func) is not checkpointed:
            continue
        call = loop.iter
        given = {k.arg: k.value for k in call.keywords}
        args = list(call.args) + ([given.pop("snapshots")] if "snapshots" in given else [])
        if given or len(args) != 2:
            fail(loop, "this use of srcad.checkpointed", "mark the loop as "
                 "for t in srcad.checkpointed(range(T), snapshots=k):")
        loop_range, count = args
        k = count.value if isinstance(count, gast.Constant) else \
            scope.resolve(count) if isinstance(count, (gast.Name, gast.Attribute)) else None
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            fail(loop, "a checkpointed loop whose number of snapshots srcad cannot read when it "
                 "transforms the function", "give snapshots as a whole number (snapshots=10), "
                 "or a global holding one")
        if not (isinstance(loop_range, gast.Call) and isinstance(loop_range.func, gast.Name) and
                scope.resolve(loop_range.func) is range and len(loop_range.args) == 1 and
                not loop_range.keywords):
            fail(loop, "a checkpointed loop over something other than range(T)",
                 "loop over range(T) (and index what you need with the loop variable)")
        if not isinstance(loop.target, gast.Name):
            fail(loop, "a checkpointed loop whose target is not a name", "for t in ...")
        if loop.orelse or any(isinstance(n, (gast.Break, gast.Continue, gast.Return))
                              for s in loop.body for n in walk(s)):
            fail(loop, "a checkpointed loop with break, continue, return or else",
                 "checkpoint a loop that runs all its steps")
        loop.iter = loop_range
        scope.checkpointed[loop.lineno] = k
    return tree
