"""NumPy (and math) functions without a derivative rule: using one on a differentiated value is
a clear error in both modes, at the line of the call, naming the function, pointing at the
custom-rule API. (``np.linspace`` has a rule that declares its derivative missing: the same
kind of error.)"""
import numpy as np
import pytest

import srcad

from .fd import load

# (name in the message, expression of x, argument)
UNSUPPORTED = [
    ("numpy.fft.fft", "np.fft.fft(x)", np.arange(1.0, 5.0)),
    ("numpy.linalg.eig", "np.linalg.eig(x)", np.eye(3) + 0.1),
    ("numpy.linalg.svd", "np.linalg.svd(x)", np.eye(3) + 0.1),
    ("numpy.linalg.qr", "np.linalg.qr(x)", np.eye(3) + 0.1),
    ("numpy.linalg.pinv", "np.linalg.pinv(x)", np.eye(3) + 0.1),
    ("numpy.linalg.matrix_power", "np.linalg.matrix_power(x, 3)", np.eye(3) + 0.1),
    ("numpy.convolve", "np.convolve(x, x)", np.arange(1.0, 5.0)),
    ("numpy.correlate", "np.correlate(x, x)", np.arange(1.0, 5.0)),
    ("numpy.polyval", "np.polyval(x, 0.5)", np.arange(1.0, 5.0)),
    ("numpy.unwrap", "np.unwrap(x)", np.arange(1.0, 5.0)),
    ("numpy.ediff1d", "np.ediff1d(x)", np.arange(1.0, 5.0) ** 2),
    ("numpy.interp", "np.interp(0.5, x, x)", np.arange(1.0, 5.0)),
    ("numpy.nanmin", "np.nanmin(x)", np.arange(1.0, 5.0)),
    ("numpy.percentile", "np.percentile(x, 30)", np.arange(1.0, 5.0)),
    ("numpy.quantile", "np.quantile(x, 0.3)", np.arange(1.0, 5.0)),
    ("numpy.median", "np.median(x)", np.arange(1.0, 5.0)),
    ("numpy.ptp", "np.ptp(x)", np.arange(1.0, 5.0)),
    ("numpy.nanmax", "np.nanmax(x)", np.arange(1.0, 5.0)),
    ("numpy.nanstd", "np.nanstd(x)", np.arange(1.0, 5.0)),
    ("numpy.cov", "np.cov(x)", np.arange(1.0, 5.0)),
    ("numpy.trapezoid", "np.trapezoid(x)", np.arange(1.0, 5.0)),
    ("numpy.histogram", "np.histogram(x)", np.arange(1.0, 5.0)),
    ("numpy.meshgrid", "np.meshgrid(x, x)", np.arange(1.0, 5.0)),
    ("numpy.linspace", "np.linspace(x, 2.0 * x, 5)", 0.5),
    ("math.gamma", "math.gamma(x)", 0.5),
    ("math.lgamma", "math.lgamma(x)", 0.5),
]

SOURCE = """import math

import numpy as np


def f(x):
    y = x * 1.0
    r = {expr}
    return y
"""
CALL_LINE = 8


@pytest.mark.parametrize("mode", ["grad", "jvp"])
@pytest.mark.parametrize("name, expr, arg", UNSUPPORTED, ids=[u[0] for u in UNSUPPORTED])
def test_no_rule_is_a_located_error(name, expr, arg, mode, tmp_path):
    # the result must be used for the call to matter: return something that depends on it
    used = "np.sum(r[0])" if name in MULTI else "np.sum(r)"
    text = SOURCE.format(expr=expr).replace("return y", f"return y + {used}")
    module = load(text, tmp_path, "unsupported")
    path = module.__file__
    with pytest.raises(srcad.SrcadError) as info:
        if mode == "grad":
            srcad.grad(module.f, wrt=0)(arg)
        else:
            srcad.jvp(module.f, wrt=0)(arg, arg)
    message = str(info.value)
    assert message.startswith(f"{path}:{CALL_LINE}: "), message
    assert name in message, message
    assert "srcad.defrule" in (info.value.hint or ""), info.value.hint


MULTI = {"numpy.linalg.eig", "numpy.linalg.svd", "numpy.linalg.qr",
         "numpy.histogram", "numpy.meshgrid"}


def test_enough_functions_are_swept():
    assert len(UNSUPPORTED) >= 15
