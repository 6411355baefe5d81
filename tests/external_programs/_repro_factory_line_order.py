"""Minimal reproduction (not collected): a false refusal -- a factory passed to a helper and
defined BELOW that helper in the file is refused as "a call of the nested function step before
its definition (line 10)"; move make_step above apply and grad(f)(2.0) == 3.0."""
import srcad


def apply(factory, a, x):
    step = factory(a)
    return step(x)


def make_step(a):                      # defined below its caller in the file
    return lambda x: x * a


def f(a):
    return apply(make_step, a, 3.0)


try:
    print(srcad.grad(f)(2.0))
except Exception as e:
    print(type(e).__name__, e)
