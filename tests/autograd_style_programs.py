"""Small programs written the way autograd's users write them — only numpy and scipy.special
imported, parameters in lists of tuples and dicts, nested functions, *args — to be
differentiated by srcad unchanged (tests/test_autograd_style.py)."""
import numpy as np
from scipy.special import expit, log_softmax, logsumexp


# 1. logistic regression, with a hand-written sigmoid
def sigmoid(x):
    return 0.5 * (np.tanh(x / 2.0) + 1)


def logistic_predictions(weights, inputs):
    return sigmoid(np.dot(inputs, weights))


def logistic_loss(weights, inputs, targets):
    preds = logistic_predictions(weights, inputs)
    label_probabilities = preds * targets + (1 - preds) * (1 - targets)
    return -np.sum(np.log(label_probabilities))


# 2. a multilayer perceptron: params is a list of (W, b) tuples
def neural_net_predict(params, inputs):
    for W, b in params:
        outputs = np.dot(inputs, W) + b
        inputs = np.tanh(outputs)
    return outputs - logsumexp(outputs, axis=1, keepdims=True)


def l2_norm(params):
    total = 0.0
    for W, b in params:
        total = total + np.sum(W ** 2) + np.sum(b ** 2)
    return total


def mlp_objective(params, inputs, targets):
    log_prior = -0.1 * l2_norm(params)
    log_lik = np.sum(neural_net_predict(params, inputs) * targets)
    return -(log_prior + log_lik)


# 3. a recurrent network: a dict of parameters, nested functions, *args
def concat_and_multiply(weights, *args):
    cat_state = np.hstack(args + (np.ones((args[0].shape[0], 1)),))
    return np.dot(cat_state, weights)


def rnn_log_likelihood(params, inputs, targets):
    def update_rnn(input, hiddens):
        return np.tanh(concat_and_multiply(params["change"], input, hiddens))

    def hiddens_to_output_probs(hiddens):
        output = concat_and_multiply(params["predict"], hiddens)
        return output - logsumexp(output, axis=1, keepdims=True)

    num_sequences = inputs.shape[1]
    hiddens = np.repeat(params["init hiddens"], num_sequences, axis=0)
    loglik = 0.0
    for t in range(inputs.shape[0]):
        hiddens = update_rnn(inputs[t], hiddens)
        loglik = loglik + np.sum(hiddens_to_output_probs(hiddens) * targets[t])
    return -loglik


# 4. a mixture of Gaussians: log-likelihood through logsumexp
def mixture_log_likelihood(params, data):
    means, log_stds, logits = params["means"], params["log_stds"], params["logits"]
    log_weights = log_softmax(logits)
    diffs = (data[:, None] - means[None, :]) / np.exp(log_stds)
    log_pdfs = -0.5 * diffs ** 2 - log_stds - 0.5 * np.log(2 * np.pi)
    return np.sum(logsumexp(log_pdfs + log_weights, axis=1))


# 5. a Gaussian process: negative log marginal likelihood of a squared-exponential kernel
def gp_negative_log_marginal_likelihood(log_params, x, y):
    log_length, log_amplitude, log_noise = log_params[0], log_params[1], log_params[2]
    sqdist = (x[:, None] - x[None, :]) ** 2
    cov = np.exp(log_amplitude) * np.exp(-0.5 * sqdist / np.exp(2 * log_length))
    cov = cov + np.exp(log_noise) * np.eye(len(x))
    alpha = np.linalg.solve(cov, y)
    sign, logdet = np.linalg.slogdet(cov)
    return 0.5 * np.dot(y, alpha) + 0.5 * logdet + 0.5 * len(x) * np.log(2 * np.pi)


# 6. black-box variational inference: the objective is a closure built by a function
def make_variational_objective(logprob, noise):
    def variational_objective(params):
        mean, log_std = params[:2], params[2:]
        samples = noise * np.exp(log_std) + mean
        entropy = 0.5 * 2 * (1.0 + np.log(2 * np.pi)) + np.sum(log_std)
        return -(entropy + np.mean(logprob(samples)))
    return variational_objective


def banana_log_density(samples):
    x, y = samples[:, 0], samples[:, 1]
    return -0.5 * x ** 2 - 0.5 * (y - x ** 2) ** 2


