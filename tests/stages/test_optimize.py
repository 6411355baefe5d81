"""The Back stage on small trees: which loads a binding reaches (reaching.py), the copy passes
(copies.py) and changes no one sees (restores.py). Snippet in, facts or snippet out."""
import ast
import textwrap

import gast

from srcad import copies, reaching, restores, tidying
from srcad import scalars as scalars_module


def tree(src):
    return gast.ast_to_gast(ast.parse(textwrap.dedent(src))).body


def text(stmts):
    return ast.unparse(gast.gast_to_ast(gast.Module(body=stmts, type_ignores=[]))).strip()


def chain_to(body, *path):
    """(block, index) pairs from the statement at ``path`` (indices, then into ``body``) out."""
    chain, block = [], body
    for k, i in enumerate(path):
        chain.insert(0, (block, i))
        if k + 1 < len(path):
            block = block[i].body
    return tuple(chain)


# ---- reaching -------------------------------------------------------------------------------
class Numbers(dict):
    """Every name holds a number, unless a test says otherwise."""
    def get(self, key, default=None):
        return super().get(key, "scalar")


def test_a_binding_reaches_the_loads_after_it():
    body = tree("""
        t = a
        u = t + 1
        v = t * 2
    """)
    assert reaching.reached_loads(chain_to(body, 0), "t") == 2


def test_a_rebinding_stops_it():
    body = tree("""
        t = a
        u = t + 1
        t = b
        v = t * 2
    """)
    assert reaching.reached_loads(chain_to(body, 0), "t") == 1


def test_a_rebinding_inside_a_later_loop_shields_its_loads():
    body = tree("""
        for i in range(n):
            t = xs[i]
            y = y + t
        for i in range(n):
            t = xs[i]
            d = d + t
    """)
    assert reaching.reached_loads(chain_to(body, 0, 0), "t") == 1


def test_a_loop_carries_a_binding_to_the_next_trip():
    body = tree("""
        for i in range(n):
            y = y + t
            t = xs[i]
    """)
    assert reaching.reached_loads(chain_to(body, 0, 1), "t") == 1   # y + t, next trip


def test_a_jump_makes_a_rebinding_uncertain():
    body = tree("""
        for i in range(n):
            t = a
            if c:
                break
            t = b
        y = t
    """)
    assert reaching.reached_loads(chain_to(body, 0, 0), "t") == 1


# ---- copies ---------------------------------------------------------------------------------
class Passes(copies.CopyPasses):
    def __init__(self, temps, body, *path):
        self.temps, self.chain = set(temps), chain_to(body, *path)
        self.pure = lambda call: True
        self.kinds = Numbers()
        loads, stores = {}, {}      # as Optimizer.counts keeps them for a round
        for n in gast.walk(gast.Module(body=body, type_ignores=[])):
            if isinstance(n, gast.Name):
                bucket = loads if isinstance(n.ctx, gast.Load) else stores
                bucket[n.id] = bucket.get(n.id, 0) + 1
        self.counts_cache = loads, stores


def test_a_copy_is_forwarded_to_its_readers():
    body = tree("""
        da = db
        dx = da * 2
        dy = da * 3
    """)
    assert Passes({"da"}, body, 0).try_forward_copy(body, 0)
    assert text(body) == "dx = db * 2\ndy = db * 3"


def test_a_copy_is_kept_when_its_source_changes_before_a_reader():
    body = tree("""
        da = db
        db = 0.0
        dx = da * 2
    """)
    assert not Passes({"da"}, body, 0).try_forward_copy(body, 0)


def test_a_copy_of_a_numbers_derivative_is_forwarded_to_its_last_reader():
    body = tree("""
        dy_next = dy
        db += dy_next
        dy = -(dy_next * a)
    """)
    passes = Passes(set(), body, 0)
    passes.adjoints, passes.seeds = {"dy_next", "dy"}, set()
    passes.kinds = {"dy_next": "array1", "dy": "array1"}
    assert not passes.try_forward_copy(body, 0)     # an array: a change in place may follow
    passes.kinds = {"dy_next": "scalar", "dy": "scalar"}
    assert passes.try_forward_copy(body, 0)
    assert text(body) == "db += dy\ndy = -(dy * a)"


