"""The frame's icons of generated pages are shared in one file and look the same (``evidencekb.icons``)."""

from __future__ import annotations

from pathlib import Path

from evidencekb.icons import ICONS, SharedIcons

MENU = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M3 6h18v2H3zm0 5h18v2H3z"/></svg>'
FIGURE = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M1 1h2v2H1z"/></svg>'


def test_icons_outside_the_article_become_references_to_one_file(tmp_path: Path) -> None:
    icons = SharedIcons()
    page = f"<header>{MENU}</header><article>{FIGURE}</article><footer>{MENU}</footer>"
    shared = icons.page(page, "../../" + ICONS)
    assert MENU not in shared and shared.count(f'<use href="../../{ICONS}#i') == 2
    assert FIGURE in shared, "the article keeps its own drawings"
    icons.write(tmp_path)
    symbols = (tmp_path / ICONS).read_text(encoding="utf-8")
    symbol = shared.split("#", 1)[1].split('"', 1)[0]
    assert f'<symbol id="{symbol}" viewBox="0 0 24 24"><path d="M3 6h18v2H3zm0 5h18v2H3z"/></symbol>' in symbols
    assert "M1 1h2v2H1z" not in symbols


def test_a_later_build_keeps_the_symbols_that_earlier_pages_use(tmp_path: Path) -> None:
    first, later = SharedIcons(), SharedIcons()
    first.page(f"<header>{MENU}</header>", ICONS)
    first.write(tmp_path)
    later.page(f"<header>{FIGURE}</header>", ICONS)  # a dirty rebuild of another page
    later.write(tmp_path)
    symbols = (tmp_path / ICONS).read_text(encoding="utf-8")
    assert "M3 6h18v2H3zm0 5h18v2H3z" in symbols and "M1 1h2v2H1z" in symbols
