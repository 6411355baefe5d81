"""Programs written outside this project (autograd's examples/, JAX-tutorial style code), ported
by changing their imports only (tests/external_programs/), checked against finite differences in
reverse and forward mode. A program srcad does not handle today is a strict xfail whose reason
records the error or the wrong numbers."""
import importlib
import pathlib

import pytest

pytest.importorskip("scipy")

import srcad  # noqa: E402

HERE = pathlib.Path(__file__).parent / "external_programs"
MODULES = sorted(p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_"))

# (module, case index) -> (reason, order-2 too?) ; filled from the probe's run
GEN = ("SrcadError (refusal) autograd_bayesian_neural_net.py:31: cannot differentiate a loop over "
       "the generator unpack_layers(...); hint: make unpack_layers return a list")
HMM = ("SrcadError (refusal) autograd_hmm_em.py:42: cannot differentiate a call of a computed "
       "function (sum(map(partial(log_partition_function, natural_params), data))); refused even "
       "when data is not a list and that branch does not run")
ICA = ("SrcadError NoRule autograd_ica.py:32: cannot differentiate "
       "scipy.stats._distn_infrastructure.rv_continuous.logpdf (scipy.stats.t.logpdf)")
XFAIL = {
    ("autograd_bayesian_neural_net", 0): GEN,
    ("autograd_bayesian_neural_net", 1): GEN,
    ("autograd_convnet", 0): ("not portable: autograd.scipy.signal.convolve takes axes=/dot_axes=, "
                              "scipy.signal.convolve raises TypeError (not srcad)"),
    ("autograd_fixed_points", 0): ("SrcadError autograd_fixed_points.py:9: cannot differentiate a call "
                                   "of the nested function _f before its definition (line 21) -- "
                                   "_f = f(a) is a function value returned by a parameter f"),
    ("autograd_hmm_em", 0): HMM,
    ("autograd_hmm_em", 1): HMM,
    ("autograd_ica", 0): ICA,
    ("autograd_ica", 1): ICA,
}
ORDER2 = {("autograd_logistic_regression", 0), ("autograd_tanh", 1), ("autograd_sinusoid", 0),
          ("autograd_negative_binomial_maxlike", 0), ("autograd_gaussian_process", 0)}


def cases():
    out = []
    for name in MODULES:
        mod = importlib.import_module("external_programs." + name)
        for i, (fn, make_args, wrt) in enumerate(mod.CASES):
            marks = []
            if (name, i) in XFAIL:
                marks.append(pytest.mark.xfail(strict=True, reason=XFAIL[name, i]))
            out.append(pytest.param(fn, make_args, wrt, (name, i) in ORDER2,
                                    id=f"{name}-{i}-wrt{wrt}", marks=marks))
    return out


@pytest.mark.parametrize("fn, make_args, wrt, order2", cases())
def test_external_program(fn, make_args, wrt, order2):
    args = make_args()
    srcad.check_grad(fn, wrt=wrt, modes=("reverse", "forward"))(*args)
    if order2:
        srcad.check_grad(fn, wrt=wrt, modes=("reverse",), order=2)(*make_args())
