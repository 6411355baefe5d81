"""Programs that draw random numbers, written the way autograd's VAE and mixture-VI examples
draw them: a generator passed to a helper, created inside, shared across helpers, in loops."""
import numpy as np

DRAWS = []      # how many draws each call made: the derivative must make as many


class CountingState(np.random.RandomState):
    """A RandomState that counts its draws."""

    def randn(self, *shape):
        DRAWS.append(shape)
        return super().randn(*shape)


def sample(mean, log_std, rs):
    return rs.randn(3) * np.exp(log_std) + mean


def sample_elbo(log_std, mean, rs):
    z = sample(mean, log_std, rs)
    return np.sum(z ** 2)


def elbo_seeded(log_std, mean, seed):
    rs = np.random.RandomState(seed)
    z = sample(mean, log_std, rs)
    return np.sum(z ** 2) + np.sum(log_std)


def two_helpers_one_generator(params, rs):
    a = sample(params[0], params[1], rs)
    b = sample(params[1], params[0], rs)
    return np.sum(a * b)


def noisy_scale(x, rs):
    noise = rs.randn(x.shape[0])
    return x * (1.0 + 0.1 * noise)


def draws_in_a_loop(x, rs, steps):
    for t in range(steps):
        x = np.tanh(noisy_scale(x, rs))
    return np.sum(x ** 2)


def overwritten_draw(x, rs):
    e = noisy_scale(x / 2.0, rs)    # drawn, then overwritten: the draw still advances rs
    e = x * 3.0
    return np.sum(e * noisy_scale(x, rs))


def unused_draw_then_used_draw(x, rs):
    a = rs.randn(2)
    b = rs.randn(2) * x
    return np.sum(b ** 2)


def generator_api(x, seed):
    rng = np.random.default_rng(seed)
    eps = rng.standard_normal(x.shape)
    return np.sum(np.sin(x + 0.3 * eps) ** 2)


def global_state_draws(x):
    return np.sum((x + np.random.randn(len(x))) ** 2)


def helper_calls_helper(s, rs):
    return np.sum(sample_elbo(s, 0.5, rs) * sample(s, 0.1, rs))


def mixture_elbo(params, seed, samples):
    """Black-box VI of a 1-d two-component mixture: the reparameterised samples come from a
    helper that draws from a generator created inside."""
    rs = np.random.RandomState(seed)
    mean, log_std = params[0], params[1]
    total = 0.0
    for i in range(samples):
        z = rs.randn() * np.exp(log_std) + mean
        log_p = np.logaddexp(-0.5 * (z - 1.0) ** 2, -0.5 * (z + 1.0) ** 2)
        total = total + log_p
    return total / samples + log_std


def noisy_map(x, rs):
    return np.sin(x) * (1.0 + 0.1 * rs.randn(len(x)))


def noisy_steps(b, rs, n):
    for i in range(n):
        b = np.tanh(b * (1.0 + 0.1 * rs.randn()))
    return b


def steps_from_a_seed(x, seed):
    rs = np.random.RandomState(seed)
    return noisy_steps(x, rs, 3) ** 2
