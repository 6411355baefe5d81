"""The table of the supported NumPy surface in docs/supported.md is the one the registry
generates (regenerate it with ``python -m srcad.rules.surface --write``)."""
import pathlib

from srcad.rules import surface

PAGE = pathlib.Path(__file__).resolve().parents[2] / surface.DOCS_PAGE


def test_docs_section_is_generated():
    section = surface.page_section(PAGE.read_text())
    assert section is not None, f"{surface.DOCS_PAGE} has no numpy-surface section"
    assert section == surface.markdown_table(), \
        f"{surface.DOCS_PAGE} is out of date: run python -m srcad.rules.surface --write"


def test_every_group_is_listed():
    table = surface.markdown_table()
    for group in surface.GROUPS:
        assert f"**{group}**" in table
    assert "`np.linalg.cholesky`" in table and "`.astype()`" in table
