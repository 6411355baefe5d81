"""scipy.stats densities as autograd's examples use them (a Gaussian likelihood fitted by its
mean and log scale; a multivariate normal's log density in x, mean and cov), checked against
central differences in both modes and to second order. Skipped without scipy."""
import numpy as np
import pytest

import srcad

stats = pytest.importorskip("scipy.stats")
norm, multivariate_normal = stats.norm, stats.multivariate_normal

RNG = np.random.default_rng(11)
DATA = RNG.normal(1.0, 2.0, size=20)
M = RNG.normal(size=(3, 3))
COV = M @ M.T + 3.0 * np.eye(3)


def neg_log_likelihood(mu, log_sigma):
    return -np.sum(norm.logpdf(DATA, mu, np.exp(log_sigma)))


def tail_mass(x, scale):
    return np.sum(norm.cdf(x, loc=0.5, scale=scale) * norm.pdf(x))


def mvn_fit(x, mean, cov):
    return np.sum(multivariate_normal.logpdf(x, mean, cov)) + \
        multivariate_normal.pdf(x[0], mean=mean, cov=cov)


@pytest.mark.parametrize("wrt", [0, 1])
def test_gaussian_likelihood(wrt):
    srcad.check_grad(neg_log_likelihood, wrt=wrt, order=2)(0.3, 0.2)
    g = srcad.grad(neg_log_likelihood, wrt=(0, 1))(np.mean(DATA), np.log(np.std(DATA)))
    assert np.allclose(g, 0.0, atol=1e-9)          # the maximum likelihood estimate


def test_cdf_and_pdf():
    x = RNG.normal(size=5)
    for wrt in (0, 1):
        srcad.check_grad(tail_mass, wrt=wrt, order=2)(x, 1.3)


@pytest.mark.parametrize("wrt", [0, 1, 2])
def test_multivariate_normal_in_x_mean_and_cov(wrt):
    x = RNG.normal(size=(4, 3))
    srcad.check_grad(mvn_fit, wrt=wrt, order=2)(x, RNG.normal(size=3), COV)


def test_the_rule_is_found_through_the_bound_method():
    x = RNG.normal(size=3)
    text = srcad.source(srcad.grad(neg_log_likelihood), 0.3, 0.2)
    assert "norm.logpdf(" in text and "np.exp(log_sigma)" in text
    report = srcad.check_rule(stats.norm.logpdf, x, 0.2, 1.5)
    assert set(report) == {(p, m) for p in ("x", "loc", "scale") for m in ("reverse", "forward")}
    srcad.check_rule(multivariate_normal.logpdf, x, x[::-1].copy(), COV)
