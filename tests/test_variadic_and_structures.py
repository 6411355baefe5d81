"""Programs migrated unchanged from autograd or JAX: variadic parameters and calls (``*args``,
``**kw``, ``g(*args)``, ``args + (x,)``), loops over zip / enumerate / reversed / pairwise and
over dicts, and parameter structures (lists of (W, b) tuples, dicts with string keys, nested
mixes) whose gradients come back in exactly the structure of the argument.

Every construct is checked against finite differences in reverse mode (grad / vjp) and forward
mode (jvp) by ``srcad.check_grad``, and to second order (Hessian-vector products) where srcad
supports it; each refusal is a ``SrcadError`` naming the file, the line and the construct, with
a hint."""
import itertools

import numpy as np
import pytest

import srcad

RNG = np.random.default_rng(7)
BOTH = ("reverse", "forward")


def vec(n=3):
    return RNG.standard_normal(n)


def check(f, args, wrt=0, order=1, **kwargs):
    srcad.check_grad(f, wrt=wrt, modes=BOTH, order=order)(*args, **kwargs)


def line_of(fn, text):
    """The file line of the first line of ``fn`` that contains ``text``."""
    import inspect
    lines, start = inspect.getsourcelines(fn)
    return start + next(i for i, line in enumerate(lines) if text in line)


def refused(action, fn, text, *words):
    """``action()`` raises a SrcadError at the line of ``fn`` holding ``text``, naming the
    construct (``words``) and with a hint."""
    with pytest.raises(srcad.SrcadError) as info:
        action()
    msg = str(info.value)
    assert msg.startswith(f"{__file__}:{line_of(fn, text)}: "), msg
    assert all(w in msg for w in words), msg
    assert "\n  hint: " in msg, msg
    return msg


# ---- variadic parameters ------------------------------------------------------------------------
def loss_with_args(w, *args):
    total = np.sum(w * w)
    for a in args:
        total = total + np.sum(np.sin(w * a))
    return total * len(args) + np.sum(args[0] * w)


def test_star_args_with_respect_to_the_named_parameter():
    w, a, b = vec(), vec(), vec()
    check(loss_with_args, (w, a, b), wrt=0, order=2)
    check(loss_with_args, (w, a), wrt="w", order=2)     # one extra argument, a new length


def test_an_integer_wrt_counts_call_positions_as_jax_and_autograd_do():
    w, a, b = vec(), vec(), vec()
    da = srcad.grad(loss_with_args, wrt=1)(w, a, b)     # d/da, not the tuple
    assert isinstance(da, np.ndarray) and da.shape == a.shape
    dw, db = srcad.grad(loss_with_args, wrt=(0, 2))(w, a, b)
    assert dw.shape == w.shape and db.shape == b.shape
    np.testing.assert_allclose(srcad.grad(loss_with_args, wrt="args")(w, a, b)[1], db)
    check(loss_with_args, (w, a, b), wrt=1, order=2)
    check(loss_with_args, (w, a, b), wrt=(0, 2), order=2)
    value, tangent = srcad.jvp(loss_with_args, wrt=2)(w, a, b, np.ones(3))
    assert value == pytest.approx(loss_with_args(w, a, b))
    assert tangent == pytest.approx(float(np.sum(db)))


def test_wrt_naming_the_star_parameter_gives_a_tuple():
    w, a, b = vec(), vec(), vec()
    grads = srcad.grad(loss_with_args, wrt="args")(w, a, b)
    assert type(grads) is tuple and len(grads) == 2 and grads[0].shape == a.shape
    check(loss_with_args, (w, a, b), wrt="args", order=2)
    _, tangent = srcad.jvp(loss_with_args, wrt="args")(w, a, b, (np.ones(3), np.zeros(3)))
    assert tangent == pytest.approx(float(np.sum(grads[0])))


def test_extra_positional_arguments_in_jacobian_and_hessian():
    w, a = vec(), vec()
    h = srcad.hessian(loss_with_args, wrt=1)(w, a)
    eps = 1e-6
    column = (srcad.grad(loss_with_args, wrt=1)(w, a + eps * np.eye(3)[0])
              - srcad.grad(loss_with_args, wrt=1)(w, a - eps * np.eye(3)[0])) / (2 * eps)
    np.testing.assert_allclose(h[:, 0], column, rtol=1e-5, atol=1e-6)
    jac = srcad.jacobian(loss_with_args, wrt=1, mode="forward")(w, a)
    np.testing.assert_allclose(jac, srcad.grad(loss_with_args, wrt=1)(w, a))