def test_a_tuple_built_only_to_be_indexed_is_not_built():
    body = tree("""
        t = 0.0, dy
        dy = dh(y, t[0], t[1])
    """)
    assert Passes({"t"}, body, 0).try_forward_pack(body, 0)
    assert text(body) == "dy = dh(y, 0.0, dy)"
    for kept in ("dy = 1.0\nz = dh(y, t[0], t[1])", "z = dh(t)", "z = t[i]"):
        body = tree("t = 0.0, dy\n" + kept)
        assert not Passes({"t"}, body, 0).try_forward_pack(body, 0), kept


def test_a_temporary_read_only_by_a_copy_takes_the_copys_name():
    body = tree("""
        dsum = dh * (1.0 - h * h)
        h = stack.pop()
        dz = dsum
        dh = W @ dz
    """)
    assert Passes({"dsum"}, body, 0).try_rename_definition(body, 0)
    assert text(body) == "dz = dh * (1.0 - h * h)\nh = stack.pop()\ndh = W @ dz"


def test_two_accumulations_merge_and_negations_become_a_subtraction():
    body = tree("""
        dx[:-1] += -db
        dx[:-1] += -da * (2 * x)
    """)
    assert Passes(set(), body, 0).try_merge_accumulations(body, 0)
    assert text(body) == "dx[:-1] -= db + da * (2 * x)"


def test_accumulations_that_pop_stay_apart():
    body = tree("""
        dx += 2.0 * x
        dx += dstack.pop()
    """)
    assert not Passes(set(), body, 0).try_merge_accumulations(body, 0)


def test_a_reset_and_its_restore_cancel():
    body = tree("""
        t = dx[i]
        dx[i] = 0.0
        dx[i - 1] += t * c
        dx[i] += t
    """)
    assert Passes({"t"}, body, 0).try_cancel_reset(body, 0)
    assert text(body) == "t = dx[i]\ndx[i - 1] += t * c"


def test_a_reset_read_in_between_does_not_cancel():
    body = tree("""
        t = dx[i]
        dx[i] = 0.0
        y = dx[i] * 2
        dx[i] += t
    """)
    assert not Passes({"t"}, body, 0).try_cancel_reset(body, 0)


# ---- restores -------------------------------------------------------------------------------
def test_changes_no_one_reads_are_dropped_with_their_restores():
    body = tree("""
        for i in r:
            stack.append(x[i])
            x[i] = x[i] + c * x[i - 1]
        dx = zeros_like(x)
        dx += unreduce(dout, x, None, False)
        for i in reversed(r):
            x[i] = stack.pop()
            dx[i - 1] += dx[i] * c
    """)
    push, change, pop = body[0].body[0], body[0].body[1], body[3].body[0]
    drop = restores.unseen_changes(body, [([push], pop)], {})
    assert drop == {id(push), id(change), id(pop)}


def test_changes_read_later_are_kept():
    body = tree("""
        for i in r:
            stack.append(x[i])
            x[i] = x[i] * c
        y = np.sum(x)
        for i in reversed(r):
            x[i] = stack.pop()
    """)
    push, pop = body[0].body[0], body[2].body[0]
    assert restores.unseen_changes(body, [([push], pop)], {}) == set()


def test_accumulations_into_different_slices_stay_apart():
    body = tree("""
        dx[:2] += db * 2.0
        dx[2:] += da * 2.0
    """)
    assert not Passes(set(), body, 0).try_merge_accumulations(body, 0)


