"""Binomial checkpointing (Griewank and Walther's revolve) for the reverse sweep of a loop.

``for t in srcad.checkpointed(range(T), snapshots=k):`` runs as a plain loop. In a derivative,
the forward sweep keeps at most ``k`` states of the loop instead of one per step, and the
reverse sweep gets the state before each step, last to first, from ``Checkpoints.before``,
which recomputes it from the nearest snapshot with the step itself (``advance``), keeping new
snapshots on the way where the binomial schedule puts them. The number of recomputed steps is
the least possible for ``T`` steps and ``k`` snapshots:

    r * T - C(k + r, k + 1)      where r is the least integer with C(k + r, k) >= T

(``advances``). With ``k >= T`` nothing is recomputed.
"""
from math import comb
from typing import Any, Iterable

__all__ = ["checkpointed", "Checkpoints"]


def checkpointed(iterable: Iterable[Any], snapshots: int) -> Iterable[Any]:
    """Mark a loop for checkpointing: ``for t in srcad.checkpointed(range(T), snapshots=10):``.
    Run normally it is the loop over ``iterable``; srcad's derivative keeps at most
    ``snapshots`` states of the loop in memory and recomputes the others. The loop's body
    calls a helper of yours for the new state (``u = step(u, kappa)``).

    >>> import numpy as np, srcad
    >>> def step(u, kappa):
    ...     return u + kappa * np.sin(u)
    >>> def simulate(kappa, u, T):
    ...     for t in srcad.checkpointed(range(T), snapshots=3):
    ...         u = step(u, kappa)
    ...     return np.sum(u)
    >>> def simulate_all(kappa, u, T):      # the same loop, every state kept
    ...     for t in range(T):
    ...         u = step(u, kappa)
    ...     return np.sum(u)
    >>> x = np.array([0.5, 1.0])
    >>> bool(np.allclose(srcad.grad(simulate)(0.1, x, 100), srcad.grad(simulate_all)(0.1, x, 100)))
    True
    """
    if not isinstance(snapshots, int) or isinstance(snapshots, bool) or snapshots < 1:
        raise ValueError(f"srcad.checkpointed: snapshots={snapshots!r}: give a whole number "
                         f"of states to keep, at least 1")
    return iterable


def repetitions(steps, free):
    """The least r with C(free + 1 + r, free + 1) >= steps: how often the worst step is
    recomputed when ``free`` snapshots besides the first state are kept."""
    r = 0
    while comb(free + 1 + r, free + 1) < steps:
        r += 1
    return r


def advances(steps, free):
    """The least number of recomputed steps to reverse ``steps`` steps from one stored state
    with ``free`` more snapshots."""
    if steps <= 1:
        return 0
    if free == 0:
        return steps * (steps - 1) // 2
    r = repetitions(steps, free)
    return r * steps - comb(free + 1 + r, free + 2)


def split(steps, free):
    """Where to keep the next snapshot, counted from the stored state: an optimal one (the
    steps before it are reversed with ``free`` snapshots, those after with one fewer)."""
    r = repetitions(steps, free)
    left = comb(free + r - 1, free + 1) if r >= 2 else 1
    return max(1, min(steps - 1, max(left, steps - comb(free + r, free))))


class Checkpoints:
    """The snapshots of one checkpointed loop of ``steps`` steps, at most ``snapshots`` states
    kept at once. ``save(t, state)`` in the forward sweep, before step ``t``; then
    ``before(t, advance)`` for ``t = steps - 1, ..., 0``, ``advance(t, state)`` computing the
    state after step ``t`` from the state before it."""

    def __init__(self, steps, snapshots):
        self.steps, self.free = steps, snapshots - 1
        self.first = self.chain(steps, self.free)     # positions kept by the forward sweep
        self.saved = {}
        self.order = None
        self.advances = 0       # steps recomputed so far (the schedule's cost, measured)

    @staticmethod
    def chain(steps, free):
        """The positions the forward sweep keeps: 0, then each first split of what is left."""
        kept, at = [0], 0
        while free > 0 and steps - at > 1:
            at += split(steps - at, free)
            kept.append(at)
            free -= 1
        return frozenset(kept)

    def save(self, t, state):
        if t in self.first:
            self.saved[t] = state

    def before(self, t, advance):
        if self.order is None:
            self.order = self.reversal(0, self.steps, self.saved.pop(0, None), self.free,
                                       advance)
        at, state = next(self.order)
        if at != t:
            raise RuntimeError(f"srcad: checkpointed loop: the state before step {at} was "
                               f"due, step {t} was asked for")
        return state

    def advanced(self, state, start, stop, advance):
        for j in range(start, stop):
            state = advance(j, state)
        self.advances += stop - start
        return state

    def reversal(self, start, stop, state, free, advance):
        """The states before steps ``stop - 1`` down to ``start``, from ``state`` (before
        ``start``), with ``free`` snapshots more (binomial: the Python frames of this generator
        hold the snapshots, at most ``free + 1`` states)."""
        if stop - start == 1:
            yield start, state
            return
        if free == 0:
            for t in range(stop - 1, start - 1, -1):
                yield t, self.advanced(state, start, t, advance)
            return
        middle = start + split(stop - start, free)
        kept = self.saved.pop(middle, None)
        if kept is None:
            kept = self.advanced(state, start, middle, advance)
        yield from self.reversal(middle, stop, kept, free - 1, advance)
        del kept
        yield from self.reversal(start, middle, state, free, advance)
