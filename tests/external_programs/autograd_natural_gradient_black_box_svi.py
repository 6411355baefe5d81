"""autograd examples/natural_gradient_black_box_svi.py, ported by changing only the imports (see CHANGED notes)."""
# DROPPED (plotting/data/optimizer): import matplotlib.pyplot as plt

# same BBSVI function!
from .autograd_black_box_svi import black_box_variational_inference

import numpy as np
import numpy.random as npr
# DROPPED (plotting/data/optimizer): from autograd.misc.optimizers import adam, sgd
from scipy.stats import norm

from ._harness import fix_closure_rs

# from the example's __main__
obs_dim = 3
Y = npr.RandomState(42).randn(obs_dim, obs_dim).dot(npr.RandomState(43).randn(obs_dim))


def log_density(x, t):
    mu, log_sigma = x[:, :obs_dim], x[:, obs_dim:]
    sigma_density = np.sum(norm.logpdf(log_sigma, 0, 1.35), axis=1)
    mu_density = np.sum(norm.logpdf(Y, mu, np.exp(log_sigma)), axis=1)
    return sigma_density + mu_density


D = obs_dim * 2
objective, gradient, unpack_params = black_box_variational_inference(log_density, D, num_samples=20)
fix_closure_rs(objective)

CASES = [(objective, lambda: (0.1 * npr.RandomState(0).randn(2 * D), 0), 0)]