def scaled_sum(w, *args, scale=1.0, **options):
    total = np.sum(w) * scale
    for a in args:
        total = total + np.sum(w * a) * options["weight"]
    return total


def test_keyword_only_and_star_star_parameters():
    w, a = vec(), vec()
    check(scaled_sum, (w, a), wrt=(0, 1, "scale"), order=2, scale=2.0, weight=0.5)
    dscale = srcad.grad(scaled_sum, wrt="scale")(w, a, scale=2.0, weight=0.5)
    assert dscale == pytest.approx(float(np.sum(w)))


def read_by_key(w, **kw):
    return np.sum(w * kw["a"]) * kw["b"] + kw["b"] ** 2


def test_star_star_kw_read_by_key_and_differentiated_as_a_dict():
    w, a = vec(), vec()
    check(read_by_key, (w,), wrt=0, order=2, a=a, b=0.7)
    check(read_by_key, (w,), wrt="kw", order=2, b=0.7, a=a)
    grads = srcad.grad(read_by_key, wrt="kw")(w, b=0.7, a=a)
    assert type(grads) is dict and list(grads) == ["b", "a"]   # the order of the call
    assert type(grads["b"]) is float and grads["a"].shape == a.shape


def test_the_generated_function_takes_the_same_arguments():
    w, a, b = vec(), vec(), vec()
    df = srcad.grad(scaled_sum)
    df(w, a, b, scale=2.0, weight=0.5)
    source = srcad.source(df)
    assert "def dscaled_sum_dw(w, *args, scale=1.0, dtotal=1.0, **options):" in source
    df = srcad.jvp(loss_with_args, wrt="args")
    df(w, a, b, (a, b))
    assert "def loss_with_args_jvp(w, *args, dargs):" in srcad.source(df)


# ---- variadic calls of helpers ------------------------------------------------------------------
def two(a, b):
    return np.sum(a * np.cos(b))


def spread_into_named(w, *args):
    return two(*args) * np.sum(w) + two(w, *args[1:])


def many(x, *xs):
    total = np.sum(x)
    for v in xs:
        total = total * np.sum(np.tanh(v))
    return total


def spread_into_star(w, *args):
    return many(w, *args) + many(*args)


def packed_into_star(w, a, b):
    return many(w, a, b) + many(w, np.sin(a))


def options(x, **opts):
    return np.sum(x * opts["scale"])


def spread_dict(w, **kw):
    return options(w, **kw)


def test_a_star_call_into_named_parameters():
    w, a, b = vec(), vec(), vec()
    check(spread_into_named, (w, a, b), wrt=(0, 1, 2), order=2)
    check(spread_into_named, (w, a, b), wrt="args", order=2)
    df = srcad.grad(spread_into_named, wrt="args")
    df(w, a, b)
    assert "a, b = args" in srcad.source(df)     # the star unpacked into the callee's names


def test_a_star_call_into_the_callees_star_parameter():
    w, a, b = vec(), vec(), vec()
    check(spread_into_star, (w, a, b), wrt=(0, 1, 2), order=2)
    df = srcad.grad(spread_into_star, wrt=(0, "args"))
    df(w, a, b)
    source = srcad.source(df)
    assert "dmany_dx_dxs(w, *args, dtotal=" in source and "(args[0], *args[1:]," in source


def test_extra_arguments_packed_for_the_callees_star_parameter():
    w, a, b = vec(), vec(), vec()
    check(packed_into_star, (w, a, b), wrt=(0, 1, 2), order=2)
    df = srcad.grad(packed_into_star, wrt=(1, 2))
    df(w, a, b)
    assert "(w, a, b, dtotal=" in srcad.source(df)


def test_a_star_star_call_into_the_callees_star_star_parameter():
    w = vec()
    check(spread_dict, (w,), wrt=(0, "kw"), order=2, scale=vec())


# ---- tuples of arguments ------------------------------------------------------------------------
def tuple_ops(w, *args):
    extended = args + (w,)
    rest = extended[1:]
    total = 0.0
    for r in rest:
        total = total + np.sum(r * extended[0])
    return total * len(extended)


