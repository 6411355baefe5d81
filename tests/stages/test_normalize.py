"""normalize: source in, core language out."""
import astor
import gast

from srcad.frontend import read_function
from srcad.normalize import normalize

from . import stage_samples as s


def core(fn):
    return astor.to_source(gast.gast_to_ast(normalize(read_function(fn))))


def body(fn):
    return [line.strip() for line in core(fn).splitlines()[1:]]


def test_one_operation_per_statement():
    assert body(s.anf) == ["x_times_y = x * y", "sin_x_times_y = np.sin(x_times_y)",
                           "x_times_2 = 2.0 * x", "out = sin_x_times_y + x_times_2", "return out"]


def test_augmented_assignment_becomes_assignment():
    assert body(s.aug) == ["x = x + 1.0", "x = x * x", "return x"]


def test_early_return_becomes_one_exit():
    assert body(s.early) == ["if x > 0:", "result = x * 2.0", "else:", "result = -x",
                             "return result"]


def test_return_in_loop_becomes_flag_and_break():
    text = core(s.loop_return)
    assert "returned = True" in text and "break" in text
    assert text.count("return ") == 1


def test_loop_over_rows_becomes_index_loop():
    assert body(s.rows)[1:3] == ["for i in range(len(X)):", "row = X[i]"]


def test_swap_keeps_the_old_value():
    assert body(s.swap)[:3] == ["a_old = a", "a = b", "b = a_old"]


def test_line_numbers_are_the_files():
    tree = normalize(read_function(s.anf))
    assert tree.body[0].lineno == s.anf.__code__.co_firstlineno + 1
