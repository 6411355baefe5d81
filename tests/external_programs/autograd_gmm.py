"""autograd examples/gmm.py, ported by changing only the imports (see CHANGED notes)."""
"""Implements a Gaussian mixture model, in which parameters are fit using
gradient descent.  This example runs on 2-dimensional data, but the model
works on arbitrarily-high dimension."""

# DROPPED (plotting/data/optimizer): import matplotlib.pyplot as plt
# DROPPED (plotting/data/optimizer): from data import make_pinwheel
from scipy.optimize import minimize

import numpy as np
import numpy.random as npr
from scipy.stats import multivariate_normal as mvn
from srcad import grad, hvp as hessian_vector_product  # CHANGED: srcad's name is hvp
# DROPPED: from autograd.misc.flatten import flatten_func (optimizer plumbing only)
from scipy.special import logsumexp


def init_gmm_params(num_components, D, scale, rs=None):
    rs = rs if rs is not None else npr.RandomState(0)
    return {
        "log proportions": rs.randn(num_components) * scale,
        "means": rs.randn(num_components, D) * scale,
        "lower triangles": np.zeros((num_components, D, D)) + np.eye(D),
    }


def log_normalize(x):
    return x - logsumexp(x)


def unpack_gmm_params(params):
    normalized_log_proportions = log_normalize(params["log proportions"])
    return normalized_log_proportions, params["means"], params["lower triangles"]


def gmm_log_likelihood(params, data):
    cluster_lls = []
    for log_proportion, mean, cov_sqrt in zip(*unpack_gmm_params(params)):
        cov = np.dot(cov_sqrt.T, cov_sqrt)
        cluster_lls.append(log_proportion + mvn.logpdf(data, mean, cov))
    return np.sum(logsumexp(np.vstack(cluster_lls), axis=0))


def plot_ellipse(ax, mean, cov_sqrt, alpha, num_points=100):
    angles = np.linspace(0, 2 * np.pi, num_points)
    circle_pts = np.vstack([np.cos(angles), np.sin(angles)]).T * 2.0
    cur_pts = mean + np.dot(circle_pts, cov_sqrt)
    ax.plot(cur_pts[:, 0], cur_pts[:, 1], "-", alpha=alpha)


def plot_gaussian_mixture(params, ax):
    for log_proportion, mean, cov_sqrt in zip(*unpack_gmm_params(params)):
        alpha = np.minimum(1.0, np.exp(log_proportion) * 10)
        plot_ellipse(ax, mean, cov_sqrt, alpha)



def _args():
    rs = npr.RandomState(0)
    return init_gmm_params(3, 2, 0.5, rs), rs.randn(8, 2)


CASES = [(gmm_log_likelihood, _args, 0)]
