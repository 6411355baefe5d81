"""Arguments of each workload: sizes from the issue, fixed seeds, and which are ``wrt``."""
import numpy as np

import hand
import workloads


class Case:
    def __init__(self, name, args, wrt, array):
        self.name, self.args, self.wrt, self.array = name, args, wrt, array
        self.fn = getattr(workloads, name)
        self.hand = getattr(hand, name)


def cases():
    rng = np.random.default_rng(0)
    mlp_args = (rng.normal(size=(784, 256)) * 0.05, np.zeros(256),
                rng.normal(size=(256, 10)) * 0.1, np.zeros(10),
                rng.normal(size=(128, 784)), np.eye(10)[rng.integers(0, 10, 128)])
    rnn_args = (rng.normal(size=(32, 128)) * 0.1, rng.normal(size=(128, 128)) * 0.05,
                np.zeros(128), rng.normal(size=(128, 8)) * 0.1,
                rng.normal(size=(50, 32, 32)), rng.normal(size=(32, 8)))
    return [
        Case("scalar_loop", (0.3, 0.9, 1000), (0, 1), array=False),
        Case("rk4", (1.1, 0.4, 0.1, 0.4, 10.0, 10.0, 0.01, 500), (0, 1, 2, 3), array=False),
        Case("fixed_point", (0.5, 0.3, 1e-12), (0, 1), array=False),
        Case("newton", (2.0, [1.0 + 0.01 * k for k in range(200)]), (0,), array=False),
        Case("mlp", mlp_args, (0, 1, 2, 3), array=True),
        Case("rnn", rnn_args, (0, 1, 2, 3), array=True),
        Case("vectorized", (rng.normal(size=10**6), 0.5), (0, 1), array=True),
        Case("rosenbrock", (1.0 + 0.1 * np.random.default_rng(2).normal(size=10**6),),
             (0,), array=True),
    ]
