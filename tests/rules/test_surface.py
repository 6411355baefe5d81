"""The README's table of the supported NumPy surface is the one the registry generates
(regenerate it with ``python -m srcad.rules.surface --readme README.md``)."""
import pathlib

from srcad.rules import surface

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def test_readme_section_is_generated():
    section = surface.readme_section(README.read_text())
    assert section is not None, "README.md has no numpy-surface section"
    assert section == surface.markdown_table(), \
        "README.md is out of date: run python -m srcad.rules.surface --readme README.md"


def test_every_group_is_listed():
    table = surface.markdown_table()
    for group in surface.GROUPS:
        assert f"**{group}**" in table
    assert "`np.linalg.cholesky`" in table and "`.astype()`" in table
