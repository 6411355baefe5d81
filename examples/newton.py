"""Newton's method two ways, with derivatives from srcad:

1. a nonlinear system F(v) = 0 in three unknowns, each step solving J(v) dv = -F(v) with
   J = srcad.jacobian(F) (reverse and forward sweeps agree);
2. minimising the extended Rosenbrock function (a loop over coordinates), each step solving
   H(v) dv = -grad f(v) with H = srcad.hessian(f) (forward mode over the reverse-mode gradient),
   shifted to stay positive definite, with a backtracking line search.

The iterates are printed; the script checks the Jacobian and the Hessian against finite
differences, and that both methods converge.
"""
import math

import numpy as np

import srcad


E = np.eye(3)                       # one row per equation
WEIGHTS = np.array([1.0, 2.0, -3.0])


def residual(v):
    sphere = np.sum(v * v) - 3.0
    plane = v @ WEIGHTS
    curve = math.sin(v[0] - v[1]) + v[2] ** 3 - 1.0
    return sphere * E[0] + plane * E[1] + curve * E[2]


def rosenbrock(v):
    total = 0.0
    for i in range(len(v) - 1):
        total = total + 100.0 * (v[i + 1] - v[i] ** 2) ** 2 + (1.0 - v[i]) ** 2
    return total


def finite_jacobian(fn, v, h=1e-6):
    columns = []
    for k in range(len(v)):
        e = np.zeros(len(v))
        e[k] = h
        columns.append((np.asarray(fn(v + e)) - np.asarray(fn(v - e))) / (2 * h))
    return np.stack(columns, axis=-1)


def solve_system():
    jacobian = srcad.jacobian(residual)
    v = np.array([1.5, 0.6, 1.3])
    print("Newton on F(v) = 0")
    for k in range(20):
        F = residual(v)
        print(f"  {k:2d}  v = {np.array2string(v, precision=10)}  |F| = {np.linalg.norm(F):.3e}")
        if np.linalg.norm(F) < 1e-13:
            break
        J = jacobian(v)
        assert np.allclose(J, srcad.jacobian(residual, mode="forward")(v), rtol=1e-10, atol=1e-12)
        assert np.allclose(J, finite_jacobian(residual, v), rtol=1e-6, atol=1e-8)
        v = v - np.linalg.solve(J, F)
    assert np.allclose(v, 1.0, atol=1e-12), v
    return v


def minimise():
    gradient, hessian = srcad.grad(rosenbrock), srcad.hessian(rosenbrock)
    v = np.array([-1.2, 1.0, 1.0])
    print("Newton steps on the extended Rosenbrock function")
    for k in range(50):
        g = gradient(v)
        print(f"  {k:2d}  v = {np.array2string(v, precision=8)}  f = {rosenbrock(v):.3e}  "
              f"|grad| = {np.linalg.norm(g):.3e}")
        if np.linalg.norm(g) < 1e-10:
            break
        H = hessian(v)
        assert np.allclose(H, H.T, rtol=1e-12, atol=1e-12)
        assert np.allclose(H, finite_jacobian(gradient, v), rtol=1e-5, atol=1e-5)
        shift = 0.0
        while True:                    # H + shift I positive definite: a descent direction
            try:
                factor = np.linalg.cholesky(H + shift * np.eye(len(v)))
                break
            except np.linalg.LinAlgError:
                shift = max(2.0 * shift, 1e-3)
        step = -np.linalg.solve(factor.T, np.linalg.solve(factor, g))
        t = 1.0
        while rosenbrock(v + t * step) > rosenbrock(v) + 1e-4 * t * (g @ step):
            t *= 0.5
        v = v + t * step
    assert np.allclose(v, 1.0, atol=1e-8), v
    return v


def main():
    solve_system()
    minimise()
    print("the Hessian-vector product srcad generates for the Rosenbrock function:")
    hvp = srcad.hvp(rosenbrock)
    v = np.array([-1.2, 1.0, 1.0])
    direction = np.array([1.0, 0.0, -1.0])
    assert np.allclose(hvp(v, direction), srcad.hessian(rosenbrock)(v) @ direction, rtol=1e-12)
    print(srcad.source(hvp))
    print("OK")


if __name__ == "__main__":
    main()
