"""Programs that change a fresh array in place (a copy, an arithmetic or ufunc result, a helper's
result, an item appended to a list) and read the array it came from: srcad knows the memory is
new, so the change reaches nothing else. And programs whose change does reach another name (a
view, ``np.asarray``, a helper that returns its argument, a list holding the array): those are
written back or refused, never a wrong derivative. Used by ``test_fresh_memory.py``."""
import numpy as np
import scipy.special
from scipy.special import logsumexp


# ---- a recurrent network, as autograd's examples/rnn.py writes one -----------------------------
def with_bias_row(weights, *parts):
    """``[parts..., 1] @ weights``: the last row of ``weights`` is the bias."""
    batch = parts[0].shape[0]
    joined = np.concatenate(parts + (np.ones((batch, 1)),), axis=1)
    return np.dot(joined, weights)


def rnn_predict(params, inputs):
    def step(x, hiddens):
        return np.tanh(with_bias_row(params["change"], x, hiddens))

    def log_probs(hiddens):
        scores = with_bias_row(params["predict"], hiddens)
        return scores - logsumexp(scores, axis=1, keepdims=True)

    batch = inputs.shape[1]
    hiddens = np.repeat(params["init hiddens"], batch, axis=0)
    outputs = [log_probs(hiddens)]
    for x in inputs:            # one time step: a batch of input vectors
        hiddens = step(x, hiddens)
        outputs.append(log_probs(hiddens))
    return outputs


def rnn_log_likelihood(params, inputs, targets):
    logprobs = rnn_predict(params, inputs)
    total = 0.0
    steps, batch, _ = inputs.shape
    for t in range(steps):
        total += np.sum(logprobs[t] * targets[t])
    return total / (steps * batch)


def normalized(scores):
    """log-softmax over the last axis, the log-sum-exp written out (shifted by the maximum)."""
    top = np.max(scores, axis=1, keepdims=True)
    return scores - (top + np.log(np.sum(np.exp(scores - top), axis=1, keepdims=True)))


def rnn_written_out(params, inputs, targets):
    """The same network in one function, the softmax written out, the outputs in a list."""
    batch = inputs.shape[1]
    hiddens = np.repeat(params["init hiddens"], batch, axis=0)
    ones = np.ones((batch, 1))
    outputs = []
    for x in inputs:
        hiddens = np.tanh(np.concatenate((x, hiddens, ones), axis=1) @ params["change"])
        outputs.append(normalized(np.concatenate((hiddens, ones), axis=1) @ params["predict"]))
    loglik = 0.0
    for t in range(len(outputs)):
        loglik = loglik + np.sum(outputs[t] * targets[t])
    return -loglik / inputs.shape[0]


# ---- fresh memory changed in place -------------------------------------------------------------
def copy_function(p):
    q = np.copy(p)
    q[0] = 3.0
    return np.sum(q * p)


def copy_method(p):
    q = p.copy()
    q[1:3] *= p[0]
    return np.sum(q * p)


def array_of_an_array(p):
    q = np.array(p)
    q[-1] = p[0] * p[1]
    return np.sum(q * np.sin(p))


def copy_keywords(p):
    q = np.array(p, copy=True)
    q -= 0.5 * p
    r = np.asarray(p, copy=True)
    r[2] = 1.0
    return np.sum(q * r * p)


def arithmetic_result(p):
    q = p * 2.0
    q[0] = 3.0
    return np.sum(q * p)


def ufunc_result(p):
    q = np.sin(p)
    q[2] += p[1] ** 2
    q *= p
    return np.sum(q) + np.sum(p * p)


def doubled_tanh(a):
    return np.tanh(a) * 2.0


def helper_result(p):
    q = doubled_tanh(p)
    q[0] = 1.0
    return np.sum(q * p)


def fresh_and_same(a):
    return a * a, a


def helper_tuple_items(p):
    square, same = fresh_and_same(p)
    square[1] = 0.0             # a new array: p and same are unchanged
    return np.sum(square * same) + np.sum(p)


def doubled_and_a_half(a):
    return a * 2.0, 0.5


def helper_tuple_with_a_number(p):
    q, c = doubled_and_a_half(p)
    q[0] = c
    return np.sum(q * p)


def appended_products(p):
    outs = []
    for k in range(3):
        outs.append(p * (k + 1.0))
        p += 0.5 * np.sin(p)    # the products in the list are new arrays
    return np.sum(np.array(outs) ** 2) + np.sum(p)


def list_items_apart(p):
    a = p * 2.0
    b = p * 3.0
    pair = [a, b]
    a[0] = 1.0                  # changes pair's first item, not b
    return np.sum(b * p) + np.sum(a)


def view_bound_again(p):
    q = p[1:]
    q = q * 2.0                 # a new array: no longer a view of p
    q[0] = 3.0
    return np.sum(q * p[1:]) + np.sum(p)


def second_order_copy(p):
    q = np.copy(p)
    q *= np.sin(p)
    q += p
    return np.sum(q * q)


# ---- memory that is shared: written back, or refused -------------------------------------------
def item_of_a_list_of_the_argument(p):
    rows = [p, p * 2.0]
    w = rows[0]                 # p itself: its change is p's (the derivative copies it first)
    w[0] = 1.0
    return np.sum(w * 3.0)


def slice_written_back(p):
    q = p[1:]
    q[0] = 3.0
    return np.sum(p * p)


def asarray_alias(p):
    q = np.asarray(p)
    q[0] = 3.0
    return np.sum(p * p)


def array_without_copy(p):
    q = np.array(p, copy=False)
    q[0] = 3.0
    return np.sum(p * p)


def transposed(a):
    return a.T


def helper_returns_a_view(m):
    q = transposed(m)
    q[0] = 3.0
    return np.sum(m * m)


def same_and_one(a):
    return a, 1.0


def helper_returns_its_argument_in_a_tuple(p):
    q, c = same_and_one(p)
    q[0] = c
    return np.sum(q * p)


def first_weights(params):
    return params["W"]


def helper_returns_an_item(params, x):
    w = first_weights(params)
    w[0, 0] = 0.0
    return np.sum(params["W"] * x)


def appended_then_changed(p):
    outs = []
    h = p * 1.0
    outs.append(h)
    h[0] = 0.0
    return np.sum(np.array(outs))


def item_of_a_list_changed(p):
    outs = [p * 1.0, p * 2.0]
    last = outs[-1]
    last *= 2.0
    return np.sum(np.array(outs))


def concatenated_lists(p):
    a = [p * 1.0]
    c = a + [p]
    y = a[0]
    y[0] = 5.0
    return np.sum(c[0] * p)


def repeated_list(p):
    a = [p * 1.0]
    c = a * 2
    y = a[0]
    y[0] = 5.0
    return np.sum(c[1] * p)


def elementwise_alias(p, s):
    y = scipy.special.polygamma(1, p)
    if s > 0.0:
        y = 2.0
    z = y
    y += 1.0
    return np.sum(z * p)


def twice(a):
    return a * 2.0


def helper_alias(p, s):
    y = twice(p)
    if s > 0.0:
        y = 2.0
    z = y
    y += 1.0
    return np.sum(z * p)


def rows_of_a_rebound_argument(m, s):
    for row in m:
        row *= s
    m = scipy.special.polygamma(1, m)
    return np.sum(m)