def test_concatenation_slices_len_and_loops_over_tuples():
    w, a, b = vec(), vec(), vec()
    check(tuple_ops, (w, a, b), wrt=(0, 1, 2), order=2)
    check(tuple_ops, (w, a, b), wrt="args", order=2)


def list_concatenation(xs, y):
    both = xs + [y, y]
    return both[0] * both[-1] + both[1] ** 2


def test_concatenated_lists():
    check(list_concatenation, ([1.5, -0.5], 0.3), wrt=(0, 1), order=2)


def repeated(x, v, n):
    xs = [x] * 3                # sum(xs) is 3x: the derivative sums the copies
    pairs = n * (x, v)
    nothing = [v] * 0
    return sum(xs) + xs[1] * x + pairs[0] * np.sum(pairs[-1]) + len(nothing)


def test_repeated_lists_and_tuples():
    """``[x] * 3`` was differentiated as ``x * 3`` element-wise: a wrong gradient, no error."""
    check(repeated, (0.7, vec(), 2), wrt=(0, 1), order=2)
    v = vec()
    assert abs(srcad.grad(repeated)(0.7, v, 2) - (3.0 + 2 * 0.7 + np.sum(v))) < 1e-12


# ---- iteration helpers --------------------------------------------------------------------------
def zipped(ws, xs):
    total = 0.0
    for w, x in zip(ws, xs):
        total = total + np.sum(w * x)
    return total


def zipped3(ws, xs, ys):
    total = 0.0
    for w, x, y in zip(ws, xs, ys):
        total = total + np.sum(w * x * y)
    return total


def enumerated(ws):
    total = 0.0
    for i, w in enumerate(ws):
        total = total + (i + 1.0) * np.sum(w * w)
    return total


def enumerated_from_one(ws):
    total = 0.0
    for k, w in enumerate(ws, 1):
        total = total + k * np.sum(np.sin(w))
    return total


def enumerated_zip(ws, xs):
    total = 0.0
    for i, (w, x) in enumerate(zip(ws, xs)):
        total = total + (i + 1.0) * np.sum(w * x)
    return total


def backwards(ws):
    h = 0.0
    for w in reversed(ws):
        h = np.tanh(h + w)
    return np.sum(h)


def enumerated_backwards(ws):
    total = 0.0
    for i, w in enumerate(reversed(ws)):
        total = total + i * np.sum(w ** 3)
    return total


def pairs(ws):
    total = 0.0
    for a, b in itertools.pairwise(ws):
        total = total + np.sum((b - a) ** 2)
    return total


ITERATION = [
    (zipped, lambda: ([vec(), vec()], [vec(), vec(), vec()]), (0, 1)),
    (zipped3, lambda: ([vec(), vec()], (vec(), vec()), [vec(), vec(), vec()]), (0, 1, 2)),
    (enumerated, lambda: ([vec(), vec(), vec()],), 0),
    (enumerated_from_one, lambda: ((vec(), vec()),), 0),
    (enumerated_zip, lambda: ([vec(), vec()], [vec(), vec()]), (0, 1)),
    (backwards, lambda: ([vec(), vec(), vec()],), 0),
    (enumerated_backwards, lambda: ([vec(), vec(), vec()],), 0),
    (pairs, lambda: ([vec(), vec(), vec(), vec()],), 0),
]


@pytest.mark.parametrize("f, make, wrt", ITERATION, ids=[c[0].__name__ for c in ITERATION])
def test_iteration_helpers(f, make, wrt):
    check(f, make(), wrt=wrt, order=2)


def test_iteration_lowers_to_readable_index_loops():
    ws, xs = [vec(), vec()], [vec(), vec()]
    df = srcad.grad(enumerated_zip)
    df(ws, xs)
    source = srcad.source(df)
    assert "for i in range(min(len(ws), len(xs))):" in source
    assert "w = ws[i]" in source and "x = xs[i]" in source
    df = srcad.grad(backwards)
    df(ws)
    assert "for i in reversed(range(len(ws))):" in srcad.source(df)
    df = srcad.grad(pairs)
    df(ws)
    assert "for i in range(len(ws) - 1):" in srcad.source(df)


# ---- parameter structures -----------------------------------------------------------------------
def mlp(params, x):
    h = x
    for W, b in params:
        h = np.tanh(h @ W + b)
    return np.sum(h ** 2)


