"""User programs that store into elements, as an autograd or JAX user writes them, for second
derivatives (tests/test_second_order_stores.py). Each first derivative stores into elements of
its own arrays; differentiated again, those stores read as pure updates (``stored_at``)."""
import numpy as np


def laplacian_energy(u):
    """A finite-difference Laplacian filled by a slice store."""
    lap = np.zeros_like(u)
    lap[1:-1] = u[:-2] - 2.0 * u[1:-1] + u[2:]
    return 0.5 * np.sum(lap ** 2) + np.sum(u ** 4) / 4.0


def cumulative_sum(x):
    """A cumulative sum written as a loop: y[i] = y[i-1] + x[i]."""
    y = np.zeros(x.shape[0])
    y[0] = x[0]
    for i in range(1, x.shape[0]):
        y[i] = y[i - 1] + x[i]
    return np.sum(np.sin(y) * y)


def squares_in_a_loop(x):
    y = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        y[i] = x[i] ** 2
    return np.sum(y * x)


def rk4_step(state, dt):
    """One Runge-Kutta step of a pendulum, its stages stored into a state array."""
    def rhs(s):
        out = np.zeros(2)
        out[0] = s[1]
        out[1] = -np.sin(s[0])
        return out
    k1 = rhs(state)
    k2 = rhs(state + 0.5 * dt * k1)
    k3 = rhs(state + 0.5 * dt * k2)
    k4 = rhs(state + dt * k3)
    new = state.copy()
    new[:] = state + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return new[0] ** 2 + new[1] * new[0]


def newton_sqrt(x):
    """Newton iterations for sqrt(x_i), updating an estimate element by element."""
    z = x * 1.0
    for _ in range(4):
        for i in range(z.shape[0]):
            step = (z[i] * z[i] - x[i]) / (2.0 * z[i])
            z[i] -= step
    return np.sum(z * x)


def column_store(x):
    m = np.outer(x, x)
    m[:, 1] = np.tanh(x)
    return np.sum(m ** 2)


def masked_store(x):
    y = x * x
    y[y > 0.5] = np.sqrt(y[y > 0.5])
    return np.sum(y * x)


def repeated_index_store(x):
    """NumPy keeps the last of repeated integer indices."""
    y = np.zeros(3)
    y[np.array([0, 2, 0])] = x[:3] ** 2
    return np.sum(y * np.cos(x[:3]))


def added_into_elements(x):
    y = x * 2.0
    y[1:] += x[:-1] ** 2
    y[0] *= x[-1]
    return np.sum(y ** 2)


def list_element_store(x):
    parts = [x, x * 2.0, x ** 2]
    parts[1] = np.sin(parts[0]) * parts[2]
    return np.sum(parts[0] * parts[1] * parts[2])


def view_scaled(x):
    """A change through a view, written back into the array it views."""
    y = x * 1.0
    v = y[:2]
    v *= 3.0
    return np.sum(y ** 3)


def appended_in_a_loop(x):
    ys = []
    for i in range(3):
        ys.append(x * i)
    return np.sum(np.stack(ys) ** 2)


def appended_in_a_while_loop(x):
    ys = []
    k = 0
    while k < 3:
        ys.append(np.sin(x) * k)
        k += 1
    return np.sum(np.stack(ys) ** 2)


def appended_in_nested_loops(x):
    ys = []
    for i in range(2):
        for j in range(3):
            ys.append(x[j] * x[i] + i)
    return np.sum(np.array(ys) ** 3)


PROGRAMS = [laplacian_energy, cumulative_sum, squares_in_a_loop, newton_sqrt, column_store,
            masked_store, repeated_index_store, added_into_elements, list_element_store,
            view_scaled, appended_in_a_loop, appended_in_a_while_loop, appended_in_nested_loops]


# ---- found by the fuzzer ----------------------------------------------------------------------
def store_reads_its_array(v, m):
    """A store into an argument whose value reads the whole argument (fuzz 70:105: the saved
    elements' tangent was lost, a wrong Hessian)."""
    g = np.arcsinh(v - m)
    v[1:] = np.sin(np.tensordot(np.sin(g), v, axes=([1], [0])))
    return np.sum(v)


def store_in_a_branch(y, v, m):
    """A store on one path only, and a value read after it by the reverse sweep (fuzz 70:385:
    refused as a read of a stale alias)."""
    if y < 0.15:
        w = 1.0 + v * v
        d = np.average(m, axis=1, weights=w)
    else:
        d = m.dot(v)
    s = np.tanh(m.sum(axis=1, keepdims=True))
    if y > 0.0:
        m[:, 1:2] = s.copy()
    return np.sum(d * d) + np.sum(m ** 2)
