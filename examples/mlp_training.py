"""Train the two-layer network of examples/mlp.py with srcad gradients and plot how it learns.

The model, loss and data are those of ``mlp.py`` (three classes in the plane, a sigmoid hidden
layer of 16 units, softmax cross entropy). ``srcad.value_and_grad`` gives the loss and the
gradients of the four parameters in one call; training is gradient descent with momentum on
the training set, and the loss and accuracy on a held-out test set are recorded as it goes.

    python examples/mlp_training.py [figure.png]

prints the curve every 50 steps and saves a figure of the training and test loss, and of the
decision regions the network learnt (default ``mlp_training.png`` in the current directory).
The figure needs matplotlib (``pip install -e ".[examples]"``); without it the training runs
and prints as before.
"""
import os
import pathlib
import sys

import numpy as np

import srcad

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from mlp import loss, make_data, predict      # noqa: E402 - the sibling example, by path

try:
    import matplotlib
    matplotlib.use("Agg")               # files only: no window, works on servers and in CI
    import matplotlib.pyplot as plt
except ImportError:
    plt = None

STEPS = 300
LEARNING_RATE = 0.3
MOMENTUM = 0.9


def train(params, X, Y, X_test, Y_test):
    """Gradient descent with momentum; returns the trained parameters and the curves."""
    loss_and_grads = srcad.value_and_grad(loss, wrt=(0, 1, 2, 3))
    velocity = [np.zeros_like(p) for p in params]
    curves = {"train loss": [], "test loss": [], "test accuracy": []}
    for step in range(STEPS + 1):
        value, grads = loss_and_grads(*params, X, Y)
        curves["train loss"].append(value)
        curves["test loss"].append(loss(*params, X_test, Y_test))
        curves["test accuracy"].append(accuracy(params, X_test, Y_test))
        if step % 50 == 0:
            print(f"step {step:3d}   train loss {value:.4f}   test loss "
                  f"{curves['test loss'][-1]:.4f}   test accuracy {curves['test accuracy'][-1]:.3f}")
        velocity = [MOMENTUM * v - LEARNING_RATE * g for v, g in zip(velocity, grads)]
        params = [p + v for p, v in zip(params, velocity)]
    return params, curves


def accuracy(params, X, Y):
    return float(np.mean(predict(*params, X) == np.argmax(Y, axis=1)))


def save_figure(path, params, curves, X, Y):
    if plt is None:
        print('figure skipped: it needs matplotlib (pip install -e ".[examples]")')
        return
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    steps = np.arange(len(curves["train loss"]))
    left.plot(steps, curves["train loss"], label="training loss")
    left.plot(steps, curves["test loss"], label="test loss", linestyle="--")
    left.set_xlabel("step")
    left.set_ylabel("cross entropy")
    left.set_yscale("log")
    left.set_title("learning curve")
    left.legend(frameon=False)

    colours = np.array(["tab:blue", "tab:orange", "tab:green"])      # one per class
    grid = np.linspace(-5.0, 5.0, 121)
    gx, gy = np.meshgrid(grid, grid)
    regions = predict(*params, np.column_stack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
    right.contourf(gx, gy, regions, levels=[-0.5, 0.5, 1.5, 2.5], colors=colours, alpha=0.25)
    right.scatter(X[:, 0], X[:, 1], c=colours[np.argmax(Y, axis=1)], s=8)
    right.set_title("decision regions (test points)")
    right.set_xticks([])
    right.set_yticks([])
    fig.tight_layout()
    fig.savefig(path, dpi=72)
    plt.close(fig)
    print(f"figure saved to {os.path.abspath(path)}")


def main(figure_path="mlp_training.png"):
    rng = np.random.default_rng(0)
    X, Y = make_data(rng)
    X_test, Y_test = make_data(np.random.default_rng(1), n=400)
    params = [0.5 * rng.normal(size=(2, 16)), np.zeros(16),
              0.5 * rng.normal(size=(16, 3)), np.zeros(3)]
    srcad.check_grad(loss, wrt=(0, 1, 2, 3), modes="reverse")(*params, X, Y)
    print("gradients checked against finite differences")

    params, curves = train(params, X, Y, X_test, Y_test)
    first, last = curves["train loss"][0], curves["train loss"][-1]
    print(f"training loss {first:.4f} -> {last:.4f}, "
          f"test accuracy {curves['test accuracy'][-1]:.3f}")
    save_figure(figure_path, params, curves, X_test, Y_test)
    assert last < 0.5 * first, (first, last)
    assert curves["test accuracy"][-1] > 0.8, curves["test accuracy"][-1]
    print("OK")


if __name__ == "__main__":
    main(*sys.argv[1:2])
