"""User code whose names look like srcad's own: adjoints, stacks, temporaries, runtime helpers."""
import math
import numpy as np


def uses_adjoint_names(x, dx):
    dy = x * dx
    dout = dy * x
    ds = math.sin(dout)
    return ds + dx * dy


def uses_stack(x, n):
    stack = [x]
    s = 0.0
    for i in range(n):
        stack.append(s)
        s = s + math.sin(x * i)
    return s * len(stack)


def uses_cond_and_temps(x, y):
    cond = x > 0.0
    _t0 = x * y
    x_times_y = _t0 + 1.0
    tmp = x_times_y * x_times_y
    if cond:
        tmp = tmp * y
    return tmp


def shadows_np(x, np):
    return x * np


def param_called_srcad(srcad, x):
    return srcad * x * x


def uses_runtime_names(x, v):
    unbroadcast = np.sum(v) * x
    unreduce = unbroadcast * unbroadcast
    zeros_like = unreduce + x
    Stack = zeros_like * 2.0
    return Stack


def loop_names(x, n):
    i = 0.0
    trips = x
    for _ in range(n):
        trips = trips * x
        i = i + trips
    while i > 100.0:
        i = i / 2.0
    return i


def uses_math_as_var(x):
    math_ = x
    y = math.sin(math_)
    return y


def d_prefixed(x, dx_, ddx):
    dd = x * ddx
    ddd = dd * dx_
    return ddd * x
