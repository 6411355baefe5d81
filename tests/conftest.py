def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/*.expected from the current output")
    # the differential fuzzer (tests/test_fuzz.py): how many programs, from which seed
    parser.addoption("--fuzz", type=int, default=None, metavar="N",
                     help="number of random programs tests/test_fuzz.py checks (default 300, "
                          "or the SRCAD_FUZZ environment variable)")
    parser.addoption("--fuzz-seed", type=int, default=None, metavar="S",
                     help="seed of the fuzzer's programs (default 0, or SRCAD_FUZZ_SEED)")
