"""Unsupported code raises srcad.SrcadError: ``file.py:LINE: `` (the offending line), naming the
construct, no internal traceback text; at transform time or at the first call at the latest."""
import re

import numpy as np
import pytest

import bad_programs as bad
import srcad

FILE = bad.__file__
MARKS = {}
with open(FILE) as fh:
    for lineno, line in enumerate(fh, 1):
        m = re.search(r"ERR:(\w+)", line)
        if m:
            MARKS.setdefault(m.group(1), []).append(lineno)


def trigger(fn, args, wrt=0, transform=srcad.grad):
    """The SrcadError raised by transforming ``fn`` or, at the latest, by the first call."""
    try:
        derived = transform(fn, wrt=wrt)
        derived(*args)
    except srcad.SrcadError as err:
        return err
    pytest.fail(f"no SrcadError for {getattr(fn, '__name__', fn)}")


def check_message(err, key, words, filename=FILE):
    msg = str(err)
    assert re.match(r"^.+\.py:\d+: ", msg), f"bad location prefix: {msg!r}"
    lines = MARKS[key]
    prefixes = [f"{filename}:{line}: " for line in lines]
    assert any(msg.startswith(p) for p in prefixes), \
        f"expected the message to start with one of {prefixes}, got {msg!r}"
    assert any(w in msg.lower() for w in words), f"message names none of {words}: {msg!r}"
    for internal in ("Traceback", 'File "', "<gast.", "<ast.", "object at 0x", "/srcad/"):
        assert internal not in msg, f"internal text {internal!r} in message: {msg!r}"


CASES = [
    ("try", bad.uses_try, (1.5,), ["try"]),
    ("with", bad.uses_with, (1.5,), ["with"]),
    ("yield", bad.uses_yield, (1.5,), ["yield", "generator"]),
    ("global", bad.global_write, (1.5,), ["global"]),
    ("nonlocal", bad.NONLOCAL_WRITE, (1.5,), ["nonlocal"]),
    ("class", bad.class_inside, (1.5,), ["class"]),
    ("async", bad.async_fn, (1.5,), ["async"]),
    ("median", bad.uses_median, (np.array([0.1, 0.2, 0.3]),), ["median"]),
    ("fft", bad.uses_fft, (np.array([0.1, 0.2, 0.3]),), ["fft"]),
    ("eigvals", bad.uses_eigvals, (np.array([[1.0, 0.2], [0.3, 2.0]]),), ["eigvals"]),
    ("helper", bad.calls_bad_helper, (1.5,), ["try"]),
    ("multiline", bad.multiline_no_rule, (np.array([0.1, 0.2]),), ["median"]),
    ("nested_helper", bad.calls_median_helper, (np.array([0.1, 0.2]),), ["median"]),
    ("decorated", bad.decorated_with, (1.5,), ["with"]),
]


@pytest.mark.parametrize("key, fn, args, words", CASES, ids=[c[0] for c in CASES])
def test_unsupported_construct(key, fn, args, words):
    check_message(trigger(fn, args), key, words)


@pytest.mark.parametrize("transform", [srcad.value_and_grad, srcad.vjp])
def test_unsupported_construct_other_transforms(transform):
    args = (1.5, 1.0) if transform is srcad.vjp else (1.5,)
    check_message(trigger(bad.uses_try, args, transform=transform), "try", ["try"])


def test_fence_runs_before_user_code():
    bad.G = 0.0
    trigger(bad.global_write, (1.5,))
    assert bad.G == 0.0


def test_error_class_is_srcad_error_subclass_of_exception():
    err = trigger(bad.uses_try, (1.5,))
    assert isinstance(err, Exception)
    assert type(err).__module__.startswith("srcad")


@pytest.mark.parametrize("wrt, words", [("z", ["'z'", "z"]), (5, ["5"]), (("x", "nope"), ["nope"]),
                                        (-3, ["-3"])])
def test_wrt_naming_a_missing_argument(wrt, words):
    err = trigger(bad.two_args, (1.0, 2.0), wrt=wrt)
    check_message(err, "wrt", words)


def test_no_rule_on_a_constant_is_fine():
    assert srcad.grad(bad.median_of_constant)(2.0) == pytest.approx(6.0)


def test_function_made_by_exec_without_a_file():
    ns = {}
    exec("def from_string(x):\n    return x * 2.0\n", ns)
    try:
        srcad.grad(ns["from_string"])(1.5)
    except srcad.SrcadError as err:
        msg = str(err)
    else:
        pytest.fail("no SrcadError for a function built by exec")
    assert re.match(r"^<string>:\d+: ", msg), msg
    assert "source" in msg.lower()
    assert "Traceback" not in msg and 'File "' not in msg


def test_function_made_by_exec_with_a_missing_py_file(tmp_path):
    ns = {}
    path = str(tmp_path / "never_written.py")
    exec(compile("\n\ndef from_string(x):\n    return x * 2.0\n", path, "exec"), ns)
    err = trigger(ns["from_string"], (1.5,))
    msg = str(err)
    assert msg.startswith(f"{path}:3: "), msg
    assert "source" in msg.lower()
    assert "Traceback" not in msg and 'File "' not in msg


@pytest.mark.parametrize("thing", [3, 2.5, "f", [1, 2], np.ones(2)])
def test_non_function_is_a_type_error(thing):
    with pytest.raises(TypeError) as info:
        srcad.grad(thing)
    msg = str(info.value)
    assert "function" in msg and type(thing).__name__ in msg
    assert "Traceback" not in msg
