"""tanh and its first four derivatives, each made by srcad.grad of the one before, plotted.

Every derivative srcad generates is ordinary Python, so srcad differentiates it again:
``srcad.grad(srcad.grad(tanh))`` is the second derivative, and so on to the fourth. The values
are checked against the closed forms (with t = tanh(x)):

    d1 = 1 - t^2
    d2 = -2 t (1 - t^2)
    d3 = -2 (1 - t^2)(1 - 3 t^2)
    d4 = 8 t (1 - t^2)(2 - 3 t^2)

    python examples/tanh_derivatives.py [figure.png]

prints the source of the second derivative, checks all four on a grid, and saves the plot
(default ``tanh_derivatives.png`` in the current directory). The plot needs matplotlib
(``pip install -e ".[examples]"``); without it the checks still run.
"""
import os
import sys

import numpy as np

import srcad

try:
    import matplotlib
    matplotlib.use("Agg")               # files only: no window, works on servers and in CI
    import matplotlib.pyplot as plt
except ImportError:
    plt = None


def tanh(x):
    return np.tanh(x)


def closed_forms(x):
    """tanh and its derivatives 1-4, written out by hand."""
    t = np.tanh(x)
    s = 1.0 - t * t                      # sech^2
    return [t, s, -2.0 * t * s, -2.0 * s * (1.0 - 3.0 * t * t),
            8.0 * t * s * (2.0 - 3.0 * t * t)]


def derivatives(order):
    """[tanh, tanh', ..., tanh^(order)], each srcad.grad of the one before."""
    chain = [tanh]
    for _ in range(order):
        chain.append(srcad.grad(chain[-1]))
    return chain


def save_figure(path, xs, curves):
    if plt is None:
        print('figure skipped: it needs matplotlib (pip install -e ".[examples]")')
        return
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    labels = ["tanh(x)", "1st derivative", "2nd", "3rd", "4th"]
    for k, (ys, label) in enumerate(zip(curves, labels)):
        ax.plot(xs, ys, label=label, linewidth=2.2 if k == 0 else 1.4)
    ax.axhline(0.0, color="0.6", linewidth=0.6)
    ax.set_xlabel("x")
    ax.set_title("tanh and its derivatives by nested srcad.grad")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.set_xlim(xs[0], xs[-1])
    fig.tight_layout()
    fig.savefig(path, dpi=72)
    plt.close(fig)
    print(f"figure saved to {os.path.abspath(path)}")


def main(figure_path="tanh_derivatives.png"):
    chain = derivatives(4)
    chain[2](0.5)
    print(srcad.source(chain[2]))         # the second derivative, specialised to a float

    xs = np.linspace(-4.0, 4.0, 161)
    curves = [np.array([d(float(x)) for x in xs]) for d in chain]
    for order, (ys, exact) in enumerate(zip(curves, closed_forms(xs))):
        err = np.max(np.abs(ys - exact))
        print(f"order {order}: max |srcad - closed form| = {err:.1e}")
        assert err < 1e-12, (order, err)
    save_figure(figure_path, xs, curves)
    print("OK")


if __name__ == "__main__":
    main(*sys.argv[1:2])
