"""Python statements people write in numerical code: for/while ... else, del, x.item(), and
derivatives called inside a differentiated function (tests/test_python_constructs.py)."""
import numpy as np

import srcad


def search_with_else(x, xs):
    for v in xs:
        if v > 5.0:
            x = x * v
            break
        x = x + v * x
    else:
        x = x ** 2
    return x


def while_with_else(x):
    while x < 10.0:
        x = x * 1.5
    else:
        x = x + np.sin(x)
    return x


def nested_loops_with_else(x, n):
    for i in range(n):
        for j in range(n):
            if j > i:
                break
            x = x * 1.1
        else:
            x = x + 0.5
    return x


def deletes_a_temporary(x):
    t = x * 2.0
    y = np.sin(t)
    del t
    return y * x


def item_of_an_array(x):
    peak = np.max(x * x).item()
    return peak * np.sum(x)


def energy(q):
    return np.sum(q ** 4) / 4.0


def force_norm(q):
    return np.sum(srcad.grad(energy)(q) ** 2)


d_energy = srcad.grad(energy)


def through_a_global_derivative(q):
    return np.sum(np.sin(d_energy(q)))


def cube(x):
    return x ** 3


def times_its_slope(x):
    return srcad.grad(cube)(x) * x


def neighbour_products(xs):
    for i in range(len(xs) - 1):
        yield xs[i] * xs[i + 1]


def chain_energy(xs):
    total = 0.0
    for v in neighbour_products(xs):
        total = total + np.sin(v)
    return total


def geometric(x, n, ratio=2.0):
    k = 0
    while k < n:
        yield x * ratio ** k
        k += 1


def nested_generators(x):
    t = 0.0
    for v in geometric(x, 3):
        for w in geometric(v, 2, ratio=0.5):
            t = t + w * w
    return t


def generator_consumed_by_sum(x):
    return sum(geometric(x, 3)) + max(geometric(x * x, 2))


def loop_changes_the_argument(x):
    for v in geometric(x, 3):
        x = x + v        # the generator read x once, when it was called
    return x


def generator_with_an_early_return(x):
    for v in stops_early(x):
        x = x * v
    return x


def stops_early(x):
    for k in range(3):
        if k == 2:
            return
        yield x + k


def running_total(x):
    tot = 0.0

    def add(v):
        nonlocal tot
        tot = tot + v
    add(x)
    add(x * x)
    return tot


def running_mean(x, xs):
    count = 0.0
    total = 0.0

    def observe(v):
        nonlocal count, total
        count = count + 1.0
        total = total + np.sin(v * x)
        return total / count
    m = 0.0
    for v in xs:
        m = observe(v)
    return m * total


def updater_called_by_another(x):
    tot = 0.0

    def add(v):
        nonlocal tot
        tot = tot + v

    def add_twice(v):
        add(v)
        add(v)
    add_twice(x)
    return tot


def make_net(sizes, scale):
    """A generator nested in a factory, reading the factory's variables (autograd's
    bayesian_neural_net unpacks its layers so)."""
    shapes = list(zip(sizes[:-1], sizes[1:]))

    def unpack(weights):
        for m, n in shapes:
            yield weights[:m * n].reshape((m, n)) * scale
            weights = weights[m * n:]

    def predict(weights, x):
        for W in unpack(weights):
            x = np.tanh(x @ W)
        return np.sum(x ** 2)
    return predict


predict_with_a_closure_generator = make_net([3, 4, 2], 0.5)
