"""The peers (autograd, JAX, PyTorch) on the same workload source.

``workloads.py`` is executed again with ``np`` and ``math`` bound to each peer's array module,
so every tool differentiates the very same program text. A peer that is not installed is
skipped; one that cannot run a workload (JAX's jit on a Python branch on a traced value) is
reported with its reason instead of a time.
"""
import builtins
import pathlib
import types

import numpy as np

WORKLOADS = pathlib.Path(__file__).with_name("workloads.py")


def load_workloads(np_module, math_module):
    """The workload functions with ``np``/``math`` bound to a peer's versions."""
    source = WORKLOADS.read_text()
    source = source.replace("import math\n", "").replace("import numpy as np\n", "")
    namespace = {"np": np_module, "math": math_module, "__builtins__": builtins}
    exec(compile(source, str(WORKLOADS), "exec"), namespace)
    return namespace


def math_from(xp):
    """A ``math`` look-alike whose functions accept the peer's tracers or tensors."""
    return types.SimpleNamespace(sin=xp.sin, cos=xp.cos, exp=xp.exp, log=xp.log,
                                 sqrt=xp.sqrt, tanh=xp.tanh, pi=np.pi)


class Peer:
    """One tool: ``prepare(name, fn_args, wrt)`` -> a no-argument callable that returns the
    gradient as NumPy values (the conversion is outside the timed call)."""
    name = "peer"

    def available(self):
        try:
            self.setup()
            return True
        except ImportError:
            return False


class Autograd(Peer):
    name = "autograd"

    def setup(self):
        import autograd
        import autograd.numpy as anp
        self.autograd = autograd
        self.functions = load_workloads(anp, math_from(anp))

    def prepare(self, workload, args, wrt):
        grad = self.autograd.grad(self.functions[workload], argnum=tuple(wrt))
        return (lambda: grad(*args)), (lambda g: [np.asarray(x) for x in g])


class Jax(Peer):
    def __init__(self, jit):
        self.jit = jit
        self.name = "jax jit" if jit else "jax eager"

    def setup(self):
        import jax
        import jax.numpy as jnp
        jax.config.update("jax_enable_x64", True)
        jax.config.update("jax_platforms", "cpu")
        self.jax = jax
        self.functions = load_workloads(jnp, math_from(jnp))

    # tracing unrolls Python loops: rk4's 500 steps x 4 helper calls took XLA minutes and
    # over 8 GB to compile here, so jit is not attempted on it
    TOO_LONG_TO_COMPILE = {"rk4": "jit unrolls 500 RK4 steps; XLA compile > minutes and 8 GB"}

    def prepare(self, workload, args, wrt):
        jax = self.jax
        if self.jit and workload in self.TOO_LONG_TO_COMPILE:
            raise RuntimeError(self.TOO_LONG_TO_COMPILE[workload])
        static = tuple(i for i, a in enumerate(args) if isinstance(a, int))
        grad = jax.grad(self.functions[workload], argnums=tuple(wrt))
        if self.jit:
            grad = jax.jit(grad, static_argnums=static)
        args = tuple(a if i in static else jax.numpy.asarray(a) for i, a in enumerate(args))

        def call():
            return jax.block_until_ready(grad(*args))
        return call, (lambda g: [np.asarray(x) for x in g])


class TorchNumpy:
    """The NumPy functions the workloads use, on tensors (axis= -> dim=)."""

    def __init__(self, torch):
        self.torch = torch
        for name in ("sin", "cos", "exp", "log", "sqrt", "tanh"):
            setattr(self, name, getattr(torch, name))

    def sum(self, x, axis=None, keepdims=False):
        return self.torch.sum(x) if axis is None else self.torch.sum(x, dim=axis, keepdim=keepdims)

    def max(self, x, axis=None, keepdims=False):
        return self.torch.max(x) if axis is None else self.torch.amax(x, dim=axis, keepdim=keepdims)

    def mean(self, x, axis=None, keepdims=False):
        return self.torch.mean(x) if axis is None else self.torch.mean(x, dim=axis, keepdim=keepdims)


class TorchMath:
    """``math`` on tensors; a plain float (``y = 0.0`` before a loop) goes to ``math``."""

    def __init__(self, torch):
        import math

        def on_tensors(name):
            tensor_fn, float_fn = getattr(torch, name), getattr(math, name)
            return lambda x: tensor_fn(x) if isinstance(x, torch.Tensor) else float_fn(x)
        for name in ("sin", "cos", "exp", "log", "sqrt", "tanh"):
            setattr(self, name, on_tensors(name))


class Torch(Peer):
    name = "torch eager"

    def setup(self):
        import torch
        torch.set_num_threads(1)
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:            # already set (a second setup in one process)
            pass
        self.torch = torch
        self.functions = load_workloads(TorchNumpy(torch), TorchMath(torch))

    def prepare(self, workload, args, wrt):
        torch = self.torch
        fn = self.functions[workload]

        def tensor(i, a):
            if isinstance(a, int):
                return a
            t = torch.tensor(a, dtype=torch.float64)
            return t.requires_grad_() if i in wrt else t
        targs = [tensor(i, a) for i, a in enumerate(args)]
        leaves = [targs[i] for i in wrt]

        def call():
            return torch.autograd.grad(fn(*targs), leaves)
        return call, (lambda g: [x.detach().numpy() for x in g])


def all_peers():
    return [Autograd(), Jax(jit=False), Jax(jit=True), Torch()]
