"""Calls not known to be pure (random draws) run once per call of a derivative, where the
user's code ran them, with the same draws as the primal: nothing is drawn again in the reverse
sweep, nothing is dropped or reordered. Gradients are compared with finite differences of the
same program under the same seed, in both modes and to second order."""
import copy

import numpy as np
import pytest

import srcad
import impure_programs as p
from oracle import assert_close, check_grad, check_jvp, numeric_grad


def rs(seed=0):
    return np.random.RandomState(seed)


def hessian_against_fd(f, args, i=0):
    """srcad.hessian vs central differences of srcad.grad (fresh copies of every argument)."""
    hess = srcad.hessian(f, wrt=i)(*copy.deepcopy(args))
    x = args[i]

    def grad_at(xi):
        a = copy.deepcopy(list(args))
        a[i] = xi
        return srcad.grad(f, wrt=i)(*a)
    if isinstance(x, float):
        want = (grad_at(x + 1e-6) - grad_at(x - 1e-6)) / 2e-6
    else:
        want = np.stack([(grad_at(x + 1e-6 * e) - grad_at(x - 1e-6 * e)) / 2e-6
                         for e in np.eye(x.size)], axis=-1).reshape(x.shape + x.shape)
    assert_close(hess, want, 1e-5, 1e-5, what=f"hessian of {f.__name__}")


@pytest.mark.parametrize("f, args", [
    (p.sample_elbo, (0.3, 1.0, rs())),
    (p.elbo_seeded, (0.3, 1.0, 0)),
    (p.two_helpers_one_generator, (np.array([0.2, -0.4]), rs(3))),
    (p.draws_in_a_loop, (np.array([0.5, -0.2, 0.1]), rs(1), 4)),
    (p.unused_draw_then_used_draw, (np.array([0.5, -0.2]), rs(2))),
    (p.overwritten_draw, (np.array([0.5, -0.2]), rs(4))),     # fuzz 41:415: jvp dropped it
    (p.generator_api, (np.array([0.5, -0.2, 0.7]), 4)),
    (p.helper_calls_helper, (0.4, rs(5))),
    (p.mixture_elbo, (np.array([0.3, -0.5]), 1, 5)),
], ids=lambda v: getattr(v, "__name__", ""))
def test_draws_match_the_primal(f, args):
    check_grad(f, args)
    check_jvp(f, args)
    hessian_against_fd(f, args)


def test_the_issue_example():
    """autograd's VAE-style sampler: the gradient uses the primal's noise."""
    got = srcad.grad(p.elbo_seeded)(0.3, 1.0, 0)
    want = numeric_grad(p.elbo_seeded, [0.3, 1.0, 0], 0)
    assert_close(got, want)


def test_each_draw_is_made_once():
    args = (np.array([0.5, -0.2, 0.1]), 3)
    direction = np.array([1.0, 0.5, -0.3])
    p.DRAWS.clear()
    p.draws_in_a_loop(args[0], p.CountingState(0), args[1])
    primal = list(p.DRAWS)
    for derived, extra in ((srcad.grad(p.draws_in_a_loop), ()),
                           (srcad.value_and_grad(p.draws_in_a_loop), ()),
                           (srcad.jvp(p.draws_in_a_loop), (direction,)),
                           (srcad.hvp(p.draws_in_a_loop), (direction,))):
        derived(args[0], p.CountingState(0), args[1], *extra)    # transforms, then runs
        p.DRAWS.clear()
        derived(args[0], p.CountingState(0), args[1], *extra)
        assert p.DRAWS == primal, derived.__name__


def test_global_random_state():
    x = np.array([0.3, -0.1])

    def seeded(f):
        def call(*a):
            np.random.seed(7)
            return f(*a)
        return call
    got = seeded(srcad.grad(p.global_state_draws))(x)
    np.random.seed(7)
    noise = np.random.randn(2)
    assert_close(got, 2 * (x + noise))
    value, tangent = seeded(srcad.jvp(p.global_state_draws))(x, np.ones(2))
    assert_close(value, np.sum((x + noise) ** 2))
    assert_close(tangent, np.sum(2 * (x + noise)))


def test_the_generated_source_saves_what_it_drew():
    d = srcad.grad(p.sample_elbo)
    d(0.3, 1.0, rs())
    text = srcad.source(d)
    assert text.count("rs.randn(3)") == 1      # drawn in the forward half only
    assert "def sample_fwd(mean, log_std, rs):" in text
    assert "z, sample_saved = sample_fwd(mean, log_std, rs)" in text
    assert "dsample_dlog_std(sample_saved, dout=" in text


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_jacobian_sweeps_see_the_same_draws(mode):
    x = np.array([0.3, -0.2, 0.9])
    jac = srcad.jacobian(p.noisy_map, mode=mode)(x, rs(4))
    noise = rs(4).randn(3)
    assert_close(jac, np.diag(np.cos(x) * (1.0 + 0.1 * noise)))


def test_a_matrix_advances_the_generator_as_one_call():
    x = np.array([0.5, -0.2, 0.1])
    mine, reference = rs(9), rs(9)
    srcad.hessian(p.draws_in_a_loop)(x, mine, 2)
    p.draws_in_a_loop(x, reference, 2)
    assert mine.randn() == reference.randn()


def test_a_drawing_helper_with_its_own_loop():
    """First order works; a second derivative through it is refused, not wrong: its reverse
    half consumes the stack its forward half saved."""
    check_grad(p.steps_from_a_seed, (0.4, 0))
    check_jvp(p.steps_from_a_seed, (0.4, 0))
    with pytest.raises(srcad.SrcadError, match="noisy_steps_fwd again: it is the forward half"):
        srcad.hessian(p.steps_from_a_seed)(0.4, 0)