def mlp_params():
    return [(RNG.standard_normal((3, 4)) * 0.5, vec(4) * 0.1),
            (RNG.standard_normal((4, 2)) * 0.5, vec(2) * 0.1)]


def test_a_list_of_weight_tuples_unpacked_by_the_loop():
    params, x = mlp_params(), RNG.standard_normal((5, 3))
    check(mlp, (params, x), order=2)
    grads = srcad.grad(mlp)(params, x)
    assert type(grads) is list and all(type(layer) is tuple for layer in grads)
    assert [(dW.shape, db.shape) for dW, db in grads] == [(W.shape, b.shape) for W, b in params]
    _, tangent = srcad.jvp(mlp)(params, x, grads)
    assert tangent == pytest.approx(sum(np.sum(g * g) for layer in grads for g in layer))


def rnn(params, xs):
    h = params["init hiddens"]
    for x in xs:
        h = np.tanh(h @ params["change"] + x)
    return np.sum(h * params["readout"])


def dict_loops(params, x):
    total = 0.0
    for name, p in params.items():
        total = total + np.sum(p * x)
    for p in params.values():
        total = total + np.sum(p ** 2)
    for name in params.keys():
        total = total * 0.5 + np.sum(np.sin(params[name]))
    return total


def test_a_dict_with_string_keys():
    params = {"init hiddens": vec(), "change": RNG.standard_normal((3, 3)) * 0.5,
              "readout": vec()}
    xs = [vec(), vec()]
    check(rnn, (params, xs), order=2)
    grads = srcad.grad(rnn)(params, xs)
    assert type(grads) is dict and list(grads) == list(params)
    assert all(grads[k].shape == params[k].shape for k in params)


def test_loops_over_items_values_and_keys():
    params = {"zeta": vec(), "alpha": vec(), "mid": 0.4}
    check(dict_loops, (params, vec()), order=2)
    grads = srcad.grad(dict_loops)(params, vec())
    assert list(grads) == ["zeta", "alpha", "mid"] and type(grads["mid"]) is float
    df = srcad.grad(dict_loops)
    df(params, vec())
    assert "params_keys = keys_of(params)" in srcad.source(df)


def nested(params, x):
    h = x * params["scale"]
    for W, b in params["layers"]:
        h = np.tanh(h @ W + b)
    for name, (mean, log_std) in params["priors"].items():
        h = h + mean * np.exp(log_std)
    return np.sum(h ** 2)


def nested_params():
    return {"scale": 1.3, "layers": mlp_params() + [(RNG.standard_normal((2, 2)), vec(2))],
            "priors": {"b": (vec(2), vec(2)), "a": [vec(2), vec(2)]}}


def test_a_nested_mix_round_trips_its_structure():
    params, x = nested_params(), RNG.standard_normal((4, 3))
    check(nested, (params, x), order=2)
    grads = srcad.grad(nested)(params, x)

    def structure(v):
        if isinstance(v, dict):
            return ("dict", [(k, structure(e)) for k, e in v.items()])
        if isinstance(v, (list, tuple)):
            return (type(v).__name__, [structure(e) for e in v])
        return (type(v).__name__, np.shape(v))
    assert structure(grads) == structure(params)
    _, tangent = srcad.jvp(nested)(params, x, params)
    assert np.isfinite(tangent)


# ---- refusals -----------------------------------------------------------------------------------
def defaults(a, b=1.0):
    return a * b


def star_into_defaults(w, *args):
    return defaults(w, *args)


def star_star_into_named(w, **kw):
    return defaults(w, **kw)


def keyword_into_star_star(w, s):
    return options(w, scale=s)


def star_before_positional(w, *args):
    return two(*args, w)


def star_into_numpy(w, *args):
    return np.sum(np.maximum(*args)) * np.sum(w)


def starred_tuple(w, *args):
    t = (*args, w)
    return t[0]


def two_star_stars(w, *args, **kw):
    return options(w, **kw, **kw)


def element_as_loop_target(w, *args):
    out = [0.0]
    for out[0] in args:
        w = w * 2.0
    return np.sum(w)


def too_few_names(ws, xs, ys):
    total = 0.0
    for w, x in zip(ws, xs, ys):
        total = total + w * x
    return total


