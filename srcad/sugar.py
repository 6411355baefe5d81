"""Python sugar written out as the plain statements it stands for, before the fence reads the
function: comprehensions and generator expressions become loops.

``loss = sum(np.sum(w ** 2) for w in params)`` becomes ``loss = 0`` and
``for w in params: loss = loss + np.sum(w ** 2)`` (what ``sum`` does, without a list);
``ys = [f(v) for v in xs if v > 0]`` becomes ``ys = []`` and a loop that appends. The rest of
srcad then differentiates loops, branches and appends as it always does, and the derivative
reads like the loop a user would have written.

A comprehension's variables live in a scope of their own; here they become variables of the
function, renamed where the function (or another comprehension) uses the same name for
something else. Its first iterable is read in the enclosing scope, as Python reads it.
"""
import gast

from .build import assign, attr, call, const, located, name
from .errors import UnsupportedSyntax
from .walk import rewritten, walk

COMPREHENSIONS = (gast.ListComp, gast.GeneratorExp, gast.SetComp, gast.DictComp)


def has_comprehension(node):
    return any(isinstance(n, COMPREHENSIONS) for n in walk(node))


def plain_loops(stmts, namer):
    """``for``/``while`` with an ``else`` as a flag (``broke = True`` before each ``break`` of
    the loop itself; the else block under ``if not broke``), and ``del name`` dropped (a valid
    program reads the name only after binding it again)."""
    def each(s):
        if isinstance(s, gast.Delete) and all(isinstance(t, gast.Name) for t in s.targets):
            return []
        if not (isinstance(s, (gast.For, gast.While)) and s.orelse):
            return [s]
        orelse, s.orelse = s.orelse, []
        breaks = own_breaks(s.body)
        if not breaks:
            return [s] + orelse
        flag = namer.fresh("broke")
        for block, i in breaks:
            block.insert(i, located(assign(flag, const(True), s.lineno), block[i].lineno))
        return [located(assign(flag, const(False), s.lineno), s.lineno), s,
                gast.copy_location(gast.If(test=gast.UnaryOp(op=gast.Not(), operand=name(flag)),
                                           body=orelse, orelse=[]), s)]
    return rewritten(stmts, each)


def unpacked_one_level(stmts, namer):
    """Unpacking into nested or starred targets, one level at a time into plain names:
    ``(h, c), ys = v`` is ``h_c, ys = v`` then ``h, c = h_c``; ``*hidden, last = params`` is
    ``hidden = list(params[:-1])`` and ``last = params[-1]`` (a list, as Python makes it)."""
    def each(s):
        if not (isinstance(s, gast.Assign) and len(s.targets) == 1 and
                isinstance(s.targets[0], (gast.Tuple, gast.List)) and
                any(isinstance(e, (gast.Tuple, gast.List, gast.Starred))
                    for e in s.targets[0].elts)):
            return [s]
        return [located(u, s.lineno) for u in unpack(s.targets[0], s.value, namer, s.lineno)]
    return rewritten(stmts, each)


def unpack(target, value, namer, lineno):
    if isinstance(target, gast.Name):
        return [assign(target, value, lineno)]
    elts = target.elts
    stars = [i for i, e in enumerate(elts) if isinstance(e, gast.Starred)]
    if not stars:
        parts, out = [], []
        for e in elts:
            if isinstance(e, gast.Name):
                parts.append(e)
                continue
            inner = "_".join(n.id for n in walk(e) if isinstance(n, gast.Name)) or "item"
            parts.append(name(namer.fresh(inner), store=True))
            out += unpack(e, name(parts[-1].id), namer, lineno)
        return [assign(gast.Tuple(elts=parts, ctx=gast.Store()), value, lineno)] + out
    out = []
    if not isinstance(value, gast.Name):
        seq = namer.fresh("seq")
        out.append(assign(seq, value, lineno))
        value = name(seq)
    k, after = stars[0], len(elts) - stars[0] - 1

    def item(index):
        return gast.Subscript(value=name(value.id), slice=index, ctx=gast.Load())
    for i in range(k):
        out += unpack(elts[i], item(const(i)), namer, lineno)
    rest = gast.Slice(lower=const(k) if k else None,
                      upper=const(-after) if after else None, step=None)
    out += unpack(elts[k].value, call("list", item(rest)), namer, lineno)
    for j in range(after):
        out += unpack(elts[k + 1 + j], item(const(j - after)), namer, lineno)
    return out


