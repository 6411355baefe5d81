"""Single-head self-attention + layer norm + GELU, transformer-tutorial style (methods on arrays,
einsum, a softmax written by hand, x.max(-1, keepdims=True))."""
import numpy as jnp
import numpy as np


def softmax(x, axis=-1):
    e = jnp.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def layer_norm(x, gamma, beta, eps=1e-5):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return gamma * (x - mean) / jnp.sqrt(var + eps) + beta


def gelu(x):
    return 0.5 * x * (1 + jnp.tanh(jnp.sqrt(2 / jnp.pi) * (x + 0.044715 * x**3)))


def attention(params, x):
    q = jnp.einsum("td,dk->tk", x, params["wq"])
    k = jnp.einsum("td,dk->tk", x, params["wk"])
    v = x @ params["wv"]
    scores = q @ k.T / jnp.sqrt(q.shape[-1])
    mask = jnp.tril(jnp.ones((x.shape[0], x.shape[0])))
    scores = jnp.where(mask == 1, scores, -1e9)
    return softmax(scores) @ v


def block(params, x):
    x = x + attention(params["attn"], layer_norm(x, **params["ln1"]))
    h = gelu(layer_norm(x, **params["ln2"]) @ params["mlp"]["w1"])
    return x + h @ params["mlp"]["w2"]


def loss(params, x, y):
    return jnp.mean((block(params, x) - y) ** 2)


def _args():
    rng = np.random.RandomState(0)
    d = 4
    params = {
        "attn": {"wq": rng.randn(d, d) * 0.3, "wk": rng.randn(d, d) * 0.3, "wv": rng.randn(d, d) * 0.3},
        "ln1": {"gamma": np.ones(d), "beta": np.zeros(d)},
        "ln2": {"gamma": np.ones(d), "beta": np.zeros(d)},
        "mlp": {"w1": rng.randn(d, 8) * 0.3, "w2": rng.randn(8, d) * 0.3},
    }
    return params, rng.randn(5, d), rng.randn(5, d)


CASES = [(loss, _args, 0)]


# The user's change after the refusal (not the tutorial's code): the dict's entries passed by name
def block2(params, x):
    ln1, ln2 = params["ln1"], params["ln2"]
    x = x + attention(params["attn"], layer_norm(x, gamma=ln1["gamma"], beta=ln1["beta"]))
    h = gelu(layer_norm(x, gamma=ln2["gamma"], beta=ln2["beta"]) @ params["mlp"]["w1"])
    return x + h @ params["mlp"]["w2"]


def loss2(params, x, y):
    return jnp.mean((block2(params, x) - y) ** 2)


CASES.append((loss2, _args, 0))
