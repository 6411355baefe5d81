"""A helper's derivative cut in two halves, for a helper that is not pure.

A pure helper's derivative runs the helper's forward sweep again inside the caller's reverse
sweep. A helper that draws random numbers (or does anything else not known to be pure) must
run once: its forward half runs where the caller called it and returns, beside the helper's
value, what the reverse half reads; the caller keeps that like any value and hands it back::

    def sample_fwd(m, s, rs):                 def dsampleds(sample_saved, dout=1.0):
        randn_c3 = rs.randn(3)                    exp_s, randn_c3 = sample_saved
        exp_s = np.exp(s)                         ds = np.sum(dout * randn_c3) * exp_s
        return randn_c3 * exp_s + m, (exp_s, randn_c3)      return ds
"""
import gast

from .build import assign, loads, name, stores
from .walk import walk, walk_stmts

REVERSE_MARK = "reverse sweep"
FORWARD_MARK = "forward sweep"


def is_mark(s, text):
    return isinstance(s, gast.Expr) and isinstance(s.value, gast.Constant) and \
        isinstance(s.value.value, str) and s.value.value.endswith(text)


def split_sweeps(tree, forward_name, saved_name):
    """``tree`` returns ``(value, gradients)`` after its two sweeps: the forward half (the
    helper's parameters -> ``(value, saved)``) and the reverse half (``saved``, the seed ->
    gradients), as two FunctionDefs."""
    body = tree.body
    cut = next((i for i, s in enumerate(body) if is_mark(s, REVERSE_MARK)), None)
    fwd_body, rev_body = (body[:cut], body[cut + 1:-1]) if cut is not None else ([], body[:-1])
    fwd_body = [s for s in fwd_body if not is_mark(s, FORWARD_MARK)]    # it is all forward
    value, grads = body[-1].value.elts
    seed = tree.args.args[-1]
    params = [a.id for a in tree.args.args[:-1] + tree.args.kwonlyargs]
    bound = set(params) | {n for s in walk_stmts(fwd_body) for n in stores(s)}
    read = loads(gast.Module(body=rev_body + [gast.Expr(value=grads)], type_ignores=[]))
    saved = sorted(read & bound, key=first_seen(tree))
    top = set(params) | {n for s in fwd_body for n in stores(s)}
    maybe_unbound = [assign(n, gast.Constant(value=None, kind=None), tree.lineno)
                     for n in saved if n not in top]
    packed = gast.Tuple(elts=[name(n) for n in saved], ctx=gast.Load())
    forward_args = gast.arguments(
        args=tree.args.args[:-1], posonlyargs=tree.args.posonlyargs, vararg=tree.args.vararg,
        kwonlyargs=tree.args.kwonlyargs, kw_defaults=tree.args.kw_defaults,
        kwarg=tree.args.kwarg, defaults=tree.args.defaults[:-1])
    forward = function(forward_name, forward_args, maybe_unbound + fwd_body + [
        gast.Return(value=gast.Tuple(elts=[value, packed], ctx=gast.Load()))], tree.lineno)
    unpack = [assign(gast.Tuple(elts=[name(n, store=True) for n in saved], ctx=gast.Store()),
                     name(saved_name), tree.lineno)] if saved else []
    reverse_args = gast.arguments(
        args=[gast.Name(id=saved_name, ctx=gast.Param(), annotation=None, type_comment=None),
              seed], posonlyargs=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None,
        defaults=[tree.args.defaults[-1]])
    reverse = function(tree.name, reverse_args, unpack + rev_body + [gast.Return(value=grads)],
                       tree.lineno)
    return forward, reverse


def function(fname, args, body, lineno):
    tree = gast.FunctionDef(name=fname, args=args, body=body, decorator_list=[], returns=None,
                            type_comment=None, type_params=[])
    tree.lineno = lineno
    return tree


def first_seen(tree):
    order = {}
    for n in walk(tree):
        if isinstance(n, gast.Name):
            order.setdefault(n.id, len(order))
    return lambda v: (order.get(v, len(order)), v)
