"""scipy.stats densities that autograd's examples use: ``norm`` (logpdf, pdf, cdf, with loc
and scale) and ``multivariate_normal`` (logpdf, pdf, with mean and cov). Like scipy.special,
``rules/__init__.py`` imports this module only when scipy imports.

``scipy.stats.norm.logpdf`` is a bound method of the ``norm`` object: each attribute read
makes a new one, but they compare and hash equal, so the rule keyed by one is found by every
``scipy.stats.norm.logpdf`` (or ``from scipy.stats import norm``; ``norm.logpdf``) srcad reads.
"""
import math

from scipy import stats

from . import defrule
from .numpy import given

INV_SQRT_2PI = repr(1.0 / math.sqrt(2.0 * math.pi))
NORM = "x, loc=0, scale=1"

# ---- norm: z = (x - loc) / scale --------------------------------------------------------------
# logpdf = -z^2/2 - log(scale) - log(sqrt(2 pi)): d/dx = -z/scale, d/dloc = z/scale,
# d/dscale = (z^2 - 1)/scale; pdf = exp(logpdf) multiplies them by out; cdf's d/dx is the pdf.
Z = "((x - loc) / scale)"


def norm_rule(key, factor, dx, dscale):
    """The rule of ``key`` from its partials in x and scale (the one in loc is minus the one in
    x), each times ``factor`` (``out`` for the pdf)."""
    f = f"{factor} * " if factor else ""
    defrule(key, NORM,
            f"g = {f}dout\n"
            f"dx += unbroadcast(g * {dx}, x)\n"
            f"dloc -= unbroadcast(g * {dx}, loc)\n"
            f"dscale += unbroadcast(g * {dscale}, scale)",
            f"dout = {f}{dx} * dx - {f}{dx} * dloc + {f}{dscale} * dscale")


norm_rule(stats.norm.logpdf, "", f"(-{Z} / scale)", f"(({Z} ** 2 - 1.0) / scale)")
norm_rule(stats.norm.pdf, "out", f"(-{Z} / scale)", f"(({Z} ** 2 - 1.0) / scale)")
DENSITY = f"({INV_SQRT_2PI} * np.exp(-0.5 * {Z} ** 2) / scale)"
norm_rule(stats.norm.cdf, "", DENSITY, f"(-{DENSITY} * {Z})")


# ---- multivariate_normal: r = x - mean, s = r inv(cov) (cov symmetric) -------------------------
# logpdf = -(r . s)/2 - log det(2 pi cov)/2: d/dx = -s, d/dmean = s. scipy reads cov's lower
# triangle (eigh): d/dcov = Phi(S) with S = sum_n g_n s_n s_n^T - sum(g) inv(cov) (as cholesky).
def solved(call):
    r = "(x - mean)" if given(call, "mean") else "x"
    if not given(call, "cov"):
        return r
    return f"({r} / cov)" if call.ndim("cov") == 0 else f"({r} @ np.linalg.inv(cov))"


def mvn_reverse(factor):
    def rule(call):
        f = f"{factor} * " if factor else ""
        outer = {1: "np.outer(s, s) * g", 2: "(s * np.expand_dims(g, -1)).T @ s"}.get(
            call.ndim("x"), "np.einsum('...i,...j->ij', s * np.expand_dims(g, -1), s)")
        return (f"g = {f}dout\n"
                f"s = {solved(call)}\n"
                "dx -= np.expand_dims(g, -1) * s\n"
                "dmean += unbroadcast(np.expand_dims(g, -1) * s, mean)\n"
                f"dcov += tril_half_diag({outer} - np.sum(g) * np.linalg.inv(cov))")
    return rule


def mvn_forward(factor):
    def rule(op):
        f = f"{factor} * " if factor else ""
        s = solved(op)
        seen = "(np.tril(dcov) + np.swapaxes(np.tril(dcov, -1), -1, -2))"
        return (f"dout = -{f}np.sum({s} * dx, axis=-1) + {f}np.sum({s} * dmean, axis=-1) + "
                f"{f}0.5 * (np.sum(({s} @ {seen}) * {s}, axis=-1) - "
                f"np.trace(np.linalg.solve(cov, {seen})))")
    return rule


MVN = "x, mean=None, cov=1"
defrule(stats.multivariate_normal.logpdf, MVN, mvn_reverse(""), mvn_forward(""))
defrule(stats.multivariate_normal.pdf, MVN, mvn_reverse("out"), mvn_forward("out"))
