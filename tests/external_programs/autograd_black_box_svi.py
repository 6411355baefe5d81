"""autograd examples/black_box_svi.py, ported by changing only the imports (see CHANGED notes)."""
# DROPPED (plotting/data/optimizer): import matplotlib.pyplot as plt

import numpy as np
import numpy.random as npr
from scipy.stats import multivariate_normal as mvn
from srcad import grad
# DROPPED (plotting/data/optimizer): from autograd.misc.optimizers import adam
from scipy.stats import norm


def black_box_variational_inference(logprob, D, num_samples):
    """Implements http://arxiv.org/abs/1401.0118, and uses the
    local reparameterization trick from http://arxiv.org/abs/1506.02557"""

    def unpack_params(params):
        # Variational dist is a diagonal Gaussian.
        mean, log_std = params[:D], params[D:]
        return mean, log_std

    def gaussian_entropy(log_std):
        return 0.5 * D * (1.0 + np.log(2 * np.pi)) + np.sum(log_std)

    rs = npr.RandomState(0)

    def variational_objective(params, t):
        """Provides a stochastic estimate of the variational lower bound."""
        mean, log_std = unpack_params(params)
        samples = rs.randn(num_samples, D) * np.exp(log_std) + mean
        lower_bound = gaussian_entropy(log_std) + np.mean(logprob(samples, t))
        return -lower_bound

    gradient = grad(variational_objective)

    return variational_objective, gradient, unpack_params


from ._harness import fix_closure_rs


def log_density(x, t):  # from the example's __main__
    mu, log_sigma = x[:, 0], x[:, 1]
    sigma_density = norm.logpdf(log_sigma, 0, 1.35)
    mu_density = norm.logpdf(mu, 0, np.exp(log_sigma))
    return sigma_density + mu_density


svi_objective, _gradient, _unpack = black_box_variational_inference(log_density, 2, num_samples=20)
fix_closure_rs(svi_objective)

CASES = [(svi_objective, lambda: (np.array([-1.0, 0.5, -0.5, -1.0]), 0), 0)]
