"""autograd examples/sinusoid.py, ported by changing only the imports (see CHANGED notes)."""
# DROPPED (plotting/data/optimizer): import matplotlib.pyplot as plt

import numpy as np
from srcad import grad


def fun(x):
    return np.sin(x)



sin_fun = fun

def fun(x):
    currterm = x
    ans = currterm
    for i in range(1000):
        # print(i, end=" ")  CHANGED: print silenced
        currterm = -currterm * x**2 / ((2 * i + 3) * (2 * i + 2))
        ans = ans + currterm
        if np.abs(currterm) < 0.2:
            break  # (Very generous tolerance!)

    return ans



taylor_fun = fun


CASES = [(sin_fun, lambda: (1.3,), 0), (taylor_fun, lambda: (1.3,), 0), (taylor_fun, lambda: (4.0,), 0)]
