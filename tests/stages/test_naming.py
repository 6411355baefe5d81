"""naming: temporaries named after their operands, short enough to read (at most MAX_NAME)."""
import gast
import pytest

from srcad.naming import MAX_NAME, Namer, temp_base, temp_names


def expr(src):
    return gast.parse(src).body[0].value


@pytest.mark.parametrize("src, name", [
    ("x * y", "x_times_y"), ("np.sin(x)", "sin_x"), ("h @ W", "h_at_W"), ("a ** 2", "a_pow_2"),
    ("2.0 * k2u", "k2u_times_2"), ("0.5 * dt", "dt_times_0_5"), ("dt / 6.0", "dt_over_6"),
    ("1.0 - x", "c1_minus_x"), ("-a", "neg_a"), ("xs[t]", "xs_item"), ("W.T", "W_T"),
    ("k1u + k2u_times_2", "k1u_plus_k2u_times_2"), ("np.arctan2(y, x)", "arctan2_y_x"),
    ("(w,)", "w_tuple"), ("[a, b]", "a_b_list")])
def test_short_names_stay_as_they_are(src, name):
    assert temp_base(expr(src)) == name


@pytest.mark.parametrize("src, name", [
    ("u + dt_times_0_5_times_k1u", "u_plus_k1u"),           # a long right operand: its last name
    ("dt_times_0_5 * k1u", "dt_times_k1u"),                 # a long left operand: its first name
    ("y_pow_2_times_3 + a", "y_pow_2_plus_a"),              # ... with the numbers right after it
    ("k1v_plus_k3v_times_2 + k4v", "k1v_plus_k4v"),
    ("x_times_x + y_times_y", "x_plus_y_times_y"),          # only as much as needed, longest first
    ("alpha_times_u - beta_times_u_times_v", "alpha_minus_v"),
    ("np.exp(neg_a_times_x_times_x)", "exp_neg_a"),         # a call: f_arg, the argument shortened
    ("xs_item_at_Wx_plus_h_at_Wh + b", "xs_item_plus_b"),
    ("n_steps * dt_times_k1u_plus_k2u_times_2", "n_steps_times_k2u")])   # n_steps: kept whole
def test_long_names_are_shortened_from_their_operands(src, name):
    assert temp_base(expr(src)) == name


@pytest.mark.parametrize("src, name", [
    ("averylongusername_one * anotherlongname", "product"),
    ("first_long_operand + second_long_operand", "total"),    # not "sum": a builtin, so "sum_2"
    ("averylongusername_one / anotherlongname", "ratio"),
    ("np.some_function_name(a_long_argument)", "some_function_name"),
    ("some_function_name(a_long_argument)", "some_function_name_a_long_argument")])  # not f itself
def test_only_what_cannot_be_shortened_enough_is_the_operation_alone(src, name):
    assert temp_base(expr(src)) == name


LONG = ["u + dt_times_0_5_times_k1u", "k1v_plus_k2v_times_2 + k3v_times_2",
        "alpha_times_u - beta_times_u_times_v", "xs_item_at_Wx_plus_h_at_Wh + b",
        "dt_over_6 * k1v_plus_k2v_times_2_plus_k3v", "np.exp(neg_a_times_x_times_x)",
        "lotka_volterra(u_plus_dt_times_k1u, v_plus_dt_times_k1v)", "-a_times_x_times_x_times_y",
        "y_pow_3_plus_a_times_y - c", "f(x_times_y_times_z_plus_w, p_minus_q_times_r)"]


@pytest.mark.parametrize("src", LONG)
def test_long_names_fit_and_are_identifiers(src):
    names = temp_names(expr(src))
    assert len(names[0]) <= MAX_NAME and names[0].isidentifier()
    assert all(n.isidentifier() for n in names) and len(set(names)) == len(names)


@pytest.mark.parametrize("src", LONG)
def test_names_are_deterministic(src):
    first = temp_names(expr(src))
    assert all(temp_names(expr(src)) == first for _ in range(3))


def test_a_taken_name_gives_way_to_a_longer_variant_before_a_suffix():
    e = expr("u + dt_times_0_5_times_k1u")
    assert temp_names(e)[:2] == ["u_plus_k1u", "u_plus_dt_k1u"]     # both end names
    namer = Namer({"u", "k1u", "dt_times_0_5_times_k1u"})
    assert [namer.fresh(*temp_names(e)) for _ in range(3)] == [
        "u_plus_k1u", "u_plus_dt_k1u", "u_plus_k1u_2"]


def test_a_shortened_name_that_is_its_own_operand_takes_the_longer_one():
    e = expr("neg_a_times_x * x")               # neg_a_times_x: the left operand itself
    assert Namer({"neg_a_times_x", "x"}).fresh(*temp_names(e)) == "neg_a_times_x_times_x"


def test_a_taken_item_is_named_after_its_index():
    namer = Namer({"x", "i", "X_item"})
    assert namer.fresh(*temp_names(expr("x[i]"))) == "x_item"
    assert namer.fresh(*temp_names(expr("x[i]"))) == "x_i"
    assert namer.fresh(*temp_names(expr("x[1:]"))) == "x_from_1"
    assert namer.fresh(*temp_names(expr("x[:-1]"))) == "x_to_neg1"
    assert namer.fresh(*temp_names(expr("X[t]"))) == "X_t"


def test_fresh_keeps_its_old_behaviour_for_one_name():
    namer = Namer({"x"})
    assert [namer.fresh("x"), namer.fresh("x"), namer.fresh("sum"), namer.fresh("class")] == [
        "x_2", "x_3", "sum_2", "tmp"]
