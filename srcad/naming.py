"""Deterministic names for generated code: adjoints ``d<name>``, temporaries (at most about
MAX_NAME characters, see temp_names), collision suffixes.

Every name is derived from user names and a counter; nothing depends on ids or hashing, so the
same function always gives the same source.
"""
import builtins
import keyword

import gast

BUILTINS = frozenset(dir(builtins))   # a temporary named "slice" would shadow the builtin


class Namer:
    """Hands out fresh names that collide with nothing the user's function mentions."""

    def __init__(self, taken):
        self.taken = set(taken) | BUILTINS

    def fresh(self, base, *variants):
        """``base`` if free, else the first free one of ``variants``, else ``base_2``, ..."""
        ok = [n for n in (base,) + variants if n.isidentifier() and not keyword.iskeyword(n)]
        base = ok[0] if ok else "tmp"
        for n in ok:
            if n not in self.taken:
                self.taken.add(n)
                return n
        name, k = base, 1
        while name in self.taken:
            k += 1
            name = f"{base}_{k}"
        self.taken.add(name)
        return name

    def reserve(self, name):
        self.taken.add(name)
        return name


def derivative_name(fname, wrt):
    """``dfdx`` for one-letter names, else ``drk4_dalpha``, ``dtwo_calls_dx_dy``: the parts
    stay apart."""
    parts = ["d" + "".join(c if c.isalnum() or c == "_" else "_" for c in w).strip("_")
             for w in wrt]
    short = len(fname) == 1 and len(parts) == 1 and len(parts[0]) == 2
    return f"d{fname}{'' if short else '_'}{''.join(parts) if short else '_'.join(parts)}"


MAX_NAME = 20   # a temporary's name built from its operands stays this short (its adjoint: 21)
SLACK = 4       # a taken name may give way to a variant this much longer before a numeric suffix

OP_WORDS = {gast.Add: "plus", gast.Sub: "minus", gast.Mult: "times", gast.Div: "over",
            gast.Pow: "pow", gast.MatMult: "at", gast.FloorDiv: "floordiv", gast.Mod: "mod"}
# the operation alone, for a name that cannot be shortened enough; none of them a builtin
# ("sum" would shadow one and always come out as "sum_2")
OP_NOUNS = {gast.Add: "total", gast.Sub: "difference", gast.Mult: "product", gast.Div: "ratio",
            gast.Pow: "power", gast.MatMult: "matmul", gast.FloorDiv: "quotient",
            gast.Mod: "remainder"}
NOT_NAMES = frozenset(OP_WORDS.values()) | {"neg"}
LEFT, RIGHT = "left", "right"


def temp_base(node):
    """A readable name for the temporary holding ``node``'s value: ``temp_names(node)[0]``."""
    return temp_names(node)[0]


