"""``srcad path/to/file.py:func [--wrt x,y] [--args "2.0, 3"]``: print derivative source
(coloured on a terminal, ``--color``), or with ``--check`` check the derivative at ``--args``."""
import argparse
import importlib.util
import math
import os
import sys
import textwrap

import numpy as np

from ._version import __version__
from .api import grad, jvp, source_text
from .checking import check_grad
from .display import COLORS, terminal_text, wants_color
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


def add_display_options(parser):
    """``--color``, ``--check`` and ``--version``: how the result is shown, or checked."""
    parser.add_argument("--color", default="auto", choices=COLORS,
                        help="colour the source: auto (on a terminal, unless NO_COLOR is set; "
                             "needs pygments), always or never")
    parser.add_argument("--check", action="store_true",
                        help="instead of printing the source, run srcad.check_grad at --args "
                             "(finite differences, reverse and forward mode): exit status 0 "
                             "when the derivative is right, 1 when not")
    parser.add_argument("--version", action="version", version=f"srcad {__version__}")


def run_check(fn, wrt, names, values, args_text):
    """``--check``: ``srcad.check_grad(fn, wrt)(*values)``, reported in one line."""
    if args_text is None:
        raise UsageError("--check needs --args: the point to check the derivative at, "
                         "e.g. --args '0.7, 3'")
    try:
        check_grad(fn, wrt=wrt)(*values)
    except AssertionError as failed:
        sys.stderr.write(f"srcad: {failed}\n")
        return 1
    point = textwrap.shorten(args_text, 60, placeholder=" ...")
    sys.stdout.write(f"check_grad: the derivative of {fn.__name__} with respect to "
                     f"{', '.join(names)} at ({point}) agrees with finite differences "
                     f"(reverse and forward mode): OK\n")
    return 0


def add_keeping_options(parser):
    """The options that make a derivative something to keep: a module, its provenance."""
    parser.add_argument("--standalone", action="store_true",
                        help="write a whole module that runs without srcad: its imports, the "
                             "srcad runtime helpers it calls copied in")
    parser.add_argument("--origin", action="store_true",
                        help="head each block of generated statements with the line of your "
                             "code it comes from (# file.py:LINE: ...)")
    parser.add_argument("-o", "--output", default=None, metavar="PATH",
                        help="write the source to PATH instead of stdout (with --standalone, "
                             "a sys.path line finds your module from PATH's directory; with "
                             "--graph: a .dot, .gv or .svg file)")


def write_source(options, text):
    if options.output is None:
        sys.stdout.write(terminal_text(text, wants_color(options.color, sys.stdout)))
        return
    try:
        with open(options.output, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as exc:
        raise UsageError(f"{options.output}: cannot write it: {exc.strerror}") from None


def example_values(text):
    """The example arguments of ``--args`` (a Python expression; np and math available)."""
    if not text:
        return ()
    values = eval(text, {"np": np, "math": math})  # noqa: S307
    return values if isinstance(values, tuple) else (values,)


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
    add_display_options(parser)
    add_keeping_options(parser)
    options = parser.parse_args(argv)
    try:
        fn = load_function(options.target)
        wrt = 0
        if options.wrt:
            parts = [int(p) if p.strip().lstrip("-").isdigit() else p.strip()
                     for p in options.wrt.split(",")]
            wrt = parts[0] if len(parts) == 1 else tuple(parts)
        values = example_values(options.args)
        if options.graph:
            drawn = graph(fn, *values, wrt=wrt)
            if options.output is None:
                sys.stdout.write(drawn.dot)
            else:
                drawn.save(options.output)
            return 0
        df = (jvp if options.mode == "forward" else grad)(fn, wrt=wrt)
        if options.check:
            return run_check(fn, wrt, df.wrt, values, options.args)
        write_source(options, source_text(df, values, standalone=options.standalone,
                                          origin=options.origin, written_to=options.output))
        return 0
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
