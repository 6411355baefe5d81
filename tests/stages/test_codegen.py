"""codegen: tree in, exact text out. Numbers the optimizer folds (any value a Constant can hold)
print as what they are, parenthesised where precedence needs it."""
import math

import gast
import pytest
from conftest import check_round_trip

from srcad.codegen import emit
from srcad.reverse import MARK


class Placeholder(gast.NodeTransformer):
    def __init__(self, value):
        self.value = value

    def visit_Name(self, node):
        return gast.Constant(value=self.value, kind=None) if node.id == "C" else node


def printed(expr, value):
    """The text ``emit`` prints for ``def f(x, g): return <expr>``, ``C`` in ``expr`` being a
    ``Constant(value)``, as a folded constant is; checked to read back as the printed tree."""
    tree = Placeholder(value).visit(gast.parse(f"def f(x, g):\n    return {expr}\n").body[0])
    text = emit(tree)
    check_round_trip(tree, text)
    return text.splitlines()[1].strip()


@pytest.mark.parametrize("expr, value, text", [
    ("x * C ** 2", -0.5, "return x * (-0.5) ** 2"),
    ("C ** x", -2.0, "return (-2.0) ** x"),
    ("x ** C", -2.0, "return x ** -2.0"),
    ("g(C)", -0.5, "return g(-0.5)"),
    ("g(x, C, k=C)", -1, "return g(x, -1, k=-1)"),
    ("x[C]", -1, "return x[-1]"),
    ("x[C:]", -2, "return x[-2:]"),
    ("-C", -0.5, "return --0.5"),
    ("-C ** 2", -0.5, "return -(-0.5) ** 2"),
    ("C.real", -1.0, "return (-1.0).real"),
    ("x * C", -3, "return x * -3"),
    ("x - C", -3, "return x - -3"),
    ("C ** 2", -0.0, "return (-0.0) ** 2"),
    ("x * C", 0.0, "return x * 0.0"),
    ("x * C", math.inf, "return x * 1e1000"),
    ("C ** 2", -math.inf, "return (-1e1000) ** 2"),
    ("x + C", math.nan, "return x + (1e1000 - 1e1000)"),
    ("x * C", 2j, "return x * 2.0j"),
    ("C ** 2", -2j, "return (-2.0j) ** 2"),
    ("C ** 2", complex(0.0, -2.0), "return (0.0 - 2.0j) ** 2"),
    ("C ** 2", 1 - 2j, "return (1.0 - 2.0j) ** 2"),
    ("C ** 2", -1 + 2j, "return (-1.0 + 2.0j) ** 2"),
    ("x * C", True, "return x * True"),
])
def test_folded_constant_prints_as_its_value(expr, value, text):
    assert printed(expr, value) == text


@pytest.mark.parametrize("value", [-0.5, -0.49999999999999994, -0.0, 0.0, math.inf, -math.inf,
                                   -3, 2 ** 70, -(2 ** 70), 1e-300, -5e-324])
def test_printed_number_is_the_same_number(value):
    result = eval(printed("C", value)[len("return "):])
    assert result == value and type(result) is type(value)
    assert math.copysign(1.0, result) == math.copysign(1.0, value)


@pytest.mark.parametrize("value", [2j, -2j, complex(0.0, -2.0), complex(-0.0, 2.0), 1 - 2j,
                                   -1 + 2j, complex(math.inf, -1.0), complex(-0.0, -math.inf)])
def test_printed_complex_is_the_same_number(value):
    """Exactly, signs of zeros too (the imaginary part's sign, when zero, may differ)."""
    result = eval(printed("C", value)[len("return "):])
    assert result == value
    for part in ("real", "imag"):
        assert math.copysign(1.0, getattr(result, part)) == \
            math.copysign(1.0, getattr(value, part))


def test_printed_nan_is_nan():
    assert math.isnan(eval(printed("C", math.nan)[len("return "):]))


def test_sweep_markers_become_comments():
    tree = gast.parse(f"def f(x):\n    '{MARK}forward sweep'\n    return x\n").body[0]
    assert emit(tree) == "def f(x):\n    # forward sweep\n    return x\n"
