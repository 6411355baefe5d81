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


def test_enumerate_of_zip_unpacks_into_the_index_loop():
    assert body(s.enumerate_zip)[1:4] == ["for i in range(min(len(ws), len(xs))):",
                                          "w = ws[i]", "x = xs[i]"]


def test_a_tuple_loop_target_unpacks_each_element():
    assert body(s.weight_tuples)[:3] == ["for i in range(len(params)):",
                                         "params_item = params[i]", "W, b = params_item"]


def test_variadic_parameters_and_calls():
    text = core(s.variadic_calls)
    assert text.startswith("def variadic_calls(w, args):")      # the tuple, a plain parameter
    assert body(s.variadic_calls)[:10] == [
        "a, b = args",                                  # a star into named parameters: unpacked
        "two_of_a_b = two_of(a, b)",
        "xs = w,",                                      # extras for *xs: one tuple
        "xs_2 = xs + args",
        "star_of_w = star_of(w, *xs_2)",
        "total = two_of_a_b + star_of_w",
        "x = args[0]",                                  # into x and *xs: the rest sliced
        "xs_3 = args[1:]",
        "star_of_x = star_of(x, *xs_3)",
        "out = total + star_of_x"]