# ---- scalars ---------------------------------------------------------------------------------
def scalar_factors(src, shapes, scalars=()):
    fn = gast.FunctionDef(name="f", args=gast.arguments(
        args=[], posonlyargs=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None,
        defaults=[]), body=tree(src), decorator_list=[], returns=None, type_comment=None,
        type_params=[])
    return fn, scalars_module.ScalarFactors(fn, {"ds", "da", "db", "dx", "dout"}, dict(shapes),
                                            set(scalars))


def test_a_full_reductions_cotangent_stays_scalar_when_every_use_broadcasts_it():
    fn, factors = scalar_factors("""
        ds = unreduce(dout, a, None, False)
        db = ds * (2 * b)
        da = -(ds * 100.0) * a
    """, {"a": (4,), "b": (4,)})
    assert factors.lazy_reductions("unreduce")
    assert text(fn.body[:1]) == "ds = dout"


def test_it_is_broadcast_where_a_use_needs_its_shape():
    for use in ("dx = ds", "dx = A.T @ ds", "dx = ds * ds * a", "dx = ds * c"):
        fn, factors = scalar_factors(f"""
            ds = unreduce(dout, a, None, False)
            {use}
            return dx
        """, {"a": (4,), "c": (1, 4)})
        assert not factors.lazy_reductions("unreduce"), use
        assert "unreduce" in text(fn.body[:1])


def test_scalar_factors_go_first_and_constants_fold():
    fn, factors = scalar_factors("""
        da = dout * 100.0 * (2 * a)
        db = ds * (2 * b)
        dx = dout * 2.0
        y = 0.5 * (2.0 * x)
    """, {"a": (4,), "b": (4,), "ds": (4,)}, {"dout"})
    factors.products()
    assert text(fn.body) == ("da = 200.0 * dout * a\n"
                             "db = ds * (2 * b)\n"       # no fewer passes: left as written
                             "dx = dout * 2.0\n"
                             "y = 0.5 * (2.0 * x)")      # the user's values: never touched


def test_within_one_expression_the_reduced_value_gives_the_shape():
    fn, factors = scalar_factors("""
        dh = unreduce(dout, h, None, False) * (2 * h)
        dz = unreduce(dout, h, None, False) @ W
        return dh, dz
    """, {})
    assert factors.lazy_reductions("unreduce")
    assert text(fn.body[:2]) == "dh = dout * (2 * h)\ndz = unreduce(dout, h, None, False) @ W"


# ---- batching --------------------------------------------------------------------------------
def batched(src):
    from srcad.batching import Batching, stack_pop, stack_push
    body = tree(src)
    blocks = [body] + [s.body for s in body if isinstance(s, gast.For)]
    pushes = {stack_push(s)[1]: s for b in blocks for s in b if stack_push(s)}
    pops = {stack_pop(s)[1]: s for b in blocks for s in b if stack_pop(s)}
    fn = gast.FunctionDef(name="f", args=None, body=body, decorator_list=[], returns=None,
                          type_comment=None, type_params=[])
    Batching(fn, [([pushes[v]], pops[v]) for v in pushes if v in pops]).run()
    return text(body)


def test_values_saved_in_one_step_are_pushed_and_popped_together():
    assert batched("""
        for i in range(n):
            stack.append(u)
            u = u * c
            stack.append(k)
            stack.append(v)
            v = v + u
        for i in range(n):
            v = stack.pop()
            dv = dv * 2
            k = stack.pop()
            u = stack.pop()
            du = dv * k * u
    """).splitlines() == [
        "for i in range(n):", "    stack.append((u, k, v))", "    u = u * c", "    v = v + u",
        "for i in range(n):", "    u, k, v = stack.pop()", "    dv = dv * 2",
        "    du = dv * k * u"]


def test_a_value_rebound_or_read_between_is_saved_alone():
    src = """
        for i in range(n):
            stack.append(u)
            u = u * c
            stack.append(u)
        for i in range(n):
            u = stack.pop()
            du = du * u
            u = stack.pop()
    """
    assert "stack.append((" not in batched(src)
    src = """
        for i in range(n):
            stack.append(u)
            stack.append(v)
        for i in range(n):
            v = stack.pop()
            dv = dv * u
            u = stack.pop()
    """
    assert "stack.pop()" in batched(src) and "u, v = " not in batched(src)


