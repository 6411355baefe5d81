"""Time srcad's gradients against the primal, hand-written adjoints and the peers.

    python benchmarks/run.py [--quick] [--only rk4,mlp] [--json benchmarks/results.json]

Prints a markdown table of ratios (the tables in benchmarks/README.md are its output) and
writes the figures as JSON. Every gradient is checked
before it is timed (hand-written adjoints against central differences, srcad against the hand
adjoint, each peer against srcad). Timings are interleaved rounds in one process, median per
tool, with BLAS and every peer on one thread.
"""
import os

# one thread for BLAS, XLA and PyTorch: on 2 cores their pools otherwise fight (before imports)
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"
os.environ["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import argparse          # noqa: E402
import json              # noqa: E402
import pathlib           # noqa: E402
import sys               # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

import measure           # noqa: E402
import report            # noqa: E402
from cases import cases  # noqa: E402
from peers import all_peers  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 short rounds (a smoke run)")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds (9)")
    parser.add_argument("--only", default="", help="comma-separated workload names")
    parser.add_argument("--no-peers", action="store_true", help="srcad, primal and hand only")
    parser.add_argument("--json", default=str(HERE / "results.json"), help="where to write")
    opts = parser.parse_args(argv)
    rounds = opts.rounds or (3 if opts.quick else 9)
    budget = 0.01 if opts.quick else 0.05          # seconds per tool per round

    chosen = [c for c in cases() if not opts.only or c.name in opts.only.split(",")]
    if not chosen:
        parser.error(f"--only {opts.only!r} names no workload; they are: "
                     f"{', '.join(c.name for c in cases())}")
    peers = [] if opts.no_peers else [p for p in all_peers() if p.available()]
    results = {"machine": measure.machine(peers), "rounds": rounds, "workloads": {}}
    for case in chosen:
        print(f"timing {case.name} ...", file=sys.stderr, flush=True)
        results["workloads"][case.name] = measure.workload(case, peers, rounds, budget)
    results["extras"] = measure.extras(rounds, budget, quick=opts.quick)
    results["targets"] = report.targets(results)
    text = report.markdown(results)
    print(text)
    pathlib.Path(opts.json).write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten: {opts.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
