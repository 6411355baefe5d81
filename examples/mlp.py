"""Train a small two-layer network with gradients from srcad.

Synthetic data: 200 points in the plane, drawn around three centres (three classes).
The network has a sigmoid hidden layer of 16 units and a softmax output; the loss is the
mean cross entropy. ``srcad.value_and_grad`` gives the loss and the gradients of all four
parameters in one call; the gradient is checked against finite differences before training
with plain gradient descent.
"""
import numpy as np

import srcad


def loss(W1, b1, W2, b2, X, Y):
    h = 1.0 / (1.0 + np.exp(-(X @ W1 + b1)))
    logits = h @ W2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(Y * logp, axis=1))


def make_data(rng, n=200):
    centres = np.array([[0.0, 2.0], [-1.8, -1.0], [1.8, -1.0]])
    labels = rng.integers(0, 3, size=n)
    X = centres[labels] + 0.8 * rng.normal(size=(n, 2))
    Y = np.eye(3)[labels]          # one-hot, float64
    return X, Y


def predict(W1, b1, W2, b2, X):
    h = 1.0 / (1.0 + np.exp(-(X @ W1 + b1)))
    return np.argmax(h @ W2 + b2, axis=1)


def check_gradient(step, params, X, Y, which=0, h=1e-6):
    """Compare the gradient of params[which] with central differences on a few entries."""
    _, grads = step(*params, X, Y)
    p, g = params[which], grads[which]
    assert g.shape == p.shape and g.dtype == p.dtype, (g.shape, g.dtype)
    worst = 0.0
    for index in [(0, 0), (1, 5), (0, 15), (1, 10)]:
        old = p[index]
        p[index] = old + h
        up = loss(*params, X, Y)
        p[index] = old - h
        down = loss(*params, X, Y)
        p[index] = old
        fd = (up - down) / (2 * h)
        rel = abs(g[index] - fd) / max(abs(fd), 1e-4)
        print(f"  dW1{list(index)}: srcad {g[index]: .8f}   finite differences {fd: .8f}")
        assert rel < 1e-5, (index, g[index], fd, rel)
        worst = max(worst, rel)
    print(f"gradient check passed (worst relative error {worst:.1e})")


def main():
    rng = np.random.default_rng(0)
    X, Y = make_data(rng)
    params = [0.5 * rng.normal(size=(2, 16)), np.zeros(16),
              0.5 * rng.normal(size=(16, 3)), np.zeros(3)]

    step = srcad.value_and_grad(loss, wrt=(0, 1, 2, 3))
    check_gradient(step, params, X, Y)

    lr = 0.5
    first = value = None
    for it in range(201):
        value, grads = step(*params, X, Y)
        if first is None:
            first = value
        if it % 20 == 0:
            print(f"step {it:3d}   loss {value:.4f}")
        params = [p - lr * g for p, g in zip(params, grads)]

    accuracy = np.mean(predict(*params, X) == np.argmax(Y, axis=1))
    print(f"loss {first:.4f} -> {value:.4f}, training accuracy {accuracy:.3f}")
    assert value < 0.7 * first, (first, value)
    assert accuracy > 0.8, accuracy
    print("OK")


if __name__ == "__main__":
    main()
