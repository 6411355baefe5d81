"""What the generator tracks while it writes a function: expressions in both renderings
(plain and traced), variables with their kind and magnitude bound, and which names srcad's
alias analysis links.

What the generator avoids, because srcad refuses it by design: an in-place update (``u += e``
on an array, ``u[i] = e``) of a name srcad's alias analysis links to another name that is read
afterwards (srcad follows an in-place change through the changed name only, and refuses to read
a possibly stale alias), and a call of a helper that changes its argument in place (srcad
differentiates a helper on its own; it refuses the call). The alias analysis is static and per
function: a copy ``t = u``, a view, a subscript, a helper call's arguments and result, the
branches of a conditional expression, the items of a list literal, a loop and its sequence are
linked, wherever they occur. So the generator keeps the same set of linked names per function
(``Function.linked``; a helper's parameters are linked from the start) and renders an in-place
update of a linked name as the plain ``u = u + e`` (``u = u * 1.0`` for an element store), and
stores values into elements as fresh temporaries (``float(e)``, ``(e).copy()``), never a name.
Nor is a name rebound to another kind updated in place: srcad's kinds are per name, and an
unknown kind may be a list. Programs with ``u[i] = e`` get their Hessian checked like any other
(a derivative's element stores read as pure updates, ``stored_at``, when it is differentiated
again).
"""
import math
from dataclasses import dataclass

BMAX = 4.0      # the magnitude bound every assigned value is scaled or squashed to


@dataclass
class E:
    """An expression in both renderings, its kind, a magnitude bound, and the local names
    srcad's alias analysis may link with the value (the name itself, a view or subscript of
    it, a helper's result)."""
    plain: str
    traced: str
    kind: str
    bound: float
    shares: frozenset = frozenset()     # names srcad may link with the value


@dataclass
class Var:
    kind: str
    bound: float


@dataclass
class Helper:
    name: str
    params: list                # [(name, kind)], kind "I" for ints
    returns: list               # kinds of the returned values


def const_text(c):
    return repr(c) if c >= 0 else f"({c!r})"


def folded_text(rng, c):
    """About ``c`` as arithmetic on non-negative literals, which srcad's optimizer folds into
    one constant, often a negative one under ``**`` or unary minus: ``(0.3 - 0.8) ** 2`` is
    ``Constant(-0.5) ** 2``, which printed bare, ``-0.5 ** 2``, reads as ``-(0.5 ** 2)``.
    The value stays within 0.03 of ``c``, so ``c``'s magnitude bound holds."""
    def diff(t):    # (a - b) == t, rounded to two decimals
        a = round(rng.uniform(max(0.0, t), max(0.0, t) + 1.5), 2)
        return f"({a!r} - {max(0.0, round(a - t, 2))!r})"
    root = -round(math.sqrt(abs(c)), 2)
    d = round(rng.uniform(0.0, 1.0), 2)
    forms = [diff(c), f"(-{diff(-c)})", f"({diff(math.copysign(abs(c) ** (1 / 3), c))} ** 3)",
             f"({diff(root)} ** 2)" if c >= 0 else f"(-{diff(root)} ** 2)",
             f"({diff(round((c + d) / 2, 3))} * 2.0 - {d!r})"]
    return rng.choice(forms)


class Function:
    """The state of one function being generated: its lines and what is defined."""

    def __init__(self, name, params, ints, linked=()):
        self.name, self.params = name, params
        self.lines = []
        self.env = {p: Var(k, BMAX if k != "S" else 1.5) for p, k in params if k != "I"}
        self.ints = list(ints)
        self.indent = 1
        self.loops = []             # enclosing loops: their entry env
        self.used = set(p for p, _ in params)
        self.retyped = set()        # names rebound to another kind: never updated in place
        self.linked = set(linked)   # names srcad may link to another name (see the module docstring)


def in_place_ok(fn, n):
    """Whether ``n`` may be updated in place: srcad links it to no other name, and it always
    holds one kind (see the module docstring)."""
    return n not in fn.linked and n not in fn.retyped


def copy_env(env):
    return {n: Var(v.kind, v.bound) for n, v in env.items()}


def merge(envs):
    """Variables defined with the same kind in every env, with the largest bound."""
    first, rest = envs[0], envs[1:]
    out = {}
    for n, v in first.items():
        others = [e.get(n) for e in rest]
        if all(o is not None and o.kind == v.kind for o in others):
            out[n] = Var(v.kind, max([v.bound] + [o.bound for o in others]))
    return out
