"""A helper whose result's shape comes from a module global (tests/test_specialised_values.py
rebinds it between calls)."""
import numpy as np

W = np.ones((3, 1)) * 0.5


def project(x):
    return np.tanh(x @ W)


def loss(x, b):
    return np.sum((project(x) + b) ** 2)
