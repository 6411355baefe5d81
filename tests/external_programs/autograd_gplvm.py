"""autograd examples/gplvm.py, ported by changing only the imports (see CHANGED notes)."""
# Implements a Gaussian process latent-variable model.
# The (high-dimensional) data, Y is explained by some low-dimensional latent
# data X, warped by a function drawn from a GP prior (f).  So Y = f(X), but
# we don't know X or f.
#
# In this example, we optimize X and the hyperparameters of the GP, but
# we integrate over all possible functions f.
#
# Normally the observed data would be high-dimensional.
#
# David Duvenaud (duvenaud@gmail.com)


# DROPPED (plotting/data/optimizer): import matplotlib.pyplot as plt
# DROPPED (plotting/data/optimizer): from data import make_pinwheel
from .autograd_gaussian_process import make_gp_funs, rbf_covariance
from scipy.optimize import minimize

import numpy as np
import numpy.random as npr
from srcad import value_and_grad
from scipy.stats import norm


# from the example's __main__ (make_pinwheel's data replaced by seeded random points)
data_dimension = 2
latent_dimension = 2
params_per_gp, predict, log_marginal_likelihood = make_gp_funs(rbf_covariance, num_cov_params=latent_dimension + 1)
total_gp_params = data_dimension * params_per_gp
data = npr.RandomState(0).randn(6, 2)
datalen = data.shape[0]
num_latent_params = datalen * latent_dimension


def unpack_params(params):
    gp_params = np.reshape(params[:total_gp_params], (data_dimension, params_per_gp))
    latents = np.reshape(params[total_gp_params:], (datalen, latent_dimension))
    return gp_params, latents


def objective(params):
    gp_params, latents = unpack_params(params)
    gp_likelihood = sum(
        [log_marginal_likelihood(gp_params[i], latents, data[:, i]) for i in range(data_dimension)]
    )
    latent_prior_likelihood = np.sum(norm.logpdf(latents))
    return -gp_likelihood - latent_prior_likelihood


CASES = [(objective, lambda: (0.1 * npr.RandomState(1).randn(total_gp_params + num_latent_params),), 0)]
