import ast
import copy
import difflib

import gast
import pytest

from srcad import codegen, pipeline
from srcad.build import MARK


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/*.expected from the current output")
    # the differential fuzzer (tests/test_fuzz.py): how many programs, from which seed
    parser.addoption("--fuzz", type=int, default=None, metavar="N",
                     help="number of random programs tests/test_fuzz.py checks (default 300, "
                          "or the SRCAD_FUZZ environment variable)")
    parser.addoption("--fuzz-seed", type=int, default=None, metavar="S",
                     help="seed of the fuzzer's programs (default 0, or SRCAD_FUZZ_SEED)")


# ---- round trip of every emission -------------------------------------------------------------
# Each derivative srcad emits, printed and parsed back, must be the tree that was printed (its
# numbers canonicalised by codegen.Literals): a printed text that Python reads differently
# (``-0.5 ** 2`` for a folded ``(-0.5) ** 2``) computes something else than what was generated.


def _printed_tree(tree):
    """``tree`` as printed: numbers canonical, the sweep markers (comments in the text) gone."""
    tree = codegen.Literals().visit(copy.deepcopy(tree))
    codegen.fix_empty_blocks(tree)
    for node in gast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if isinstance(block, list):
                block[:] = [s for s in block if not (
                    isinstance(s, gast.Expr) and isinstance(s.value, gast.Constant)
                    and isinstance(s.value.value, str) and s.value.value.startswith(MARK))]
    return tree


def check_round_trip(tree, text):
    """Fail, naming the function and showing its text, if ``text`` parses to another tree
    than ``tree`` (the tree ``codegen.emit`` printed it from)."""
    parsed = gast.ast_to_gast(ast.parse(text)).body
    expected = gast.dump(_printed_tree(tree), indent=1).splitlines()
    got = gast.dump(parsed[0], indent=1).splitlines() if len(parsed) == 1 else \
        [f"{len(parsed)} statements"]
    if got != expected:
        diff = "\n".join(difflib.unified_diff(expected, got, "printed tree", "parsed back",
                                               lineterm="", n=4))
        raise AssertionError(f"the emitted source of {getattr(tree, 'name', '?')} reads back as "
                             f"another tree:\n{text}\n{diff}")


@pytest.fixture(autouse=True, scope="session")
def round_trip_every_emission():
    real = pipeline.emit

    def checked(tree):
        text = real(tree)
        check_round_trip(tree, text)
        return text

    pipeline.emit = checked
    yield
    pipeline.emit = real
