"""The supported NumPy / math / builtin surface as a markdown table, generated from the rule
registry so docs/supported.md cannot drift from it (a test compares them); the scipy.special
rules (registered only when scipy imports) in a section of their own.

Run ``python -m srcad.rules.surface`` to print it, ``python -m srcad.rules.surface --write``
to rewrite the sections of docs/supported.md (or of the markdown file named after it).
"""
import builtins
import operator
import sys

import numpy as np

from . import BUILTIN_NONDIFF, BUILTIN_RULES, REQUIRED
from .. import runtime

OPERATORS = {operator.add: "`a + b`", operator.sub: "`a - b`", operator.mul: "`a * b`",
             operator.truediv: "`a / b`", operator.pow: "`a ** b`", operator.mod: "`a % b`",
             operator.neg: "`-a`", operator.pos: "`+a`", operator.matmul: "`a @ b`"}
PRODUCTS = {np.dot, np.matmul, operator.matmul, np.vdot, np.inner, np.outer, np.tensordot,
            np.einsum, np.kron}
REDUCTIONS = {np.sum, np.mean, np.max, np.min, np.amax, np.amin, np.prod, np.var, np.std,
              np.average, np.nansum, np.nanmean, np.cumsum, np.cumprod, np.diff, np.where,
              np.select, np.sort, np.partition, np.gradient, np.bincount, np.nan_to_num,
              builtins.sum}
CREATION = {np.full, np.full_like, np.linspace}
NOTES = {   # what a user needs to know beyond "yes"
    np.linalg.norm: "ord None/2/1/inf/-inf for vectors, None/'fro' for matrices; an ord "
    "srcad cannot read at transform time (a variable, -np.inf): first order only; other "
    "matrix norms (2, -2, 'nuc', 1, -1, inf, -inf) are refused",
    np.linalg.cholesky: "reads the lower triangle only (so does the gradient)",
    np.linalg.det: "a must be invertible", np.linalg.slogdet: "a must be invertible; "
    "unpack `sign, logdet = slogdet(a)` or index the result",
    np.cumprod: "entries must be nonzero", ("method", "cumprod"): "entries must be nonzero",
    np.einsum: "1 to 4 operands; with `...`, a repeated letter or subscripts in a variable: "
    "up to second order",
    np.sort: "ties: stable order", np.max: "ties share the gradient",
    np.min: "ties share the gradient", np.amax: "ties share the gradient",
    np.amin: "ties share the gradient", np.split: "returns a list", np.array_split:
    "returns a list", np.array: "of arrays, scalars or nested lists of them",
    ("method", "astype"): "zero through an integer or boolean dtype",
    np.average: "weights of a's shape, or 1-D along an int axis",
    builtins.sum: "over a list of differentiated values",
    builtins.max: "or of one sequence (max(xs)): the item it returns gets the derivative",
    builtins.min: "or of one sequence (min(xs)): the item it returns gets the derivative",
    builtins.tuple: "of a list or tuple (of a dict: its keys, no derivative)",
    builtins.list: "of a tuple or list (of a dict: its keys, no derivative)",
    np.partition: "ties: the order argpartition gives", np.hsplit: "returns a list",
    np.vsplit: "returns a list", np.dsplit: "returns a list",
    np.gradient: "a list over several axes; the spacing carries no derivative",
    np.nan_to_num: "zero where x is NaN or infinite",
    np.pad: "modes constant (a scalar constant_values, differentiable too), edge, reflect, "
    "symmetric, wrap, given as a string; other modes are refused",
    np.bincount: "differentiable in weights",
}
GROUPS = ["element-wise", "reductions, scans, selection", "shape ops", "products", "linalg",
          "creation", "methods and attributes"]