def temp_names(node):
    """Names for the temporary holding ``node``'s value, the preferred one first, then the
    variants to try, in order, before a numeric suffix when it is taken.

    The preferred name spells the operation out of its operands (``x_times_y``, ``sin_x``,
    ``h_at_W``, ``a_pow_2``) while that fits in MAX_NAME characters. Past that, the longest
    operand gives way a step at a time: a left operand (or a call's argument) keeps its first
    name and the numbers right after it (``y_pow_2_times_3`` -> ``y_pow_2`` -> ``y``), a right
    operand its last (``dt_times_0_5_times_k1u`` -> ``k1u``), so ``u + dt_times_0_5_times_k1u``
    is ``u_plus_k1u``; op words and numbers are not names, and a name is never cut. A call then
    drops arguments (``f_a``; a user's function keeps one, ``f`` alone being the function, and
    with none is ``f_result``). Only a name that still does not fit is the operation alone
    (``total``, ``ratio``, the name of a method or a module's function: ``np.exp`` -> ``exp``).

    The variants are the less shortened names on the way back (up to SLACK characters longer),
    the one keeping both end names of each shortened operand (``u_plus_dt_k1u``) and, for an
    item, its index (``x_i``, ``x_from_1``, ``x_to_neg1``)."""
    spec = _spec(node)
    if spec is None:
        return ["tmp"]
    parts, fallback = spec
    forms = [_forms(p, side) if side else [p] for p, side in parts]
    level = [0] * len(forms)
    args = len(parts)                   # a call may drop its arguments from the end

    def spelled():
        return "_".join(f[k] for f, k in zip(forms[:args], level[:args]))

    path = [spelled()]
    while len(path[-1]) > MAX_NAME:
        movable = [i for i in range(args) if level[i] + 1 < len(forms[i])]
        if movable:
            i = max(movable, key=lambda i: (len(forms[i][level[i]]), -i))
            level[i] += 1
        elif fallback["keep"] < args:
            args -= 1
        else:
            break
        path.append(spelled())
    if len(path[-1]) <= MAX_NAME or fallback["word"] is None:
        best = path[-1]
    else:
        best = fallback["word"]
    ends = "_".join(_both_ends(parts[i][0], parts[i][1]) if level[i] and parts[i][1]
                    else forms[i][level[i]] for i in range(args))
    variants = []
    for n in path[::-1] + [ends] + fallback.get("variants", []):
        if n != best and n not in variants and len(n) <= MAX_NAME + SLACK:
            variants.append(n)
    return [best] + variants


def _spec(node):
    """(the parts of ``node``'s full name, each with the side it shortens from or None when it
    stays whole; {"word": the operation alone, "keep": how many parts are kept at least (a call
    drops arguments down to its function), "variants": more to try when the name is taken})."""
    if isinstance(node, gast.BinOp):
        a, b, w = _word(node.left), _word(node.right), OP_WORDS.get(type(node.op))
        if not (a and b and w):
            return None
        noun = {"word": OP_NOUNS[type(node.op)], "keep": 3}
        if isinstance(node.left, gast.Constant) and w in ("plus", "times"):   # 2.0 * k: k_times_2
            return [(b, LEFT), (w, None), (a[1:], RIGHT)], noun
        if isinstance(node.right, gast.Constant):
            return [(a, LEFT), (w, None), (b[1:], RIGHT)], noun
        return [(a, LEFT), (w, None), (b, RIGHT)], noun
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        a = _word(node.operand)
        return ([("neg", None), (a, LEFT)], {"word": "negative", "keep": 2}) if a else None
    if isinstance(node, gast.Call):
        f = _word(node.func)
        if not f:
            return None
        args = []
        for a in node.args[:2]:             # the arguments up to the first without a name
            if not _word(a):
                break
            args.append(_word(a))
        if isinstance(node.func, gast.Name) and not (args and all(args)):
            return [(f, None), ("result", None)], {"word": None, "keep": 2}   # f is taken
        if not (args and all(args)):
            return [(f, None)], {"word": f, "keep": 1}
        if isinstance(node.func, gast.Name):        # f alone would be the user's function
            return [(f, None)] + [(a, LEFT) for a in args], {"word": None, "keep": 2}
        return [(f, None)] + [(a, LEFT) for a in args], {"word": f, "keep": 1}
    if isinstance(node, gast.Subscript):
        a = _word(node.value)
        index = _index_word(node.slice)
        variants = [f"{a}_{index}"] if a and index else []
        return ([(a, LEFT), ("item", None)], {"word": "item", "keep": 2, "variants": variants}) \
            if a else None
    if isinstance(node, gast.Attribute):
        a = _word(node.value)
        return ([(a, LEFT), (node.attr, None)], {"word": node.attr, "keep": 2}) if a else None
    if isinstance(node, (gast.Tuple, gast.List)):     # (w,) -> w_tuple, [a, b] -> a_b_list
        parts = [_word(e) for e in node.elts]
        kind = "tuple" if isinstance(node, gast.Tuple) else "list"
        if parts and all(parts):
            return [(p, LEFT) for p in parts] + [(kind, None)], \
                {"word": "tmp", "keep": len(parts) + 1}
    return None


