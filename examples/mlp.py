"""A two-layer network (sigmoid hidden layer, softmax cross-entropy) trained by gradient
descent on a synthetic three-class problem, with gradients from srcad."""
import numpy as np

import srcad


def loss(W1, b1, W2, b2, X, Y):
    h = 1.0 / (1.0 + np.exp(-(X @ W1 + b1)))
    logits = h @ W2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(Y * logp, axis=1))


def make_data(rng, n=300):
    centers = np.array([[0.0, 2.0], [-1.8, -1.0], [1.8, -1.0]])
    labels = rng.integers(0, 3, size=n)
    X = centers[labels] + 0.8 * rng.normal(size=(n, 2))
    return X, np.eye(3)[labels]


def accuracy(params, X, Y):
    W1, b1, W2, b2 = params
    h = 1.0 / (1.0 + np.exp(-(X @ W1 + b1)))
    return np.mean(np.argmax(h @ W2 + b2, axis=1) == np.argmax(Y, axis=1))


def check_against_finite_differences(step, params, X, Y):
    _, grads = step(*params, X, Y)
    h = 1e-6
    for p, g in zip(params, grads):
        for index in [(0,) * p.ndim, tuple(s - 1 for s in p.shape)]:
            old = p[index]
            p[index] = old + h
            up = loss(*params, X, Y)
            p[index] = old - h
            down = loss(*params, X, Y)
            p[index] = old
            fd = (up - down) / (2 * h)
            assert abs(fd - g[index]) <= 1e-6 + 1e-5 * abs(fd), (index, fd, g[index])
    print("gradients match finite differences")


def main():
    rng = np.random.default_rng(0)
    X, Y = make_data(rng)
    params = [0.5 * rng.normal(size=(2, 16)), np.zeros(16), 0.5 * rng.normal(size=(16, 3)),
              np.zeros(3)]
    step = srcad.value_and_grad(loss, wrt=(0, 1, 2, 3))
    check_against_finite_differences(step, params, X, Y)
    first = None
    for it in range(201):
        value, grads = step(*params, X, Y)
        first = value if first is None else first
        params = [p - 0.5 * g for p, g in zip(params, grads)]
        if it % 20 == 0:
            print(f"step {it:3d}  loss {value:.4f}")
    acc = accuracy(params, X, Y)
    print(f"training accuracy {acc:.3f}")
    assert value < 0.7 * first, (first, value)
    assert acc > 0.8
    print("OK")


if __name__ == "__main__":
    main()