def test_an_accumulation_sinks_to_the_next_one_of_its_derivative():
    for first, second, merged in (("dv = a * u", "dv += b", "dv = a * u + b"),
                                  ("dv += a", "dv -= b", "dv += a - b"),
                                  ("dv -= a", "dv += b", "dv -= a - b"),
                                  ("dv -= a", "dv -= b", "dv -= a + b")):
        body = tree(f"""
            {first}
            du = c * 2
            {second}
        """)
        passes = Passes(set(), body, 0)
        passes.adjoints, passes.mentions = {"dv", "du"}, lambda s: reaching.names_in(s)
        assert passes.try_sink_accumulation(body, 0)
        assert text(body) == f"du = c * 2\n{merged}", (first, second)


def test_an_accumulation_stays_where_what_it_reads_changes_after_it():
    for between in ("u = 2.0", "u[0] = 2.0", "u += 1", "dv_2 = dv * 2", "u.sort()",
                    "u = stack.pop()"):
        body = tree(f"""
            dv = a * u
            {between}
            dv += b
        """)
        passes = Passes(set(), body, 0)
        passes.adjoints, passes.mentions = {"dv"}, lambda s: reaching.names_in(s)
        assert not passes.try_sink_accumulation(body, 0), between
    body = tree("""
        dv = a * u
        du = c * 2
        dv += b
    """)
    passes = Passes(set(), body, 0)
    passes.adjoints, passes.mentions = {"dv", "du"}, lambda s: reaching.names_in(s)
    passes.kinds = {"dv": "seq"}        # a list's derivative: + would concatenate
    assert not passes.try_sink_accumulation(body, 0)


# ---- tidying: the loop the user wrote ----------------------------------------------------------
def test_an_index_loop_that_reads_only_its_element_becomes_a_loop_over_the_elements():
    body = tree("""
        for i in range(len(params)):
            W, b = params[i]
            h = np.tanh(h @ W + b)
        for i in reversed(range(len(params))):
            W, b = params[i]
            d = add_at(d, i, W)
    """)
    tidying.element_loops(gast.Module(body=body, type_ignores=[]))
    assert text(body).startswith("for W, b in params:\n    h = np.tanh(h @ W + b)\n")


def test_an_index_read_elsewhere_keeps_the_index_loop():
    for src in ("""
        for i in range(len(xs)):
            x = xs[i]
            s = s + x * i
    """, """
        for i in range(len(xs)):
            x = xs[i]
            s = s + x
        r = i
    """, """
        for i in range(len(xs)):
            x = xs[i]
            xs = g(x)
    """):
        body = tree(src)
        before = text(body)
        tidying.element_loops(gast.Module(body=body, type_ignores=[]))
        assert text(body) == before


def test_an_operand_read_for_its_size_loses_its_elementwise_numbers():
    """``np.mean(h ** 2)``'s adjoint once computed ``h ** 2`` again only to count it."""
    fn, factors = scalar_factors("""
        dh = unreduce(dout, h, None, False) * (np.size(dout) / np.size(h ** 2)) * (2 * h)
        dz = np.shape(-(3.0 * z + 1.0)) + np.size(z * w)
    """, {"h": (4, 3)}, scalars=("dout",))
    factors.shape_reads()
    assert text(fn.body) == ("dh = unreduce(dout, h, None, False) * (1 / np.size(h)) * (2 * h)\n"
                             "dz = np.shape(z) + np.size(z * w)")
    assert factors.lazy_reductions("unreduce")
    assert text(fn.body[:1]) == "dh = dout * (1 / np.size(h)) * (2 * h)"


