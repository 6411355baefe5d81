"""The same function gives byte-identical generated source every time, in any process: no ids,
no set or dict-of-hash ordering, no hash-dependent names (PYTHONHASHSEED varied)."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

import programs
import srcad
from srcad import pipeline

HERE = pathlib.Path(__file__).parent
SAMPLE = programs.CASES[::6]      # a spread of the corpus: loops, branches, helpers, arrays


def sources():
    """Generated source of grad and jvp for every sampled case (float wrt: argument 0 or 1)."""
    out = {}
    for case in SAMPLE:
        wrt = next((i for i, a in enumerate(case.args) if is_float(a)), None)
        if wrt is None:
            continue
        for mode in (srcad.grad, srcad.jvp):
            derived = mode(case.fn, wrt=wrt)
            try:
                args = case.args + ((unit_like(case.args[wrt]),) if mode is srcad.jvp else ())
                derived(*args)
                text = srcad.source(derived)
            except (srcad.SrcadError, TypeError, ValueError) as exc:  # refusals are output too
                text = f"{type(exc).__name__}: {exc}"
            out[f"{case.id}:{mode.__name__}"] = text
    return out


def is_float(a):
    import numpy as np
    return isinstance(a, float) or isinstance(a, np.ndarray) and a.dtype.kind == "f"


def unit_like(a):
    import numpy as np
    return 1.0 if isinstance(a, float) else np.ones_like(a)


def test_the_same_source_twice_in_one_process():
    first = sources()
    pipeline._cache.clear()
    assert sources() == first
    assert len(first) >= 60


@pytest.mark.parametrize("hash_seed", ["1", "4242"])
def test_the_same_source_in_other_processes(hash_seed):
    here = sources()
    env = dict(os.environ, PYTHONHASHSEED=hash_seed,
               PYTHONPATH=os.pathsep.join([str(HERE), str(HERE.parent)]))
    script = ("import json, sys, warnings; warnings.simplefilter('ignore'); "
              "import test_determinism as t; json.dump(t.sources(), sys.stdout)")
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=HERE, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    there = json.loads(done.stdout)
    assert there.keys() == here.keys()
    different = [k for k in here if here[k] != there[k]]
    assert not different, f"{len(different)} differ, first {different[0]}"
