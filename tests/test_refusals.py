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


def appends(x):
    out = []
    for i in range(3):
        out.append(x * i)
    return sum(out)


def chooses(x, y):
    z = x or y
    return z * 2.0


def line_of(fn, text):
    import inspect
    lines, start = inspect.getsourcelines(fn)
    return start + next(i for i, line in enumerate(lines) if text in line)


@pytest.mark.parametrize("fn, args, text, words", [
    (recursive, (1.5, 3), "def recursive", "recursive function"),
    (appends, (1.5,), "out.append", ".append()"),
    (chooses, (1.5, 2.0), "x or y", "and/or"),
])
def test_refused_with_location(fn, args, text, words):
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(fn)(*args)
    message = str(info.value)
    assert re.match(rf"^.+test_refusals\.py:{line_of(fn, text)}: ", message), message
    assert words in message
