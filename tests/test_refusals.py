"""Refusals found while building the corpus: each is an SrcadError at the right line, never a
wrong number."""
import re

import numpy as np
import pytest

import srcad


def recursive(x, n):
    if n == 0:
        return x
    return x * recursive(x, n - 1)


def reads_a_stale_view(x):
    y = x * 2.0
    head = y[:2]
    y[0] = 1.0
    return np.sum(head * x[:2])


def chooses(x, y):
    z = x or y
    return z * 2.0


def line_of(fn, text):
    import inspect
    lines, start = inspect.getsourcelines(fn)
    return start + next(i for i, line in enumerate(lines) if text in line)


@pytest.mark.parametrize("fn, args, text, words", [
    (recursive, (1.5, 3), "def recursive", "recursive function"),
    (reads_a_stale_view, (np.array([0.5, 1.5, 2.5]),), "return np.sum(head",
     "it may share memory with 'y', which was changed in place at line"),
    (chooses, (1.5, 2.0), "x or y", "and/or"),
])
def test_refused_with_location(fn, args, text, words):
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(fn)(*args)
    message = str(info.value)
    assert re.match(rf"^.+test_refusals\.py:{line_of(fn, text)}: ", message), message
    assert words in message
