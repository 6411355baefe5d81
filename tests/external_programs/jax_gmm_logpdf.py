"""A diagonal GMM log-likelihood, JAX style: tuple of arrays, zip, list comprehension,
jnp.stack + logsumexp, a log-determinant with jnp.linalg.slogdet for a full-cov variant."""
import numpy as jnp
import numpy as np
from scipy.special import logsumexp  # was: jax.scipy.special


def diag_logpdf(x, mu, log_sigma):
    z = (x - mu) / jnp.exp(log_sigma)
    return -0.5 * jnp.sum(z**2 + 2 * log_sigma + jnp.log(2 * jnp.pi), axis=-1)


def gmm_loglik(params, x):
    logits, mus, log_sigmas = params
    log_w = logits - logsumexp(logits)
    comps = jnp.stack([lw + diag_logpdf(x, m, s) for lw, m, s in zip(log_w, mus, log_sigmas)])
    return jnp.sum(logsumexp(comps, axis=0))


def full_cov_logpdf(x, mu, L):
    cov = L @ L.T + 0.1 * jnp.eye(L.shape[0])
    sign, logdet = jnp.linalg.slogdet(cov)
    d = x - mu
    sol = jnp.linalg.solve(cov, d.T).T
    return jnp.sum(-0.5 * jnp.sum(d * sol, axis=1) - 0.5 * logdet - 0.5 * x.shape[1] * jnp.log(2 * jnp.pi))


def _args():
    rng = np.random.RandomState(0)
    return (rng.randn(3), rng.randn(3, 2), 0.1 * rng.randn(3, 2)), rng.randn(7, 2)


def _args_full():
    rng = np.random.RandomState(1)
    return rng.randn(6, 2), rng.randn(2), rng.randn(2, 2)


CASES = [(gmm_loglik, _args, 0), (full_cov_logpdf, _args_full, 2), (full_cov_logpdf, _args_full, 1)]