def test_a_star_whose_elements_reach_named_parameters_only_at_run_time():
    msg = refused(lambda: srcad.grad(star_into_defaults, wrt=1)(1.5, 2.0),
                  star_into_defaults, "return defaults", "call of defaults", "elements of args")
    assert "defaults(..., args[0], args[1])" in msg
    assert srcad.grad(star_into_defaults)(1.5, 2.0) == 2.0     # no derivative through args


def test_a_star_star_whose_entries_reach_named_parameters():
    refused(lambda: srcad.grad(star_star_into_named, wrt="kw")(1.5, b=2.0),
            star_star_into_named, "return defaults", "entries of kw", "b=kw['b']")
    assert srcad.grad(star_star_into_named)(1.5, b=2.0) == 2.0


def test_a_keyword_argument_collected_into_a_star_star_dict():
    refused(lambda: srcad.grad(keyword_into_star_star, wrt=1)(vec(), 2.0),
            keyword_into_star_star, "return options", "goes into its **opts dict")


def test_a_star_into_a_library_function():
    """Spread into a library call: fine where the tuple carries no derivative, refused at its
    line where it does (which parameters it fills is known only when it runs)."""
    w, a, b = vec(), vec(), vec()
    srcad.check_grad(star_into_numpy, wrt=0, modes=("reverse", "forward"))(w, a, b)
    refused(lambda: srcad.grad(star_into_numpy, wrt="args")(w, a, b), star_into_numpy,
            "np.maximum", "numpy.maximum", "spread into it")


@pytest.mark.parametrize("fn, text, words", [
    (star_before_positional, "return two", ["*args before other positional arguments"]),
    (starred_tuple, "t = (*args", ["a starred expression outside a call"]),
    (two_star_stars, "**kw, **kw", ["a call of options with two **kwargs"]),
    (element_as_loop_target, "for out[0]", ["a loop target that is not a name"]),
], ids=["star before positional", "starred tuple display",
        "two star-stars", "element as loop target"])
def test_refused_star_forms(fn, text, words):
    refused(lambda: srcad.grad(fn)(vec(), vec(), vec()), fn, text, *words)


def test_unpacking_a_zip_into_too_few_names():
    refused(lambda: srcad.grad(too_few_names)([1.0], [2.0], [3.0]), too_few_names, "for w, x",
            "unpacking 3 values into 2 names")


def test_a_hessian_of_a_structure_points_to_hvp():
    params = {"init hiddens": vec(), "change": RNG.standard_normal((3, 3)), "readout": vec()}
    for matrix in (srcad.hessian(rnn), srcad.jacobian(rnn)):
        with pytest.raises(srcad.SrcadError) as info:
            matrix(params, [vec()])
        msg = str(info.value)
        assert msg.startswith(f"{__file__}:") and "wrt='params' is a dict" in msg, msg
        assert "srcad.hvp" in msg
    hv = srcad.hvp(rnn)(params, [vec()], params)
    assert list(hv) == list(params) and hv["change"].shape == (3, 3)


def test_wrong_wrt_for_variadic_functions():
    w, a = vec(), vec()
    cases = [
        (lambda: srcad.grad(loss_with_args, wrt=-1)(w, a), ["wrt=-1", "positions"]),
        (lambda: srcad.grad(loss_with_args, wrt=3)(w, a), ["args[2]", "1 extra positional"]),
        (lambda: srcad.grad(loss_with_args, wrt=(1, "args"))(w, a), ["both args"]),
        (lambda: srcad.grad(read_by_key, wrt="a")(w, a=a, b=1.0), ["wrt='kw'"]),
        (lambda: srcad.grad(srcad.grad(loss_with_args, wrt=1))(w, a), ["again", "*args"]),
    ]
    for action, words in cases:
        with pytest.raises(srcad.SrcadError) as info:
            action()
        msg = str(info.value)
        assert msg.startswith(f"{__file__}:") and all(w in msg for w in words), msg
        assert "\n  hint: " in msg, msg


def test_the_command_line_with_a_variadic_function(capsys):
    from srcad.cli import main
    target = f"{__file__}:loss_with_args"
    assert main([target, "--wrt", "1", "--mode", "forward",
                 "--args", "np.ones(3), np.ones(3), np.ones(3)"]) == 0
    assert "def loss_with_args_jvp(w, *args, dargs):" in capsys.readouterr().out
    assert main([target, "--wrt", "args"]) == 0
    assert "def dloss_with_args_dargs(w, *args, dout=1.0):" in capsys.readouterr().out
