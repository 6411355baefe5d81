"""autograd examples/ica.py, ported by changing only the imports (see CHANGED notes)."""
# DROPPED (plotting/data/optimizer): import matplotlib.pyplot as plt
# DROPPED (plotting/data/optimizer): from matplotlib import cm
from scipy.optimize import minimize

import numpy as np
import numpy.random as npr
from srcad import value_and_grad
from scipy.stats import t


def make_ica_funs(observed_dimension, latent_dimension):
    """These functions implement independent component analysis.

    The model is:
    latents are drawn i.i.d. for each data point from a product of student-ts.
    weights are the same across all datapoints.
    each data = latents * weghts + noise."""

    def sample(weights, n_samples, noise_std, rs):
        latents = rs.randn(latent_dimension, n_samples)
        latents = np.array(sorted(latents.T, key=lambda a_entry: a_entry[0])).T
        noise = rs.randn(n_samples, observed_dimension) * noise_std
        observed = predict(weights, latents) + noise
        return latents, observed

    def predict(weights, latents):
        return np.dot(weights, latents).T

    def logprob(weights, latents, noise_std, observed):
        preds = predict(weights, latents)
        log_lik = np.sum(t.logpdf(preds, 2.4, observed, noise_std))
        return log_lik

    num_weights = observed_dimension * latent_dimension

    def unpack_weights(weights):
        return np.reshape(weights, (observed_dimension, latent_dimension))

    return num_weights, sample, logprob, unpack_weights


_num_weights, _sample, ica_logprob, _unpack = make_ica_funs(3, 2)


def _args():
    rs = npr.RandomState(0)
    w = rs.randn(3, 2)
    latents, observed = _sample(w, 5, 0.1, rs)
    return rs.randn(3, 2), latents, 0.1, observed


CASES = [(ica_logprob, _args, 0), (ica_logprob, _args, 1)]