def own_breaks(stmts):
    """(block, index) of each ``break`` that leaves the loop whose body is ``stmts``, the
    last first (so inserting before each keeps the others' indices)."""
    found = []
    for i, s in enumerate(stmts):
        if isinstance(s, gast.Break):
            found.append((stmts, i))
        elif isinstance(s, gast.If):
            found.extend(own_breaks(s.body) + own_breaks(s.orelse))
    return sorted(found, key=lambda b: -b[1])


def dict_calls_as_literals(tree, is_builtin):
    """``dict(a=x, b=y)`` (the builtin, keywords only) as the literal ``{"a": x, "b": y}``."""
    for node in walk(tree):
        for field, value in gast.iter_fields(node):
            items = value if isinstance(value, list) else [value]
            for i, v in enumerate(items):
                if isinstance(v, gast.Call) and isinstance(v.func, gast.Name) and \
                        v.func.id == "dict" and not v.args and \
                        all(k.arg for k in v.keywords) and is_builtin("dict", dict):
                    literal = gast.copy_location(gast.Dict(
                        keys=[const(k.arg) for k in v.keywords],
                        values=[k.value for k in v.keywords]), v)
                    if isinstance(value, list):
                        value[i] = literal
                    else:
                        setattr(node, field, literal)
    return tree


def namedtuples_in_field_order(tree, resolve):
    """``Params(W=a, b=c)`` (a namedtuple class) as ``Params(a, c)``: its fields in order."""
    for node in walk(tree):
        if not isinstance(node, gast.Call) or not node.keywords:
            continue
        cls = resolve(node.func)
        fields = getattr(cls, "_fields", None)
        if not (isinstance(cls, type) and issubclass(cls, tuple) and fields) or \
                any(k.arg is None for k in node.keywords):
            continue
        given = dict(zip(fields, node.args)) | {k.arg: k.value for k in node.keywords}
        defaults = getattr(cls, "_field_defaults", {})
        if set(given) - set(fields) or any(f not in given and f not in defaults for f in fields):
            continue        # (Python's own TypeError, when it runs)
        node.args = [given[f] if f in given else const(defaults[f]) for f in fields]
        node.keywords = []
    return tree


def transposed_zips(tree, is_builtin, namer):
    """``zip(*rows)`` read as a value (``cols = list(zip(*rows))``, ``xs, ys = zip(*pairs)``) as
    the list of tuples it yields, written with comprehensions (loops, below)::

        [tuple(row[j] for row in rows) for j in range(min([len(row) for row in rows] or [0]))]

    A loop that unpacks its items (``for a, b in zip(*rows)``) keeps it: iteration.py unpacks
    ``rows`` into as many names before the loop."""
    unpacking = {id(n.iter) for n in walk(tree) if isinstance(n, (gast.For, gast.comprehension))
                 and isinstance(n.target, (gast.Tuple, gast.List))}
    for node in walk(tree):
        for field, value in gast.iter_fields(node):
            items = value if isinstance(value, list) else [value]
            for i, v in enumerate(items):
                if not (isinstance(v, gast.Call) and isinstance(v.func, gast.Name) and
                        v.func.id == "zip" and len(v.args) == 1 and not v.keywords and
                        isinstance(v.args[0], gast.Starred) and
                        isinstance(v.args[0].value, gast.Name) and id(v) not in unpacking and
                        is_builtin("zip", zip)):
                    continue
                table = transposed(v.args[0].value.id, namer.fresh("row"), namer.fresh("j"))
                table = located(gast.copy_location(table, v), v.lineno)
                if isinstance(value, list):
                    value[i] = table
                else:
                    setattr(node, field, table)
    return tree


