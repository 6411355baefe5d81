"""``srcad path/to/file.py:func [--wrt x,y] [--args "2.0, 3"]``: print derivative source."""
import argparse
import importlib.util
import math
import os
import sys

import numpy as np

from .api import grad, jvp, source
from . import errors
from .drawing import GraphvizNotFound, graph
from .errors import SrcadError


def load_function(spec):
    path, sep, func = spec.rpartition(":")
    if not sep or not path or not func:
        raise UsageError(f"expected path/to/file.py:function, got {spec!r}")
    if not os.path.isfile(path):
        raise UsageError(f"{path}: no such file")
    directory = os.path.dirname(os.path.abspath(path))
    sys.path.insert(0, directory)
    name = "srcad_cli_" + os.path.splitext(os.path.basename(path))[0]
    module_spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    try:
        module_spec.loader.exec_module(module)
    except SrcadError:
        raise
    except Exception as exc:
        raise UsageError(f"{path}: importing it failed: {type(exc).__name__}: {exc}") from None
    fn = getattr(module, func, None)
    if fn is None:
        raise UsageError(f"{path}: no function named {func!r}")
    return getattr(fn, "__wrapped__", fn)


class UsageError(Exception):
    pass


def example_values(text):
    """The example arguments of ``--args`` (a Python expression; np and math available)."""
    if not text:
        return ()
    values = eval(text, {"np": np, "math": math})  # noqa: S307
    return values if isinstance(values, tuple) else (values,)


def write(text, output, save=None):
    """``text`` to stdout, or to the file ``output`` (through ``save(path)`` when given)."""
    if output is None:
        sys.stdout.write(text)
    elif save is not None:
        save(output)
    else:
        with open(output, "w", encoding="utf-8") as out:
            out.write(text)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="srcad", description="Print the derivative source srcad generates for a function.")
    parser.add_argument("target", help="path/to/file.py:function")
    parser.add_argument("--wrt", default=None,
                        help="comma-separated parameter names or indices (default: the first)")
    parser.add_argument("--args", default=None,
                        help="example arguments of the function, a Python expression such as "
                             "'2.0, 3' (np and math available): the source is specialised to "
                             "their kinds (scalar or array rank) without running it; without "
                             "--args the general version is shown")
    parser.add_argument("--mode", default="reverse", choices=["reverse", "forward"],
                        help="reverse (a gradient, default) or forward (a jvp)")
    parser.add_argument("--graph", action="store_true",
                        help="print the function's computation graph (Graphviz dot text) "
                             "instead of its derivative; with -o graph.svg, draw it")
    parser.add_argument("-o", "--output", default=None,
                        help="write to this file instead of stdout (with --graph: a .dot, .gv "
                             "or .svg file)")
    options = parser.parse_args(argv)
    try:
        fn = load_function(options.target)
        wrt = 0
        if options.wrt:
            parts = [int(p) if p.strip().lstrip("-").isdigit() else p.strip()
                     for p in options.wrt.split(",")]
            wrt = parts[0] if len(parts) == 1 else tuple(parts)
        if options.graph:
            drawn = graph(fn, *example_values(options.args), wrt=wrt)
            return write(drawn.dot, options.output, drawn.save)
        df = (jvp if options.mode == "forward" else grad)(fn, wrt=wrt)
        return write(source(df, *example_values(options.args)), options.output)
    except GraphvizNotFound as exc:
        sys.stderr.write(f"srcad: {exc}\n")
        return 2
    except errors.UsageError as exc:   # bad --wrt or --args: located at no line of the user's
        sys.stderr.write(f"srcad: {exc.message}\n")
        if exc.hint:
            sys.stderr.write(f"  hint: {exc.hint}\n")
        return 2
    except SrcadError as exc:
        sys.stderr.write(str(exc).splitlines()[0] + "\n")
        hint = str(exc).splitlines()[1:]
        if hint:
            sys.stderr.write("\n".join(hint) + "\n")
        return 1
    except (UsageError, TypeError, ValueError) as exc:
        sys.stderr.write(f"srcad: {exc}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
