"""srcad in a few lines: differentiate f(x) = sin(x**2 + 2x + 1), show the derivative's
source, and check its value at x = 2 against finite differences and the exact answer
f'(2) = cos(9) * (2*2 + 2) = 6 cos(9) = -5.4668...
"""
import math

import srcad


def f(x):
    return math.sin(x ** 2 + 2 * x + 1)


def main():
    df = srcad.grad(f)
    g = df(2.0)
    print(srcad.source(df))       # after the call: specialised to a float argument

    h = 1e-6
    fd = (f(2.0 + h) - f(2.0 - h)) / (2 * h)
    exact = 6 * math.cos(9.0)
    print(f"srcad gradient      {g:.10f}")
    print(f"finite differences  {fd:.10f}")
    print(f"exact 6*cos(9)      {exact:.10f}")
    assert abs(g - fd) < 1e-6, (g, fd)
    assert abs(g - exact) < 1e-9, (g, exact)
    print("OK")


if __name__ == "__main__":
    main()