def transposed(rows, row, j):
    """``[tuple(row[j] for row in rows) for j in range(shortest)]``."""
    def each_row(element):
        return gast.comprehension(target=name(row, store=True), iter=name(rows), ifs=[],
                                  is_async=0), element
    loop, item = each_row(gast.Subscript(value=name(row), slice=name(j), ctx=gast.Load()))
    column = call("tuple", gast.GeneratorExp(elt=item, generators=[loop]))
    loop, length = each_row(call("len", name(row)))
    lengths = gast.BoolOp(op=gast.Or(), values=[
        gast.ListComp(elt=length, generators=[loop]),
        gast.List(elts=[const(0)], ctx=gast.Load())])
    return gast.ListComp(elt=column, generators=[gast.comprehension(
        target=name(j, store=True), iter=call("range", call("min", lengths)), ifs=[],
        is_async=0)])


DICT_READS = ("get", "items", "keys", "values", "copy")


def private_dicts(tree):
    """Names bound only to dict literals and read only by indexing, ``.items()`` and the like,
    as an argument or as the result: no other name holds the dict, so ``d[k] = v`` may make a
    new one (``d = with_item(d, k, v)``) instead of changing it in place."""
    bound, other = set(), set()
    allowed = set()
    for node in walk(tree):
        if isinstance(node, gast.Assign):
            for t in node.targets:
                if isinstance(t, gast.Name):
                    (bound if isinstance(node.value, gast.Dict) else other).add(t.id)
                    allowed.add(id(t))
                elif isinstance(t, gast.Subscript) and isinstance(t.value, gast.Name):
                    allowed.add(id(t.value))
        elif isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Subscript) and \
                isinstance(node.target.value, gast.Name):
            allowed.add(id(node.target.value))
        elif isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name):
            allowed.add(id(node.value))
        elif isinstance(node, gast.Attribute) and isinstance(node.value, gast.Name) and \
                node.attr in DICT_READS:
            allowed.add(id(node.value))
        elif isinstance(node, gast.Call):
            allowed.update(id(a) for a in node.args + [k.value for k in node.keywords]
                           if isinstance(a, gast.Name))
        elif isinstance(node, (gast.Return, gast.For)):
            v = node.value if isinstance(node, gast.Return) else node.iter
            if isinstance(v, gast.Name):
                allowed.add(id(v))
    for node in walk(tree):
        if isinstance(node, gast.Name) and id(node) not in allowed:
            other.add(node.id)
        elif isinstance(node, (gast.For, gast.comprehension)):
            other.update(n.id for n in walk(node.target) if isinstance(n, gast.Name))
    params = {a.id for a in tree.args.args + tree.args.kwonlyargs}
    return bound - other - params


def without_comprehensions(tree, namer, is_builtin, filename):
    """``tree`` (changed in place) with each comprehension a loop. ``is_builtin(name, f)``
    says whether ``name`` in the function is the builtin ``f`` (not shadowed)."""
    if not has_comprehension(tree):
        return tree
    Scoping(namer, kept_names(tree)).visit(tree)
    tree.body = Hoisting(namer, is_builtin, filename).block(tree.body)
    return tree


# ---- scopes: each comprehension variable gets a name of its own --------------------------------


def bound_by(generator):
    return [n.id for n in walk(generator.target) if isinstance(n, gast.Name)]


def comprehension_parts(node):
    """What a comprehension evaluates after its first iterable, in its own scope."""
    if isinstance(node, gast.DictComp):
        return [node.key, node.value]
    return [node.elt]


