"""The benchmark workloads are correct: each hand-written adjoint agrees with central
differences and srcad agrees with it (the timings themselves live in benchmarks/run.py)."""
import pathlib
import sys

import numpy as np
import pytest

import srcad

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "benchmarks"))
import measure  # noqa: E402
from cases import cases  # noqa: E402

CASES = {c.name: c for c in cases()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hand_adjoint_and_srcad_agree_with_finite_differences(name):
    case = CASES[name]
    assert measure.check_hand(case) < 1e-5
    got = srcad.grad(case.fn, wrt=case.wrt)(*case.args)
    want = case.hand(*case.args)
    for g, w in zip(got, want):
        assert np.shape(g) == np.shape(w)
        assert np.allclose(g, w, rtol=1e-9, atol=1e-12)


def test_the_benchmark_runs_and_reports_every_target(tmp_path, capsys):
    import run
    out = tmp_path / "results.json"
    assert run.main(["--quick", "--no-peers", "--rounds", "1", "--only", "fixed_point,rk4",
                     "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "| fixed_point |" in text and "| rk4 |" in text and "transform time" in text
    assert out.exists()


@pytest.mark.parametrize("name", ["newton", "rosenbrock"])
def test_hand_adjoint_srcad_and_autograd_agree_to_1e_10(name):
    autograd = pytest.importorskip("autograd")
    import peers
    case = CASES[name]
    fn = peers.load_workloads(autograd.numpy, peers.math_from(autograd.numpy))[name]
    reference = autograd.grad(fn, argnum=case.wrt)(*case.args)
    for got in (case.hand(*case.args), srcad.grad(case.fn, wrt=case.wrt)(*case.args)):
        for g, w in zip(got, reference):
            assert np.shape(g) == np.shape(w)
            assert np.max(np.abs(g - w)) <= 1e-10 * np.max(np.abs(w))