# 7. tanh written out, differentiated many times
def tanh(x):
    y = np.exp(-2.0 * x)
    return (1.0 - y) / (1.0 + y)


# 8. softmax regression with weight decay, in scipy.special's log_softmax
def softmax_regression_loss(W, b, X, labels):
    logits = X @ W + b
    log_probs = log_softmax(logits, axis=1)
    picked = log_probs[np.arange(len(labels)), labels]
    return -np.mean(picked) + 1e-3 * np.sum(W * W)


# 9. advection on a periodic grid: bilinear interpolation with integer index arrays
def advect(f, vx, vy):
    rows, cols = f.shape
    cell_ys, cell_xs = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    center_xs = (cell_xs - vx).ravel()
    center_ys = (cell_ys - vy).ravel()
    left_ix = np.floor(center_xs).astype(int)
    top_ix = np.floor(center_ys).astype(int)
    rw = center_xs - left_ix
    bw = center_ys - top_ix
    left_ix = np.mod(left_ix, cols)
    right_ix = np.mod(left_ix + 1, cols)
    top_ix = np.mod(top_ix, rows)
    bot_ix = np.mod(top_ix + 1, rows)
    flat = (1 - rw) * ((1 - bw) * f[top_ix, left_ix] + bw * f[bot_ix, left_ix]) \
        + rw * ((1 - bw) * f[top_ix, right_ix] + bw * f[bot_ix, right_ix])
    return np.reshape(flat, (rows, cols))


def advection_loss(f0, vx, vy):
    f = f0
    for t in range(3):
        f = advect(f, vx, vy)
    return np.sum(f ** 2 * np.arange(f.size).reshape(f.shape))


# 10. a Kalman-style filter written with in-place updates of preallocated arrays
def smoothed_energy(params, obs):
    decay, gain = expit(params[0]), expit(params[1])
    states = np.zeros(len(obs))
    level = 0.0
    for t in range(len(obs)):
        level = decay * level + gain * (obs[t] - decay * level)
        states[t] = level
    resid = states - obs
    resid *= 2.0
    resid -= np.mean(resid)
    return np.sum(resid ** 2)


# 11. a physics loop with a data-dependent stopping condition
def bounce_height(v0, drag):
    height, velocity, t = 0.0, v0, 0
    while velocity > 0 and t < 200:
        velocity = velocity - 0.1 * (9.81 + drag * velocity * velocity)
        height = height + 0.1 * velocity
        t += 1
    return height


# 12. an argument list built with zip/enumerate, and a sum over tuple *args
def weighted_sum_of_squares(weights, *arrays):
    total = 0.0
    for i, (w, a) in enumerate(zip(weights, arrays)):
        total = total + (i + 1) * w * np.sum(a ** 2)
    return total


def ensemble_loss(weights, a, b, c):
    return weighted_sum_of_squares(weights, a, b, c) + np.sum(weights ** 2)


# 13. layers of different widths, each a (W, b, gamma) triple: a per-unit gain after the product
def scaled_net(layers, X):
    h = X
    for W, b, gamma in layers:
        h = np.tanh(gamma * (h @ W) + b)
    return np.sum(h ** 2)


# 14. batch normalisation between layers of different widths
def normalised_net(params, X):
    h = X
    for W, b in params:
        z = np.dot(h, W) + b
        z = (z - np.mean(z, axis=0)) / np.sqrt(np.var(z, axis=0) + 1e-5)
        h = np.tanh(z)
    return np.mean(h ** 2)


# 15. weights and biases in two lists of a dict, read at one index each
def split_params_net(params, X):
    h = X
    for i in range(len(params["W"])):
        h = np.tanh(h @ params["W"][i] + params["b"][i])
    return np.sum(h)


# 16. a bias that is a row (1, k) in one layer and a single number's array (1,) in another
def mixed_bias_net(params, X):
    h = X
    for W, b in params:
        h = np.tanh(h @ W + b)
    return np.sum(h * h)


# 17. a skip connection from the input to every layer's output (each layer as wide as X)
def skip_net(params, X):
    h = X
    for W, b in params:
        h = X + np.tanh(h @ W + b)
    return np.sum(np.sin(h))