def test_an_unbroadcast_between_known_shapes_becomes_nothing_or_a_sum():
    fn, factors = scalar_factors("""
        dx = unbroadcast(np.where(c, dout, 0.0), x)
        dw = unbroadcast(scaled(np.where(c, 0.0, dout), v), w)
        db = unbroadcast(dz * (z > 0), b)
        dm = unbroadcast(dz, m)
        dq = unbroadcast(dz, q)
    """, {"c": (4,), "dout": (4,), "x": (4,), "v": (4,), "w": (), "dz": (3, 4), "z": (3, 4),
          "b": (4,), "m": (1, 4), "q": (None, 4)})
    factors.elementwise_helpers = {"scaled"}
    factors.unbroadcasts("unbroadcast")
    assert text(fn.body) == ("dx = np.where(c, dout, 0.0)\n"
                             "dw = np.sum(scaled(np.where(c, 0.0, dout), v))\n"
                             "db = np.sum(dz * (z > 0), axis=0)\n"
                             "dm = unbroadcast(dz, m)\n"     # a 1 widened: not a leading axis
                             "dq = unbroadcast(dz, q)")      # a dimension not known


# ---- algebra ----------------------------------------------------------------------------------
def expr(src):
    return tree(src)[0].value


def test_a_name_leading_two_terms_is_taken_out_once():
    from srcad.algebra import factored
    assert text([gast.Expr(value=factored(expr("g * a + h * c + g * b * d")))]) == \
        "g * (a + b * d) + h * c"
    assert text([gast.Expr(value=factored(expr("c - g * a - g * b + g * e")))]) == \
        "c - g * (a + b - e)"
    assert factored(expr("g * a + h * b")) is None
    assert factored(expr("g + g * b")) is None      # a lone g is not a product


def test_negations_cancel_or_become_subtractions():
    from srcad.algebra import Folder
    cases = {"x = -a * (-b / c)": "x = a * (b / c)", "x = a + -b * c": "x = a - b * c",
             "x = a - -b": "x = a + b", "d += -a * b": "d -= a * b", "d -= -a / b": "d += a / b",
             "x = -(-a)": "x = a", "x = a * -b": "x = a * -b", "x = 2 * 3 + y ** 1": "x = 6 + y"}
    for before, after in cases.items():
        assert text([Folder().visit(tree(before)[0])]) == after, before


NEWTON_TRIPS = """
    stack = []
    trips = 0
    while abs(step) > tol:
        trips += 1
        step = f(y)
        stack.append((y, step))
        {jump}y = y - step
    stack.append(trips)
    for _ in range(stack.pop()):
        y, step = stack.pop()
        dy = dy * step
"""


def counted_loop(jump=""):
    """The module, and the pair of the trip counter's push with the reverse loop."""
    module = gast.Module(body=tree(NEWTON_TRIPS.format(jump=jump)), type_ignores=[])
    return module, [([module.body[3]], module.body[4])]


def test_a_while_loop_that_saves_one_batch_per_trip_keeps_a_list_of_trips():
    from srcad.trip_lists import trip_lists
    module, pairs = counted_loop()
    counter_push = module.body[3]
    made = trip_lists(module, pairs, {"trips"})
    assert text(module.body).splitlines() == [
        "stack = []", "trips = []", "while abs(step) > tol:", "    step = f(y)",
        "    trips.append((y, step))", "    y = y - step", "stack.append(trips)",
        "trips = stack.pop()", "for y, step in reversed(trips):", "    dy = dy * step"]
    assert made == [([counter_push], module.body[4])]


def test_a_trip_that_may_break_keeps_its_counter():
    from srcad.trip_lists import trip_lists
    module, pairs = counted_loop("if step < 0:\n            break\n        ")
    before = text(module.body)
    assert "break" in before
    assert trip_lists(module, pairs, {"trips"}) == []
    assert text(module.body) == before
    module, pairs = counted_loop()      # a counter of the user's (not a temporary) stays
    before = text(module.body)
    assert trip_lists(module, pairs, set()) == [] and text(module.body) == before