# scipy.special (an optional extra) has a section of its own, written when scipy imports;
# notes by name, as this module does not import scipy
SCIPY_NOTES = {
    "logsumexp": "b differentiable too; return_sign is refused (an error at the call)",
    "digamma": "also `scipy.special.psi`", "gammaln": "negative non-integer x too",
    "polygamma": "n: an integer order", "xlogy": "at x = 0 the derivative in y is 0",
    "xlog1py": "at x = 0 the derivative in y is 0",
}
SCIPY_NAMES = {"psi": "digamma"}    # the ufunc's own name -> the name the table shows


def is_scipy(key):
    """Whether ``key`` is a scipy function (scipy.special's ufuncs have no ``__module__``)."""
    if (getattr(key, "__module__", None) or "").startswith("scipy"):
        return True
    special = sys.modules.get("scipy.special")
    return isinstance(key, np.ufunc) and special is not None and \
        getattr(special, key.__name__, None) is key


def name_of(key):
    """How user code spells the function: ``np.sin``, ``np.linalg.inv``, ``math.exp``,
    ``a @ b``, ``.sum()``, ``.T``."""
    if isinstance(key, tuple):
        return f"`.{key[1]}()`" if key[0] == "method" else f"`.{key[1]}`"
    if key in OPERATORS:
        return OPERATORS[key]
    if is_scipy(key) and hasattr(key, "__self__"):     # scipy.stats.norm.logpdf
        return f"`scipy.stats.{key.__self__.__class__.__name__.removesuffix('_gen')}." \
            f"{key.__name__}`"
    if is_scipy(key):
        return f"`scipy.special.{SCIPY_NAMES.get(key.__name__, key.__name__)}`"
    module = getattr(key, "__module__", None) or ("numpy" if isinstance(key, np.ufunc) else "")
    name = getattr(key, "__name__", repr(key))
    if module.startswith("numpy"):
        sub = ".linalg" if "linalg" in module else ".fft" if "fft" in module else ""
        return f"`np{sub}.{name}`"
    if module in ("math", "operator"):
        return f"`{module}.{name}`"
    return f"`{name}`"


def group_of(rule):
    key = rule.key
    if isinstance(key, tuple):
        return "methods and attributes"
    if rule.elementwise:
        return "element-wise"
    if key in PRODUCTS:
        return "products"
    if key in REDUCTIONS:
        return "reductions, scans, selection"
    if key in CREATION:
        return "creation"
    if "linalg" in (getattr(key, "__module__", "") or ""):
        return "linalg"
    return "shape ops"


def signature(rules):
    """The parameters of the widest rule for a key (placeholders such as ``_out`` left out)."""
    rule = max(rules, key=lambda r: len(r.params))
    parts = []
    for p, default in rule.params:
        if p.startswith("_"):
            continue
        parts.append(p if default is REQUIRED or default is None else f"{p}={default}")
    return ", ".join(parts)


def modes(rules):
    """The reverse and forward columns: "yes", or which arguments have no derivative."""
    missing = sorted({m for r in rules for m in r.missing})
    constant = sorted({p for r in rules if r.elementwise
                       for (p, _), partial in zip(r.params, r.partials) if partial is None})
    note = ""
    if constant:
        note = f" (constant in {', '.join(constant)})"
    if missing:
        note = f" (no derivative in {', '.join(missing)}: an error)"
    reverse = "yes" if any(r.elementwise or r.reverse for r in rules) else "no"
    forward = "yes" if any(r.elementwise or r.forward for r in rules) else "no"
    if missing and reverse == "yes" and not any(r.forward or r.elementwise for r in rules):
        reverse = forward = "no"
    return reverse + note, forward + note


def public_rules(scipy=False):
    """Rules keyed by user-facing functions (not srcad's own runtime helpers), by key: those of
    NumPy, math and builtins, or (``scipy=True``) those of scipy.special."""
    by_key = {}
    for rule in BUILTIN_RULES:
        if getattr(rule.key, "__module__", None) == runtime.__name__ or is_scipy(rule.key) != scipy:
            continue
        by_key.setdefault(rule.key, []).append(rule)
    return by_key


