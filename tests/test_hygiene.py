"""Name hygiene: user code with names like srcad's own (dx, dout, stack, cond, _t0, Stack, np
shadowed, a parameter called srcad, a function named like a derivative) differentiates right:
grad, jvp and the Hessian against finite differences."""
import numpy as np
import pytest

import hygiene_globals as hg
import hygiene_programs as hp
import srcad
from oracle import assert_close, check_grad, check_jvp, numeric_grad

V = np.array([0.1, 0.2, 0.3])
CASES = {
    "adjoint names": (hp.uses_adjoint_names, (0.7, 1.3), (0, 1)),
    "stack": (hp.uses_stack, (0.7, 4), 0),
    "cond and temporaries": (hp.uses_cond_and_temps, (0.7, 1.3), (0, 1)),
    "np parameter": (hp.shadows_np, (0.7, 1.3), (0, 1)),
    "srcad parameter": (hp.param_called_srcad, (0.7, 1.3), (0, 1)),
    "runtime helper names": (hp.uses_runtime_names, (0.7, V), (0, 1)),
    "loop counter names": (hp.loop_names, (1.7, 5), 0),
    "math_ variable": (hp.uses_math_as_var, (0.7,), 0),
    "d-prefixed parameters": (hp.d_prefixed, (0.7, 1.3, 0.4), (0, 1, 2)),
    "np parameter, arrays": (hg.shadows_np_arrays, (V, 1.3), (0, 1)),
    "np, math, stack globals": (hg.uses_global_np, (V,), 0),
    "user function named unbroadcast": (hg.calls_user_unbroadcast, (V, V * 2), (0, 1)),
    "user function named like an adjoint": (hg.calls_helper, (0.7,), 0),
    "dout and stack parameters": (hg.srcad_names_everywhere, (0.7, 1.1, 0.3), (0, 1, 2)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_grad_and_jvp(case):
    fn, args, wrt = CASES[case]
    check_grad(fn, args, wrt)
    check_jvp(fn, args, wrt)


@pytest.mark.parametrize("case", [c for c in CASES if not any(
    isinstance(a, np.ndarray) for a in CASES[c][1])])
def test_hessian(case):
    fn, args, wrt = CASES[case]
    first = wrt if isinstance(wrt, int) else wrt[0]
    hess = srcad.hessian(fn, wrt=first)(*args)
    want = numeric_grad(lambda *a: srcad.grad(fn, wrt=first)(*a), list(args), first)
    assert_close(hess, want, rtol=1e-5, atol=1e-6)