def kept_names(tree):
    """Comprehension variables that may keep their names: every use of the name is inside a
    comprehension that binds it (so as a variable of the function it meets nothing else)."""
    bound_somewhere, free_somewhere = set(), set()

    def visit(node, scope):
        if isinstance(node, COMPREHENSIONS):
            inner = set(scope)
            for i, gen in enumerate(node.generators):
                visit(gen.iter, scope if i == 0 else inner)
                names = bound_by(gen)
                bound_somewhere.update(names)
                inner |= set(names)
                for cond in gen.ifs:
                    visit(cond, inner)
            for part in comprehension_parts(node):
                visit(part, inner)
            return
        if isinstance(node, gast.Name) and node.id not in scope:
            free_somewhere.add(node.id)
        for child in gast.iter_child_nodes(node):
            visit(child, scope)
    visit(tree, frozenset())
    return bound_somewhere - free_somewhere


class Scoping:
    """Rename each comprehension's variables (where they cannot keep their names) throughout
    the part of the comprehension that sees them."""

    def __init__(self, namer, kept):
        self.namer = namer
        self.kept = kept

    def visit(self, node, mapping=None):
        mapping = mapping or {}
        if isinstance(node, COMPREHENSIONS):
            inner = dict(mapping)
            for i, gen in enumerate(node.generators):
                self.visit(gen.iter, mapping if i == 0 else inner)
                for v in bound_by(gen):
                    inner[v] = v if v in self.kept else self.namer.fresh(v)
                self.visit(gen.target, inner)
                for cond in gen.ifs:
                    self.visit(cond, inner)
            for part in comprehension_parts(node):
                self.visit(part, inner)
            return
        if isinstance(node, gast.Name) and node.id in mapping:
            node.id = mapping[node.id]
        for child in gast.iter_child_nodes(node):
            self.visit(child, mapping)


# ---- hoisting: each comprehension becomes the loop before the statement that reads it ---------


