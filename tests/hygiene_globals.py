"""Module globals and functions named like what generated code uses (np, math, stack, helpers)."""
import numpy

np = 2.0                       # a module global called np that is not numpy
stack = [1.0, 2.0]             # a module global called stack
math = 0.5                     # ...and one called math


def unbroadcast(a, b):         # a user function with a runtime helper's name
    return a * b


def shadows_np_arrays(x, np):
    return numpy.sum(numpy.sin(x) * np)


def uses_global_np(x):
    return numpy.sum(x * np) + stack[0] * numpy.sum(x * x) + math


def calls_user_unbroadcast(x, v):
    return numpy.sum(unbroadcast(x, v) * v)


def helper(x):
    return x * x


def dhelper_dx(x, dout=1.0):    # a user function named like srcad's adjoint of helper
    return 123.0


def calls_helper(x):
    return helper(x) + dhelper_dx(x) * 0.0 + helper(x * 2.0)


def dcalls_helper_dx(x):        # the name srcad would give the derivative of calls_helper
    return -1.0


def srcad_names_everywhere(x, dout, stack):
    unreduce = x * dout
    for i in range(3):
        unreduce = unreduce * x + stack
    return unreduce