def _word(n):
    if isinstance(n, gast.Name):
        return n.id
    if isinstance(n, gast.Constant) and isinstance(n.value, (int, float)):
        v = n.value
        text = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
        return "c" + text.replace(".", "_").replace("-", "neg").replace("+", "")
    if isinstance(n, gast.Attribute):
        return n.attr
    if isinstance(n, gast.Call):
        return _word(n.func)
    return None


def _index_word(index):
    """``i`` -> ``i``, ``-1`` -> ``neg1``, ``1:`` -> ``from_1``, ``:n`` -> ``to_n``, ``i, j`` ->
    ``i_j``; None for anything else (a step, an array)."""
    if isinstance(index, gast.Tuple):
        words = [_index_word(e) for e in index.elts]
        return "_".join(words) if words and all(words) else None
    if isinstance(index, gast.Slice):
        if index.step is not None or (index.lower is None and index.upper is None):
            return None
        lower = index.lower is None or _index_word(index.lower)
        upper = index.upper is None or _index_word(index.upper)
        if not (lower and upper):
            return None
        return "_".join(([] if index.lower is None else ["from", lower])
                        + ([] if index.upper is None else ["to", upper]))
    if isinstance(index, gast.UnaryOp) and isinstance(index.op, gast.USub):
        w = _index_word(index.operand)
        return w and "neg" + w
    if isinstance(index, gast.Constant) and isinstance(index.value, int) \
            and not isinstance(index.value, bool):
        return str(index.value).replace("-", "neg")
    return index.id if isinstance(index, gast.Name) else None


def _kind(token):
    if token in NOT_NAMES:
        return "op"
    if token[:1].isdigit() or (token.startswith("neg") and token[3:4].isdigit()):
        return "number"
    return "name"


def _runs(word):
    """``word``'s tokens and its names: (start, end) of each run of name tokens."""
    tokens = word.split("_")
    if not all(tokens):                  # _private, a__b: not ours to take apart
        return tokens, None
    runs, start = [], None
    for i, t in enumerate(tokens + ["plus"]):
        if _kind(t) == "name" and start is None:
            start = i
        elif _kind(t) != "name" and start is not None:
            runs.append((start, i))
            start = None
    return tokens, runs


SCALINGS = frozenset({"times", "over", "pow"})   # ``k2u_times_2``: one term; ``x_plus_1``: two


def _modifiers(tokens, j):
    """The (times/over/pow, number...) groups starting at ``tokens[j]``: their end indices."""
    ends = []
    while j + 1 < len(tokens) and tokens[j] in SCALINGS and _kind(tokens[j + 1]) == "number":
        j += 1
        while j < len(tokens) and _kind(tokens[j]) == "number":
            j += 1
        ends.append(j)
    return ends


def _forms(word, side):
    """``word`` and its ever shorter forms as a ``side`` operand (see temp_names)."""
    tokens, runs = _runs(word)
    if not runs:
        return [word]
    start, end = runs[0] if side == LEFT else runs[-1]     # a name is not taken apart
    if start and tokens[start - 1] == "neg":                    # neg_a_times_x -> neg_a
        start -= 1
    ends = _modifiers(tokens, end)
    candidates = ["_".join(tokens[start:e]) for e in reversed(ends)] + ["_".join(tokens[start:end])]
    forms = [word]
    for c in candidates:
        if len(c) < len(forms[-1]):
            forms.append(c)
    return forms


def _both_ends(word, side):
    """``k1v_plus_k2v_times_2`` -> ``k1v_k2v``: the first and the last name (a left operand's
    first keeps its ``neg``)."""
    tokens, runs = _runs(word)
    if not runs or len(runs) < 2:
        return word
    (a, b), (c, d) = runs[0], runs[-1]
    first, last = tokens[a:b], tokens[c:d]
    if side == LEFT and a and tokens[a - 1] == "neg":
        first = ["neg"] + first
    return word if first == last else "_".join(first + last)