def constants():
    """Names of the nondiff functions users call (srcad's own helpers left out)."""
    return sorted({name_of(k) for k in BUILTIN_NONDIFF
                   if not (getattr(k, "__module__", None) or "").startswith("srcad")},
                  key=lambda n: n.strip("`."))


def markdown_table():
    """The supported surface: one table per group, then the constants."""
    by_key = public_rules()
    grouped = {g: [] for g in GROUPS}
    for key, rules in by_key.items():
        grouped[group_of(rules[0])].append((name_of(key), signature(rules), *modes(rules),
                                            NOTES.get(key, "")))
    lines = ["## Supported NumPy, math and builtin functions", "",
             "Generated from the rule registry by `python -m srcad.rules.surface --write "
             f"docs/supported.md` ({sum(len(r) for r in by_key.values())} rules for {len(by_key)} "
             "functions).", ""]
    for group in GROUPS:
        rows = sorted(grouped[group], key=lambda row: (row[0].strip("`."), row))
        lines += [f"**{group}** ({len(rows)})", "",
                  "| function | arguments | reverse | forward | notes |", "|---|---|---|---|---|"]
        lines += [f"| {' | '.join(row)} |" for row in rows]
        lines.append("")
    lines += ["**constants (no derivative)**: results that carry no derivative (shapes, "
              "comparisons, rounding, integer ops, creation from shapes): "
              + ", ".join(constants()) + ".", ""]
    lines.append("Anything else used on a differentiated value is an error naming the function; "
                 "give it a rule with `srcad.defrule` (see [custom rules](custom-rules.md)).")
    return "\n".join(lines)


def scipy_table():
    """The scipy.special and scipy.stats functions with rules (None when scipy did not
    import)."""
    by_key = public_rules(scipy=True)
    if not by_key:
        return None
    rows = sorted((name_of(key), signature(rules), *modes(rules),
                   SCIPY_NOTES.get(name_of(key).strip("`").rsplit(".", 1)[1], ""))
                  for key, rules in by_key.items())
    return "\n".join(
        ["## Supported scipy.special and scipy.stats functions", "",
         "Registered when scipy imports (an optional extra); generated by the same command "
         f"({sum(len(r) for r in by_key.values())} rules for {len(by_key)} functions).", "",
         "| function | arguments | reverse | forward | notes |", "|---|---|---|---|---|"]
        + [f"| {' | '.join(row)} |" for row in rows])


DOCS_PAGE = "docs/supported.md"      # where the tables live, relative to the repository root
BEGIN, END = "<!-- numpy-surface:begin -->", "<!-- numpy-surface:end -->"
SCIPY_BEGIN, SCIPY_END = "<!-- scipy-special:begin -->", "<!-- scipy-special:end -->"


def page_section(text, begin=BEGIN, end=END):
    """The text between a page's numpy-surface (or other) markers (None if missing)."""
    if begin not in text or end not in text:
        return None
    return text.split(begin, 1)[1].split(end, 1)[0].strip("\n")


def _replaced(text, table, begin, end):
    block = f"{begin}\n{table}\n{end}"
    if page_section(text, begin, end) is None:
        return text.rstrip("\n") + "\n\n" + block + "\n"
    head, rest = text.split(begin, 1)
    return head + block + rest.split(end, 1)[1]


def write_page(path=DOCS_PAGE):
    """Replace (or append) the page's sections with the generated tables (the scipy.special
    one only when scipy imports: without it, that section is left as it is)."""
    with open(path) as f:
        text = f.read()
    text = _replaced(text, markdown_table(), BEGIN, END)
    if scipy_table() is not None:
        text = _replaced(text, scipy_table(), SCIPY_BEGIN, SCIPY_END)
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    # python -m srcad.rules.surface --write [docs/supported.md]; --readme is its old name
    if sys.argv[1:2] in (["--write"], ["--readme"]):
        write_page(sys.argv[2] if len(sys.argv) > 2 else DOCS_PAGE)
    else:
        print(markdown_table())