class Hoisting:
    def __init__(self, namer, is_builtin, filename):
        self.namer = namer
        self.is_builtin = is_builtin
        self.filename = filename

    def fail(self, node, what, hint):
        raise UnsupportedSyntax(f"cannot differentiate {what}", self.filename,
                                getattr(node, "lineno", None), hint)

    def block(self, stmts):
        out = []
        for s in stmts:
            out.extend(self.stmt(s))
        return out

    def stmt(self, s):
        """``s`` preceded by the loops that compute the comprehensions it reads."""
        if isinstance(s, (gast.FunctionDef, gast.ClassDef)):
            return [s]
        for field in ("body", "orelse"):
            if isinstance(getattr(s, field, None), list):
                setattr(s, field, self.block(getattr(s, field)))
        pre = []
        if isinstance(s, gast.While):
            if has_comprehension(s.test):
                self.fail(s.test, "a comprehension in a while loop's test (it is read again on "
                          "every trip)", "compute it into a variable before the loop and again "
                          "at the end of the loop's body")
        elif isinstance(s, gast.For):     # (read while the loop runs: its body must not
            read = {n.id for n in walk(s.iter) if isinstance(n, gast.Name)}  # change what it reads)
            s.iter = self.expr(s.iter, pre, consumed=not read & {
                n.id for b in s.body for n in walk(b)
                if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load)})
        elif isinstance(s, gast.If):
            s.test = self.expr(s.test, pre)
        elif isinstance(s, gast.Assign) and len(s.targets) == 1 and \
                isinstance(s.targets[0], gast.Name) and self.built(s.value) and not any(
                    isinstance(n, gast.Name) and n.id == s.targets[0].id for n in walk(s.value)):
            self.build_into(s.targets[0].id, s.value, pre)   # ys = [...]: ys is the list itself
            return pre
        else:
            for field, value in gast.iter_fields(s):
                if isinstance(value, gast.expr):
                    setattr(s, field, self.expr(value, pre))
                elif isinstance(value, list) and field == "targets":
                    s.targets = [self.expr(t, pre) for t in value]
        return pre + [s]

    def built(self, node):
        """A comprehension (or a sum over one) a statement assigns whole, not reading the
        name it assigns to: it is built in that name directly."""
        return isinstance(node, (gast.ListComp, gast.DictComp)) or self.summed(node) is not None

    def expr(self, node, pre, consumed=False):
        """``node`` with each comprehension replaced by the name its loop fills (appended to
        ``pre``); ``consumed``: ``node`` is an argument of a call, which reads it right away."""
        if isinstance(node, COMPREHENSIONS):
            if isinstance(node, gast.GeneratorExp) and not consumed:
                self.fail(node, "a generator expression that is not passed straight to a call "
                          "(srcad computes it where it is written, not when it is read)",
                          "write a list comprehension [...] instead")
            target = self.namer.fresh("total" if self.summed(node) else "items")
            self.build_into(target, node, pre)
            return name(target)
        if isinstance(node, gast.Call) and self.summed(node) is not None:
            target = self.namer.fresh("total")
            self.build_into(target, node, pre)
            return name(target)
        if isinstance(node, gast.IfExp) or isinstance(node, gast.BoolOp):
            first, rest = (node.test, [node.body, node.orelse]) if isinstance(node, gast.IfExp) \
                else (node.values[0], node.values[1:])
            for part in rest:
                if has_comprehension(part):
                    self.fail(part, "a comprehension that is computed only on some paths "
                              "(in a conditional expression, after `and` or `or`)",
                              "compute it in an if statement of its own")
            if isinstance(node, gast.IfExp):
                node.test = self.expr(first, pre)
            else:
                node.values[0] = self.expr(first, pre)
            return node
        if isinstance(node, gast.Lambda):
            return node
        if isinstance(node, gast.Call):
            node.func = self.expr(node.func, pre)
            node.args = [self.expr(a, pre, consumed=True) for a in node.args]
            for k in node.keywords:
                k.value = self.expr(k.value, pre, consumed=True)
            return node
        for field, value in gast.iter_fields(node):
            if isinstance(value, gast.AST) and not isinstance(value, (gast.expr_context,)):
                setattr(node, field, self.expr(value, pre))
            elif isinstance(value, list):
                setattr(node, field, [self.expr(v, pre) if isinstance(v, gast.AST) else v
                                      for v in value])
        return node

    def summed(self, node):
        """The comprehension that ``sum(<comprehension>[, start])`` adds up, else None."""
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                node.func.id == "sum" and self.is_builtin("sum", sum) and 1 <= len(node.args) <= 2 \
                and isinstance(node.args[0], (gast.GeneratorExp, gast.ListComp)) and \
                all(k.arg == "start" for k in node.keywords) and \
                len(node.args) + len(node.keywords) <= 2:
            return node.args[0]
        return None

    def build_into(self, target, node, pre):
        """Append to ``pre`` the statements that leave ``node``'s value in ``target``."""
        lineno = node.lineno
        comp = self.summed(node)
        if comp is not None:
            start = node.args[1] if len(node.args) == 2 else \
                node.keywords[0].value if node.keywords else const(0)
            pre.append(assign(target, self.expr(start, pre), lineno))
            step = [assign(target, gast.BinOp(left=name(target), op=gast.Add(),
                                              right=comp.elt), lineno)]
        elif isinstance(node, gast.SetComp):
            self.fail(node, "a set comprehension", "build a list with a list comprehension")
        elif isinstance(node, gast.DictComp):
            pre.append(assign(target, gast.Dict(keys=[], values=[]), lineno))
            store = gast.Subscript(value=name(target), slice=node.key, ctx=gast.Store())
            step = [assign(store, node.value, lineno)]
            comp = node
        else:
            pre.append(assign(target, gast.List(elts=[], ctx=gast.Load()), lineno))
            step = [gast.Expr(value=call(attr(target, "append"), node.elt))]
            comp = node
        loop = step
        for gen in reversed(comp.generators):
            if gen.is_async:
                self.fail(node, "an async comprehension", "use a plain for")
            for cond in reversed(gen.ifs):
                loop = [gast.If(test=cond, body=loop, orelse=[])]
            loop = [gast.For(target=gen.target, iter=gen.iter, body=loop, orelse=[],
                             type_comment=None)]
        pre.extend(self.stmt(located(loop[0], lineno)))
